// Every page for every role, in Chromium against a real agent and dashboard (one stack for the
// file): an admin, an operator and a viewer each open home, containers, a container's tabs,
// images, the build page, networks, volumes and admin, and see that page's heading and the data
// this test made there — with the controls their role may use and no others. Where the page hides
// a control from a role, the server refuses that action for the role too. Last, an image loaded
// on a host an admin added is written to the audit log with that host's name.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { webUnderTest, type Stack } from './stack';
import { cookieOf, launchChromium, openTerminal, signIn, trpcPost } from './browser';
import { makeTar, type TarFile } from '../../lib/build/tar';
import { imagesDir } from '../../../agent/test/helpers/test-agent';
import type { Role } from '../../lib/server/db';

const IMAGE = process.env.BERTH_E2E_IMAGE ?? 'busybox:1.37.0-musl';
const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const PW = 'correct horse battery';
const USERS: Record<Exclude<Role, 'admin'>, string> = { operator: `pw-op-${tag}`, viewer: `pw-view-${tag}` };
/** what the test makes: one of each, named for this run */
const CT = `pw-ct-${tag}`;
const LOADED = `pw-img-${tag}:1`;
const BUILT = `pw-built-${tag}:1`;
const NET = `pw-net-${tag}`;
const VOL = `pw-vol-${tag}`;
const OP_VOL = `pw-opvol-${tag}`;
const HOST = `pw-host-${tag}`;

let WEB = '';
let ADMIN_PW = '';
let stack: Stack | undefined;
let browser: Browser;
let admin: { ctx: BrowserContext; page: Page };
let ctId = '';

/** The bundled busybox layout as an OCI layout tar, named `ref` in its index. */
function imageTar(ref: string): Buffer {
  const dir = path.join(imagesDir, 'busybox-musl');
  const files: TarFile[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else files.push({ name: r, data: fs.readFileSync(path.join(dir, r)) });
    }
  };
  walk('');
  const index = files.find((f) => f.name === 'index.json')!;
  const json = JSON.parse(Buffer.from(index.data).toString()) as { manifests: { annotations?: Record<string, string> }[] };
  json.manifests[0]!.annotations = { 'org.opencontainers.image.ref.name': ref, 'io.containerd.image.name': ref };
  index.data = Buffer.from(JSON.stringify(json));
  return Buffer.from(makeTar(files));
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
const count = (page: Page, testid: string) => page.getByTestId(testid).count();

before(async () => {
  ({ web: WEB, password: ADMIN_PW, stack } = await webUnderTest());
  browser = await launchChromium();
  admin = await signIn(browser, WEB, 'admin', ADMIN_PW);
});

after(async () => {
  const { ctx } = admin ?? {};
  const steps: [string, () => Promise<unknown>][] = ctx
    ? [
        ['container', () => trpcPost(ctx, WEB, 'containers.remove', { id: CT, force: true })],
        ...[BUILT, LOADED].map((ref): [string, () => Promise<unknown>] => [ref, () => trpcPost(ctx, WEB, 'images.remove', { ref, force: true })]),
        ['network', () => trpcPost(ctx, WEB, 'networks.remove', { id: NET })],
        ...[VOL, OP_VOL].map((name): [string, () => Promise<unknown>] => [name, () => trpcPost(ctx, WEB, 'volumes.remove', { name, force: true })]),
        [
          'host',
          async () => {
            const hosts = (await (await ctx.request.get(`${WEB}/api/hosts`)).json()) as { id: string; name: string }[];
            for (const h of hosts.filter((x) => x.name === HOST)) await ctx.request.delete(`${WEB}/api/admin/hosts/${h.id}`, { headers: { origin: WEB } });
          },
        ],
        [
          'users',
          async () => {
            const users = (await (await ctx.request.get(`${WEB}/api/admin/users`)).json()) as { id: number; username: string }[];
            for (const u of users.filter((x) => x.username.endsWith(tag))) await ctx.request.delete(`${WEB}/api/admin/users/${u.id}`, { headers: { origin: WEB } });
          },
        ],
      ]
    : [];
  for (const [what, step] of steps) await step().catch((e: Error) => console.log(`cleanup ${what}: ${e.message}`));
  await browser?.close();
  await stack?.dispose();
});

test('the admin makes an operator and a viewer, loads an image and runs a container from it', { timeout: 120_000 }, async () => {
  const { page } = admin;
  await page.goto(`${WEB}/admin`);
  for (const role of ['operator', 'viewer'] as const) {
    await page.getByTestId('user-name').fill(USERS[role]);
    await page.getByTestId('user-password').fill(PW);
    await page.getByTestId('user-role').selectOption(role);
    await page.getByTestId('user-submit').click();
    await page.locator(`[data-testid=user-row][data-name="${USERS[role]}"]`).waitFor();
  }
  await page.goto(`${WEB}/images`);
  await page.getByTestId('image-file').setInputFiles({ name: `pw-${tag}.tar`, mimeType: 'application/x-tar', buffer: imageTar(LOADED) });
  await page.getByTestId('image-load').click();
  await page.getByTestId('image-load-result').filter({ hasText: `loaded ${LOADED}` }).waitFor({ timeout: 60_000 });
  const run = await trpcPost(admin.ctx, WEB, 'containers.run', { image: LOADED, name: CT, cmd: ['sh', '-c', 'echo pw-log-line; sleep 600'] });
  assert.equal(run.status(), 200, await run.text());
  ctId = ((await run.json()) as { result: { data: { id: string } } }).result.data.id;
});

/** One role's walk over every page; `page` is signed in as that role. */
async function walk(t: TestContext, role: Role, ctx: BrowserContext, page: Page) {
  const may = role !== 'viewer';
  const refused = async (what: string, res: { status(): number; text(): Promise<string> }) =>
    assert.equal(res.status(), 403, `${what} must be refused for a ${role}: ${await res.text()}`);
  // the pages themselves must not fail: no script error, no refused or broken request
  const problems: string[] = [];
  const onError = (e: Error) => problems.push(`page error: ${e.message}`);
  const onResponse = (r: { status(): number; url(): string; request(): { method(): string } }) => {
    if (r.status() >= 400) problems.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
  };
  page.on('pageerror', onError);
  page.on('response', onResponse);

  await t.test('home: hosts, disk use and the container in recent events', async () => {
    await page.goto(`${WEB}/home`);
    await heading(page, 'Home');
    await page.locator('[data-testid=home-host][data-name=local][data-up=yes]').waitFor();
    await page.locator('[data-testid=home-df-row][data-type=Containers]').waitFor();
    await page.getByTestId('home-event').filter({ hasText: CT }).first().waitFor();
    assert.equal(await count(page, 'nav-admin'), role === 'admin' ? 1 : 0, 'the Admin link is for admins only');
  });

  await t.test(`containers: the container is listed${may ? ' with the run form and its actions' : ', nothing to run or stop'}`, async () => {
    await page.getByTestId('nav-containers').click();
    await heading(page, 'Containers');
    const row = page.locator(`[data-testid=container-row][data-name="${CT}"]`);
    await page.locator(`[data-testid=container-row][data-name="${CT}"][data-state=running]`).waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(LOADED.replace(/[.:]/g, '\\$&')));
    if (may) {
      await page.getByTestId('run-submit').waitFor();
      for (const a of ['action-stop', 'action-restart', 'action-remove']) await row.getByTestId(a).waitFor();
      // the host's network is an admin's (lib/server/policy.ts): an operator is not offered it
      assert.equal(await page.locator('[data-testid=run-network] option[value=host]').count(), role === 'admin' ? 1 : 0);
    } else {
      assert.equal(await count(page, 'run-form'), 0, 'no run form');
      for (const a of ['action-start', 'action-stop', 'action-restart', 'action-remove']) assert.equal(await count(page, a), 0, a);
      await refused('containers.run', await trpcPost(ctx, WEB, 'containers.run', { image: LOADED, cmd: ['true'] }));
    }
  });

  await t.test(`container page: Logs, Stats, Files, Inspect${may ? ', Terminal and the actions' : '; no terminal, upload or actions'}`, async () => {
    await page.locator(`[data-testid=container-row][data-name="${CT}"] [data-testid=container-link]`).click();
    await page.waitForURL(new RegExp(`/containers/${ctId}$`));
    await page.getByTestId('container-name').filter({ hasText: CT }).waitFor();
    await page.getByTestId('container-state').filter({ hasText: 'running' }).waitFor();
    await page.getByTestId('log-view').locator('.log-line', { hasText: 'pw-log-line' }).first().waitFor({ timeout: 30_000 });
    await page.getByTestId('log-download').waitFor();

    await page.getByTestId('tab-stats').click();
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=stat-pids]')?.textContent?.trim() ?? ''), null, { timeout: 30_000 });

    await page.getByTestId('tab-files').click();
    await page.locator('[data-testid=file-row][data-name=etc]').waitFor();
    await page.getByTestId('files-download-dir').waitFor();
    if (may) {
      await page.getByTestId('files-upload').setInputFiles({ name: `by-${role}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`${role}\n`) });
      await page.getByTestId('files-message').filter({ hasText: 'uploaded' }).waitFor();
      await page.locator(`[data-testid=file-row][data-name="by-${role}.txt"][data-change=A]`).waitFor({ timeout: 15_000 });
    } else {
      assert.equal(await count(page, 'files-upload'), 0, 'no upload');
    }

    await page.getByTestId('tab-inspect').click();
    assert.match((await page.getByTestId('inspect-json').textContent()) ?? '', new RegExp(`"name": "${CT}"`));

    if (may) {
      for (const a of ['action-stop', 'action-restart', 'action-remove']) await page.getByTestId(a).waitFor();
      await page.getByTestId('tab-terminal').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=terminal-status]')?.textContent?.startsWith('open'), null, { timeout: 20_000 });
      await page.getByTestId('terminal').click();
      await page.keyboard.type(`echo term-$((40+2))-${role}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction((want) => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')].some((r) => r.textContent?.trim() === want), `term-42-${role}`, {
        timeout: 20_000,
      });
    } else {
      assert.equal(await count(page, 'tab-terminal'), 0, 'no terminal tab');
      for (const a of ['action-start', 'action-stop', 'action-restart', 'action-remove']) assert.equal(await count(page, a), 0, a);
      const upload = await ctx.request.put(`${WEB}/api/containers/${ctId}/files?path=/tmp`, { headers: { origin: WEB, 'content-type': 'application/x-tar' }, data: Buffer.from(makeTar([{ name: 'x', data: Buffer.from('x') }])) });
      await refused('a file upload', upload);
      await refused('containers.stop', await trpcPost(ctx, WEB, 'containers.stop', { id: ctId }));
      const term = openTerminal(WEB, await cookieOf(ctx), ctId);
      await term.closed;
      assert.equal(term.result.opened, false, 'no terminal for a viewer');
      assert.equal(term.result.status, 403);
    }
  });

  await t.test(`images: the loaded image with its layers${may ? '; load, pull, build, tag and remove' : '; nothing to load, pull, build, tag or remove'}`, async () => {
    await page.getByTestId('nav-images').click();
    await heading(page, 'Images');
    const row = page.getByTestId('image-row').filter({ hasText: LOADED });
    await row.waitFor();
    await row.getByTestId('image-details').click();
    await page.getByTestId('image-layers').locator('tbody tr').first().waitFor();
    await page.getByTestId('image-save-docker').waitFor(); // saving is reading: every role may
    for (const c of ['images-build', 'image-load', 'pull-panel', 'image-tag']) assert.equal(await count(page, c), may ? 1 : 0, c);
    assert.equal(await row.getByTestId('image-remove').count(), may ? 1 : 0, 'image-remove');
    if (!may) {
      await refused('an image load', await ctx.request.post(`${WEB}/api/images/load`, { headers: { origin: WEB, 'content-type': 'application/x-tar' }, data: imageTar(`pw-viewer-${tag}:1`) }));
      await refused('images.remove', await trpcPost(ctx, WEB, 'images.remove', { ref: LOADED }));
    }
  });

  await t.test(`image build page${role === 'operator' ? ': the operator builds an image' : may ? ': the form' : ': read-only, and a build is refused'}`, async () => {
    if (may) await page.getByTestId('images-build').click();
    else await page.goto(`${WEB}/images/build`);
    await page.waitForURL(/\/images\/build$/);
    await heading(page, 'Build an image');
    if (!may) {
      await page.getByTestId('build-read-only').waitFor();
      for (const c of ['build-dockerfile', 'build-files', 'build-submit']) assert.equal(await count(page, c), 0, c);
      const build = await ctx.request.post(`${WEB}/api/images/build?tags=${encodeURIComponent(`pw-viewer-${tag}:1`)}`, {
        headers: { origin: WEB, 'content-type': 'application/x-tar' },
        data: Buffer.from(makeTar([{ name: 'Dockerfile', data: Buffer.from(`FROM ${LOADED}\n`) }])),
      });
      await refused('an image build', build);
      return;
    }
    await page.getByTestId('build-submit').waitFor();
    if (role === 'operator') {
      await page.getByTestId('build-dockerfile').fill(`FROM ${LOADED}\nLABEL built-by=operator\n`);
      await page.getByTestId('build-tags').fill(BUILT);
      await page.getByTestId('build-submit').click();
      await page.getByTestId('build-result').filter({ hasText: BUILT }).waitFor({ timeout: 120_000 });
    }
  });

  await t.test(`networks: the network${may ? ', create and remove' : '; nothing to create or remove'}`, async () => {
    await page.getByTestId('nav-networks').click();
    await heading(page, 'Networks');
    if (role === 'admin') {
      await page.getByTestId('network-name').fill(NET);
      await page.getByTestId('network-create').click();
    }
    const row = page.locator(`[data-testid=network-row][data-name="${NET}"]`);
    await row.waitFor();
    await page.locator('[data-testid=network-row][data-name=bridge]').waitFor();
    await row.getByTestId('network-inspect').click();
    await page.getByTestId('network-detail').filter({ hasText: NET }).waitFor();
    assert.equal(await count(page, 'network-create-form'), may ? 1 : 0, 'network-create-form');
    assert.equal(await row.getByTestId('network-remove').count(), may ? 1 : 0, 'network-remove');
    if (!may) await refused('networks.remove', await trpcPost(ctx, WEB, 'networks.remove', { id: NET }));
  });

  await t.test(`volumes: the volume${may ? ', create and remove' : '; nothing to create or remove'}`, async () => {
    await page.getByTestId('nav-volumes').click();
    await heading(page, 'Volumes');
    if (role === 'admin') {
      await page.getByTestId('volume-name').fill(VOL);
      await page.getByTestId('volume-create').click();
    }
    const row = page.locator(`[data-testid=volume-row][data-name="${VOL}"]`);
    await row.waitFor();
    await row.getByTestId('volume-inspect').click();
    await page.getByTestId('volume-detail').filter({ hasText: VOL }).waitFor();
    assert.equal(await count(page, 'volume-create-form'), may ? 1 : 0, 'volume-create-form');
    assert.equal(await row.getByTestId('volume-remove').count(), may ? 1 : 0, 'volume-remove');
    if (role === 'operator') {
      await page.getByTestId('volume-name').fill(OP_VOL);
      await page.getByTestId('volume-create').click();
      const mine = page.locator(`[data-testid=volume-row][data-name="${OP_VOL}"]`);
      await mine.getByTestId('volume-remove').click();
      await mine.waitFor({ state: 'detached' });
    }
    if (!may) await refused('volumes.remove', await trpcPost(ctx, WEB, 'volumes.remove', { name: VOL, force: true }));
  });

  await t.test(role === 'admin' ? 'admin: users, hosts and the audit log' : 'admin: refused, users and hosts too', async () => {
    if (role === 'admin') {
      await page.getByTestId('nav-admin').click();
      await heading(page, 'Admin');
      for (const u of Object.values(USERS)) await page.locator(`[data-testid=user-row][data-name="${u}"]`).waitFor();
      await page.getByTestId('admin-tab-hosts').click();
      await page.locator('[data-testid=host-row][data-name=local][data-up=yes]').waitFor();
      await page.getByTestId('host-submit').waitFor();
      await page.getByTestId('admin-tab-audit').click();
      await page.getByTestId('audit-action').fill('networks.create');
      await page.getByTestId('audit-apply').click();
      await page.getByTestId('audit-row').filter({ hasText: NET }).first().waitFor();
      return;
    }
    assert.equal(await count(page, 'nav-admin'), 0);
    await page.goto(`${WEB}/admin`);
    await page.waitForURL(/\/containers$/);
    await heading(page, 'Containers');
    assert.equal((await ctx.request.get(`${WEB}/api/admin/users`)).status(), 403);
    assert.equal((await ctx.request.get(`${WEB}/api/admin/audit`)).status(), 403);
    const addHost = await ctx.request.post(`${WEB}/api/admin/hosts`, { headers: { origin: WEB, 'content-type': 'application/json' }, data: { name: `pw-x-${tag}`, url: 'http://127.0.0.1:1', token: 'x'.repeat(32) } });
    await refused('adding a host', addHost);
  });

  page.off('pageerror', onError);
  page.off('response', onResponse);
  assert.deepEqual(problems, [], `the ${role}'s pages failed:\n${problems.join('\n')}`);
}

test('an admin sees every page with every control', { timeout: 240_000 }, async (t) => {
  await walk(t, 'admin', admin.ctx, admin.page);
});

test('an operator sees every page but admin, with the controls to change things', { timeout: 300_000 }, async (t) => {
  const o = await signIn(browser, WEB, USERS.operator, PW);
  try {
    await walk(t, 'operator', o.ctx, o.page);
  } finally {
    await o.ctx.close();
  }
});

test('a viewer sees every page but admin, and nothing that would change anything', { timeout: 240_000 }, async (t) => {
  const v = await signIn(browser, WEB, USERS.viewer, PW);
  try {
    await walk(t, 'viewer', v.ctx, v.page);
  } finally {
    await v.ctx.close();
  }
});

test('an image loaded on an added host is in the audit log with that host’s name', { timeout: 180_000 }, async () => {
  const { page, ctx } = admin;
  // the same agent, added a second time under another name: an added host without a second agent
  const agentUrl = stack?.agent.url ?? process.env.BERTH_AGENT_URL ?? 'http://127.0.0.1:7471';
  const token = stack?.agent.token ?? process.env.BERTH_TOKEN ?? fs.readFileSync(path.join(process.env.BERTH_ROOT ?? '/var/lib/berth', 'agent.token'), 'utf8').trim();
  await page.goto(`${WEB}/admin`);
  await page.getByTestId('admin-tab-hosts').click();
  await page.getByTestId('host-name').fill(HOST);
  await page.getByTestId('host-url').fill(agentUrl);
  await page.getByTestId('host-token').fill(token);
  await page.getByTestId('host-submit').click();
  await page.locator(`[data-testid=host-row][data-name="${HOST}"][data-up=yes]`).waitFor({ timeout: 20_000 });
  try {
    await page.goto(`${WEB}/images`);
    const option = page.getByTestId('host-select').locator('option', { hasText: HOST });
    await option.waitFor({ state: 'attached' });
    await Promise.all([page.waitForEvent('load'), page.getByTestId('host-select').selectOption((await option.getAttribute('value'))!)]);
    assert.match((await ctx.cookies()).find((c) => c.name === 'berth_host')?.value ?? '', /^\d+$/);
    const file = `pw-${tag}-on-host.tar`;
    await page.getByTestId('image-file').setInputFiles({ name: file, mimeType: 'application/x-tar', buffer: imageTar(LOADED) });
    await page.getByTestId('image-load').click();
    await page.getByTestId('image-load-result').filter({ hasText: `loaded ${LOADED}` }).waitFor({ timeout: 60_000 });

    await page.goto(`${WEB}/admin`);
    await page.getByTestId('admin-tab-audit').click();
    await page.getByTestId('audit-action').fill('images.load');
    await page.getByTestId('audit-apply').click();
    await page.getByTestId('audit-row').filter({ hasText: `${HOST}: ${file}` }).first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.ok(csv.includes(`"admin","images.load","${HOST}: ${file}",`), csv.slice(-2000));
    const rows = (await (await ctx.request.get(`${WEB}/api/admin/audit?action=images.load`)).json()) as { username: string; target: string; outcome: string }[];
    assert.ok(rows.some((r) => r.target === `${HOST}: ${file}` && r.outcome === 'ok'), JSON.stringify(rows));
    // the first load, on this machine's own agent, names no host
    assert.ok(rows.some((r) => r.target === `pw-${tag}.tar` && r.outcome === 'ok'), JSON.stringify(rows));
    // and the viewer's refused load is there too
    assert.ok(rows.some((r) => r.username === USERS.viewer && r.outcome === 'denied: read-only role'), JSON.stringify(rows));
  } finally {
    await ctx.clearCookies({ name: 'berth_host' });
    await page.goto(`${WEB}/admin`);
    await page.getByTestId('admin-tab-hosts').click();
    await page.locator(`[data-testid=host-row][data-name="${HOST}"] [data-testid=host-remove]`).click();
    await page.locator(`[data-testid=host-row][data-name="${HOST}"]`).waitFor({ state: 'detached' });
  }
});
