// berth diff, export, update and commit --change, end to end on real containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';

const IMG = 'busybox:1.37.0-musl';

/** A limit as the kernel holds it: v1 hierarchies (this machine) or the v2 unified tree. */
function cgroupLimit(id: string, what: 'memory' | 'pids' | 'cpuQuota'): string {
  const v1 = { memory: ['memory', 'memory.limit_in_bytes'], pids: ['pids', 'pids.max'], cpuQuota: ['cpu', 'cpu.cfs_quota_us'] }[what];
  const p1 = `/sys/fs/cgroup/${v1[0]}/berth/${id}/${v1[1]}`;
  if (fs.existsSync(p1)) return fs.readFileSync(p1, 'utf8').trim();
  const v2 = { memory: 'memory.max', pids: 'pids.max', cpuQuota: 'cpu.max' }[what];
  const text = fs.readFileSync(`/sys/fs/cgroup/berth/${id}/${v2}`, 'utf8').trim();
  return what === 'cpuQuota' ? text.split(' ')[0]! : text;
}

describe('berth diff/export/update/commit --change (real runtime, as root)', () => {
  const agent = new TestAgent();
  let dir = '';
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
    dir = fs.mkdtempSync(path.join(agent.run, 'cfs-'));
  });
  after(() => agent.dispose());

  const changeScript = 'echo hi > /new && rm /bin/vi && echo extra >> /etc/passwd && mkdir -p /tmp/d/e';

  test('diff lists A/C/D against the image, like docker diff, and nothing the runtime mounted', () => {
    const c = agent.name('diff');
    agent.ok(['run', '--name', c, IMG, 'sh', '-c', changeScript]);
    const lines = agent.ok(['diff', c]).trim().split('\n');
    assert.deepEqual(lines, ['C /bin', 'D /bin/vi', 'C /etc', 'C /etc/passwd', 'A /new', 'C /tmp', 'A /tmp/d', 'A /tmp/d/e']);
    // an untouched container has no changes, although /etc/hosts & co. are mounted into it
    const fresh = agent.name('diff-fresh');
    agent.ok(['run', '--name', fresh, IMG, 'true']);
    assert.equal(agent.ok(['diff', fresh]), '');
    assert.match(agent.cli(['diff', agent.name('nope')]).stderr, /no such container/);
    agent.ok(['rm', c, fresh]);
  });

  test('export writes the merged root (not /proc or volumes) that import turns back into a working image', async () => {
    const c = agent.name('exp');
    agent.ok(['run', '-d', '--name', c, '-v', `${agent.name('expvol')}:/data`, IMG, 'sh', '-c', `${changeScript} && echo vol > /data/v && sleep 300`]);
    await eventually('the changes', () => agent.ok(['diff', c]).includes('A /new'));
    const tarFile = path.join(dir, 'running.tar');
    agent.ok(['export', '-o', tarFile, c]);
    const names = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).split('\n');
    assert.ok(names.includes('new'), 'the added file is in the export');
    assert.ok(names.includes('bin/sh'));
    assert.ok(!names.includes('bin/vi'), 'the deleted file is not');
    // busybox's applets are hard links to one binary: they stay links, not hundreds of copies
    assert.match(execFileSync('tar', ['-tvf', tarFile], { encoding: 'utf8' }), /^h.* bin\/ls link to bin\//m);
    assert.ok(fs.statSync(tarFile).size < 20 * 1024 * 1024, `export of busybox is ${fs.statSync(tarFile).size} bytes`);
    assert.ok(!names.some((n) => /^proc\/./.test(n) || /^sys\/./.test(n)), 'nothing under /proc or /sys');
    assert.ok(!names.some((n) => /^data\/./.test(n)), 'volume contents are left out, as docker export does');
    const img = `exported-${agent.suffix}:1`;
    agent.ok(['import', tarFile, img]);
    assert.equal(agent.ok(['run', '--rm', img, 'cat', '/new']), 'hi\n');
    assert.match(agent.ok(['run', '--rm', img, 'tail', '-n', '1', '/etc/passwd']), /^extra$/m);
    // a stopped container exports too
    agent.ok(['stop', '-t', '0', c]);
    const stopped = path.join(dir, 'stopped.tar');
    agent.ok(['export', '-o', stopped, c]);
    assert.ok(execFileSync('tar', ['-tf', stopped], { encoding: 'utf8' }).split('\n').includes('new'));
    assert.match(agent.cli(['export', '-o', path.join(dir, 'x.tar'), agent.name('nope')]).stderr, /no such container/);
    assert.ok(!fs.existsSync(path.join(dir, 'x.tar')), 'a failed export leaves no file behind');
    agent.ok(['rm', '-v', c]);
    agent.ok(['rmi', img]);
  });

  test('update changes the limits of a running container in its cgroup, and the restart policy', () => {
    const c = agent.name('upd');
    const id = agent.ok(['run', '-d', '--name', c, '-m', '64m', '--pids-limit', '20', IMG, 'sleep', '300']).trim();
    assert.equal(cgroupLimit(id, 'memory'), String(64 * 1024 * 1024));
    agent.ok(['update', '-m', '128m', '--pids-limit', '50', '--cpus', '0.5', '--restart', 'on-failure:3', c]);
    assert.equal(cgroupLimit(id, 'memory'), String(128 * 1024 * 1024));
    assert.equal(cgroupLimit(id, 'pids'), '50');
    assert.equal(cgroupLimit(id, 'cpuQuota'), '50000');
    const info = JSON.parse(agent.ok(['inspect', c]))[0];
    assert.equal(info.hostConfig.memory, 128 * 1024 * 1024);
    assert.equal(info.hostConfig.pidsLimit, 50);
    assert.equal(info.hostConfig.nanoCpus, 500_000_000);
    assert.deepEqual(info.hostConfig.restartPolicy, { name: 'on-failure', maximumRetryCount: 3 });
    // the new limits are kept for the next start
    agent.ok(['restart', '-t', '0', c]);
    assert.equal(cgroupLimit(id, 'memory'), String(128 * 1024 * 1024));
    // bad input: no flags, a swap limit below memory, a bad policy
    assert.match(agent.cli(['update', c]).stderr, /one or more flags/);
    assert.match(agent.cli(['update', '-m', '64m', '--memory-swap', '32m', c]).stderr, /memory-swap must be at least the memory limit/);
    assert.match(agent.cli(['update', '--restart', 'sometimes', c]).stderr, /invalid restart policy/);
    assert.equal(JSON.parse(agent.ok(['inspect', c]))[0].hostConfig.memory, 128 * 1024 * 1024, 'a refused update changes nothing');
    agent.ok(['rm', '-f', c]);
  });

  test('commit --change sets the config of the new image; refused instructions are named', () => {
    const c = agent.name('cmt');
    agent.ok(['run', '--name', c, IMG, 'sh', '-c', changeScript]);
    const img = `committed-${agent.suffix}:1`;
    agent.ok(['commit', '-c', 'CMD ["cat", "/new"]', '-c', 'ENV GREETING=hello', '-c', 'WORKDIR /tmp/d', c, img]);
    assert.equal(agent.ok(['run', '--rm', img]), 'hi\n');
    assert.equal(agent.ok(['run', '--rm', img, 'sh', '-c', 'echo $GREETING $(pwd)']), 'hello /tmp/d\n');
    const r = agent.cli(['commit', '-c', 'RUN rm -rf /', c, `${img}-bad`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does not accept RUN/);
    assert.match(agent.cli(['commit', '-c', 'FROBNICATE x', c]).stderr, /unknown instruction: FROBNICATE/);
    assert.doesNotMatch(agent.ok(['images']), new RegExp(`${img}-bad`));
    agent.ok(['rm', c]);
    agent.ok(['rmi', img]);
  });

  test('system df: images in use, container writable layers, volumes, and what a prune would reclaim', () => {
    const c = agent.name('df');
    const vol = agent.name('dfvol');
    agent.ok(['run', '--name', c, '-v', `${vol}:/data`, IMG, 'sh', '-c', 'dd if=/dev/zero of=/big bs=1024 count=1024 2>/dev/null; dd if=/dev/zero of=/data/v bs=1024 count=2048 2>/dev/null']);
    const rows = (out: string) =>
      Object.fromEntries(
        out
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(/\s{2,}/))
          .map(([type, total, active, size, reclaim]) => [type, { total: Number(total), active: Number(active), size: size!, reclaim: reclaim! }]),
      );
    const bytes = (s: string) => {
      const m = /^([\d.]+)(B|kB|MB|GB)/.exec(s)!;
      return Number(m[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as 'B'];
    };
    let df = rows(agent.ok(['system', 'df']));
    assert.deepEqual(Object.keys(df), ['Images', 'Containers', 'Local Volumes']);
    assert.ok(df.Images!.active >= 1, 'busybox is in use');
    assert.ok(bytes(df.Containers!.size) >= 1_000_000, `containers ${df.Containers!.size}`);
    assert.ok(bytes(df.Containers!.reclaim) >= 1_000_000, 'a stopped container is reclaimable');
    assert.ok(bytes(df['Local Volumes']!.size) >= 2_000_000, `volumes ${df['Local Volumes']!.size}`);
    agent.ok(['rm', c]);
    df = rows(agent.ok(['system', 'df']));
    assert.ok(bytes(df['Local Volumes']!.reclaim) >= 2_000_000, 'an unused volume is reclaimable');
    agent.ok(['volume', 'rm', vol]);
  });
});
