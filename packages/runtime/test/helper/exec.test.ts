// Root integration tests of `berth-helper exec` into a running container.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { isBerthError } from '../../src/errors';
import { spawnExec } from '../../src/helper/exec';
import { destroy, noMountsUnder, requireRoot, runContainer, unpackedBusybox, type TestContainer } from './fixtures';

let lower = '';
let c: TestContainer | undefined;
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

before(async () => {
  requireRoot();
  lower = await unpackedBusybox();
  c = await runContainer(lower, ['sleep', '1000']);
});
after(async () => {
  await destroy(c);
  if (lower) fs.rmSync(lower, { recursive: true, force: true });
  noMountsUnder('berth-test-');
});

async function output(p: ReturnType<typeof spawnExec>) {
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const code = await p.exited;
  return { code, out };
}

test('exec hostname sees the container hostname', async () => {
  const p = spawnExec({ pid: c!.pid, process: { args: ['hostname'], env: [PATH], cwd: '/' }, cgroupProcs: [], tty: false });
  p.stdin.end();
  assert.deepEqual(await output(p), { code: 0, out: 'testhost\n' });
});

test('exec runs in the pid namespace and returns the exit code', async () => {
  const p = spawnExec({ pid: c!.pid, process: { args: ['sh', '-c', "ps -o pid,args | awk '$1==1{print $2, $3}'; exit 4"], env: [PATH] }, cgroupProcs: [], tty: false });
  p.stdin.end();
  const r = await output(p);
  assert.equal(r.code, 4);
  assert.equal(r.out, 'sleep 1000\n');
});

test('exec --tty gets a terminal with the given size', async () => {
  const p = spawnExec({ pid: c!.pid, process: { args: ['sh', '-c', 'sleep 0.2; hostname; stty size; [ -t 0 ] && echo tty'], env: [PATH] }, cgroupProcs: [], tty: true });
  p.resize(30, 90);
  const r = await output(p);
  assert.equal(r.code, 0);
  assert.match(r.out, /testhost\r\n30 90\r\ntty/);
});

test('exec signal via the control pipe', async () => {
  const p = spawnExec({ pid: c!.pid, process: { args: ['sleep', '1000'], env: [PATH] }, cgroupProcs: [], tty: false });
  setTimeout(() => p.signal(15), 200);
  assert.equal((await output(p)).code, 143);
});

test('exec of a missing command is invalid_argument with exit 127', async () => {
  const p = spawnExec({ pid: c!.pid, process: { args: ['nosuchcmd'], env: [PATH] }, cgroupProcs: [], tty: false });
  await assert.rejects(p.exited, (e) => {
    assert.ok(isBerthError(e));
    assert.equal(e.code, 'invalid_argument');
    assert.match(e.message, /executable file not found/);
    return true;
  });
  assert.equal(p.child.exitCode, 127);
});

test('exec with an unknown user fails naming it', async () => {
  const p = spawnExec({ pid: c!.pid, process: { args: ['id'], env: [PATH], berthUser: 'nosuchuser' }, cgroupProcs: [], tty: false });
  await assert.rejects(p.exited, /unable to find user nosuchuser: no matching entries in passwd file/);
});

test('exec as a named user', async () => {
  const p = spawnExec({ pid: c!.pid, process: { args: ['id', '-u'], env: [PATH], berthUser: 'nobody' }, cgroupProcs: [], tty: false });
  p.stdin.end();
  assert.deepEqual(await output(p), { code: 0, out: '65534\n' });
});
