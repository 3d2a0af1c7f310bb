// `berth events`: live container events over the subscription, and --since/--until replay.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { eventually, repoRoot, suiteAgent } from '../helpers/test-agent';
import { parseEventTime } from '../../src/cli/commands/events';

const IMG = 'busybox:1.37.0-musl';

describe('berth events (real runtime, as root)', () => {
  const agent = suiteAgent();

  test('times: unix seconds, RFC 3339, durations back from now', () => {
    assert.equal(parseEventTime('1700000000'), 1_700_000_000_000);
    assert.equal(parseEventTime('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(parseEventTime('10m', 1_000_000), 1_000_000 - 600_000);
  });

  test('a live stream sees create, start, die, destroy of one container; --since/--until replays them', async () => {
    const c = agent.name('ev');
    const child = spawn(path.join(repoRoot, 'apps/agent/bin/berth'), ['events', '--filter', `container=${c}`, '--format', '{{.Action}} {{.Actor.Attributes.name}}'], {
      env: agent.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1500)); // subscribed
      agent.ok(['run', '--name', c, IMG, 'true']);
      agent.ok(['rm', c]);
      await eventually('the four events', () => /destroy/.test(out), 15_000);
      assert.deepEqual(
        out.trim().split('\n'),
        ['create', 'start', 'die', 'destroy'].map((a) => `${a} ${c}`),
      );
    } finally {
      child.kill('SIGINT');
    }
    const replay = agent.ok(['events', '--since', '5m', '--until', String(Date.now() / 1000), '--filter', `container=${c}`, '--filter', 'event=die']);
    assert.match(replay.trim(), new RegExp(`^\\S+ container die [0-9a-f]{64} \\(exitCode=0, image=${IMG.replace(/\./g, '\\.')}, name=${c}\\)$`));
  });
});
