// `berth run` end to end on the bundled images: output, exit codes, image config, isolation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { suiteAgent } from '../helpers/test-agent';

describe('berth run (real runtime, as root)', () => {
  const agent = suiteAgent(['musl', 'glibc', 'alpine']);

  test('the bundled images are listed under their published names', () => {
    const out = agent.ok(['images']);
    assert.match(out, /busybox\s+1\.37\.0-musl/);
    assert.match(out, /busybox\s+1\.37\.0-glibc/);
    assert.match(out, /alpine\s+3\.20/);
  });

  test('run --rm echo hello prints hello, exits 0 and leaves no container', () => {
    const r = agent.cli(['run', '--rm', 'busybox:1.37.0-musl', 'echo', 'hello']);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.code, 0, r.stderr);
    // --rm removes asynchronously after the exit; give it a moment
    const deadline = Date.now() + 5000;
    while (agent.ok(['ps', '-aq']).trim() !== '' && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    assert.equal(agent.ok(['ps', '-aq']).trim(), '');
  });

  test("the container's exit code is the CLI's", () => {
    const r = agent.cli(['run', '--rm', 'busybox:1.37.0-musl', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('alpine (imported) reports its release', () => {
    assert.equal(agent.ok(['run', '--rm', 'alpine:3.20', 'cat', '/etc/alpine-release']), '3.20.3\n');
  });

  test('the glibc variant runs too, with the image Cmd when none is given', () => {
    assert.equal(agent.ok(['run', '--rm', 'busybox:1.37.0-glibc', 'sh', '-c', 'echo $0']), 'sh\n');
    const inspect = JSON.parse(agent.ok(['inspect', 'busybox:1.37.0-glibc']))[0];
    assert.deepEqual(inspect.config.cmd, ['sh']);
  });

  test('ps inside shows only its own processes, the command as PID 1', () => {
    const out = agent.ok(['run', '--rm', 'busybox:1.37.0-musl', 'ps', '-o', 'pid,args']);
    const rows = out.trim().split('\n').slice(1).map((l) => l.trim());
    assert.equal(rows.length, 1, out);
    assert.match(rows[0], /^1\s+ps -o pid,args$/);
  });

  test('hostname is its own: the given one, else the short id', () => {
    assert.equal(agent.ok(['run', '--rm', '--hostname', 'box1', 'busybox:1.37.0-musl', 'hostname']), 'box1\n');
    const name = agent.name('host');
    const id = agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sleep', '30']).trim();
    const r = agent.cli(['exec', name, 'hostname']);
    assert.equal(r.stdout, id.slice(0, 12) + '\n');
    agent.ok(['rm', '-f', name]);
  });

  test('--network none shows only lo, and lo is up', () => {
    assert.equal(agent.ok(['run', '--rm', '--network', 'none', 'busybox:1.37.0-musl', 'ls', '/sys/class/net']), 'lo\n');
    const ping = agent.cli(['run', '--rm', '--network', 'none', 'busybox:1.37.0-musl', 'ping', '-c', '1', '-W', '2', '127.0.0.1']);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  });

  test("the host's files outside the image are not visible", () => {
    const out = agent.ok(['run', '--rm', 'busybox:1.37.0-musl', 'sh', '-c', 'ls /; test -e /etc/debian_version && echo HOST-LEAK; test -e ' + agent.root + ' && echo ROOT-LEAK; true']);
    assert.doesNotMatch(out, /LEAK/);
    assert.doesNotMatch(out, /\bwork\b|\bnode_modules\b/);
  });

  test('-e, -w and -u are honoured', () => {
    const out = agent.ok(['run', '--rm', '-e', 'GREETING=hi there', '-w', '/tmp', '-u', 'nobody', 'busybox:1.37.0-musl', 'sh', '-c', 'echo "$GREETING|$(pwd)|$(id -un)"']);
    assert.equal(out, 'hi there|/tmp|nobody\n');
  });

  test('a detached container can be stopped, started, restarted and removed', () => {
    const name = agent.name('life');
    agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done']);
    assert.match(agent.ok(['ps']), new RegExp(name));
    agent.ok(['stop', '-t', '5', name]);
    assert.doesNotMatch(agent.ok(['ps']), new RegExp(name));
    assert.match(agent.ok(['ps', '-a']), new RegExp(`Exited \\(0\\).*${name}`));
    agent.ok(['start', name]);
    assert.match(agent.ok(['ps']), new RegExp(name));
    agent.ok(['restart', '-t', '1', name]);
    assert.match(agent.ok(['ps']), new RegExp(name));
    agent.ok(['kill', '-s', 'KILL', name]);
    agent.ok(['rm', name]);
    assert.doesNotMatch(agent.ok(['ps', '-a']), new RegExp(name));
  });

  test('logs returns what the container printed, with --tail and -t', () => {
    const name = agent.name('logs');
    agent.ok(['run', '--name', name, 'busybox:1.37.0-musl', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done']);
    assert.equal(agent.ok(['logs', name]), 'line1\nline2\nline3\nline4\nline5\n');
    assert.equal(agent.ok(['logs', '--tail', '2', name]), 'line4\nline5\n');
    assert.match(agent.ok(['logs', '-t', '--tail', '1', name]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line5\n$/);
    agent.ok(['rm', name]);
  });

  test('logs -f follows a running container and ends when it exits; stderr stays stderr', () => {
    const name = agent.name('follow');
    agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sh', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.5; done']);
    const r = agent.cli(['logs', '-f', name], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'out1\nout2\nout3\n');
    assert.equal(r.stderr, 'err1\nerr2\nerr3\n');
    agent.ok(['rm', name]);
  });

  test('exec runs in the container with -e, -w and -u', () => {
    const name = agent.name('exec');
    agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sleep', '60']);
    assert.equal(agent.ok(['exec', '-e', 'A=b', '-w', '/etc', '-u', 'nobody', name, 'sh', '-c', 'echo $A $(pwd) $(id -un)']), 'b /etc nobody\n');
    const r = agent.cli(['exec', name, 'sh', '-c', 'exit 7']);
    assert.equal(r.code, 7);
    assert.equal(agent.ok(['exec', '-i', name, 'cat'], { input: 'piped\n' }), 'piped\n');
    // without -t, the exec's stdout and stderr stay apart
    const sep = agent.cli(['exec', name, 'sh', '-c', 'echo out; echo err >&2; echo out2']);
    assert.equal(sep.stdout, 'out\nout2\n');
    assert.equal(sep.stderr, 'err\n');
    agent.ok(['rm', '-f', name]);
  });
});
