// `berth run --init`: berth-init as PID 1 (from a sealed copy), the command as its child, signals
// forwarded, orphans reaped, the command's exit status; without --init nothing changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestAgent, eventually, suiteAgent } from '../helpers/test-agent';

const IMG = 'busybox:1.37.0-musl';

/** the states of every process the container's /proc lists (Z = zombie) */
function procStates(agent: TestAgent, c: string): { pid: string; comm: string; state: string }[] {
  const out = agent.ok(['exec', c, 'sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const close = l.lastIndexOf(')');
      return { pid: l.slice(0, l.indexOf(' ')), comm: l.slice(l.indexOf('(') + 1, close), state: l.slice(close + 2, close + 3) };
    });
}

describe('berth run --init (real runtime, as root)', () => {
  const agent = suiteAgent();

  test('PID 1 is berth-init, the command is its child; inspect says init', () => {
    const out = agent.ok(['run', '--rm', '--init', IMG, 'sh', '-c', 'echo "me=$$ ppid=$PPID"; tr "\\0" " " </proc/1/cmdline; echo; ps']);
    const [me, cmdline] = out.split('\n');
    assert.match(me!, /^me=(\d+) ppid=1$/);
    assert.notEqual(/^me=(\d+)/.exec(me!)![1], '1');
    assert.match(cmdline!, /^berth-init -- sh -c /);
    assert.match(out, /^\s*1 \S+\s+.*berth-init -- sh -c/m, `ps shows the init as PID 1:\n${out}`);
    // /proc/1/exe is the sealed memfd copy, not a file anyone could write
    const exe = agent.ok(['run', '--rm', '--init', IMG, 'readlink', '/proc/1/exe']).trim();
    assert.match(exe, /^\/memfd:berth-init/);
    const c = agent.name('init-inspect');
    agent.ok(['create', '--init', '--name', c, IMG, 'true']);
    assert.equal(JSON.parse(agent.ok(['inspect', c]))[0].hostConfig.init, true);
  });

  test('--init with another user, a read-only root, --privileged; not even a privileged container can write the init', () => {
    assert.equal(agent.ok(['run', '--rm', '--init', '-u', '1000:1000', IMG, 'sh', '-c', 'id -u; stat -c %u /proc/1']).trim(), '1000\n1000');
    assert.equal(agent.ok(['run', '--rm', '--init', '--read-only', IMG, 'echo', 'ro']), 'ro\n');
    assert.equal(agent.ok(['run', '--rm', '--init', '--privileged', '--security-opt', 'no-new-privileges', IMG, 'echo', 'priv']), 'priv\n');
    const w = agent.cli(['run', '--rm', '--init', '--privileged', IMG, 'sh', '-c', 'echo x >>/proc/1/exe && echo wrote']);
    assert.notEqual(w.code, 0, `the init's binary was writable: ${w.stdout}`);
    assert.doesNotMatch(w.stdout, /wrote/);
  });

  test('without --init the command is PID 1 (unchanged)', () => {
    const out = agent.ok(['run', '--rm', IMG, 'sh', '-c', 'echo "me=$$"; tr "\\0" " " </proc/1/cmdline; echo']);
    assert.match(out, /^me=1\nsh -c /);
  });

  test('exit status: the command\'s code, 128+N when a signal killed it; a missing command is 127', () => {
    assert.equal(agent.cli(['run', '--rm', '--init', IMG, 'sh', '-c', 'exit 7']).code, 7);
    assert.equal(agent.cli(['run', '--rm', '--init', IMG, 'sh', '-c', 'kill -KILL $$']).code, 137);
    const r = agent.cli(['run', '--rm', '--init', IMG, 'nosuchcmd']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /executable file not found/);
  });

  test('an orphaned grandchild that exits is reaped: no zombie (and without --init one is left)', async () => {
    // the subshell forks a short sleep and exits: the sleep is reparented to PID 1; `exec sleep`
    // leaves nothing that would wait for it but the init
    const script = '(sleep 0.2 &) ; exec sleep 300';
    const withInit = agent.name('reap');
    agent.ok(['run', '-d', '--init', '--name', withInit, IMG, 'sh', '-c', script]);
    await eventually('the orphan to have exited and been reaped', () => {
      // only `sleep 300` is left, and nothing is a zombie
      const ps = procStates(agent, withInit);
      return ps.filter((p) => p.comm === 'sleep').length === 1 && !ps.some((p) => p.state === 'Z');
    });
    assert.deepEqual(procStates(agent, withInit).filter((p) => p.state === 'Z'), []);

    const without = agent.name('noreap');
    agent.ok(['run', '-d', '--name', without, IMG, 'sh', '-c', script]);
    await eventually('a zombie without --init (sleep as PID 1 never waits)', () => procStates(agent, without).some((p) => p.state === 'Z'));
    agent.ok(['rm', '-f', withInit, without]);
  });

  test('berth stop: SIGTERM reaches the command through the init; the exit code is the trap\'s 3', async () => {
    const c = agent.name('trap');
    agent.ok(['run', '-d', '--init', '--name', c, IMG, 'sh', '-c', 'trap "exit 3" TERM; while :; do sleep 1; done']);
    // the trap must be set before the signal comes
    await eventually('the loop to run', () => agent.ok(['top', c]).includes('sleep'));
    agent.ok(['stop', c]);
    const info = JSON.parse(agent.ok(['inspect', c]))[0];
    assert.equal(info.state, 'exited');
    assert.equal(info.exitCode, 3);
    // other signals too: USR1 to a trap that exits 5
    const u = agent.name('usr1');
    agent.ok(['run', '-d', '--init', '--name', u, IMG, 'sh', '-c', 'trap "exit 5" USR1; while :; do sleep 1; done']);
    await eventually('the loop to run', () => agent.ok(['top', u]).includes('sleep'));
    agent.ok(['kill', '-s', 'USR1', u]);
    await eventually('the container to exit', () => JSON.parse(agent.ok(['inspect', u]))[0].state === 'exited');
    assert.equal(JSON.parse(agent.ok(['inspect', u]))[0].exitCode, 5);
    agent.ok(['rm', c, u]);
  });
});
