// --restart kept by the agent (also across its own restart), --stop-signal, --stop-timeout,
// ps --filter/--format and inspect -f templates, on real containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestAgent, eventually, requireRoot, sleep } from '../helpers/test-agent';
import { renderTemplate } from '../../src/cli/go-template';

const IMG = 'busybox:1.37.0-musl';

describe('restart policies, stop options, ps filters and templates (real runtime, as root)', () => {
  const agent = new TestAgent();
  const insp = (c: string, f: string) => agent.ok(['inspect', '-f', f, c]).trim();
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(() => agent.dispose());

  test('templates: fields case-insensitively, json, index', () => {
    const d = { State: { Status: 'running' }, labels: { a: 'b' } };
    assert.equal(renderTemplate('{{.State.Status}}', d), 'running');
    assert.equal(renderTemplate('{{ .state.status }}!', d), 'running!');
    assert.equal(renderTemplate('{{json .Labels}}', d), '{"a":"b"}');
    assert.equal(renderTemplate('{{index .Labels "a"}}\\t{{.Nope}}', d), 'b\t<no value>');
  });

  test('--restart on-failure:3 restarts a failing container exactly 3 times', async () => {
    const c = agent.name('onfail');
    agent.ok(['run', '-d', '--restart', 'on-failure:3', '--name', c, IMG, 'sh', '-c', 'echo run; exit 3']);
    await eventually('three restarts', () => insp(c, '{{.RestartCount}}') === '3' && insp(c, '{{.State.Status}}') === 'exited', 20_000);
    await sleep(2500); // backoff would have fired by now
    assert.equal(insp(c, '{{.RestartCount}}'), '3');
    assert.equal(insp(c, '{{.State.Status}}'), 'exited');
    assert.equal(insp(c, '{{.State.ExitCode}}'), '3');
    assert.equal(insp(c, '{{.HostConfig.RestartPolicy.Name}}'), 'on-failure');
  });

  test('on-failure leaves a clean exit alone; no is the default', async () => {
    const c = agent.name('clean');
    agent.ok(['run', '-d', '--restart', 'on-failure', '--name', c, IMG, 'true']);
    await eventually('exit', () => insp(c, '{{.State.Status}}') === 'exited');
    await sleep(500);
    assert.equal(insp(c, '{{.RestartCount}}'), '0');
  });

  test('always restarts on exit; a manual stop keeps it down; bad policies are refused', async () => {
    const c = agent.name('always');
    agent.ok(['run', '-d', '--restart', 'always', '--name', c, IMG, 'sh', '-c', 'sleep 0.3; exit 0']);
    await eventually('a restart', () => Number(insp(c, '{{.RestartCount}}')) >= 1);
    agent.ok(['stop', '-t', '1', c]);
    await sleep(1000);
    assert.equal(insp(c, '{{.State.Status}}'), 'exited');
    const n = insp(c, '{{.RestartCount}}');
    await sleep(800);
    assert.equal(insp(c, '{{.RestartCount}}'), n);
    assert.notEqual(agent.cli(['run', '-d', '--restart', 'sometimes', IMG, 'true']).code, 0);
    assert.notEqual(agent.cli(['run', '--rm', '--restart', 'always', IMG, 'true']).code, 0);
  });

  test('an always container comes back after the agent restarts', async () => {
    const c = agent.name('back');
    agent.ok(['run', '-d', '--restart', 'always', '--name', c, IMG, 'sleep', '300']);
    const pid = Number(insp(c, '{{.State.Pid}}'));
    assert.ok(pid > 0);
    await agent.crash();
    process.kill(pid, 'SIGKILL'); // it dies while the agent is down
    await sleep(500);
    await agent.start();
    await eventually('running again', () => insp(c, '{{.State.Status}}') === 'running' && Number(insp(c, '{{.State.Pid}}')) !== pid, 20_000);
  });

  test('--stop-signal is what stop sends; --stop-timeout is how long it waits', async () => {
    const s = agent.name('sig');
    agent.ok(['run', '-d', '--stop-signal', 'USR1', '--name', s, IMG, 'sh', '-c', 'trap "echo got usr1; exit 0" USR1; while true; do sleep 0.1; done']);
    await sleep(300);
    agent.ok(['stop', s]);
    assert.match(agent.ok(['logs', s]), /got usr1/);
    assert.equal(insp(s, '{{.State.ExitCode}}'), '0');
    assert.equal(insp(s, '{{.Config.StopSignal}}'), 'USR1');
    const t = agent.name('timeout');
    agent.ok(['run', '-d', '--stop-timeout', '1', '--name', t, IMG, 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
    await sleep(300);
    const start = Date.now();
    agent.ok(['stop', t]);
    const took = Date.now() - start;
    assert.ok(took >= 900 && took < 6000, `stop took ${took}ms`);
    assert.equal(insp(t, '{{.State.ExitCode}}'), '137');
  });

  test('ps --filter status/name/label/ancestor and --format', () => {
    const a = agent.name('fa');
    const b = agent.name('fb');
    agent.ok(['run', '-d', '--name', a, '-l', 'tier=web', IMG, 'sleep', '300']);
    agent.ok(['create', '--name', b, '-l', 'tier=db', IMG, 'true']);
    const names = (args: string[]) => agent.ok(['ps', ...args, '--format', '{{.Names}}']).trim().split('\n').filter(Boolean).sort();
    assert.ok(names(['--filter', 'status=running']).includes(a));
    assert.ok(!names(['--filter', 'status=running']).includes(b));
    assert.deepEqual(names(['--filter', 'status=created', '--filter', `name=${b}`]), [b]);
    assert.deepEqual(names(['-a', '--filter', 'label=tier=web']), [a]);
    assert.deepEqual(names(['-a', '--filter', 'label=tier', '--filter', `name=${a.slice(0, -5)}`]).sort(), [a, b].filter((n) => n.startsWith(a.slice(0, -5))).sort());
    assert.ok(names(['-a', '--filter', `ancestor=${IMG}`]).includes(b));
    assert.deepEqual(names(['-a', '--filter', 'ancestor=alpine:3.20']), []);
    const tbl = agent.ok(['ps', '--filter', `name=${a}`, '--format', 'table {{.Names}}\\t{{.State}}']);
    assert.match(tbl, /^NAMES\s+STATE\n/);
    assert.match(tbl, new RegExp(`${a}\\s+running`));
    assert.equal(agent.cli(['ps', '--filter', 'bogus=1']).code, 1);
  });
});
