// A terminal session opened with `keep` outlives its socket: a new socket takes it over, gets the
// output it missed, and finds the same shell (its variables) still there — what the dashboard's
// terminal does across a page reload. Real agent, real container, raw terminal WebSockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { TerminalOp, frame } from '@berth/shared';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';

const IMG = 'busybox:1.37.0-musl';

/** A terminal socket that collects output and the session id. */
function open(agent: TestAgent, id: string, hello: object) {
  const ws = new WebSocket(`${agent.url.replace(/^http/, 'ws')}/v1/containers/${id}/exec`, { headers: { authorization: `Bearer ${agent.token}` } });
  const got = { out: '', session: '', exit: null as number | null, error: '' };
  ws.on('open', () => ws.send(JSON.stringify(hello)));
  ws.on('message', (raw: Buffer) => {
    const body = raw.subarray(1).toString();
    if (raw[0] === TerminalOp.output || raw[0] === TerminalOp.stderr) got.out += body;
    else if (raw[0] === TerminalOp.session) got.session = (JSON.parse(body) as { session: string }).session;
    else if (raw[0] === TerminalOp.exit) got.exit = (JSON.parse(body) as { exitCode: number }).exitCode;
    else if (raw[0] === TerminalOp.error) got.error = (JSON.parse(body) as { message: string }).message;
  });
  const type = (s: string) => ws.send(frame(TerminalOp.input, s));
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  return { ws, got, type, closed };
}

describe('kept terminal sessions (real agent, as root)', () => {
  const agent = new TestAgent();
  let id = '';
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
    id = agent.ok(['run', '-d', '--name', agent.name('kept'), IMG, 'sleep', '300']).trim();
  });
  after(() => agent.dispose());

  test('close the socket, take the session over: missed output replayed, same shell, then exit', async () => {
    const a = open(agent, id, { cmd: ['sh'], tty: true, rows: 30, cols: 100, keep: true });
    await eventually('the session id', () => a.got.session);
    a.type('export MARK=kept-$((40+2)); echo first-$MARK\r');
    await eventually('the first output', () => a.got.out.includes('first-kept-42'));
    a.ws.close();
    await a.closed;
    // what happens while nobody watches is kept for the next socket
    // the new socket's window size applies at once
    const spy = open(agent, id, { resume: a.got.session, rows: 35, cols: 90 });
    await eventually('the replay', () => spy.got.out.includes('first-kept-42'));
    spy.type('echo second-$MARK; stty size\r');
    await eventually('the same shell answers', () => spy.got.out.includes('second-kept-42') && /35 90/.test(spy.got.out));
    spy.type('exit 7\r');
    await eventually('the exit', () => spy.got.exit !== null);
    assert.equal(spy.got.exit, 7);
    // an ended session cannot be resumed; one that never existed neither
    const late = open(agent, id, { resume: a.got.session });
    await eventually('the refusal', () => late.got.error);
    assert.match(late.got.error, /session has ended/);
    const bogus = open(agent, id, { resume: 'f'.repeat(32) });
    await eventually('the refusal', () => bogus.got.error);
  });

  test('a session is bound to its container', async () => {
    const other = agent.ok(['run', '-d', '--name', agent.name('other'), IMG, 'sleep', '300']).trim();
    const a = open(agent, id, { cmd: ['sh'], tty: true, keep: true });
    await eventually('the session id', () => a.got.session);
    const wrong = open(agent, other, { resume: a.got.session });
    await eventually('the refusal', () => wrong.got.error);
    assert.match(wrong.got.error, /session has ended/);
    a.type('exit\r');
    await eventually('the exit', () => a.got.exit !== null);
    agent.ok(['rm', '-f', other]);
  });

  test('without keep, closing the socket ends the exec as before', async () => {
    const a = open(agent, id, { cmd: ['sh', '-c', 'sleep 200'], tty: false });
    await eventually('open', () => a.ws.readyState === WebSocket.OPEN);
    assert.equal(a.got.session, '');
    await eventually('the exec runs', () => agent.ok(['top', id]).includes('sleep 200'));
    a.ws.close();
    await eventually('the exec ends with its socket', () => !agent.ok(['top', id]).includes('sleep 200'));
  });
});
