// Roles, origins and inert content, in Chromium against a real agent and dashboard: an admin
// manages users and reads the audit log; a viewer can look but not change; an operator cannot
// reach past the default confinement; removing a user closes their open terminal; hostile text in
// labels, env and logs (HTML, OSC 52 clipboard writes, title changes) stays inert text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { webUnderTest, type Stack } from './stack';
import { cookieOf, launchChromium, openTerminal, signIn, trpcPost } from './browser';
import { TestAgent } from '../../../agent/test/helpers/test-agent';

const IMAGE = process.env.BERTH_E2E_IMAGE ?? 'busybox:1.37.0-musl';
const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const OP = `op-${tag}`;
const VIEWER = `view-${tag}`;
const PW = 'correct horse battery';
const XSS = '<img src=x onerror="window.__xss=1">';

let WEB = '';
let ADMIN_PW = '';
let stack: Stack | undefined;
let browser: Browser;
const made: string[] = [];

const loggedIn = (username: string, password: string) => signIn(browser, WEB, username, password);
const trpc = (ctx: BrowserContext, proc: string, data: unknown, origin = WEB) => trpcPost(ctx, WEB, proc, data, origin);
const terminal = (cookie: string, id: string, origin = WEB, extra: object = {}) => openTerminal(WEB, cookie, id, origin, extra);

before(async () => {
  ({ web: WEB, password: ADMIN_PW, stack } = await webUnderTest());
  browser = await launchChromium();
});

after(async () => {
  try {
    const { ctx } = await loggedIn('admin', ADMIN_PW);
    for (const n of made) await trpc(ctx, 'containers.remove', { id: n, force: true }).catch(() => undefined);
    const users = (await (await ctx.request.get(`${WEB}/api/admin/users`)).json()) as { id: number; username: string }[];
    for (const u of users.filter((x) => x.username.endsWith(tag))) await ctx.request.delete(`${WEB}/api/admin/users/${u.id}`, { headers: { origin: WEB } });
  } catch (e) {
    console.log(`cleanup: ${(e as Error).message}`);
  }
  await browser?.close();
  await stack?.dispose();
});

test('roles: admin manages users; viewer and operator limits hold; removal closes a terminal; the audit log shows it', { timeout: 240_000 }, async (t) => {
  const admin = await loggedIn('admin', ADMIN_PW);
  const target = `roles-${tag}`;
  made.push(target);
  const run = await trpc(admin.ctx, 'containers.run', { image: IMAGE, name: target, cmd: ['sleep', '600'] });
  assert.equal(run.status(), 200, await run.text());
  const id = ((await run.json()) as { result: { data: { id: string } } }).result.data.id;

  await t.test('the admin creates an operator and a viewer on the Admin page', async () => {
    await admin.page.getByTestId('nav-admin').click();
    for (const [name, role] of [
      [OP, 'operator'],
      [VIEWER, 'viewer'],
    ] as const) {
      await admin.page.getByTestId('user-name').fill(name);
      await admin.page.getByTestId('user-password').fill(PW);
      await admin.page.getByTestId('user-role').selectOption(role);
      await admin.page.getByTestId('user-submit').click();
      await admin.page.locator(`[data-testid=user-row][data-name="${name}"]`).waitFor();
    }
    await admin.page.getByTestId('user-password').fill('short');
    await admin.page.getByTestId('user-name').fill(`x-${tag}`);
    await admin.page.getByTestId('user-submit').click();
    await admin.page.getByTestId('users-error').filter({ hasText: 'at least 10' }).waitFor();
    if (stack?.databaseUrl) {
      // BERTH_E2E_POSTGRES=1: the users really live in PostgreSQL
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: stack.databaseUrl });
      await c.connect();
      const r = await c.query('SELECT username, role FROM users WHERE username = $1', [OP]);
      await c.end();
      assert.deepEqual(r.rows, [{ username: OP, role: 'operator' }]);
    }
  });

  await t.test('a viewer sees containers but cannot run, stop, exec or open the admin pages', async () => {
    const v = await loggedIn(VIEWER, PW);
    await v.page.goto(`${WEB}/containers`);
    await v.page.locator(`[data-testid=container-row][data-name="${target}"]`).waitFor();
    assert.equal(await v.page.getByTestId('nav-admin').count(), 0);
    assert.equal(await v.page.getByTestId('run-submit').count(), 0, 'no run form for a viewer');
    for (const [proc, input] of [
      ['containers.run', { image: IMAGE }],
      ['containers.stop', { id }],
      ['containers.remove', { id, force: true }],
      ['images.remove', { ref: IMAGE }],
      ['volumes.create', {}],
    ] as const) {
      const r = await trpc(v.ctx, proc, input);
      assert.equal(r.status(), 403, `${proc} must be refused for a viewer`);
    }
    const term = terminal(await cookieOf(v.ctx), id);
    await term.closed;
    assert.equal(term.result.opened, false);
    assert.equal(term.result.status, 403);
    assert.equal((await v.ctx.request.get(`${WEB}/api/admin/users`)).status(), 403);
    await v.page.goto(`${WEB}/admin`);
    await v.page.waitForURL(/\/containers$/);
    await v.ctx.close();
  });

  await t.test('an operator runs ordinary containers but not privileged ones, extra caps or host paths', async () => {
    const o = await loggedIn(OP, PW);
    for (const [extra, why] of [
      [{ privileged: true }, /privileged/],
      [{ capAdd: ['SYS_ADMIN'] }, /capabilities/],
      [{ mounts: [{ type: 'bind', source: '/etc', target: '/host-etc' }] }, /bind-mount/],
      [{ securityOpt: ['seccomp=unconfined'] }, /seccomp/],
    ] as const) {
      const r = await trpc(o.ctx, 'containers.run', { image: IMAGE, cmd: ['true'], ...extra });
      assert.equal(r.status(), 403);
      assert.match(await r.text(), why);
    }
    const okName = `op-run-${tag}`;
    made.push(okName);
    assert.equal((await trpc(o.ctx, 'containers.run', { image: IMAGE, name: okName, cmd: ['true'] })).status(), 200);
    // a foreign origin is refused even for a user who may mutate
    assert.equal((await trpc(o.ctx, 'containers.remove', { id: okName, force: true }, 'http://evil.example')).status(), 403);
    const foreign = terminal(await cookieOf(o.ctx), id, 'http://evil.example');
    await foreign.closed;
    assert.equal(foreign.result.status, 403);
    // nor a privileged exec through the terminal
    const priv = terminal(await cookieOf(o.ctx), id, WEB, { privileged: true });
    await priv.closed;
    assert.equal(priv.result.closeCode, 1008);

    // the operator's terminal closes when an admin removes them
    const term = terminal(await cookieOf(o.ctx), id);
    const deadline = Date.now() + 10_000;
    while (!term.result.opened && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(term.result.opened, 'the operator may open a terminal');
    await admin.page.reload();
    await admin.page.locator(`[data-testid=user-row][data-name="${OP}"] [data-testid=user-remove]`).click();
    await admin.page.locator(`[data-testid=user-row][data-name="${OP}"]`).waitFor({ state: 'detached' });
    await term.closed;
    assert.equal(term.result.closeCode, 4001);
    // and their session is gone
    assert.equal((await trpc(o.ctx, 'containers.stop', { id: okName })).status(), 401);
    await o.ctx.close();
  });

  await t.test('the audit log shows the denials and the removal; CSV export', async () => {
    await admin.page.getByTestId('admin-tab-audit').click();
    await admin.page.getByTestId('audit-user').fill(OP);
    await admin.page.getByTestId('audit-outcome').fill('denied');
    await admin.page.getByTestId('audit-apply').click();
    await admin.page.getByTestId('audit-row').filter({ hasText: 'privileged' }).first().waitFor();
    const rows = await admin.page.getByTestId('audit-row').count();
    assert.ok(rows >= 4, `${rows} denied actions listed`);
    const [download] = await Promise.all([admin.page.waitForEvent('download'), admin.page.getByTestId('audit-csv').click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString());
    assert.match(csv, /^id,time,user,action,target,detail,outcome\r\n/);
    assert.match(csv, new RegExp(`"${OP}","containers\\.run"`));
    await admin.page.getByTestId('audit-user').fill('admin');
    await admin.page.getByTestId('audit-outcome').fill('');
    await admin.page.getByTestId('audit-action').fill('users.remove');
    await admin.page.getByTestId('audit-apply').click();
    await admin.page.getByTestId('audit-row').filter({ hasText: OP }).first().waitFor();
  });
  await admin.ctx.close();
});

test('hostile labels, env and log output stay inert text: no script, no clipboard write, no title change', { timeout: 120_000 }, async () => {
  const { ctx, page } = await loggedIn('admin', ADMIN_PW);
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: WEB });
  const name = `xss-${tag}`;
  made.push(name);
  const osc52 = `\\033]52;c;${Buffer.from('pwned-clipboard').toString('base64')}\\007`;
  const title = '\\033]0;pwned-title\\007';
  const script = `printf '${osc52}${title}%s\\n' 'LOG ${XSS}'; sleep 600`;
  const r = await trpc(ctx, 'containers.run', { image: IMAGE, name, labels: { note: XSS }, env: [`HOSTILE=${XSS}`], cmd: ['sh', '-c', script] });
  assert.equal(r.status(), 200, await r.text());
  const id = ((await r.json()) as { result: { data: { id: string } } }).result.data.id;
  await page.evaluate(() => navigator.clipboard.writeText('clipboard-before'));
  const titleBefore = await page.title();
  await page.goto(`${WEB}/containers/${id}`);
  await page.getByTestId('log-view').locator('.log-line', { hasText: 'LOG <img' }).waitFor();
  await page.getByTestId('tab-inspect').click();
  assert.match((await page.getByTestId('inspect-json').textContent()) ?? '', /HOSTILE=<img src=x onerror/);
  // the same bytes through the terminal
  await page.getByTestId('tab-terminal').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=terminal-status]')?.textContent?.startsWith('open'), null, { timeout: 20_000 });
  await page.getByTestId('terminal').click();
  await page.keyboard.type(`printf '${osc52}${title}done-%s\\n' "$HOSTILE"`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')].some((x) => x.textContent?.includes('done-<img')), null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'no injected script ran');
  assert.equal(await page.locator('img[src=x]').count(), 0, 'no injected element');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'clipboard-before');
  assert.equal(await page.title(), titleBefore);
  await ctx.close();
});

test('two agents: an admin adds the second by URL and token; the combined list shows both; pages follow the chosen host', { timeout: 240_000 }, async (t) => {
  const b = new TestAgent();
  const { ctx, page } = await loggedIn('admin', ADMIN_PW);
  const hostName = `b-${tag}`;
  const onA = `on-a-${tag}`;
  const onB = `on-b-${tag}`;
  made.push(onA);
  try {
    await b.start();
    b.loadBundledImages(['musl']);
    b.ok(['run', '-d', '--name', onB, IMAGE, 'sleep', '600']);
    assert.equal((await trpc(ctx, 'containers.run', { image: IMAGE, name: onA, cmd: ['sleep', '600'] })).status(), 200);

    await t.test('add the host (a wrong token is refused first)', async () => {
      await page.goto(`${WEB}/admin`);
      await page.getByTestId('admin-tab-hosts').click();
      await page.locator('[data-testid=host-row][data-name=local][data-up=yes]').waitFor();
      await page.getByTestId('host-name').fill(hostName);
      await page.getByTestId('host-url').fill(b.url);
      await page.getByTestId('host-token').fill('x'.repeat(32));
      await page.getByTestId('host-submit').click();
      await page.getByTestId('hosts-error').filter({ hasText: 'refused the token' }).waitFor();
      await page.getByTestId('host-token').fill(b.token);
      await page.getByTestId('host-submit').click();
      await page.locator(`[data-testid=host-row][data-name="${hostName}"][data-up=yes]`).waitFor({ timeout: 20_000 });
      const hosts = (await (await ctx.request.get(`${WEB}/api/hosts`)).text());
      assert.doesNotMatch(hosts, new RegExp(b.token), 'tokens never reach the browser');
    });

    await t.test('home shows each host, disk use and recent events', async () => {
      await page.goto(`${WEB}/`);
      await page.waitForURL(/\/home$/);
      await page.locator('[data-testid=home-host][data-name=local][data-up=yes]').waitFor();
      await page.locator(`[data-testid=home-host][data-name="${hostName}"][data-up=yes]`).waitFor();
      assert.match((await page.locator(`[data-testid=home-host][data-name="${hostName}"]`).textContent()) ?? '', /1 running \/ 1 containers/);
      await page.locator('[data-testid=home-df-row][data-type=Images]').waitFor();
      assert.equal(await page.getByTestId('home-df-row').count(), 3);
      await page.getByTestId('home-event').filter({ hasText: onA }).first().waitFor({ timeout: 20_000 });
      await page.waitForTimeout(3000); // a few re-renders and polls later: each event still shows once
      const shown = await page.getByTestId('home-event').allTextContents();
      assert.equal(new Set(shown).size, shown.length, shown.join(' | '));
    });

    await t.test('the combined list shows both hosts; a click opens the container on its host', async () => {
      await page.goto(`${WEB}/containers`);
      await page.getByTestId('all-hosts').check();
      await page.locator(`[data-testid=combined-row][data-host=local][data-name="${onA}"]`).waitFor({ timeout: 20_000 });
      await page.locator(`[data-testid=combined-row][data-host="${hostName}"][data-name="${onB}"]`).waitFor({ timeout: 20_000 });
      await page.getByTestId('containers-search').fill(onB);
      await page.locator(`[data-testid=combined-row][data-name="${onA}"]`).waitFor({ state: 'detached' });
      await page.locator(`[data-testid=combined-row][data-name="${onB}"] a`).click();
      await page.waitForURL(/\/containers\/[0-9a-f]+$/);
      await page.getByTestId('container-name').filter({ hasText: onB }).waitFor({ timeout: 20_000 });
      // every page now shows host b: its container list has onB and not onA
      await page.goto(`${WEB}/containers`);
      await page.locator(`[data-testid=container-row][data-name="${onB}"]`).waitFor();
      assert.equal(await page.locator(`[data-testid=container-row][data-name="${onA}"]`).count(), 0);
      assert.equal(await page.getByTestId('host-select').inputValue(), (await page.getByTestId('host-select').locator('option', { hasText: hostName }).getAttribute('value'))!);
      await page.getByTestId('host-select').selectOption('local');
      await page.locator(`[data-testid=container-row][data-name="${onA}"]`).waitFor();
    });

    await t.test('a viewer cannot add hosts; the admin removes the host', async () => {
      const v = await loggedIn(VIEWER, PW).catch(() => null);
      if (v) {
        const r = await v.ctx.request.post(`${WEB}/api/admin/hosts`, { headers: { origin: WEB, 'content-type': 'application/json' }, data: { name: 'x', url: b.url, token: b.token } });
        assert.equal(r.status(), 403);
        await v.ctx.close();
      }
      await page.goto(`${WEB}/admin`);
      await page.getByTestId('admin-tab-hosts').click();
      await page.locator(`[data-testid=host-row][data-name="${hostName}"] [data-testid=host-remove]`).click();
      await page.locator(`[data-testid=host-row][data-name="${hostName}"]`).waitFor({ state: 'detached' });
    });
  } finally {
    await ctx.close();
    await b.dispose();
  }
});

test('every mutating procedure of the agent, and both terminal sockets, refuse a viewer and a foreign Origin', { timeout: 180_000 }, async () => {
  // the list comes from the agent's router itself: a procedure added later is covered too
  const { appRouter } = await import('../../../agent/src/api/router');
  const procs = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>);
  const mutations = procs.filter(([, p]) => p._def.type === 'mutation').map(([k]) => k);
  const changingSubscriptions = ['images.pull', 'images.push'];
  assert.ok(mutations.length >= 20 && mutations.includes('containers.remove'), mutations.join(' '));

  const admin = await loggedIn('admin', ADMIN_PW);
  const viewerName = `allview-${tag}`;
  const created = await admin.ctx.request.post(`${WEB}/api/admin/users`, { headers: { origin: WEB, 'content-type': 'application/json' }, data: { username: viewerName, password: PW, role: 'viewer' } });
  assert.equal(created.status(), 201, await created.text());
  const viewer = await loggedIn(viewerName, PW);
  const target = `every-${tag}`;
  made.push(target);
  const run = await trpc(admin.ctx, 'containers.run', { image: IMAGE, name: target, cmd: ['sleep', '600'] });
  assert.equal(run.status(), 200, await run.text());
  const id = ((await run.json()) as { result: { data: { id: string } } }).result.data.id;
  // an input that would do something real if it ever reached the agent
  const inputFor = (proc: string) => (proc.startsWith('containers.') ? { id: target, force: true } : { id: target, name: target, ref: IMAGE });

  for (const proc of mutations) {
    const asViewer = await trpc(viewer.ctx, proc, inputFor(proc));
    assert.equal(asViewer.status(), 403, `${proc} as a viewer: http ${asViewer.status()}`);
    // tRPC never runs a mutation sent as GET; the proxy must not turn one into a change either
    const viaGet = await viewer.ctx.request.get(`${WEB}/api/agent/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(inputFor(proc)))}`);
    assert.ok(viaGet.status() >= 400, `${proc} as a viewer over GET: http ${viaGet.status()}`);
    const foreign = await trpc(admin.ctx, proc, inputFor(proc), 'http://evil.example');
    assert.equal(foreign.status(), 403, `${proc} from a foreign Origin: http ${foreign.status()}`);
    // a batch that hides the mutation behind a query is refused whole
    const batched = await viewer.ctx.request.post(`${WEB}/api/agent/trpc/containers.list,${proc}?batch=1`, {
      headers: { origin: WEB, 'content-type': 'application/json' },
      data: { 0: { all: true }, 1: inputFor(proc) },
    });
    assert.equal(batched.status(), 403, `containers.list,${proc} batched as a viewer: http ${batched.status()}`);
  }
  for (const proc of changingSubscriptions) {
    const q = `${WEB}/api/agent/trpc/${proc}?input=${encodeURIComponent(JSON.stringify({ ref: 'localhost:1/x:y' }))}`;
    assert.equal((await viewer.ctx.request.get(q)).status(), 403, `${proc} as a viewer`);
    assert.equal((await admin.ctx.request.get(q, { headers: { origin: 'http://evil.example' } })).status(), 403, `${proc} from a foreign Origin`);
  }
  // the container is untouched by all of the above
  const still = await admin.ctx.request.get(`${WEB}/api/agent/trpc/containers.inspect?input=${encodeURIComponent(JSON.stringify({ id }))}`);
  assert.equal(((await still.json()) as { result: { data: { state: string; name: string } } }).result.data.state, 'running');

  // both terminal sockets: a viewer's session, and an admin's from a foreign page
  const viewerCookie = await cookieOf(viewer.ctx);
  const adminCookie = await cookieOf(admin.ctx);
  for (const kind of ['exec', 'attach'] as const) {
    for (const [cookie, origin, who] of [
      [viewerCookie, WEB, 'a viewer'],
      [adminCookie, 'http://evil.example', 'a foreign Origin'],
      ['', WEB, 'no session'],
    ] as const) {
      const term = openTerminal(WEB, cookie, id, origin, {}, kind);
      term.ws.once('open', () => term.ws.close()); // (a refusal is what is expected)
      await term.closed;
      const status = term.result.opened ? 101 : term.result.status;
      assert.ok(status === 401 || status === 403, `${kind} socket for ${who}: ${status}`);
    }
  }
  await viewer.ctx.close();
  await admin.ctx.close();
});
