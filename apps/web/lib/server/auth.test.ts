import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from './db';
import {
  canMutate, ensureFirstAdmin, hashPassword, login, logout, originAllowed, readCookie, sessionCookie, sessionUser, verifyPassword,
} from './auth';

test('scrypt hashes verify and are salted', async () => {
  const a = await hashPassword('s3cret');
  const b = await hashPassword('s3cret');
  assert.notEqual(a, b);
  assert.match(a, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('s3cret', a), true);
  assert.equal(await verifyPassword('wrong', a), false);
  assert.equal(await verifyPassword('s3cret', 'garbage'), false);
});

test('first admin, login, session lookup, logout', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-'));
  const store = await openStore({ sqlitePath: path.join(dir, 'web.db') });
  const lines: string[] = [];
  const first = await ensureFirstAdmin(store, { berthRoot: dir, log: (l) => lines.push(l) });
  assert.equal(first.created, true);
  assert.deepEqual(lines, [`first login: admin / ${first.password}`]);
  const file = path.join(dir, 'web-admin-password');
  assert.equal(fs.readFileSync(file, 'utf8').trim(), first.password);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  // second start: nothing created, nothing printed
  assert.deepEqual(await ensureFirstAdmin(store, { berthRoot: dir, log: (l) => lines.push(l) }), { created: false });
  assert.equal(lines.length, 1);

  assert.equal(await login(store, 'admin', 'nope'), null);
  assert.equal(await login(store, 'nobody', first.password!), null);
  const ok = await login(store, 'admin', first.password!);
  assert.ok(ok);
  assert.equal(ok.user.role, 'admin');
  assert.equal((await sessionUser(store, ok.sessionId))?.username, 'admin');
  assert.equal(await sessionUser(store, 'forged'), undefined);
  // expired
  assert.equal(await sessionUser(store, ok.sessionId, Date.now() + 8 * 24 * 3600 * 1000), undefined);
  await logout(store, ok.sessionId);
  assert.equal(await sessionUser(store, ok.sessionId), undefined);
  await store.close();
});

test('env password is used for the first admin', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-'));
  const store = await openStore({ sqlitePath: ':memory:' });
  await ensureFirstAdmin(store, { berthRoot: dir, password: 'given-pw', log: () => {} });
  assert.ok(await login(store, 'admin', 'given-pw'));
  await store.close();
});

test('roles: viewers cannot mutate', () => {
  assert.equal(canMutate('admin'), true);
  assert.equal(canMutate('operator'), true);
  assert.equal(canMutate('viewer'), false);
});

test('cookie helpers', () => {
  const c = sessionCookie('abc', new Date(0), false);
  assert.match(c, /^berth_session=abc; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
  assert.equal(readCookie('a=1; berth_session=xyz; b=2', 'berth_session'), 'xyz');
  assert.equal(readCookie(undefined, 'berth_session'), undefined);
});

test('origin check', () => {
  assert.equal(originAllowed('http://h:3000', 'h:3000'), true);
  assert.equal(originAllowed('http://evil:3000', 'h:3000'), false);
  assert.equal(originAllowed(undefined, 'h:3000'), false);
  assert.equal(originAllowed('null', 'h:3000'), false);
});
