// tls.js: the dashboard in Debian's chromium over https and wss (tests/browser/tls.sh): the
// browser trusts exactly the test's server key (--ignore-certificate-errors-spki-list), so
// the page, its API and its event stream must all be TLS to reach GUARDED; the cookie is Secure.
'use strict';
const path = require('path');

const env = process.env;
const { check, run } = require('./common');

run([`--host-resolver-rules=MAP ${env.HOST} 127.0.0.1`,
      `--ignore-certificate-errors-spki-list=${env.SPKI}`], async (ctx) => {
  const problems = [];
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  const wsUrls = [];
  page.on('websocket', (ws) => wsUrls.push(ws.url()));
  const r = await page.goto(env.DASH_URL);
  check('the token URL loads over https', r && r.ok() && page.url().startsWith('https://') && !page.url().includes('token='), page.url());
  await page.waitForSelector('#banner.ok', { timeout: 15000 });
  check('GUARDED over https (the API and the event stream answered)', (await page.textContent('#banner-state')) === 'GUARDED');
  check(`the event stream is wss (${wsUrls.join(' ')})`, wsUrls.length > 0 && wsUrls.every((u) => u.startsWith('wss://')));
  const c = (await ctx.cookies()).find((k) => k.name === 'srm_dash');
  check('the cookie is Secure, HttpOnly and SameSite=Strict', c && c.secure && c.httpOnly && c.sameSite === 'Strict');
  await page.waitForSelector('article.card', { timeout: 10000 });
  check('the accounts are shown', (await page.$$('article.card')).length === 2);
  await page.screenshot({ path: path.join(env.SHOTS, 'dashboard-tls.png') });
  check(`no console errors (${problems.length})`, problems.length === 0, problems.join(' | '));
});
