// Volumes end to end (as root): named volumes outlive their containers, :ro refuses writes, a new
// volume is filled from the image, anonymous volumes go with `rm -v`, a volume in use cannot be
// removed, bind mounts and tmpfs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suiteAgent } from '../helpers/test-agent';

const IMG = 'busybox:1.37.0-musl';

describe('volumes and mounts (real runtime, as root)', () => {
  const agent = suiteAgent();

  test('a file written to a named volume survives rm of its container and shows in a new one', () => {
    const vol = agent.name('keep');
    const a = agent.name('writer');
    agent.ok(['run', '--name', a, '-v', `${vol}:/data`, IMG, 'sh', '-c', 'echo persisted > /data/note']);
    agent.ok(['rm', a]);
    assert.equal(agent.ok(['run', '--rm', '--network', 'none', '-v', `${vol}:/data`, IMG, 'cat', '/data/note']), 'persisted\n');
    assert.match(agent.ok(['volume', 'ls']), new RegExp(vol));
    agent.ok(['volume', 'rm', vol]);
    assert.doesNotMatch(agent.ok(['volume', 'ls']), new RegExp(vol));
  });

  test(':ro refuses writes, and --mount readonly too', () => {
    const vol = agent.name('ro');
    agent.ok(['volume', 'create', vol]);
    const r = agent.cli(['run', '--rm', '-v', `${vol}:/data:ro`, IMG, 'sh', '-c', 'echo x > /data/f']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Read-only file system/);
    const m = agent.cli(['run', '--rm', '--mount', `type=volume,source=${vol},target=/data,readonly`, IMG, 'touch', '/data/f']);
    assert.notEqual(m.code, 0);
    assert.match(m.stderr, /Read-only file system/);
    agent.ok(['volume', 'rm', vol]);
  });

  test('a new named volume is filled from the image content at its path; an existing one is not', () => {
    const vol = agent.name('etc');
    const listing = agent.ok(['run', '--rm', '-v', `${vol}:/etc`, IMG, 'cat', '/etc/passwd']);
    assert.match(listing, /^root:/);
    const mp = JSON.parse(agent.ok(['volume', 'inspect', vol]))[0].mountpoint as string;
    assert.ok(fs.existsSync(path.join(mp, 'passwd')), 'the copy lives in the volume');
    fs.writeFileSync(path.join(mp, 'passwd'), 'changed\n');
    assert.equal(agent.ok(['run', '--rm', '-v', `${vol}:/etc`, IMG, 'cat', '/etc/passwd']), 'changed\n');
    agent.ok(['volume', 'rm', vol]);
  });

  test('an anonymous volume is removed by rm -v; a volume in use cannot be removed', () => {
    const c = agent.name('anon');
    agent.ok(['run', '--name', c, '-v', '/scratch', IMG, 'sh', '-c', 'echo x > /scratch/y']);
    const anon = JSON.parse(agent.ok(['inspect', c]))[0].mounts.find((m: { destination: string }) => m.destination === '/scratch').name as string;
    assert.match(anon, /^[a-f0-9]{64}$/);
    const busy = agent.cli(['volume', 'rm', anon]);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, new RegExp(`volume ${anon} is in use by container ${c}`));
    agent.ok(['rm', '-v', c]);
    assert.doesNotMatch(agent.ok(['volume', 'ls', '-q']), new RegExp(anon));
  });

  test('bind mounts (rw and :ro) and --tmpfs', () => {
    const dir = fs.mkdtempSync(path.join(path.dirname(agent.root), 'bind-'));
    fs.writeFileSync(path.join(dir, 'in.txt'), 'from the host\n');
    assert.equal(agent.ok(['run', '--rm', '-v', `${dir}:/h`, IMG, 'sh', '-c', 'cat /h/in.txt; echo back > /h/out.txt']), 'from the host\n');
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'back\n');
    const ro = agent.cli(['run', '--rm', '-v', `${dir}:/h:ro`, IMG, 'touch', '/h/x']);
    assert.notEqual(ro.code, 0);
    assert.equal(fs.existsSync(path.join(dir, 'x')), false);
    assert.match(agent.ok(['run', '--rm', '--tmpfs', '/t:size=1m', IMG, 'sh', '-c', 'grep " /t " /proc/mounts']), /^tmpfs \/t tmpfs .*size=1024k/);
  });

  test('volume prune removes unused volumes only', () => {
    const used = agent.name('used');
    const unused = agent.name('unused');
    const c = agent.name('holder');
    agent.ok(['volume', 'create', unused]);
    agent.ok(['create', '--name', c, '-v', `${used}:/x`, IMG, 'true']);
    const out = agent.ok(['volume', 'prune', '-a', '-f']);
    assert.match(out, new RegExp(unused));
    assert.doesNotMatch(out, new RegExp(used));
    agent.ok(['rm', c]);
    agent.ok(['volume', 'rm', used]);
  });
});
