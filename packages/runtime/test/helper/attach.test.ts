// Root integration tests of the attach socket: terminal mode with resize, stdin pipes, signals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { attach, type AttachClient } from '../../src/helper/attach';
import { destroy, logText, noMountsUnder, requireRoot, runContainer, unpackedBusybox, waitExit, waitFor, type TestContainer } from './fixtures';

let lower = '';
const containers: TestContainer[] = [];
const clients: AttachClient[] = [];

before(async () => {
  requireRoot();
  lower = await unpackedBusybox();
});
after(async () => {
  for (const a of clients) a.close();
  for (const c of containers) await destroy(c);
  if (lower) fs.rmSync(lower, { recursive: true, force: true });
  noMountsUnder('berth-test-');
});

function collect(a: AttachClient) {
  const state = { out: '' };
  a.on('data', (c: { data: Buffer }) => (state.out += c.data.toString()));
  return state;
}

test('terminal: echo through the pty, resize, stty size', async () => {
  const c = await runContainer(lower, ['sh'], (s) => {
    s.process.terminal = true;
    s.berth.openStdin = true;
  });
  containers.push(c);
  const a = attach(c.state);
  clients.push(a);
  await a.connected;
  const got = collect(a);
  a.write('echo hi\n');
  await waitFor(() => /\r?\nhi\r?\n/.test(got.out), `"hi" in ${JSON.stringify(got.out)}`);
  a.resize(50, 100);
  a.write('stty size\n');
  await waitFor(() => got.out.includes('50 100'), `"50 100" in ${JSON.stringify(got.out)}`);
  a.write('exit 7\n');
  const exit = await a.exit;
  assert.equal(exit?.exitCode, 7);
  assert.match(logText(c), /50 100/);
});

test('stdin pipe without a terminal; close stdin ends cat', async () => {
  const c = await runContainer(lower, ['cat'], (s) => {
    s.berth.openStdin = true;
  });
  containers.push(c);
  const a = attach(c.state);
  clients.push(a);
  await a.connected;
  const got = collect(a);
  a.write('abc\n');
  await waitFor(() => got.out === 'abc\n', 'cat echo');
  a.closeStdin();
  assert.equal((await a.exit)?.exitCode, 0);
  assert.equal(logText(c), 'abc\n');
});

test('signal frame reaches init; several clients all get the exit frame', async () => {
  const c = await runContainer(lower, ['sleep', '1000']);
  containers.push(c);
  const a = attach(c.state);
  const b = attach(c.state);
  clients.push(a, b);
  await Promise.all([a.connected, b.connected]);
  a.signal(9);
  const [ea, eb] = await Promise.all([a.exit, b.exit]);
  assert.equal(ea?.exitCode, 137);
  assert.equal(eb?.signal, 9);
  assert.equal((await waitExit(c)).exitCode, 137);
});
