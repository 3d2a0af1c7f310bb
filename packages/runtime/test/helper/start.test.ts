// Root integration tests of `berth-helper start`: a busybox overlay rootfs, log, exit.json,
// namespaces, the monitor outliving its parent, waitForAttach.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isBerthError } from '../../src/errors';
import { attach } from '../../src/helper/attach';
import { startContainer } from '../../src/helper/start';
import {
  alive,
  destroy,
  logRecords,
  logText,
  makeBundle,
  noMountsUnder,
  requireRoot,
  runContainer,
  unpackedBusybox,
  waitExit,
  waitFor,
  type TestContainer,
} from './fixtures';

let lower = '';
const containers: TestContainer[] = [];
async function run(args: string[], edit?: Parameters<typeof runContainer>[2]) {
  const c = await runContainer(lower, args, edit);
  containers.push(c);
  return c;
}

before(async () => {
  requireRoot();
  lower = await unpackedBusybox();
});
after(async () => {
  for (const c of containers) await destroy(c);
  if (lower) fs.rmSync(lower, { recursive: true, force: true });
  noMountsUnder('berth-test-');
});

test('echo hello: a json-file record and exit code 0', async () => {
  const c = await run(['echo', 'hello']);
  const exit = await waitExit(c);
  assert.equal(exit.exitCode, 0);
  assert.equal(exit.signal, null);
  assert.match(exit.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  const recs = logRecords(c);
  assert.equal(recs.length, 1);
  assert.equal(recs[0].log, 'hello\n');
  assert.equal(recs[0].stream, 'stdout');
  assert.match(recs[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  assert.ok(!fs.existsSync(path.join(c.state, 'attach.sock')), 'attach.sock removed after exit');
  assert.equal(fs.readFileSync(path.join(c.state, 'init.pid'), 'utf8'), `${c.pid}\n`);
  assert.equal(fs.readFileSync(path.join(c.state, 'monitor.pid'), 'utf8'), `${c.monitorPid}\n`);
});

test('exit code and stderr stream', async () => {
  const c = await run(['sh', '-c', 'echo oops >&2; exit 3']);
  assert.equal((await waitExit(c)).exitCode, 3);
  assert.deepEqual(
    logRecords(c).map((r) => [r.log, r.stream]),
    [['oops\n', 'stderr']],
  );
});

test('killed by a signal: 128+sig', async () => {
  const c = await run(['sleep', '1000']);
  process.kill(c.pid, 'SIGKILL');
  const exit = await waitExit(c);
  assert.equal(exit.exitCode, 137);
  assert.equal(exit.signal, 9);
});

test('ps sees only the container, the command is PID 1', async () => {
  const c = await run(['ps', '-o', 'pid,args']);
  await waitExit(c);
  const lines = logText(c).trim().split('\n').slice(1);
  assert.equal(lines.length, 1, logText(c));
  assert.match(lines[0], /^\s*1\s+ps -o pid,args$/);
});

test('hostname is the configured one', async () => {
  const c = await run(['hostname']);
  await waitExit(c);
  assert.equal(logText(c), 'testhost\n');
});

test('a new network namespace has only lo', async () => {
  const c = await run(['ls', '/sys/class/net']);
  await waitExit(c);
  assert.equal(logText(c), 'lo\n');
});

test('masked and read-only paths, capabilities, clamped rlimit', async () => {
  const masked = ['/proc/kcore', '/proc/keys', '/proc/timer_list'].find((p) => fs.existsSync(p));
  assert.ok(masked, 'no maskable /proc file on this host');
  const c = await run(['sh', '-c', `cat ${masked} | wc -c; awk '$2==\"/proc/sys\"{print substr($4,1,3)}' /proc/mounts; grep CapEff /proc/self/status; ulimit -n`]);
  await waitExit(c);
  const out = logRecords(c)
    .filter((r) => r.stream === 'stdout')
    .map((r) => r.log)
    .join('')
    .split('\n');
  assert.equal(out[0].trim(), '0');
  assert.equal(out[1].trim(), 'ro,');
  assert.equal(out[2], 'CapEff:\t00000000a80425fb');
  assert.ok(Number(out[3]) > 0);
});

test('a missing command fails start with executable file not found', async () => {
  const b = makeBundle(lower, ['nosuchcmd']);
  try {
    await assert.rejects(startContainer(b.bundle, b.state), (e) => {
      assert.ok(isBerthError(e));
      assert.equal(e.code, 'invalid_argument');
      assert.match(e.message, /exec: "nosuchcmd": executable file not found in \$PATH/);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(b.state, 'exit.json')));
    assert.ok(!fs.existsSync(path.join(b.state, 'monitor.pid')));
  } finally {
    fs.rmSync(b.dir, { recursive: true, force: true });
  }
});

test('an invalid config fails naming the field', async () => {
  const b = makeBundle(lower, ['true'], (s) => {
    (s.process as unknown as { args: unknown }).args = 'true';
  });
  try {
    await assert.rejects(startContainer(b.bundle, b.state), /process\.args must be an array of strings/);
  } finally {
    fs.rmSync(b.dir, { recursive: true, force: true });
  }
});

test('the monitor survives its parent and is not our child', async () => {
  const c = await run(['sleep', '1000']);
  assert.ok(alive(c.pid));
  assert.ok(alive(c.monitorPid));
  const status = fs.readFileSync(`/proc/${c.monitorPid}/status`, 'utf8');
  const ppid = Number(/PPid:\s+(\d+)/.exec(status)![1]);
  assert.notEqual(ppid, process.pid);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(alive(c.pid), 'container keeps running after start returned');
});

test('waitForAttach holds output until a client attaches', async () => {
  const c = await run(['echo', 'early'], (s) => {
    s.berth.waitForAttach = true;
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(logText(c), '');
  assert.ok(!fs.existsSync(path.join(c.state, 'exit.json')));
  const a = attach(c.state);
  await a.connected;
  let out = '';
  for await (const chunk of a) out += chunk.data.toString();
  const exit = await a.exit;
  assert.equal(out, 'early\n');
  assert.equal(exit?.exitCode, 0);
  await waitFor(() => logText(c) === 'early\n', 'log record');
});
