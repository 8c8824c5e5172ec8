// dashboard.js: the dashboard in Debian's chromium (playwright-core, the system browser; no
// download): GUARDED, the accounts, a lockout set with `srm admin lockout set` shown live with
// a countdown that decreases, the journal rows `srm history --json` has, the day's chart with
// the points from before srmd's restart, phone width without horizontal scroll, no CSP
// violation, NOT GUARDED with the reason while the simulator refuses the hubs and GUARDED
// again when they are back, and NOT GUARDED once srmd is stopped.
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');

const env = process.env;
const { check, run } = require('./common');
const srm = (...args) => execFileSync(env.SRM, [...args, '--socket', env.SOCK], { encoding: 'utf8' });

run([], async (ctx) => {
  const problems = [];
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  const t0 = Date.now();
  await page.goto(env.DASH_URL);
  check('the token URL lands on / (token out of the address bar)', !page.url().includes('token='), page.url());
  await page.waitForSelector('#banner.ok', { timeout: 15000 });
  check('the banner says GUARDED', (await page.textContent('#banner-state')) === 'GUARDED');
  console.log(`page GUARDED ${Date.now() - t0} ms after opening the URL`);
  const cookies = await ctx.cookies();
  const c = cookies.find((k) => k.name === 'srm_dash');
  check('the cookie is HttpOnly and SameSite=Strict', c && c.httpOnly && c.sameSite === 'Strict');
  check('the page cannot read the cookie', (await page.evaluate(() => document.cookie)) === '');
  await page.waitForSelector(`article[data-account="${env.ACC}"]`, { timeout: 10000 });
  check('a card for each account', (await page.$$('article.card')).length === 2);
  check('the daily loss limit bar and the floor', (await page.textContent(`article[data-account="${env.ACC}"]`))
    .includes('P&L vs daily loss limit') && (await page.textContent(`article[data-account="${env.ACC}"]`)).includes('Distance to the floor'));

  // a lockout, set with the CLI, shows live with a countdown that decreases
  srm('admin', 'lockout', 'set', env.ACC, '--for', '30m', '--reason', 'browser test cooling off');
  const card = `article[data-account="${env.ACC}"]`;
  await page.waitForSelector(`${card} .state.bad`, { timeout: 5000 });
  check('the card shows LOCKED OUT', (await page.textContent(`${card} .state`)) === 'LOCKED OUT');
  check('with the reason', (await page.textContent(`${card} .lockout`)).includes('browser test cooling off'));
  const cd1 = await page.textContent(`${card} .countdown`);
  await page.waitForTimeout(2100);
  const cd2 = await page.textContent(`${card} .countdown`);
  const secs = (s) => { const m = /(?:(\d+)h )?(\d+)m (\d+)s/.exec(s); return m ? (+(m[1] || 0)) * 3600 + (+m[2]) * 60 + (+m[3]) : NaN; };
  check(`the countdown decreases (${cd1} -> ${cd2})`, secs(cd2) < secs(cd1) && secs(cd1) > 29 * 60);
  check('the chart is drawn', (await page.$$(`${card} svg.chart path.realized`)).length === 1);
  // account 2's chart: the points of before srmd's restart (from the state file), then now
  const card2 = `article[data-account="${env.ACC2}"]`;
  const before = Number(env.PNL_BEFORE);
  const drawn = await page.$eval(`${card2} svg.chart path.realized`, (p) => (p.getAttribute('d').match(/[ML]/g) || []).length);
  check(`account 2's chart draws the ${before} points of before the restart (${drawn} drawn)`, before >= 2 && drawn >= before + 1);

  // the journal: the rows srm history --json has
  const hist = JSON.parse(srm('history', '--json', '--limit', '200'));
  await page.waitForFunction((n) => document.querySelectorAll('#history tbody tr').length >= n, hist.length, { timeout: 20000 });
  const ids = await page.$$eval('#history tbody tr', (rs) => rs.map((r) => Number(r.dataset.id)));
  check(`the journal has the rows of srm history (${hist.length})`, hist.every((h) => ids.includes(h.id)));
  check('the chart marks where SRM enforced', (await page.$$('svg.chart circle.mark')).length > 0);
  await page.selectOption('#f-account', String(env.ACC));
  const shown = await page.$$eval('#history tbody tr td:nth-child(2)', (t) => t.map((x) => x.textContent));
  check('the account filter keeps one account', shown.length > 0 && new Set(shown).size === 1);
  await page.screenshot({ path: path.join(env.SHOTS, 'dashboard-1440x900.png'), fullPage: true });

  // phone width
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(`no horizontal scroll at 390 px (scrollWidth ${sw[0]})`, sw[0] <= sw[1]);
  await page.screenshot({ path: path.join(env.SHOTS, 'dashboard-390x844.png'), fullPage: true });

  check(`no console errors or CSP violations (${problems.length})`, problems.length === 0, problems.join(' | '));

  // the simulator refuses the hubs: srmd is not guarded, the banner says so and why
  const fault = (body) => fetch(env.SIM_URL + '/sim/fault', { method: 'POST', body: JSON.stringify(body) });
  const tDrop = Date.now();
  await fault({ kind: 'refuse_hubs', ms: 2000 });
  await page.waitForSelector('#banner.bad', { timeout: 10000 });
  const dropReason = await page.textContent('#banner-reason');
  check(`a hub drop at the simulator turns the banner NOT GUARDED (${Date.now() - tDrop} ms)`,
    (await page.textContent('#banner-state')) === 'NOT GUARDED');
  check(`...with the reason (${dropReason})`, /hub/i.test(dropReason), dropReason);
  await page.screenshot({ path: path.join(env.SHOTS, 'dashboard-hubs-down.png') });
  await page.waitForSelector('#banner.ok', { timeout: 30000 });
  check(`GUARDED again when the hubs are back (${Date.now() - tDrop} ms after the drop)`,
    (await page.textContent('#banner-state')) === 'GUARDED');

  // srmd stops: the banner turns red
  process.kill(Number(env.SRMDPID), 'SIGTERM');
  await page.waitForSelector('#banner.bad', { timeout: 10000 });
  check('NOT GUARDED when srmd is stopped', (await page.textContent('#banner-state')) === 'NOT GUARDED');
  console.log('banner: ' + (await page.textContent('#banner-reason')));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: path.join(env.SHOTS, 'dashboard-not-guarded.png') });

  // a browser without the cookie gets nothing
  await ctx.clearCookies();
  const p2 = await ctx.newPage();
  const r = await p2.goto(env.DASH_URL.replace(/\/\?token=.*/, '/')).catch(() => null);
  check('a browser without the cookie gets nothing (srmd stopped: no answer at all)', r === null || r.status() === 401);
});
