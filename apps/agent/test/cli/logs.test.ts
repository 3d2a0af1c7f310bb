// `berth logs` at scale and in time (issue 6): a million lines with --tail, --since/--until checked
// against the records' own -t timestamps, json-file rotation (--log-opt max-size/max-file) on disk
// and through the reader, -f across rotations, the Docker API's since/until and LogConfig, and
// bad options failing with a message that names them. Real containers, as root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createAgentClient } from '../../src/client';
import { TestAgent, eventually, repoRoot, requireRoot } from '../helpers/test-agent';

const IMG = 'busybox:1.37.0-musl';
const berth = path.join(repoRoot, 'apps/agent/bin/berth');
const seq = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => `${a + k}\n`).join('');
const sha = (s: string | Buffer) => crypto.createHash('sha256').update(s).digest('hex');

/** "2026-12-04T08:00:00.123456789Z" as Docker's unix form "1796371200.123456789" */
const unixOf = (t: string) => `${Date.parse(t.slice(0, 19) + 'Z') / 1000}.${t.slice(20, 29)}`;
/** t plus one nanosecond, in the same form */
const plus1ns = (t: string) => {
  const ns = BigInt(Date.parse(t.slice(0, 19) + 'Z')) * 1_000_000n + BigInt(t.slice(20, 29)) + 1n;
  return `${new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
};

describe('berth logs: since/until, rotation, scale (real runtime, as root)', () => {
  const agent = new TestAgent();
  let scratch = '';
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
    scratch = fs.mkdtempSync(path.join(path.dirname(agent.root), 'out-'));
  });
  after(() => agent.dispose());

  /** the CLI with stdout into a file (logs can be far larger than a pipe buffer) */
  const cliToFile = (args: string[]) => {
    const file = path.join(scratch, 'stdout');
    const fd = fs.openSync(file, 'w');
    try {
      const r = spawnSync(berth, args, { env: agent.env, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 300_000 });
      assert.equal(r.status, 0, `berth ${args.join(' ')}: ${r.stderr}`);
      return { stdout: fs.readFileSync(file), stderr: r.stderr };
    } finally {
      fs.closeSync(fd);
    }
  };
  const logFiles = (name: string) => {
    const id = agent.ok(['inspect', '-f', '{{.Id}}', name]).trim();
    const dir = path.join(agent.root, 'containers', id);
    return fs
      .readdirSync(dir)
      .filter((f) => /^container\.log(\.\d+)?$/.test(f))
      .map((f) => ({ name: f, size: fs.statSync(path.join(dir, f)).size }));
  };
  const dockerGet = (p: string) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      http
        .get({ socketPath: agent.dockerSocket, path: p }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
        })
        .on('error', reject);
    });
  const dockerPost = (p: string, body: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath: agent.dockerSocket, path: p, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  /** Docker's multiplexed frames as { stdout, stderr } text */
  const demux = (b: Buffer) => {
    const out = { stdout: '', stderr: '' };
    for (let off = 0; off + 8 <= b.length; ) {
      const len = b.readUInt32BE(off + 4);
      out[b[off] === 2 ? 'stderr' : 'stdout'] += b.toString('utf8', off + 8, off + 8 + len);
      off += 8 + len;
    }
    return out;
  };

  test('a million lines: logs returns all of them, --tail 5 exactly the last five', () => {
    const name = agent.name('million');
    agent.ok(['run', '-d', '--name', name, IMG, 'seq', '1', '1000000']);
    assert.equal(agent.ok(['wait', name], { timeoutMs: 300_000 }).trim(), '0');
    assert.equal(agent.ok(['logs', '--tail', '5', name]), seq(999_996, 1_000_000));
    assert.equal(agent.ok(['logs', '-n', '1', name]), '1000000\n');
    const all = cliToFile(['logs', name]);
    assert.equal(all.stdout.length, Buffer.byteLength(seq(1, 1_000_000)));
    assert.equal(sha(all.stdout), sha(seq(1, 1_000_000)));
    agent.ok(['rm', name]);
  });

  test('--since/--until select exactly the records between two -t timestamps; --tail counts after them', async () => {
    const name = agent.name('since');
    // two bursts with a pause between them: every record of the second is later than the first's
    agent.ok(['run', '-d', '--name', name, IMG, 'sh', '-c', 'echo a1; echo a2; echo e1 >&2; sleep 1; echo b1; echo b2; echo b3']);
    agent.ok(['wait', name], { timeoutMs: 60_000 });
    const stamped = agent.cli(['logs', '-t', name]);
    const times = new Map<string, string>();
    for (const l of (stamped.stdout + stamped.stderr).trim().split('\n')) {
      const [t, text] = l.split(' ');
      assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      times.set(text, t);
    }
    assert.deepEqual([...times.keys()].sort(), ['a1', 'a2', 'b1', 'b2', 'b3', 'e1']);
    const lastA = [times.get('a1')!, times.get('a2')!, times.get('e1')!].sort().at(-1)!;
    const b1 = times.get('b1')!;
    assert.ok(lastA < b1);
    const logs = (...args: string[]) => {
      const r = agent.cli(['logs', ...args, name]);
      assert.equal(r.code, 0, r.stderr);
      return { out: r.stdout, err: r.stderr };
    };

    assert.deepEqual(logs('--since', b1), { out: 'b1\nb2\nb3\n', err: '' }); // inclusive
    assert.deepEqual(logs('--since', plus1ns(lastA)), { out: 'b1\nb2\nb3\n', err: '' });
    assert.deepEqual(logs('--since', unixOf(b1)), { out: 'b1\nb2\nb3\n', err: '' }); // the docker CLI's form
    assert.deepEqual(logs('--until', lastA), { out: 'a1\na2\n', err: 'e1\n' }); // inclusive; stderr stays stderr
    assert.deepEqual(logs('--since', b1, '--until', times.get('b2')!), { out: 'b1\nb2\n', err: '' });
    assert.deepEqual(logs('--until', times.get('b2')!, '--tail', '2'), { out: 'b1\nb2\n', err: '' });
    assert.deepEqual(logs('--since', b1, '--tail', '10'), { out: 'b1\nb2\nb3\n', err: '' });
    assert.deepEqual(logs('-t', '--since', times.get('b3')!), { out: `${times.get('b3')} b3\n`, err: '' });
    // durations count back from now: everything was written in the last hour, nothing before it
    assert.deepEqual(logs('--since', '1h'), logs());
    assert.deepEqual(logs('--until', '1h30m'), { out: '', err: '' });
    // --details: Docker's log-opt attrs; Berth has none, so the output is the same
    assert.deepEqual(logs('--details', '--since', b1), { out: 'b1\nb2\nb3\n', err: '' });

    // the Docker Engine API: since/until as the docker CLI sends them (unix seconds, nanos)
    const api = async (q: string) => {
      const r = await dockerGet(`/v1.43/containers/${name}/logs?stdout=1&stderr=1&${q}`);
      assert.equal(r.status, 200, r.body.toString());
      return demux(r.body);
    };
    assert.deepEqual(await api(`since=${unixOf(b1)}`), { stdout: 'b1\nb2\nb3\n', stderr: '' });
    assert.deepEqual(await api(`until=${unixOf(lastA)}`), { stdout: 'a1\na2\n', stderr: 'e1\n' });
    assert.deepEqual(await api(`since=${unixOf(b1)}&until=${unixOf(times.get('b2')!)}&tail=1`), { stdout: 'b2\n', stderr: '' });
    const bad = await dockerGet(`/v1.43/containers/${name}/logs?stdout=1&since=yesterday-ish`);
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body.toString()).message, /invalid since value: invalid time "yesterday-ish"/);

    // the dashboard's tRPC subscription takes the same bounds (and any of Docker's forms)
    const client = createAgentClient({ url: agent.url, token: agent.token });
    try {
      const sub = (input: { since?: string; until?: string; tail?: number }) =>
        new Promise<string[]>((resolve, reject) => {
          const got: string[] = [];
          client.trpc.containers.logs.subscribe(
            { id: name, follow: false, ...input },
            { onData: (d) => got.push(`${d.data.stream}:${d.data.text}`), onComplete: () => resolve(got), onError: reject },
          );
        });
      assert.deepEqual(await sub({ since: b1 }), ['stdout:b1\n', 'stdout:b2\n', 'stdout:b3\n']);
      assert.deepEqual((await sub({ until: unixOf(lastA) })).sort(), ['stderr:e1\n', 'stdout:a1\n', 'stdout:a2\n']);
      await assert.rejects(sub({ since: 'yesterday-ish' }), /invalid time "yesterday-ish"/);
    } finally {
      client.close();
    }
    agent.ok(['rm', name]);
  });

  test('--log-opt max-size=1m max-file=3: at most 3 files on disk, logs returns the newest lines in order, once each', () => {
    const name = agent.name('rotate');
    agent.ok(['run', '-d', '--name', name, '--log-opt', 'max-size=1m', '--log-opt', 'max-file=3', IMG, 'seq', '1', '200000']);
    agent.ok(['wait', name], { timeoutMs: 120_000 });
    const files = logFiles(name);
    assert.deepEqual(files.map((f) => f.name).sort(), ['container.log', 'container.log.1', 'container.log.2']);
    for (const f of files) assert.ok(f.size <= 1024 * 1024, `${f.name} is ${f.size} bytes`);
    const text = cliToFile(['logs', name]).stdout.toString();
    const nums = text.trimEnd().split('\n').map(Number);
    const first = nums[0];
    assert.ok(first > 1, 'the oldest lines were rotated away');
    assert.equal(text, seq(first, 200_000)); // in order, contiguous, nothing repeated
    assert.equal(agent.ok(['logs', '--tail', '5', name]), seq(199_996, 200_000));
    // --tail reaching back into the rotated files
    const n = 200_000 - first + 1;
    assert.equal(cliToFile(['logs', '--tail', String(n - 3), name]).stdout.toString(), seq(first + 3, 200_000));
    assert.equal(agent.ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', name]).trim(), '{"type":"json-file","config":{"max-size":"1m","max-file":"3"}}');
    agent.ok(['rm', name]);

    // max-size alone (max-file 1): the one file is replaced
    const one = agent.name('rotate1');
    agent.ok(['run', '-d', '--name', one, '--log-opt', 'max-size=1m', IMG, 'seq', '1', '50000']);
    agent.ok(['wait', one], { timeoutMs: 120_000 });
    assert.deepEqual(logFiles(one).map((f) => f.name), ['container.log']);
    const oneText = agent.ok(['logs', one]);
    const oneFirst = Number(oneText.slice(0, oneText.indexOf('\n')));
    assert.ok(oneFirst > 1);
    assert.equal(oneText, seq(oneFirst, 50_000));
    agent.ok(['rm', one]);
  });

  test('logs -f follows across rotations until the container exits', async () => {
    const name = agent.name('followrot');
    // waits for /tmp/go so that the follower is attached before the first rotation
    const script = 'echo ready; while [ ! -e /tmp/go ]; do sleep 0.1; done; i=0; while [ $i -lt 40 ]; do seq $((i*5000+1)) $((i*5000+5000)); i=$((i+1)); sleep 0.1; done';
    agent.ok(['run', '-d', '--name', name, '--log-opt', 'max-size=1m', '--log-opt', 'max-file=5', IMG, 'sh', '-c', script]);
    const child = spawn(berth, ['logs', '-f', name], { env: agent.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await eventually('the follower saw "ready"', () => Buffer.concat(chunks).toString().startsWith('ready\n'), 30_000);
      agent.ok(['exec', name, 'touch', '/tmp/go']);
      assert.equal(await exited, 0, stderr);
    } finally {
      child.kill();
    }
    const text = Buffer.concat(chunks).toString();
    assert.equal(sha(text), sha('ready\n' + seq(1, 200_000)), `got ${text.length} bytes, ending ${JSON.stringify(text.slice(-30))}`);
    const files = logFiles(name);
    assert.equal(files.length, 5, 'the log was rotated while it was followed');
    agent.ok(['rm', name]);
  });

  test('the Docker API takes HostConfig.LogConfig and shows it in inspect', async () => {
    const name = agent.name('apilog');
    const ok = await dockerPost(`/v1.43/containers/create?name=${name}`, { Image: IMG, Cmd: ['true'], HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } } } });
    assert.equal(ok.status, 201, ok.body);
    const inspect = JSON.parse((await dockerGet(`/v1.43/containers/${name}/json`)).body.toString());
    assert.deepEqual(inspect.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } });
    const plain = agent.name('apiplain');
    assert.equal((await dockerPost(`/v1.43/containers/create?name=${plain}`, { Image: IMG, Cmd: ['true'], HostConfig: { LogConfig: { Type: '', Config: {} } } })).status, 201);
    const bad = await dockerPost(`/v1.43/containers/create?name=${agent.name('apibad')}`, { Image: IMG, HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-file': '3' } } } });
    assert.equal(bad.status, 400, bad.body);
    assert.match(bad.body, /max-file=3 needs max-size/);
    agent.ok(['rm', name, plain]);
  });

  test('bad options fail with a message that names the problem', () => {
    const before = agent.ok(['ps', '-aq']);
    const bad = (args: string[], re: RegExp) => {
      const r = agent.cli(args);
      assert.notEqual(r.code, 0, `berth ${args.join(' ')} succeeded`);
      assert.match(r.stderr, re);
    };
    bad(['run', '--rm', '--log-opt', 'max-file=3', IMG, 'true'], /max-file=3 needs max-size/);
    bad(['run', '--rm', '--log-opt', 'max-size=banana', IMG, 'true'], /invalid log opt max-size=banana/);
    bad(['run', '--rm', '--log-opt', 'max-size=1m', '--log-opt', 'max-file=0', IMG, 'true'], /invalid log opt max-file=0/);
    bad(['run', '--rm', '--log-opt', 'compress=true', IMG, 'true'], /unknown log opt 'compress'/);
    bad(['run', '--rm', '--log-opt', 'max-size', IMG, 'true'], /invalid log opt "max-size": want KEY=VALUE/);
    bad(['run', '--rm', '--log-driver', 'syslog', IMG, 'true'], /log driver "syslog" is not supported/);
    assert.equal(agent.ok(['ps', '-aq']), before, 'the refused runs made no container');
    const name = agent.name('badlogs');
    agent.ok(['run', '--name', name, IMG, 'echo', 'hi']);
    bad(['logs', '--since', 'yesterday-ish', name], /invalid value "yesterday-ish" for flag --since/);
    bad(['logs', '--until', '10x', name], /invalid value "10x" for flag --until/);
    agent.ok(['rm', name]);
  });
});
