// Memory, pids and CPU limits enforced by real cgroups, and stats read from the cgroup files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createAgentClient } from '../../src/client';
import { eventually, suiteAgent } from '../helpers/test-agent';

describe('limits and stats (real cgroups, as root)', () => {
  const agent = suiteAgent();

  test('-m 32m: a memory hog is killed and inspect shows OOMKilled', () => {
    const name = agent.name('oom');
    const r = agent.cli(['run', '--name', name, '-m', '32m', 'busybox:1.37.0-musl', 'sh', '-c', 'x=0123456789abcdef; while true; do x=$x$x; done']);
    assert.equal(r.code, 137, `exit ${r.code}: ${r.stderr}`);
    const info = JSON.parse(agent.ok(['inspect', name]))[0];
    assert.equal(info.oomKilled, true);
    assert.equal(info.hostConfig.memory, 32 * 1024 * 1024);
    agent.ok(['rm', name]);
  });

  test('--pids-limit 20 holds a fork bomb', async () => {
    const name = agent.name('pids');
    // init forks twice before the bomb starts, then only waits (a builtin): it never needs a fork
    const id = agent
      .ok(['run', '-d', '--name', name, '--pids-limit', '20', 'busybox:1.37.0-musl', 'sh', '-c', 'sleep 300 & (bomb(){ bomb & bomb & wait; }; bomb) & wait'])
      .trim();
    const client = createAgentClient({ url: agent.url, token: agent.token });
    try {
      await eventually('the bomb to hit the limit', () => agent.cli(['logs', name]).stderr.includes("can't fork"));
      const group = `/sys/fs/cgroup/pids/berth/${id}`;
      assert.equal(fs.readFileSync(`${group}/pids.max`, 'utf8').trim(), '20');
      if (fs.existsSync(`${group}/pids.peak`)) assert.equal(Number(fs.readFileSync(`${group}/pids.peak`, 'utf8')), 20, 'reached the limit, never more');
      const s = (await client.trpc.containers.statsAll.query())[id];
      assert.equal(s?.pidsLimit, 20);
      assert.ok(s && s.pids >= 1 && s.pids <= 20);
      // the container itself survives and still answers
      assert.match(agent.ok(['ps']), new RegExp(name));
      await eventually('the container to answer an exec', () => agent.cli(['exec', name, 'echo', 'alive']).stdout === 'alive\n');
    } finally {
      client.close();
      agent.ok(['rm', '-f', name]);
    }
  });

  test('stats stream CPU and memory read from the cgroup files', async () => {
    const name = agent.name('stats');
    const id = agent.ok(['run', '-d', '--name', name, '--cpus', '0.5', '-m', '64m', 'busybox:1.37.0-musl', 'sh', '-c', 'while true; do :; done']).trim();
    const client = createAgentClient({ url: agent.url, token: agent.token });
    try {
      const samples: { cpuPercent: number; memoryBytes: number; memoryLimitBytes: number | null }[] = [];
      await new Promise<void>((resolve, reject) => {
        const sub = client.trpc.containers.stats.subscribe(
          { id },
          {
            onData(s) {
              samples.push(s);
              if (samples.length === 3) {
                sub.unsubscribe();
                resolve();
              }
            },
            onError: reject,
          },
        );
      });
      const last = samples[samples.length - 1];
      // the quota caps it near 50%; a loaded 2-core machine may give it less, never much more
      assert.ok(last.cpuPercent > 5 && last.cpuPercent < 65, `a 0.5-CPU busy loop shows at most about 50%: ${last.cpuPercent}`);
      assert.ok(last.memoryBytes > 0);
      assert.equal(last.memoryLimitBytes, 64 * 1024 * 1024);
      // the numbers come from the container's own cgroup
      const limit = Number(fs.readFileSync(`/sys/fs/cgroup/memory/berth/${id}/memory.limit_in_bytes`, 'utf8'));
      assert.equal(limit, 64 * 1024 * 1024);
    } finally {
      client.close();
      agent.ok(['rm', '-f', name]);
    }
    assert.equal(fs.existsSync(`/sys/fs/cgroup/memory/berth/${id}`), false, 'rm removes the cgroup');
  });
});
