// Healthchecks end to end: --health-* flags, an image's HEALTHCHECK (made with berth build),
// --no-healthcheck, the status in inspect/ps, ps --filter health=, health_status events, probes
// that stop with the container and come back with it and after an agent restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';

const IMG = 'busybox:1.37.0-musl';
const FAST = ['--health-interval', '200ms', '--health-timeout', '5s'];

describe('healthchecks (real runtime, as root)', () => {
  const agent = new TestAgent();
  const dirs: string[] = [];
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(async () => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await agent.dispose();
  });

  const inspect = (c: string) => JSON.parse(agent.ok(['inspect', c]))[0];
  const health = (c: string) => inspect(c).health as { status: string; failingStreak: number; log: { start: string; end: string; exitCode: number; output: string }[] } | undefined;
  const psNames = (...filters: string[]) =>
    agent
      .ok(['ps', '--format', '{{.Names}}', ...filters.flatMap((f) => ['--filter', f])])
      .split('\n')
      .filter(Boolean);
  const actions = (c: string) =>
    agent
      .ok(['events', '--since', '10m', '--until', new Date(Date.now() + 1000).toISOString(), '--filter', `container=${c}`, '--format', '{{.Action}}'])
      .split('\n')
      .filter((a) => a.startsWith('health_status'));

  test('--health-cmd: unhealthy until the file exists, then healthy; ps shows it and filters by it; events', async () => {
    const c = agent.name('hc');
    agent.ok(['run', '-d', '--name', c, '--health-cmd', 'test -f /ok', '--health-retries', '1', ...FAST, IMG, 'sleep', '600']);
    await eventually('unhealthy', () => health(c)?.status === 'unhealthy');
    assert.match(agent.ok(['ps', '--filter', `name=${c}`]), /Up .* \(unhealthy\)/);
    assert.ok(psNames('health=unhealthy').includes(c));
    assert.ok(!psNames('health=healthy').includes(c));
    const h1 = health(c)!;
    assert.ok(h1.failingStreak >= 1);
    assert.ok(h1.log.length >= 1 && h1.log.length <= 5);
    assert.equal(h1.log.at(-1)!.exitCode, 1);

    agent.ok(['exec', c, 'touch', '/ok']);
    await eventually('healthy', () => health(c)?.status === 'healthy');
    assert.equal(health(c)!.failingStreak, 0);
    assert.match(agent.ok(['ps', '--filter', `name=${c}`]), /Up .* \(healthy\)/);
    assert.ok(psNames('health=healthy').includes(c));
    assert.equal(agent.ok(['inspect', '-f', '{{.State.Health.Status}}', c]).trim(), 'healthy');
    assert.ok(!psNames('health=unhealthy').includes(c));
    await eventually('the log to fill up to its 5 entries', () => health(c)!.log.length === 5);
    assert.equal(health(c)!.log.at(-1)!.exitCode, 0);
    assert.deepEqual(actions(c), ['health_status: unhealthy', 'health_status: healthy']);
    // the config in effect
    const hc = inspect(c).config.healthcheck;
    assert.deepEqual(hc, { test: ['CMD-SHELL', 'test -f /ok'], intervalMs: 200, timeoutMs: 5000, startPeriodMs: 0, retries: 1 });
    agent.ok(['rm', '-f', c]);
  });

  test('--health-retries counts consecutive failures: 2 failures then success is unhealthy with 2, never with 3', async () => {
    // the probe fails twice, then succeeds for ever
    const probe = 'n=$(cat /tmp/n 2>/dev/null || echo 0); n=$((n+1)); echo $n >/tmp/n; echo "probe $n"; [ $n -gt 2 ]';
    const two = agent.name('r2');
    const three = agent.name('r3');
    agent.ok(['run', '-d', '--name', two, '--health-cmd', probe, '--health-retries', '2', ...FAST, IMG, 'sleep', '600']);
    agent.ok(['run', '-d', '--name', three, '--health-cmd', probe, '--health-retries', '3', ...FAST, IMG, 'sleep', '600']);
    await eventually('both healthy', () => health(two)?.status === 'healthy' && health(three)?.status === 'healthy');
    assert.deepEqual(actions(two), ['health_status: unhealthy', 'health_status: healthy']);
    assert.deepEqual(actions(three), ['health_status: healthy']);
    assert.ok(health(two)!.log.every((l) => l.exitCode === 0 && /^probe \d+\n$/.test(l.output)), 'the last 5 probes passed, with their output');
    agent.ok(['rm', '-f', two, three]);
  });

  test('no probe has run yet: (health: starting); a container without a healthcheck is health=none', () => {
    const slow = agent.name('slow');
    const plain = agent.name('plain');
    agent.ok(['run', '-d', '--name', slow, '--health-cmd', 'true', '--health-interval', '1h', IMG, 'sleep', '600']);
    agent.ok(['run', '-d', '--name', plain, IMG, 'sleep', '600']);
    assert.match(agent.ok(['ps', '--filter', `name=${slow}`]), /Up .* \(health: starting\)/);
    assert.deepEqual(health(slow), { status: 'starting', failingStreak: 0, log: [] });
    assert.ok(psNames('health=starting').includes(slow));
    assert.ok(psNames('health=none').includes(plain));
    assert.ok(!psNames('health=none').includes(slow));
    assert.equal(health(plain), undefined);
    assert.doesNotMatch(agent.ok(['ps', '--filter', `name=${plain}`]), /\(/);
    const bad = agent.cli(['ps', '--filter', 'health=sick']);
    assert.equal(bad.code, 1);
    agent.ok(['rm', '-f', slow, plain]);
  });

  test('an image built with HEALTHCHECK is probed; --no-healthcheck disables it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-health-ctx-'));
    dirs.push(dir);
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM ${IMG}\nHEALTHCHECK --interval=200ms --timeout=5s --retries=1 CMD test -f /ok || exit 1\nCMD ["sleep", "600"]\n`,
    );
    const tag = `${agent.name('hcimg')}:1`;
    agent.ok(['build', '-q', '-t', tag, dir], { timeoutMs: 180_000 });
    const img = JSON.parse(agent.ok(['inspect', tag]))[0];
    assert.deepEqual(img.config.healthcheck, { test: ['CMD-SHELL', 'test -f /ok || exit 1'], intervalMs: 200, timeoutMs: 5000, retries: 1 });

    const c = agent.name('fromimg');
    agent.ok(['run', '-d', '--name', c, tag]);
    await eventually('unhealthy from the image healthcheck', () => health(c)?.status === 'unhealthy');
    agent.ok(['exec', c, 'touch', '/ok']);
    await eventually('healthy', () => health(c)?.status === 'healthy');

    const off = agent.name('nohc');
    agent.ok(['run', '-d', '--name', off, '--no-healthcheck', tag]);
    const info = inspect(off);
    assert.equal(info.config.healthcheck, undefined);
    assert.equal(info.health, undefined);
    assert.ok(psNames('health=none').includes(off));
    // a --health-* flag overrides one field of the image's and keeps the rest
    const faster = agent.name('override');
    agent.ok(['run', '-d', '--name', faster, '--health-retries', '4', tag]);
    assert.deepEqual(inspect(faster).config.healthcheck, { test: ['CMD-SHELL', 'test -f /ok || exit 1'], intervalMs: 200, timeoutMs: 5000, startPeriodMs: 0, retries: 4 });
    agent.ok(['rm', '-f', c, off, faster]);
    agent.ok(['rmi', tag]);
  });

  test('probes stop with the container, start again with it, and after an agent restart', async () => {
    const c = agent.name('lifecycle');
    agent.ok(['run', '-d', '--name', c, '--health-cmd', 'date +%s%N', '--health-retries', '1', ...FAST, IMG, 'sleep', '600']);
    await eventually('healthy', () => health(c)?.status === 'healthy');
    agent.ok(['stop', '-t', '1', c]);
    const stopped = health(c)!;
    assert.doesNotMatch(agent.ok(['ps', '-a', '--filter', `name=${c}`]), /healthy|starting/);
    assert.ok(!psNames('health=healthy').includes(c));
    const finishedAt = inspect(c).finishedAt as string;
    assert.ok(stopped.log.every((l) => l.start <= finishedAt), 'no probe started after the container stopped');
    agent.ok(['start', c]);
    const startedAt = inspect(c).startedAt as string;
    await eventually('healthy again after start', () => health(c)?.status === 'healthy');
    assert.ok(health(c)!.log.every((l) => l.start >= startedAt), 'a fresh state with the new run');
    await agent.crash();
    await agent.start();
    const atRestart = health(c)!;
    assert.equal(atRestart.status, 'healthy', 'the state is kept across the agent restart');
    await eventually('a new probe after the agent restart', () => {
      const h = health(c)!;
      return h.log.at(-1)!.end > atRestart.log.at(-1)!.end;
    });
    agent.ok(['rm', '-f', c]);
  });
});
