// common.js: what the browser tests share: check() and one run of Debian's chromium
// (playwright-core, the system browser, a fresh profile; the flags this machine needs),
// with the test's own extra flags. run() reports, cleans up and exits 1 on any failure.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

let failed = 0;
function check(desc, ok, extra) {
  console.log((ok ? 'ok   ' : 'FAIL ') + desc + (extra && !ok ? ' (' + extra + ')' : ''));
  if (!ok) failed++;
}

async function run(extraArgs, body) {
  // a fresh --user-data-dir: playwright passes it for a persistent context
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'srm-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1440, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...extraArgs],
  });
  try {
    await body(ctx);
  } catch (e) {
    check('the browser test ran to its end', false, e.message);
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(failed ? `browser: ${failed} failed` : 'browser: all passed');
  process.exit(failed ? 1 : 0);
}

module.exports = { check, run };
