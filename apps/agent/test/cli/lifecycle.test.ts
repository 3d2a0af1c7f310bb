// pause/unpause (freezer), rename, top, stats, container prune end to end on real containers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { eventually, sleep, suiteAgent } from '../helpers/test-agent';
import { parseDetachKeys } from '../../src/cli/terminal-session';

const IMG = 'busybox:1.37.0-musl';

describe('berth pause/rename/top/stats/prune (real runtime, as root)', () => {
  const agent = suiteAgent();

  test('pause freezes every process (the log stops growing), unpause resumes; ps says (Paused)', async () => {
    const c = agent.name('pause');
    agent.ok(['run', '-d', '--name', c, IMG, 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.05; done']);
    await sleep(400);
    agent.ok(['pause', c]);
    assert.match(agent.ok(['ps']), /\(Paused\)/);
    const a = agent.ok(['logs', c]).trim().split('\n').length;
    await sleep(600);
    const b = agent.ok(['logs', c]).trim().split('\n').length;
    assert.ok(b - a <= 1, `log grew while paused: ${a} -> ${b}`);
    const again = agent.cli(['pause', c]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already paused/);
    agent.ok(['unpause', c]);
    await sleep(500);
    const d = agent.ok(['logs', c]).trim().split('\n').length;
    assert.ok(d > b + 2, `log did not grow after unpause: ${b} -> ${d}`);
    assert.doesNotMatch(agent.ok(['ps']), /\(Paused\)/);
    // a paused container can still be removed
    agent.ok(['pause', c]);
    agent.ok(['rm', '-f', c]);
  });

  test('rename: the new name works, the old one is gone, a taken name is refused', () => {
    const a = agent.name('ren-a');
    const b = agent.name('ren-b');
    agent.ok(['create', '--name', a, IMG, 'true']);
    agent.ok(['create', '--name', b, IMG, 'true']);
    const r = agent.cli(['rename', a, b]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /already in use/);
    const n = agent.name('ren-new');
    agent.ok(['rename', a, n]);
    assert.match(agent.ok(['ps', '-a']), new RegExp(n));
    assert.notEqual(agent.cli(['inspect', a]).code, 0);
    assert.equal(JSON.parse(agent.ok(['inspect', n]))[0].name, n);
  });

  test('top lists the processes of the container cgroup', () => {
    const c = agent.name('top');
    agent.ok(['run', '-d', '--name', c, IMG, 'sh', '-c', 'sleep 301 & sleep 302']);
    let out = '';
    for (let i = 0; i < 20 && !/sleep 302/.test(out); i++) out = agent.ok(['top', c]);
    assert.match(out, /^UID\s+PID\s+PPID/);
    assert.match(out, /sleep 301/);
    assert.match(out, /sleep 302/);
  });

  test('stats --no-stream shows CPU %, memory usage / limit and pids', () => {
    const c = agent.name('stats');
    agent.ok(['run', '-d', '--name', c, '-m', '64m', IMG, 'sh', '-c', 'while true; do :; done']);
    const out = agent.ok(['stats', '--no-stream', c]);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS/);
    assert.equal(lines.length, 2, out);
    assert.match(lines[1], new RegExp(`${c}\\s+\\d+\\.\\d\\d%\\s+[\\d.]+\\w?i?B / 64MiB\\s+\\d+\\.\\d\\d%`));
    // NET I/O from the container's namespace, BLOCK I/O from the cgroup: "0B / 0B" at least
    assert.match(lines[1], /%\s+[\d.]+k?M?B \/ [\d.]+k?M?B\s+[\d.]+k?M?G?B \/ [\d.]+k?M?G?B\s+\d+$/);
    const cpu = Number(/(\d+\.\d\d)%/.exec(lines[1])![1]);
    assert.ok(cpu > 20, `a busy loop uses CPU: ${out}`);
    // --format with Docker's field names, plain and as a table
    assert.match(agent.ok(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}}', c]), new RegExp(`^${c} [\\d.]+\\w?i?B / 64MiB 1\n$`));
    const t = agent.ok(['stats', '--no-stream', '--format', 'table {{.Name}}\t{{.CPUPerc}}', c]).trim().split('\n');
    assert.match(t[0]!, /^NAME\s+CPU %$/);
    assert.match(t[1]!, new RegExp(`^${c}\\s+\\d+\\.\\d\\d%$`));
    agent.ok(['kill', c]);
  });

  test('detach keys parse like Docker\'s', () => {
    assert.deepEqual(parseDetachKeys(), [0x10, 0x11]);
    assert.deepEqual(parseDetachKeys('ctrl-a,x'), [0x01, 0x78]);
    assert.throws(() => parseDetachKeys('ctrl-1'));
  });

  test('attach sends input to the container; ctrl-p ctrl-q detaches and leaves it running', async () => {
    const c = agent.name('attach');
    agent.ok(['run', '-d', '-i', '--name', c, IMG, 'sh', '-c', 'while read l; do echo got $l; done']);
    const r = agent.cli(['attach', c], { input: 'hello\n\x10\x11more\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /read escape sequence/);
    await eventually('the line reached the container', () => /got hello/.test(agent.ok(['logs', c])));
    await sleep(300);
    assert.doesNotMatch(agent.ok(['logs', c]), /more/);
    assert.match(agent.ok(['ps']), new RegExp(c));
    // attach again: still there
    const r2 = agent.cli(['attach', c], { input: 'again\n\x10\x11' });
    assert.equal(r2.code, 0, r2.stderr);
    await eventually('the second line reached the container', () => /got again/.test(agent.ok(['logs', c])));
  });

  test('container prune removes stopped containers and keeps running ones', () => {
    const keep = agent.name('keep');
    const gone = agent.name('gone');
    agent.ok(['run', '-d', '--name', keep, IMG, 'sleep', '300']);
    agent.ok(['run', '--name', gone, IMG, 'true']);
    const out = agent.ok(['container', 'prune', '-f']);
    assert.match(out, /Deleted Containers:/);
    const ps = agent.ok(['ps', '-a']);
    assert.match(ps, new RegExp(keep));
    assert.doesNotMatch(ps, new RegExp(gone));
    void fs;
  });
});
