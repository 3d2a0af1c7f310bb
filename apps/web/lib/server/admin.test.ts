import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from './db';
import { login } from './auth';
import { AdminError, auditCsv, createUser, removeUser, updateUser } from './admin';
import { openConnections, trackConnection } from './live';
import { startPostgres, type TestPostgres } from '../../test/e2e/postgres';
import type { Store } from './db';

// the same checks on SQLite (the default) and on a real PostgreSQL server (DATABASE_URL)
for (const kind of ['sqlite', 'postgres'] as const) describe(`store and admin rules on ${kind}`, () => {
  let pg: TestPostgres | undefined;
  before(async () => {
    if (kind === 'postgres') pg = await startPostgres();
  });
  after(async () => {
    await pg?.dispose();
  });
  const store = async (): Promise<Store> => {
    if (pg) {
      // a fresh schema per test: drop what an earlier test made, its record of migrations too
      const { default: pgLib } = await import('pg');
      const c = new pgLib.Client({ connectionString: pg.url });
      await c.connect();
      await c.query('DROP TABLE IF EXISTS users, sessions, audit_log, hosts; DROP SCHEMA IF EXISTS drizzle CASCADE');
      await c.end();
      return openStore({ databaseUrl: pg.url, sqlitePath: '' });
    }
    return openStore({ sqlitePath: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-admin-')), 'web.db') });
  };

test('create, change and remove users; bad input named; the last admin stays', async () => {
  const s = await store();
  const admin = await createUser(s, { username: 'root-admin', password: 'long enough pw', role: 'admin' });
  const bob = await createUser(s, { username: 'bob', password: 'bob password 1', role: 'viewer' });
  await assert.rejects(createUser(s, { username: 'bob', password: 'bob password 1', role: 'viewer' }), /already exists/);
  await assert.rejects(createUser(s, { username: '<img>', password: 'bob password 1', role: 'viewer' }), /username must be/);
  await assert.rejects(createUser(s, { username: 'eve', password: 'short', role: 'viewer' }), /at least 10/);
  await assert.rejects(createUser(s, { username: 'eve', password: 'long enough pw', role: 'root' }), /role must be one of/);

  assert.equal((await updateUser(s, bob.id, { role: 'operator' })).role, 'operator');
  await updateUser(s, bob.id, { password: 'a new password' });
  assert.ok(await login(s, 'bob', 'a new password'));
  assert.equal(await login(s, 'bob', 'bob password 1'), null);

  await assert.rejects(updateUser(s, admin.id, { role: 'viewer' }), /last admin/);
  await assert.rejects(removeUser(s, admin.id, bob.id), /last admin/);
  await assert.rejects(removeUser(s, bob.id, bob.id), /yourself/);

  // removal ends the sessions and the open connections
  const session = await login(s, 'bob', 'a new password');
  assert.ok(session);
  let closed = 0;
  trackConnection(bob.id, 'x', () => closed++);
  const before = openConnections();
  await removeUser(s, bob.id, admin.id);
  assert.equal(closed, 1);
  assert.equal(openConnections(), before - 1);
  assert.equal(await s.userById(bob.id), undefined);
  assert.equal((await s.listUsers()).length, 1);
  const err = await removeUser(s, 999, admin.id).catch((e: AdminError) => e);
  assert.equal((err as AdminError).status, 404);
  await s.close();
});

test('the audit log filters by user, action, outcome and text, pages back, and exports as CSV', async () => {
  const s = await store();
  const add = (username: string, action: string, target: string, outcome: string) => s.addAudit({ time: new Date().toISOString(), userId: null, username, action, target, detail: `{"id":"${target}"}`, outcome });
  await add('alice', 'containers.run', 'web', 'ok');
  await add('bob', 'containers.remove', 'db', 'denied: read-only role');
  await add('alice', 'images.remove', '100%_done', 'ok');
  assert.deepEqual((await s.queryAudit({ username: 'ALI', limit: 10 })).map((r) => r.target), ['100%_done', 'web']);
  assert.deepEqual((await s.queryAudit({ outcome: 'denied', limit: 10 })).map((r) => r.username), ['bob']);
  assert.deepEqual((await s.queryAudit({ text: '%_', limit: 10 })).map((r) => r.target), ['100%_done'], '% and _ are literal');
  const first = await s.queryAudit({ limit: 2 });
  const rest = await s.queryAudit({ limit: 2, beforeId: first.at(-1)!.id });
  assert.deepEqual(rest.map((r) => r.target), ['web']);
  const csv = auditCsv([{ id: 1, time: 't', username: 'a"b', action: '=cmd()', target: 'x,y', detail: 'd', outcome: 'ok' }]);
  assert.equal(csv, 'id,time,user,action,target,detail,outcome\r\n"1","t","a""b","\'=cmd()","x,y","d","ok"\r\n');
  await s.close();
});
  test('hosts: added, listed, found, removed', async () => {
    const s = await store();
    const h = await s.addHost({ name: 'b', url: 'https://b:7471', token: 't'.repeat(32), fingerprint: null });
    assert.deepEqual((await s.listHosts()).map((x) => x.name), ['b']);
    assert.equal((await s.hostById(h.id))?.url, 'https://b:7471');
    await s.deleteHost(h.id);
    assert.equal(await s.hostById(h.id), undefined);
    await s.close();
  });
});
