// `berth exec -d` (detached: nothing printed, exit 0 at once, the process runs on) and
// `berth exec --privileged` (every capability, no seccomp, for that exec only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';

const IMG = 'busybox:1.37.0-musl';

describe('berth exec -d / --privileged (real runtime, as root)', () => {
  const agent = new TestAgent();
  let c = '';
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
    c = agent.name('exec');
    agent.ok(['run', '-d', '--name', c, IMG, 'sleep', '600']);
  });
  after(() => agent.dispose());

  test('exec -d prints nothing, exits 0, and the process keeps running (berth top)', async () => {
    const r = agent.cli(['exec', '-d', c, 'sh', '-c', 'echo started >/tmp/d.out; exec sleep 4242']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    await eventually('the detached process in top', () => agent.ok(['top', c]).includes('sleep 4242'));
    assert.equal(agent.ok(['exec', c, 'cat', '/tmp/d.out']), 'started\n');
    // -e and -w reach it too
    agent.ok(['exec', '-d', '-e', 'X=42', '-w', '/tmp', c, 'sh', '-c', 'echo "$X $(pwd)" > env.out']);
    await eventually('the detached process to write', () => agent.cli(['exec', c, 'cat', '/tmp/env.out']).stdout === '42 /tmp\n');
  });

  test('exec -d of a command that cannot run fails as exec does (127)', () => {
    const r = agent.cli(['exec', '-d', c, 'nosuchcmd']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /executable file not found/);
  });

  test('exec --privileged can mount a tmpfs where a plain exec cannot', () => {
    agent.ok(['exec', c, 'mkdir', '-p', '/mnt']); // busybox's image has no /mnt
    const plain = agent.cli(['exec', c, 'mount', '-t', 'tmpfs', 'none', '/mnt']);
    assert.notEqual(plain.code, 0, 'a plain exec has no CAP_SYS_ADMIN');
    assert.match(plain.stderr, /permission denied|not permitted/i);
    agent.ok(['exec', '--privileged', c, 'mount', '-t', 'tmpfs', 'none', '/mnt']);
    assert.match(agent.ok(['exec', c, 'cat', '/proc/mounts']), /^none \/mnt tmpfs /m);
    // the capabilities were for that exec only
    const caps = (s: string) => /^CapEff:\s*(\S+)$/m.exec(s)![1];
    const plainCaps = caps(agent.ok(['exec', c, 'cat', '/proc/self/status']));
    const privCaps = caps(agent.ok(['exec', '--privileged', c, 'cat', '/proc/self/status']));
    assert.notEqual(plainCaps, privCaps);
    assert.equal(caps(agent.ok(['exec', c, 'cat', '/proc/self/status'])), plainCaps);
    // and no seccomp filter for it: Seccomp 0 (a plain exec has 2, filtered)
    assert.match(agent.ok(['exec', '--privileged', c, 'cat', '/proc/self/status']), /^Seccomp:\s*0$/m);
    assert.match(agent.ok(['exec', c, 'cat', '/proc/self/status']), /^Seccomp:\s*2$/m);
  });
});
