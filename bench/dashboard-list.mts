// The dashboard's containers page with N containers (default 1,000: created, one in ten running):
// time from navigation until every row is in the page and a row's link answers a click, in Debian's
// Chromium, against a real agent and dashboard. Reported, never asserted (issue 9's target: < 2 s).
//   node --import tsx bench/dashboard-list.mts      (as root; N= to change the count; needs the web build)
import { chromium } from 'playwright-core';
import { startStack } from '../apps/web/test/e2e/stack.ts';

const N = Number(process.env.N ?? 1000);
const RUNNING_EVERY = 10;
const stack = await startStack();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
try {
  const t0 = Date.now();
  const names: string[] = [];
  for (let i = 0; i < N; i++) {
    const name = stack.agent.name(`l${i}`);
    names.push(name);
    stack.agent.ok([i % RUNNING_EVERY === 0 ? 'run' : 'create', ...(i % RUNNING_EVERY === 0 ? ['-d'] : []), '--name', name, '--network', 'none', 'busybox:1.37.0-musl', 'sleep', '3600']);
  }
  console.log(`created ${N} containers (${Math.ceil(N / RUNNING_EVERY)} running) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${stack.webUrl}/login`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(stack.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-user').waitFor();
  for (let round = 1; round <= 3; round++) {
    const start = Date.now();
    await page.goto(`${stack.webUrl}/containers`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=container-row]').length >= n, N, { timeout: 120_000 });
    const rows = Date.now() - start;
    // interactive: a click on the last row's link navigates
    await page.locator(`[data-testid=container-row][data-name="${names[N - 1]}"] [data-testid=container-link]`).click();
    await page.waitForURL(/\/containers\/[0-9a-f]+$/);
    console.log(`round ${round}: all ${N} rows in ${rows} ms; a row's link answered after ${Date.now() - start} ms`);
  }
} finally {
  await browser.close();
  await stack.dispose();
}
