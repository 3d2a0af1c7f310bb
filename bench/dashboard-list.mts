// The dashboard's containers page with N containers (default 1,000: created, one in ten running),
// in Debian's Chromium against a real agent and dashboard. Reported, never asserted (issue 9's
// target: interactive in < 2 s). Each round, from navigation:
//   list   — the first rows and the count of all N are shown (the list is virtualised: only the
//            rows in view are in the page)
//   click  — a click on the first row's link has opened that container's page
// and, back on the list: End + Enter from the keyboard opens the oldest container; typing its
// name in the filter leaves one row.
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
  const countIs = (n: number) => page.waitForFunction((n) => (document.querySelector('[data-testid=containers-count]')?.textContent ?? '').startsWith(`${n} container`), n, { timeout: 120_000 });
  for (let round = 1; round <= 3; round++) {
    let start = Date.now();
    await page.goto(`${stack.webUrl}/containers`);
    await page.locator('[data-testid=container-row]').first().waitFor({ timeout: 120_000 });
    await countIs(N);
    const list = Date.now() - start;
    const inPage = await page.locator('[data-testid=container-row]').count();
    await page.locator('[data-testid=container-row] [data-testid=container-link]').first().click();
    await page.waitForURL(/\/containers\/[0-9a-f]+$/);
    await page.getByTestId('container-name').waitFor();
    const click = Date.now() - start;
    await page.goBack();
    await countIs(N);
    start = Date.now();
    await page.getByTestId('containers-table').focus();
    await page.keyboard.press('End');
    await page.locator(`tr[aria-selected=true][data-name="${names[0]}"]`).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/containers\/[0-9a-f]+$/);
    await page.getByTestId('container-name').filter({ hasText: names[0]! }).waitFor();
    const keys = Date.now() - start;
    await page.goBack();
    await countIs(N);
    start = Date.now();
    await page.getByTestId('containers-search').fill(names[0]!);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=container-row]').length === 1 && document.querySelector('[data-testid=container-row]')?.getAttribute('data-name') === n, names[0]!);
    const filter = Date.now() - start;
    await page.getByTestId('containers-search').fill('');
    console.log(`round ${round}: list of ${N} shown ${list} ms (${inPage} rows in the page); first row opened ${click} ms; End+Enter opened the oldest ${keys} ms; filter to one row ${filter} ms`);
  }
} finally {
  await browser.close();
  await stack.dispose();
}
