// The agent dies (SIGKILL) while a container prints a line a second; after it comes back the
// container is still running, listed, and its log has every line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, sleep, suiteAgent } from '../helpers/test-agent';

describe('agent crash and re-adoption (as root)', () => {
  const agent = suiteAgent();

  test('a container outlives a SIGKILLed agent and no log line is lost', async () => {
    const name = agent.name('survivor');
    agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 1; done']);
    await eventually('the first lines', () => agent.ok(['logs', name]).includes('line 1'));
    await agent.crash();
    await sleep(3500); // lines printed while no agent runs
    await agent.start();
    assert.match(agent.ok(['ps']), new RegExp(`Up .*${name}`));
    await eventually('lines after the restart', () => /line 6/.test(agent.ok(['logs', name])));
    const nums = agent
      .ok(['logs', name])
      .trim()
      .split('\n')
      .map((l) => Number(/^line (\d+)$/.exec(l)?.[1]));
    assert.deepEqual(nums, nums.map((_, i) => i), 'every line from 0 on, none missing');
    agent.ok(['stop', '-t', '1', name]);
    assert.match(agent.ok(['ps', '-a']), new RegExp(`Exited .*${name}`));
  });
});
