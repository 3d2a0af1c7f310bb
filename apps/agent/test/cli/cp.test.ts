// `berth cp` end to end: docker cp's naming rules both ways, on running and stopped containers,
// `-` tars, -a; and the escapes: nothing in a request, a tar or the container reaches the host.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar-stream';
import { TestAgent, repoRoot, requireRoot } from '../helpers/test-agent';

const berthBin = path.join(repoRoot, 'apps/agent/bin/berth');
const IMG = 'busybox:1.37.0-musl';

async function makeTar(entries: (Partial<tar.Header> & { name: string; body?: string })[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const { body, ...h } = e;
    pack.entry({ mode: 0o644, ...h }, body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('berth cp (real runtime, as root)', () => {
  const agent = new TestAgent();
  let host: string; // a scratch dir on the host
  let markerDir: string; // host files no copy may touch
  const MARK = 'HOST-MARKER\n';
  const markers = () => fs.readdirSync(markerDir).sort();
  const sh = (cmd: string, input?: Buffer) => spawnSync('bash', ['-c', cmd], { env: { ...agent.env, BERTH: berthBin }, input, encoding: 'utf8', timeout: 60_000 });

  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
    host = fs.mkdtempSync('/var/tmp/berth-cp-host-');
    markerDir = fs.mkdtempSync('/var/tmp/berth-cp-marker-');
    fs.writeFileSync(path.join(markerDir, 'marker'), MARK);
  });
  after(async () => {
    await agent.dispose();
    fs.rmSync(host, { recursive: true, force: true });
    fs.rmSync(markerDir, { recursive: true, force: true });
  });

  test('out of a running container: a file, a dir, SRC/. into an existing dir, a new name', () => {
    const c = agent.name('cpout');
    agent.ok(['run', '-d', '--name', c, IMG, 'sh', '-c', 'mkdir -p /d/sub && echo a > /d/a && echo b > /d/sub/b && sleep 300']);
    const out = fs.mkdtempSync(path.join(host, 'o-'));
    agent.ok(['cp', `${c}:/d/a`, out]);
    assert.equal(fs.readFileSync(path.join(out, 'a'), 'utf8'), 'a\n');
    agent.ok(['cp', `${c}:/d/a`, path.join(out, 'renamed')]);
    assert.equal(fs.readFileSync(path.join(out, 'renamed'), 'utf8'), 'a\n');
    agent.ok(['cp', `${c}:/d`, out]); // existing dir: lands as out/d
    assert.equal(fs.readFileSync(path.join(out, 'd/sub/b'), 'utf8'), 'b\n');
    agent.ok(['cp', `${c}:/d`, path.join(out, 'newdir')]); // missing dest: becomes the dir
    assert.equal(fs.readFileSync(path.join(out, 'newdir/sub/b'), 'utf8'), 'b\n');
    const into = fs.mkdtempSync(path.join(host, 'c-'));
    agent.ok(['cp', `${c}:/d/.`, into]); // contents only
    assert.deepEqual(fs.readdirSync(into).sort(), ['a', 'sub']);
    const r = agent.cli(['cp', `${c}:/nope`, out]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /could not find the file \/nope/);
    // `-`: a tar on stdout named after the source
    const t = sh(`"$BERTH" cp ${c}:/d - | tar -tf - | sort`);
    assert.equal(t.status, 0, t.stderr);
    assert.deepEqual(t.stdout.trim().split('\n'), ['d/', 'd/a', 'd/sub/', 'd/sub/b']);
  });

  test('into a running container: a file, a dir, SRC/., -a keeps the owner, - reads a tar', async () => {
    const c = agent.name('cpin');
    agent.ok(['run', '-d', '--name', c, IMG, 'sleep', '300']);
    const src = fs.mkdtempSync(path.join(host, 's-'));
    fs.mkdirSync(path.join(src, 'tree/in'), { recursive: true });
    fs.writeFileSync(path.join(src, 'tree/in/f'), 'F\n');
    fs.writeFileSync(path.join(src, 'file'), 'X\n');
    fs.chownSync(path.join(src, 'file'), 1234, 4321);
    agent.ok(['cp', path.join(src, 'file'), `${c}:/tmp`]);
    assert.equal(agent.ok(['exec', c, 'cat', '/tmp/file']), 'X\n');
    assert.equal(agent.ok(['exec', c, 'stat', '-c', '%u:%g', '/tmp/file']), '0:0\n');
    agent.ok(['cp', '-a', path.join(src, 'file'), `${c}:/tmp/owned`]);
    assert.equal(agent.ok(['exec', c, 'stat', '-c', '%u:%g', '/tmp/owned']), '1234:4321\n');
    agent.ok(['cp', path.join(src, 'tree'), `${c}:/tmp`]);
    assert.equal(agent.ok(['exec', c, 'cat', '/tmp/tree/in/f']), 'F\n');
    agent.ok(['cp', path.join(src, 'tree'), `${c}:/newtree`]);
    assert.equal(agent.ok(['exec', c, 'cat', '/newtree/in/f']), 'F\n');
    agent.ok(['exec', c, 'mkdir', '/contents']);
    agent.ok(['cp', path.join(src, 'tree') + '/.', `${c}:/contents`]);
    assert.equal(agent.ok(['exec', c, 'ls', '/contents']), 'in\n');
    const r = sh(`"$BERTH" cp - ${c}:/tmp`, await makeTar([{ name: 'fromtar', body: 'T\n' }]));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(agent.ok(['exec', c, 'cat', '/tmp/fromtar']), 'T\n');
  });

  test('a stopped container: copy in, start, see it; copy out of it again', () => {
    const c = agent.name('cpstop');
    agent.ok(['create', '--name', c, IMG, 'cat', '/hello']);
    const f = path.join(host, 'hello');
    fs.writeFileSync(f, 'hi from host\n');
    agent.ok(['cp', f, `${c}:/hello`]);
    agent.ok(['start', c]);
    agent.ok(['wait', c]);
    assert.equal(agent.ok(['logs', c]), 'hi from host\n');
    const back = fs.mkdtempSync(path.join(host, 'b-'));
    agent.ok(['cp', `${c}:/hello`, path.join(back, 'h')]);
    assert.equal(fs.readFileSync(path.join(back, 'h'), 'utf8'), 'hi from host\n');
  });

  test('hostile tars stay inside the container: ../, absolute names, a symlink then a write through it, a hardlink out', async () => {
    const c = agent.name('cpevil');
    agent.ok(['run', '-d', '--name', c, IMG, 'sleep', '300']);
    const m = path.join(markerDir, 'marker');
    // each attack in its own tar, so an early refusal cannot hide a later one
    const attacks = [
      [{ name: `../../../../../../../..${m}`, body: 'PWNED-DOTDOT\n' }],
      [{ name: m, body: 'PWNED-ABS\n' }],
      [{ name: 'esc', type: 'symlink' as const, linkname: markerDir }, { name: 'esc/viasymlink', body: 'PWNED-SYMLINK\n' }, { name: 'esc/marker', body: 'PWNED-SYMLINK\n' }],
      [{ name: 'rel', type: 'symlink' as const, linkname: '../../../../../../..' + markerDir }, { name: 'rel/marker', body: 'PWNED-REL\n' }],
      [{ name: 'hl', type: 'link' as const, linkname: m }],
      [{ name: 'hl2', type: 'link' as const, linkname: `../../../../../..${m}` }],
    ];
    const evil = await makeTar(attacks.flat());
    const results: string[] = [];
    for (const a of attacks) {
      const r = sh(`"$BERTH" cp - ${c}:/tmp`, await makeTar(a));
      results.push(`${a[0].name}: ${r.status} ${r.stderr.trim()}`);
      assert.equal(fs.readFileSync(m, 'utf8'), MARK, results.join('\n'));
      assert.deepEqual(markers(), ['marker']);
    }
    // "../" and absolute names are cleaned into the target dir
    assert.equal(agent.ok(['exec', c, 'cat', `/tmp${m}`]), 'PWNED-ABS\n');
    assert.equal(fs.readFileSync(m, 'utf8'), MARK);
    assert.deepEqual(markers(), ['marker']);
    // the names landed in the container, if anywhere
    const inCtr = agent.cli(['exec', c, 'cat', m]);
    if (inCtr.code === 0) assert.match(inCtr.stdout, /PWNED/);
    // a hardlink in the tar links to the container's file, not the host's
    const hl = agent.cli(['exec', c, 'cat', '/tmp/hl']);
    if (hl.code === 0) assert.doesNotMatch(hl.stdout, /HOST-MARKER/);
    // the same into a stopped container
    const s = agent.name('cpevil-stopped');
    agent.ok(['create', '--name', s, IMG, 'true']);
    sh(`"$BERTH" cp - ${s}:/`, evil);
    assert.equal(fs.readFileSync(m, 'utf8'), MARK);
    assert.deepEqual(markers(), ['marker']);
  });

  test('a container whose /data is a symlink to / : cp CTR:/data/etc/shadow reads the container\'s file', () => {
    const c = agent.name('cplink');
    agent.ok(['run', '-d', '--name', c, IMG, 'sh', '-c', `ln -s / /data && echo CONTAINER-SHADOW > /etc/shadow && ln -s ${markerDir} /m && ln -s ../../../../../..${markerDir}/marker /rel && sleep 300`]);
    const out = fs.mkdtempSync(path.join(host, 'l-'));
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) ok = agent.cli(['exec', c, 'test', '-L', '/rel']).code === 0;
    agent.ok(['cp', `${c}:/data/etc/shadow`, out]);
    assert.equal(fs.readFileSync(path.join(out, 'shadow'), 'utf8'), 'CONTAINER-SHADOW\n');
    // symlinks to host paths resolve inside the container, where they do not exist
    assert.notEqual(agent.cli(['cp', `${c}:/m/marker`, path.join(out, 'x')]).code, 0);
    assert.notEqual(agent.cli(['cp', '-L', `${c}:/rel`, path.join(out, 'y')]).code, 0);
    assert.equal(fs.existsSync(path.join(out, 'x')) || fs.existsSync(path.join(out, 'y')), false);
    // writing through the container's symlinks stays inside too
    const f = path.join(host, 'payload');
    fs.writeFileSync(f, 'PWNED\n');
    agent.cli(['cp', f, `${c}:/m/marker`]);
    agent.cli(['cp', f, `${c}:/data${markerDir}/marker`]);
    assert.equal(fs.readFileSync(path.join(markerDir, 'marker'), 'utf8'), MARK);
    assert.deepEqual(markers(), ['marker']);
    // and the same on the stopped container
    agent.ok(['stop', '-t', '1', c]);
    agent.ok(['cp', `${c}:/data/etc/shadow`, path.join(out, 'shadow2')]);
    assert.equal(fs.readFileSync(path.join(out, 'shadow2'), 'utf8'), 'CONTAINER-SHADOW\n');
    assert.notEqual(agent.cli(['cp', `${c}:/m/marker`, path.join(out, 'z')]).code, 0);
  });
});
