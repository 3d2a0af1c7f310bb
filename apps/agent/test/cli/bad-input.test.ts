// Bad input gets one clear message and a non-zero exit, and leaves nothing behind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { imagesDir, suiteAgent } from '../helpers/test-agent';

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.name === 'berth.db-wal' || e.name === 'berth.db-shm' || e.name === 'berth.db') continue;
      out.push(p);
      if (e.isDirectory() && !p.includes('/snapshots/')) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('bad input (as root)', () => {
  const agent = suiteAgent();

  test('no agent at the address: one line saying it cannot be reached', () => {
    for (const url of ['http://127.0.0.1:1', 'http://berth-agent-that-does-not-exist.invalid:7471']) {
      const r = agent.cli(['ps'], { env: { BERTH_AGENT_URL: url } });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^berth ps: cannot reach the berth agent \((ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\): is it running\?/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  test('an unknown image', () => {
    // like Docker, run tries to pull what it lacks; the registry cannot be reached from here
    const r = agent.cli(['run', '--rm', 'nosuchimage:1.0', 'true']);
    assert.equal(r.code, 125);
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(last, /^berth run: .*nosuchimage/, r.stderr);
    assert.equal(agent.ok(['ps', '-aq']), '');
    const i = agent.cli(['inspect', 'nosuchimage:1.0']);
    assert.notEqual(i.code, 0);
    assert.match(i.stderr, /no such object: nosuchimage:1\.0/);
    assert.equal(agent.ok(['images']).includes('nosuchimage'), false);
  });

  test('a bad flag value', () => {
    for (const args of [
      ['run', '-m', 'lots', 'busybox:1.37.0-musl', 'true'],
      ['run', '--cpus', '-1', 'busybox:1.37.0-musl', 'true'],
      ['run', '--pids-limit', 'x', 'busybox:1.37.0-musl', 'true'],
      ['run', '--bogus', 'busybox:1.37.0-musl'],
      ['run', '--name', 'bad/name', 'busybox:1.37.0-musl', 'true'],
      ['run', '-w', 'relative', 'busybox:1.37.0-musl', 'true'],
    ]) {
      const r = agent.cli(args);
      assert.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /invalid value|unknown flag|name|working directory/i, args.join(' '));
    }
    assert.equal(agent.ok(['ps', '-aq']), '');
  });

  test('a command that does not exist in the image, or cannot be run (exit 127 / 126 as in Docker)', () => {
    let r = agent.cli(['run', '--rm', 'busybox:1.37.0-musl', 'nosuchcmd']);
    assert.equal(r.code, 127, r.stderr);
    assert.equal(r.stderr, 'berth run: starting container: exec: "nosuchcmd": executable file not found in $PATH\n');
    r = agent.cli(['run', '--rm', 'busybox:1.37.0-musl', '/etc/passwd']);
    assert.equal(r.code, 126, r.stderr);
    const name = agent.name('execbad');
    agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sleep', '60']);
    r = agent.cli(['exec', name, 'nosuchcmd']);
    assert.equal(r.code, 127, r.stderr);
    // one line, no raw helper log
    assert.equal(r.stderr, 'berth exec: exec: "nosuchcmd": executable file not found in $PATH\n');
    agent.ok(['rm', '-f', name]);
  });

  test('a nonexistent container', () => {
    for (const cmd of ['stop', 'start', 'rm', 'logs', 'inspect', 'kill']) {
      const r = agent.cli([cmd, 'nosuchcontainer']);
      assert.notEqual(r.code, 0, cmd);
      assert.match(r.stderr, /no such (container|object): nosuchcontainer/, cmd);
    }
  });

  test('a corrupt image tar fails, names the problem, and changes nothing', () => {
    const before = listing(agent.root);
    const imagesBefore = agent.ok(['images']);
    const dir = fs.mkdtempSync('/var/tmp/berth-bad-');
    try {
      // a real layout whose layer blob has one byte flipped
      fs.cpSync(path.join(imagesDir, 'busybox-musl'), path.join(dir, 'layout'), { recursive: true });
      const blobs = path.join(dir, 'layout/blobs/sha256');
      const big = fs.readdirSync(blobs).map((f) => path.join(blobs, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
      fs.chmodSync(big, 0o644);
      const buf = fs.readFileSync(big);
      buf[1000] ^= 0xff;
      fs.writeFileSync(big, buf);
      let r = agent.cli(['load', '-i', path.join(dir, 'layout')]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /digest|mismatch|corrupt/i);
      // not a tar at all
      fs.writeFileSync(path.join(dir, 'junk.tar'), 'this is not a tar archive');
      r = agent.cli(['load', '-i', path.join(dir, 'junk.tar')]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /tar|archive|image/i);
      assert.equal(agent.ok(['images']), imagesBefore);
      assert.deepEqual(listing(agent.root), before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('requests without the token are refused', async () => {
    const res = await fetch(`${agent.url}/trpc/containers.list`);
    assert.equal(res.status, 401);
    const bad = await fetch(`${agent.url}/trpc/containers.list`, { headers: { authorization: 'Bearer wrong' } });
    assert.equal(bad.status, 401);
  });
});
