// End to end: Debian's Chromium drives the dashboard and a REAL agent. Without BERTH_WEB_URL the
// test starts both itself (as root, on private ports and data roots, busybox loaded); with it,
// it uses that running stack:
//   BERTH_WEB_URL=http://127.0.0.1:3000 BERTH_ADMIN_PASSWORD=... npm run test:e2e -w @berth/web
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { webUnderTest, type Stack } from './stack';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
let WEB = '';
let PASSWORD = '';
let stack: Stack | undefined;
const IMAGE = process.env.BERTH_E2E_IMAGE ?? 'busybox:1.37.0-musl';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const name = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

let userDataDir = '';
let context: BrowserContext | undefined;
let page: Page;
let removed = false;

before(async () => {
  ({ web: WEB, password: PASSWORD, stack } = await webUnderTest());
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(20_000);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.log(`[browser error] ${e.message}`));
  // remove buttons ask first, as a person would answer
  page.on('dialog', (d) => void d.accept());
});

after(async () => {
  if (context && !removed) {
    // the test failed midway: remove the container through the web's agent API (force)
    try {
      const res = await context.request.post(`${WEB}/api/agent/trpc/containers.remove`, {
        headers: { origin: WEB, 'content-type': 'application/json' },
        data: { id: name, force: true },
      });
      console.log(`cleanup: remove ${name} → http ${res.status()}`);
    } catch (e) {
      console.log(`cleanup failed: ${(e as Error).message}`);
    }
  }
  await context?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  await stack?.dispose();
});

async function shot(label: string) {
  try {
    fs.mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: path.join('test-results', `${label}.png`), fullPage: true });
  } catch {
    /* best effort */
  }
}

test('log in, run a container, see its logs, use its terminal, stop and remove it', { timeout: 180_000 }, async (t) => {
  try {
    await t.test('login', async () => {
      await page.goto(`${WEB}/containers`);
      await page.waitForURL(/\/login$/);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill(PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/containers$/);
      assert.match((await page.getByTestId('nav-user').textContent()) ?? '', /admin/);
    });

    await t.test('run', async () => {
      await page.locator(`[data-testid=run-image] option[value="${IMAGE}"]`).waitFor({ state: 'attached' });
      await page.getByTestId('run-image').selectOption(IMAGE);
      await page.getByTestId('run-name').fill(name);
      await page.getByTestId('run-command').fill(`sh -c 'while true; do date; sleep 1; done'`);
      await page.getByTestId('run-submit').click();
      const row = page.locator(`[data-testid=container-row][data-name="${name}"]`);
      await row.waitFor({ timeout: 30_000 }).catch(async (e) => {
        const err = await page.getByTestId('run-error').textContent().catch(() => null);
        throw new Error(`container row did not appear${err ? `; run error: ${err}` : ''}: ${(e as Error).message}`);
      });
      await page.locator(`[data-testid=container-row][data-name="${name}"][data-state=running]`).waitFor({ timeout: 30_000 });
    });

    await t.test('logs', async () => {
      await page.locator(`[data-testid=container-row][data-name="${name}"] [data-testid=container-link]`).click();
      await page.waitForURL(/\/containers\/[^/]+$/);
      const year = new RegExp(`${new Date().getUTCFullYear()}|${new Date().getFullYear()}`);
      await page.getByTestId('log-view').locator('.log-line', { hasText: year }).first().waitFor({ timeout: 30_000 });
    });

    await t.test('terminal', async () => {
      await page.getByTestId('tab-terminal').click();
      await page.getByTestId('terminal').locator('.xterm').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid=terminal-status]')?.textContent?.startsWith('open'), null, { timeout: 20_000 });
      // give the shell a moment to print its prompt, then type
      await page.getByTestId('terminal').locator('.xterm-rows').filter({ hasText: /\S/ }).waitFor({ timeout: 10_000 }).catch(() => {});
      await page.getByTestId('terminal').click();
      await page.keyboard.type('echo term-ok');
      await page.keyboard.press('Enter');
      // the output line is exactly "term-ok" (the echoed command line also contains it)
      await page.waitForFunction(
        () => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')].some((r) => r.textContent?.trim() === 'term-ok'),
        null,
        { timeout: 20_000 },
      );
    });

    await t.test('stop', async () => {
      await page.getByTestId('action-stop').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=container-state]')?.textContent === 'exited', null, { timeout: 60_000 });
    });

    await t.test('remove', async () => {
      await page.getByTestId('action-remove').click();
      await page.waitForURL(/\/containers$/, { timeout: 30_000 });
      removed = true;
      await page.getByTestId('containers-table').waitFor();
      await page.waitForFunction((n) => !document.querySelector(`[data-testid=container-row][data-name="${n}"]`), name, { timeout: 20_000 });
      // and it stays gone after a fresh load
      await page.reload();
      await page.getByTestId('containers-table').locator('tbody tr').first().waitFor();
      assert.equal(await page.locator(`[data-testid=container-row][data-name="${name}"]`).count(), 0);
    });
  } catch (e) {
    await shot(`dashboard-failure-${name}`);
    throw e;
  }
});

test('build an image from a Dockerfile and a picked file, run it, and see a broken Dockerfile named', { timeout: 240_000 }, async (t) => {
  const tag = `${name}-built:1`;
  const runName = `${name}-b`;
  const trpcPost = (proc: string, data: unknown) => context!.request.post(`${WEB}/api/agent/trpc/${proc}`, { headers: { origin: WEB, 'content-type': 'application/json' }, data });
  try {
    await t.test('build', async () => {
      await page.goto(`${WEB}/images`);
      await page.getByTestId('images-build').click();
      await page.waitForURL(/\/images\/build$/);
      await page.getByTestId('build-dockerfile').fill(`FROM ${IMAGE}\nRUN echo built-in-the-browser > /b.txt\nCOPY notes.txt /notes.txt\nCMD ["sh", "-c", "cat /b.txt /notes.txt; sleep 300"]\n`);
      await page.getByTestId('build-files').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('picked-file-in-context\n') });
      await page.getByTestId('build-tags').fill(tag);
      await page.getByTestId('build-submit').click();
      await page.getByTestId('build-result').waitFor({ timeout: 180_000 }).catch(async (e) => {
        const err = await page.getByTestId('build-error').textContent().catch(() => null);
        throw new Error(`the build did not finish${err ? `: ${err}` : ''}: ${(e as Error).message}`);
      });
      const out = (await page.getByTestId('build-output').textContent()) ?? '';
      assert.match(out, /Step 1\/4 : FROM/);
      assert.match(out, /Step 4\/4 : CMD/);
      assert.match(out, /Successfully tagged /);
      assert.match((await page.getByTestId('build-result').textContent()) ?? '', new RegExp(tag.replace(/[.:]/g, '\\$&')));
    });

    await t.test('the image is listed and runs', async () => {
      await page.getByRole('link', { name: 'Back to images' }).click();
      await page.getByTestId('images-table').locator('tr', { hasText: tag }).waitFor();
      await page.goto(`${WEB}/containers`);
      await page.locator(`[data-testid=run-image] option[value="${tag}"]`).waitFor({ state: 'attached' });
      await page.getByTestId('run-image').selectOption(tag);
      await page.getByTestId('run-name').fill(runName);
      await page.getByTestId('run-command').fill('');
      await page.getByTestId('run-submit').click();
      await page.locator(`[data-testid=container-row][data-name="${runName}"] [data-testid=container-link]`).click();
      await page.getByTestId('log-view').locator('.log-line', { hasText: 'built-in-the-browser' }).waitFor({ timeout: 30_000 });
      await page.getByTestId('log-view').locator('.log-line', { hasText: 'picked-file-in-context' }).waitFor({ timeout: 30_000 });
    });

    await t.test('a broken Dockerfile fails with its line and tags nothing', async () => {
      await page.goto(`${WEB}/images/build`);
      await page.getByTestId('build-dockerfile').fill(`FROM ${IMAGE}\nFROBNICATE now\n`);
      await page.getByTestId('build-tags').fill(`${name}-broken:1`);
      await page.getByTestId('build-submit').click();
      const err = page.getByTestId('build-error');
      await err.waitFor({ timeout: 60_000 });
      assert.match((await err.textContent()) ?? '', /line 2.*unknown instruction: FROBNICATE/i);
      await page.goto(`${WEB}/images`);
      await page.getByTestId('images-table').locator('tbody tr').first().waitFor();
      assert.equal(await page.getByTestId('images-table').locator('tr', { hasText: `${name}-broken` }).count(), 0);
    });
  } catch (e) {
    await shot(`build-failure-${name}`);
    throw e;
  } finally {
    await trpcPost('containers.remove', { id: runName, force: true }).catch(() => undefined);
    await trpcPost('images.remove', { ref: tag, force: true }).catch(() => undefined);
  }
});

test('file browser: browse, see A/C/D changes, download a file, upload by picking and by dropping', { timeout: 180_000 }, async (t) => {
  const fname = `${name}-files`;
  const trpcPost = (proc: string, data: unknown) => context!.request.post(`${WEB}/api/agent/trpc/${proc}`, { headers: { origin: WEB, 'content-type': 'application/json' }, data });
  try {
    const run = await trpcPost('containers.run', { image: IMAGE, name: fname, cmd: ['sh', '-c', 'echo hello-from-the-container > /root/greeting.txt; rm /bin/vi; sleep 300'] });
    assert.equal(run.status(), 200, await run.text());
    const id = ((await run.json()) as { result: { data: { id: string } } }).result.data.id;

    await t.test('browse and see changes', async () => {
      await page.goto(`${WEB}/containers/${id}`);
      await page.getByTestId('tab-files').click();
      await page.locator('[data-testid=file-row][data-name=etc]').waitFor();
      await page.locator('[data-testid=file-row][data-name=root] [data-testid=file-open]').click();
      await page.locator('[data-testid=file-row][data-name="greeting.txt"][data-change=A]').waitFor({ timeout: 15_000 });
      await page.getByTestId('files-up').click();
      await page.locator('[data-testid=file-row][data-name=bin] [data-testid=file-open]').click();
      await page.locator('[data-testid=file-row][data-name=vi][data-change=D]').waitFor({ timeout: 15_000 });
      await page.locator('[data-testid=files-path] button', { hasText: '/' }).first().click();
    });

    await t.test('download a file as itself', async () => {
      await page.locator('[data-testid=file-row][data-name=root] [data-testid=file-open]').click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=file-row][data-name="greeting.txt"] [data-testid=file-download]').click()]);
      assert.equal(download.suggestedFilename(), 'greeting.txt');
      const file = await download.path();
      assert.equal(fs.readFileSync(file, 'utf8'), 'hello-from-the-container\n');
    });

    await t.test('upload by picking a file and by dropping one', async () => {
      await page.getByTestId('files-upload').setInputFiles({ name: 'picked.txt', mimeType: 'text/plain', buffer: Buffer.from('picked\n') });
      await page.getByTestId('files-message').filter({ hasText: 'uploaded' }).waitFor();
      await page.locator('[data-testid=file-row][data-name="picked.txt"][data-change=A]').waitFor({ timeout: 15_000 });
      await page.getByTestId('files').evaluate((el) => {
        const dt = new DataTransfer();
        dt.items.add(new File(['dropped\n'], 'dropped.txt', { type: 'text/plain' }));
        el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await page.locator('[data-testid=file-row][data-name="dropped.txt"]').waitFor({ timeout: 15_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=file-row][data-name="dropped.txt"] [data-testid=file-download]').click()]);
      assert.equal(fs.readFileSync(await download.path(), 'utf8'), 'dropped\n');
    });
  } catch (e) {
    await shot(`files-failure-${name}`);
    throw e;
  } finally {
    await trpcPost('containers.remove', { id: fname, force: true }).catch(() => undefined);
  }
});

test('stats since the container started: the kept history, memory and pids limits drawn', { timeout: 120_000 }, async () => {
  const sname = `${name}-stats`;
  const trpcPost = (proc: string, data: unknown) => context!.request.post(`${WEB}/api/agent/trpc/${proc}`, { headers: { origin: WEB, 'content-type': 'application/json' }, data });
  try {
    const run = await trpcPost('containers.run', { image: IMAGE, name: sname, memoryBytes: 64 * 1024 * 1024, pidsLimit: 50, cmd: ['sh', '-c', 'while true; do :; done'] });
    assert.equal(run.status(), 200, await run.text());
    const id = ((await run.json()) as { result: { data: { id: string } } }).result.data.id;
    // the agent samples every running container on its own: history exists before anyone looks
    const history = async () => {
      const r = await context!.request.get(`${WEB}/api/agent/trpc/containers.statsHistory?input=${encodeURIComponent(JSON.stringify({ id }))}`);
      return ((await r.json()) as { result: { data: { samples: { cpuPercent: number }[] } } }).result.data.samples;
    };
    const deadline = Date.now() + 30_000;
    let samples = await history();
    while (samples.length < 3 && Date.now() < deadline) {
      await page.waitForTimeout(1000);
      samples = await history();
    }
    assert.ok(samples.length >= 3, `history has ${samples.length} samples`);
    assert.ok(samples.some((s) => s.cpuPercent > 10), 'the busy loop shows as CPU use');
    await page.goto(`${WEB}/containers/${id}`);
    await page.getByTestId('tab-stats').click();
    await page.getByTestId('stats-since').waitFor();
    await page.waitForFunction(() => /\/ 64(\.0)? MiB/.test(document.querySelector('[data-testid=stat-memory]')?.textContent ?? ''), null, { timeout: 15_000 });
    assert.match((await page.getByTestId('stat-pids').textContent()) ?? '', /^\d+ \/ 50$/);
    assert.equal(await page.getByTestId('limit-memory').count(), 1);
    assert.equal(await page.getByTestId('limit-pids').count(), 1);
  } catch (e) {
    await shot(`stats-failure-${name}`);
    throw e;
  } finally {
    await trpcPost('containers.remove', { id: sname, force: true }).catch(() => undefined);
  }
});

test('terminal: a reload takes the same shell over; shell and user can be chosen', { timeout: 120_000 }, async () => {
  const tname = `${name}-term`;
  const trpcPost = (proc: string, data: unknown) => context!.request.post(`${WEB}/api/agent/trpc/${proc}`, { headers: { origin: WEB, 'content-type': 'application/json' }, data });
  const waitLine = (line: string) =>
    page.waitForFunction((want) => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')].some((r) => r.textContent?.trim() === want), line, { timeout: 20_000 });
  const waitOpen = () => page.waitForFunction(() => document.querySelector('[data-testid=terminal-status]')?.textContent?.startsWith('open'), null, { timeout: 20_000 });
  try {
    const run = await trpcPost('containers.run', { image: IMAGE, name: tname, cmd: ['sleep', '600'] });
    assert.equal(run.status(), 200, await run.text());
    const id = ((await run.json()) as { result: { data: { id: string } } }).result.data.id;
    await page.goto(`${WEB}/containers/${id}`);
    await page.getByTestId('tab-terminal').click();
    await waitOpen();
    await page.getByTestId('terminal').click();
    await page.keyboard.type('export MARK=kept-$((6*7)); echo set-$MARK');
    await page.keyboard.press('Enter');
    await waitLine('set-kept-42');

    await page.reload();
    await page.getByTestId('tab-terminal').click();
    await waitOpen();
    await waitLine('set-kept-42'); // the output from before the reload is replayed
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo again-$MARK');
    await page.keyboard.press('Enter');
    await waitLine('again-kept-42');

    // a new session as another user
    await page.getByTestId('terminal-user').fill('nobody');
    await page.getByTestId('terminal-open').click();
    await waitOpen();
    assert.match((await page.getByTestId('terminal-status').textContent()) ?? '', /sh as nobody/);
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo uid-$(id -u)-$MARK.');
    await page.keyboard.press('Enter');
    await waitLine('uid-65534-.');
    // a shell the image does not have fails with a clear message
    await page.getByTestId('terminal-shell').selectOption('bash');
    await page.getByTestId('terminal-user').fill('');
    await page.getByTestId('terminal-open').click();
    await page.waitForFunction(() => /error: .*bash/.test(document.querySelector('[data-testid=terminal-status]')?.textContent ?? ''), null, { timeout: 20_000 });
  } catch (e) {
    await shot(`terminal-failure-${name}`);
    throw e;
  } finally {
    await trpcPost('containers.remove', { id: tname, force: true }).catch(() => undefined);
  }
});

test('log viewer: a 1,000,000-line log scrolls, jumps, searches on the agent, and downloads the matches', { timeout: 240_000 }, async (t) => {
  const lname = `${name}-million`;
  const trpcPost = (proc: string, data: unknown) => context!.request.post(`${WEB}/api/agent/trpc/${proc}`, { headers: { origin: WEB, 'content-type': 'application/json' }, data });
  const trpcGet = async (proc: string, input: unknown) =>
    ((await (await context!.request.get(`${WEB}/api/agent/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`)).json()) as { result: { data: Record<string, unknown> } }).result.data;
  const row = (text: string) => page.getByTestId('log-view').locator('.log-line', { hasText: new RegExp(`^${text}$`) });
  const scrollLog = (to: 'top' | 'bottom') =>
    page.getByTestId('log-view').evaluate((el, where) => {
      el.scrollTop = where === 'top' ? 0 : el.scrollHeight;
      el.dispatchEvent(new Event('scroll'));
    }, to);
  try {
    const run = await trpcPost('containers.run', { image: IMAGE, name: lname, cmd: ['seq', '1', '1000000'] });
    assert.equal(run.status(), 200, await run.text());
    const id = ((await run.json()) as { result: { data: { id: string } } }).result.data.id;
    const deadline = Date.now() + 120_000;
    while ((await trpcGet('containers.inspect', { id })).state !== 'exited' && Date.now() < deadline) await page.waitForTimeout(500);

    await t.test('opens at the end, renders only what is on screen', async () => {
      await page.goto(`${WEB}/containers/${id}`);
      await row('1000000').waitFor({ timeout: 60_000 });
      assert.match((await page.getByTestId('log-count').textContent()) ?? '', /5,000 lines · more above/);
      const rendered = await page.getByTestId('log-view').locator('.log-line').count();
      assert.ok(rendered < 200, `${rendered} rows in the DOM for 5,000 lines held`);
    });

    await t.test('scrolling up loads older pages; Start and End jump', async () => {
      await scrollLog('top');
      await page.waitForFunction(() => /10,000 lines/.test(document.querySelector('[data-testid=log-count]')?.textContent ?? ''), null, { timeout: 30_000 });
      await scrollLog('top');
      await page.waitForFunction(() => /15,000 lines/.test(document.querySelector('[data-testid=log-count]')?.textContent ?? ''), null, { timeout: 30_000 });
      await scrollLog('top');
      await row('985001').waitFor({ timeout: 30_000 });
      await page.getByTestId('log-start').click();
      await row('1').waitFor({ timeout: 30_000 });
      assert.match((await page.getByTestId('log-count').textContent()) ?? '', /more below/);
      await scrollLog('bottom');
      await page.waitForFunction(() => /10,000 lines/.test(document.querySelector('[data-testid=log-count]')?.textContent ?? ''), null, { timeout: 30_000 });
      await scrollLog('bottom');
      await row('10000').waitFor({ timeout: 30_000 });
      await page.getByTestId('log-end').click();
      await row('1000000').waitFor({ timeout: 30_000 });
    });

    await t.test('search runs over the whole log on the agent; the matches download as text', async () => {
      await page.getByTestId('log-filter').fill('99999');
      await page.getByTestId('log-search').click();
      await page.waitForFunction(() => /^19 lines$/.test(document.querySelector('[data-testid=log-count]')?.textContent ?? ''), null, { timeout: 60_000 });
      const shown = await page.getByTestId('log-view').locator('.log-line').allTextContents();
      assert.deepEqual(shown[0], '99999');
      assert.ok(shown.every((s) => s.includes('99999')), shown.join(','));
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('log-download').click()]);
      const text = fs.readFileSync(await download.path(), 'utf8');
      assert.equal(text.split('\n').filter(Boolean).length, 19);
      assert.match(text, /^99999\n199999\n/);
    });
  } catch (e) {
    await shot(`logs-failure-${name}`);
    throw e;
  } finally {
    await trpcPost('containers.remove', { id: lname, force: true }).catch(() => undefined);
  }
});

test('themes: auto, light and dark; the choice survives a reload', { timeout: 60_000 }, async () => {
  await page.goto(`${WEB}/containers`);
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const toggle = page.getByTestId('theme-toggle');
  assert.match((await toggle.textContent()) ?? '', /auto/);
  await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  assert.equal(await bg(), 'rgb(246, 247, 249)');
  await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await bg(), 'rgb(11, 15, 22)');
  await page.reload();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await bg(), 'rgb(11, 15, 22)');
  await page.getByTestId('theme-toggle').click(); // back to auto
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined);
});

test('the containers list: rows pushed by the agent\'s events (no list polling), virtualised, driven from the keyboard', { timeout: 180_000 }, async () => {
  const trpcPost = async (proc: string, data: unknown) => {
    const r = await context!.request.post(`${WEB}/api/agent/trpc/${proc}`, { headers: { origin: WEB, 'content-type': 'application/json' }, data });
    assert.equal(r.status(), 200, `${proc}: http ${r.status()} ${await r.text()}`);
    return ((await r.json()) as { result: { data: { id: string } } }).result.data;
  };
  const prefix = `${name}-v`;
  const names = Array.from({ length: 45 }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
  const listFetches: string[] = [];
  const onRequest = (r: { url(): string }) => {
    if (/\/trpc\/[^?]*containers\.list\b/.test(r.url())) listFetches.push(r.url());
  };
  try {
    await page.goto(`${WEB}/containers`);
    await page.getByTestId('containers-count').filter({ hasText: /containers?/ }).waitFor();
    // let the page's first fetch (and the one the event stream's start may add) settle, then watch
    await page.waitForLoadState('networkidle').catch(() => undefined);
    page.on('request', onRequest);

    // created by another client: the rows appear, then change state, without a reload
    await page.getByTestId('containers-search').fill(prefix);
    for (const n of names) await trpcPost('containers.create', { image: IMAGE, name: n, network: 'none', cmd: ['sleep', '300'] });
    await page.getByTestId('containers-count').filter({ hasText: `${names.length} of ` }).waitFor({ timeout: 30_000 });
    const newest = names[names.length - 1]!; // the list is newest first
    await trpcPost('containers.start', { id: newest });
    await page.locator(`[data-testid=container-row][data-name="${newest}"][data-state=running]`).waitFor({ timeout: 20_000 });

    // virtualised: fewer rows in the page than match, the rest reached by scrolling (End)
    const inPage = await page.getByTestId('container-row').count();
    assert.ok(inPage < names.length, `${inPage} rows in the page for ${names.length} containers`);
    const oldest = names[0]!;
    assert.equal(await page.locator(`[data-testid=container-row][data-name="${oldest}"]`).count(), 0);

    // keyboard: "/" focuses the filter, ↓ enters the rows, End goes to the last, Enter opens it
    await page.getByTestId('containers-table-scroll').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'containers-search');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('tr.vrow[aria-selected=true]').getAttribute('data-name'), newest);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('tr.vrow[aria-selected=true]').getAttribute('data-name'), names[names.length - 2]);
    await page.keyboard.press('End');
    await page.locator(`tr.vrow[aria-selected=true][data-name="${oldest}"]`).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/containers\/[0-9a-f]{64}$/);
    await page.getByTestId('container-name').filter({ hasText: oldest }).waitFor();
    await page.goBack();
    await page.getByTestId('containers-search').fill(prefix);

    // removed elsewhere: the rows go
    for (const n of names.slice(0, -1)) await trpcPost('containers.remove', { id: n, force: true });
    await page.getByTestId('containers-count').filter({ hasText: `1 of ` }).waitFor({ timeout: 30_000 });
    page.off('request', onRequest);
    // every change above came by event: the whole list was fetched again only on the page's return
    assert.ok(listFetches.length <= 1, `the list was fetched ${listFetches.length} times:\n${listFetches.join('\n')}`);
  } finally {
    page.off('request', onRequest);
    for (const n of names) await context!.request.post(`${WEB}/api/agent/trpc/containers.remove`, { headers: { origin: WEB, 'content-type': 'application/json' }, data: { id: n, force: true } }).catch(() => undefined);
  }
});
