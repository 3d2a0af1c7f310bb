// Images from registries, end to end: a real distribution registry (Debian's docker-registry on
// 127.0.0.1, started and stopped here), skopeo as an independent client, the real agent and CLI.
// Pull (anonymous, htpasswd + login), platform selection from a multi-arch index, a corrupt
// layer, an interrupted pull resumed, save/load interop (skopeo; podman/docker when usable),
// push and pull back, and run pulling a missing image.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { TestAgent, imagesDir, repoRoot, requireRoot, eventually, sleep, type CliResult } from '../helpers/test-agent';
import {
  TestRegistry,
  baseLayer,
  layoutImageId,
  randomData,
  requireTools,
  sha,
  skopeo,
  skopeoPush,
  writeImage,
  writeIndex,
} from '../helpers/registry';

const berthBin = path.join(repoRoot, 'apps/agent/bin/berth');
const MUSL = path.join(imagesDir, 'busybox-musl');
const GLIBC = path.join(imagesDir, 'busybox-glibc');
const ALPINE_TGZ = path.join(imagesDir, 'alpine-minirootfs-3.20.3-x86_64.tar.gz');

/** The CLI with extra environment (a private DOCKER_CONFIG for login tests). */
function cliEnv(agent: TestAgent, args: string[], env: NodeJS.ProcessEnv, input = ''): CliResult {
  const r = spawnSync(berthBin, args, { env: { ...agent.env, ...env }, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function cliAsync(agent: TestAgent, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(berthBin, args, { env: agent.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr });
    });
  });
}

function blobsIn(agent: TestAgent): Set<string> {
  return new Set(fs.readdirSync(path.join(agent.root, 'content/blobs/sha256')).map((h) => `sha256:${h}`));
}

function idOf(agent: TestAgent, ref: string): string {
  return JSON.parse(agent.ok(['inspect', '--type', 'image', ref]))[0].id;
}

/** podman with a private store (scripts/test.sh installs it): a podman that cannot run fails the test. */
function podmanRunner(tmp: string): (args: string[]) => { code: number; out: string; err: string } {
  const base = ['--root', path.join(tmp, 'podman-root'), '--runroot', path.join(tmp, 'podman-run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  const run = (args: string[]) => {
    const r = spawnSync('podman', [...base, ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? 1, out: r.stdout ?? '', err: r.stderr ?? (r.error ? String(r.error) : '') };
  };
  const probe = run(['images', '-q']);
  assert.equal(probe.code, 0, `podman cannot run here (apt-get install podman; scripts/test.sh installs it): ${probe.err}`);
  return run;
}

describe('images from a registry (real registry, skopeo, as root)', () => {
  const agent = new TestAgent();
  const reg = new TestRegistry();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-reg-test-'));
  let R = '';

  before(async () => {
    requireRoot();
    requireTools();
    await reg.start();
    R = reg.host;
    await agent.start();
    // skopeo (an independent client) puts the bundled images into the registry
    skopeoPush(`oci:${MUSL}`, reg, 'library/busybox:1.37.0-musl');
    skopeoPush(`oci:${GLIBC}`, reg, 'library/busybox:1.37.0-glibc');
    // alpine ships as a rootfs tarball: make it a one-layer OCI image, then copy it the same way
    const alpine = path.join(tmp, 'alpine-layout');
    const img = await writeImage(alpine, { layers: [{ gz: fs.readFileSync(ALPINE_TGZ) }], cmd: ['/bin/sh'] });
    writeIndex(alpine, [{ img }], '3.20');
    skopeoPush(`oci:${alpine}:3.20`, reg, 'library/alpine:3.20');
  });
  after(async () => {
    await agent.dispose();
    await reg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('pull fetches the skopeo-pushed busybox and alpine images and run works on them', () => {
    for (const [ref, layout] of [
      [`${R}/library/busybox:1.37.0-musl`, MUSL],
      [`${R}/library/busybox:1.37.0-glibc`, GLIBC],
    ] as const) {
      const out = agent.ok(['pull', ref]);
      assert.match(out, /Pull complete|Already exists/);
      assert.match(out, new RegExp(`${ref.replace(/[.]/g, '\\.')}\\n$`));
      // the image id is the config digest skopeo pushed: unchanged by the registry trip
      assert.equal(idOf(agent, ref), layoutImageId(layout));
    }
    agent.ok(['pull', `${R}/library/alpine:3.20`]);
    assert.equal(agent.ok(['run', '--rm', `${R}/library/busybox:1.37.0-musl`, 'echo', 'hello']), 'hello\n');
    assert.equal(agent.ok(['run', '--rm', `${R}/library/busybox:1.37.0-glibc`, 'sh', '-c', 'echo $0']), 'sh\n');
    assert.equal(agent.ok(['run', '--rm', `${R}/library/alpine:3.20`, 'cat', '/etc/alpine-release']), '3.20.3\n');
    const images = agent.ok(['images']);
    assert.match(images, new RegExp(`${R.replace(/[.]/g, '\\.')}/library/busybox\\s+1\\.37\\.0-musl`));
  });

  test('pulling again skips layers already present; pulling by digest works', () => {
    const out = agent.ok(['pull', `${R}/library/busybox:1.37.0-musl`]);
    assert.match(out, /Already exists/);
    assert.doesNotMatch(out, /Downloading/);
    const digest = JSON.parse(agent.ok(['inspect', '--type', 'image', `${R}/library/busybox:1.37.0-musl`]))[0].manifestDigest;
    agent.ok(['pull', `${R}/library/busybox@${digest}`]);
  });

  test('a missing tag and an unreachable registry fail with clear messages', async () => {
    const missing = agent.cli(['pull', `${R}/library/busybox:no-such-tag`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /manifest unknown|not found|answered 404/i);
    const deadPort = await import('../helpers/free-port').then((m) => m.freePort());
    const dead = agent.cli(['pull', `127.0.0.1:${deadPort}/x/y:1`]);
    assert.notEqual(dead.code, 0);
    assert.match(dead.stderr, /cannot reach registry 127\.0\.0\.1:\d+/);
  });

  test('run pulls a missing image first, as Docker does', () => {
    const ref = `${R}/library/busybox:1.37.0-glibc`;
    agent.ok(['rmi', ref]);
    const r = agent.cli(['run', '--rm', ref, 'echo', 'pulled-and-ran']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pulled-and-ran\n');
    assert.match(r.stderr, /Unable to find image .* locally/);
    assert.match(agent.ok(['images']), /library\/busybox\s+1\.37\.0-glibc/);
  });

  test('a multi-arch index pulls linux/amd64 by default, --platform picks another, a missing platform fails clearly', async () => {
    const layout = path.join(tmp, 'multi');
    const base = baseLayer(MUSL);
    const amd = await writeImage(layout, { arch: 'amd64', layers: [{ gz: base }, { files: [{ name: 'arch', data: 'amd64\n' }] }] });
    const arm = await writeImage(layout, { arch: 'arm64', layers: [{ files: [{ name: 'arch', data: 'arm64\n' }] }] });
    writeIndex(layout, [
      { img: amd, platform: { os: 'linux', architecture: 'amd64' } },
      { img: arm, platform: { os: 'linux', architecture: 'arm64' } },
    ], 'v1');
    skopeoPush(`oci:${layout}:v1`, reg, 'test/multi:v1', ['--all']);
    const ref = `${R}/test/multi:v1`;

    agent.ok(['pull', ref]);
    let inspect = JSON.parse(agent.ok(['inspect', '--type', 'image', ref]))[0];
    assert.equal(inspect.architecture, 'amd64');
    assert.equal(inspect.id, amd.configDigest);
    assert.equal(agent.ok(['run', '--rm', ref, 'cat', '/arch']), 'amd64\n');

    agent.ok(['pull', '--platform', 'linux/arm64', ref]);
    inspect = JSON.parse(agent.ok(['inspect', '--type', 'image', ref]))[0];
    assert.equal(inspect.architecture, 'arm64');
    assert.equal(inspect.id, arm.configDigest);

    const bad = agent.cli(['pull', '--platform', 'linux/s390x', ref]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /no matching manifest for linux\/s390x/);
    assert.match(bad.stderr, /linux\/amd64, linux\/arm64/);
  });

  test('a layer whose bytes do not match its digest fails the pull naming it, and leaves nothing behind', async () => {
    const layout = path.join(tmp, 'corrupt');
    const img = await writeImage(layout, {
      layers: [{ files: [{ name: 'good', data: randomData(64 * 1024) }] }, { files: [{ name: 'bad', data: randomData(256 * 1024) }] }],
    });
    writeIndex(layout, [{ img }], 'v1');
    skopeoPush(`oci:${layout}:v1`, reg, 'test/corrupt:v1');
    // flip bytes in the registry's stored copy: same size, wrong content
    const bad = img.layers[1]!.digest;
    const file = reg.blobFile(bad);
    const data = fs.readFileSync(file);
    for (let i = 100; i < 200; i++) data[i] = data[i]! ^ 0xff;
    fs.writeFileSync(file, data);

    const before = blobsIn(agent);
    const r = agent.cli(['pull', `${R}/test/corrupt:v1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`${bad}.*digest mismatch`));
    assert.doesNotMatch(agent.ok(['images']), /test\/corrupt/);
    const after = blobsIn(agent);
    for (const d of [img.configDigest, img.manifestDigest, ...img.layers.map((l) => l.digest)]) {
      assert.ok(!after.has(d) || before.has(d), `blob ${d} of the failed pull is left in the store`);
    }
    assert.deepEqual(fs.readdirSync(path.join(agent.root, 'content/ingest')).filter((n) => n.includes(bad.slice(7))), []);
  });

  test('a pull killed midway resumes: finished layers are not fetched again, no half image is listed', async () => {
    const layout = path.join(tmp, 'big');
    const img = await writeImage(layout, {
      layers: [
        { gz: baseLayer(MUSL) },
        { files: [{ name: 'small', data: randomData(16 * 1024) }] },
        { files: [{ name: 'big1', data: randomData(3 << 20) }] },
        { files: [{ name: 'big2', data: randomData(3 << 20) }] },
      ],
    });
    writeIndex(layout, [{ img }], 'v1');
    skopeoPush(`oci:${layout}:v1`, reg, 'test/big:v1');

    // a throttling proxy in front of the registry that logs every blob request
    const requests: { digest: string; range: string | undefined }[] = [];
    let sent = 0;
    const proxy = http.createServer((req, res) => {
      const m = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '');
      if (m && req.method === 'GET') requests.push({ digest: m[1]!, range: req.headers.range });
      const up = http.request({ host: '127.0.0.1', port: reg.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        if (!m) return void ur.pipe(res);
        const slow = new Transform({
          transform(chunk: Buffer, _e, cb) {
            sent += chunk.length;
            setTimeout(() => cb(null, chunk), Math.ceil(chunk.length / 1024)); // ~1 MB/s per stream
          },
        });
        ur.pipe(slow).pipe(res);
        res.on('close', () => ur.destroy());
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const P = `127.0.0.1:${(proxy.address() as import('node:net').AddressInfo).port}`;
    try {
      const ref = `${P}/test/big:v1`;
      const child = spawn(berthBin, ['pull', ref], { env: agent.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let listedHalf = false;
      await eventually('the pull to be halfway', async () => {
        if (agent.ok(['images']).includes('test/big')) listedHalf = true;
        return sent > 2 << 20;
      }, 60_000);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await sleep(1500); // the agent notices the closed subscription and stops
      assert.equal(listedHalf, false, 'a half-pulled image was listed');
      assert.doesNotMatch(agent.ok(['images']), /test\/big/);
      const present = blobsIn(agent);
      const finished = img.layers.filter((l) => present.has(l.digest)).map((l) => l.digest);
      assert.ok(finished.length >= 1, 'some layer finished before the kill');
      const partials = fs.readdirSync(path.join(agent.root, 'content/ingest')).filter((n) => n.startsWith('pull-'));
      assert.ok(partials.length >= 1, 'an interrupted layer left its partial download');

      requests.length = 0;
      // async: the proxy lives in this process, a spawnSync would starve it
      const second = await cliAsync(agent, ['pull', ref]);
      assert.equal(second.code, 0, second.stderr);
      const out = second.stdout;
      assert.match(out, /resumed at/);
      for (const d of finished) assert.ok(!requests.some((q) => q.digest === d), `finished layer ${d} was downloaded again`);
      const resumed = requests.filter((q) => q.range && /^bytes=[1-9]\d*-$/.test(q.range));
      assert.ok(resumed.length >= 1, `no Range request resumed a layer: ${JSON.stringify(requests)}`);
      assert.equal(idOf(agent, ref), img.configDigest);
      assert.equal(agent.ok(['run', '--rm', ref, 'sh', '-c', 'wc -c < /big1']).trim(), String(3 << 20));
      assert.deepEqual(fs.readdirSync(path.join(agent.root, 'content/ingest')).filter((n) => n.startsWith('pull-')), []);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  test('berth save loads into skopeo (docker-archive and oci-archive) keeping the image id; skopeo archives load into berth', () => {
    const ref = `${R}/library/busybox:1.37.0-musl`;
    const id = idOf(agent, ref);
    const dockerTar = path.join(tmp, 'save-docker.tar');
    const ociTar = path.join(tmp, 'save-oci.tar');
    agent.ok(['save', '-o', dockerTar, ref]);
    agent.ok(['save', '--format', 'oci-archive', '-o', ociTar, ref]);
    // skopeo reads each archive: the manifest it sees names our config, byte for byte
    assert.equal(JSON.parse(skopeo(['inspect', '--raw', `docker-archive:${dockerTar}`])).config.digest, id);
    assert.equal(sha(skopeo(['inspect', '--config', '--raw', `docker-archive:${dockerTar}`])), id);
    assert.equal(JSON.parse(skopeo(['inspect', '--raw', `oci-archive:${ociTar}`])).config.digest, id);
    // and copies them on unchanged (dir: keeps manifest and config as they are)
    skopeo(['copy', '--quiet', `docker-archive:${dockerTar}`, `dir:${path.join(tmp, 'from-docker')}`]);
    skopeo(['copy', '--quiet', `oci-archive:${ociTar}`, `dir:${path.join(tmp, 'from-oci')}`]);
    for (const d of ['from-docker', 'from-oci']) {
      const m = JSON.parse(fs.readFileSync(path.join(tmp, d, 'manifest.json'), 'utf8'));
      assert.equal(m.config.digest, id);
      assert.equal(sha(fs.readFileSync(path.join(tmp, d, m.config.digest.slice(7)))), id);
    }
    const cfg = JSON.parse(skopeo(['inspect', '--config', `docker-archive:${dockerTar}`]));
    assert.equal(cfg.architecture, 'amd64');

    // skopeo's archives (from the bundled glibc layout) into berth
    const sDocker = path.join(tmp, 'skopeo-docker.tar');
    const sOci = path.join(tmp, 'skopeo-oci.tar');
    skopeo(['copy', '--quiet', `oci:${GLIBC}`, `docker-archive:${sDocker}:fromskopeo/glibc:docker`]);
    skopeo(['copy', '--quiet', `oci:${GLIBC}`, `oci-archive:${sOci}:fromskopeo/glibc:oci`]);
    assert.match(agent.ok(['load', '-i', sDocker]), /Loaded image: fromskopeo\/glibc:docker/);
    assert.equal(idOf(agent, 'fromskopeo/glibc:docker'), layoutImageId(GLIBC));
    agent.ok(['load', '-i', sOci]);
    assert.equal(agent.ok(['run', '--rm', 'fromskopeo/glibc:docker', 'echo', 'ok']), 'ok\n');

    // stdout → stdin, both formats
    for (const f of ['docker-archive', 'oci-archive']) {
      const r = spawnSync('sh', ['-c', `"${berthBin}" save --format ${f} ${ref} | "${berthBin}" load`], { env: agent.env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Loaded image/);
    }
    assert.equal(idOf(agent, ref), id);
  });

  // (the docker CLI's own archives are covered against Berth's Docker API socket: docker-api/*.test.ts)
  test('podman loads berth archives and gives archives berth loads, ids kept', () => {
    const ref = `${R}/library/busybox:1.37.0-musl`;
    const id = idOf(agent, ref);
    const dockerTar = path.join(tmp, 'save-docker.tar');
    const podman = podmanRunner(tmp);
    const l = podman(['load', '-i', dockerTar]);
    assert.equal(l.code, 0, l.err);
    const pid = podman(['image', 'inspect', '--format', '{{.Id}}', ref]);
    assert.equal(pid.code, 0, pid.err);
    assert.equal(`sha256:${pid.out.trim()}`, id);
    const out = path.join(tmp, 'podman-save.tar');
    const s = podman(['save', '--format', 'docker-archive', '-o', out, ref]);
    assert.equal(s.code, 0, s.err);
    agent.ok(['rmi', ref]);
    agent.ok(['load', '-i', out]);
    assert.equal(idOf(agent, ref), id);
    const so = path.join(tmp, 'podman-save-oci.tar');
    assert.equal(podman(['save', '--format', 'oci-archive', '-o', so, ref]).code, 0);
    agent.ok(['load', '-i', so]);
  });

  test('tag, push, delete locally, pull back: the same image id; skopeo sees the same config', () => {
    agent.ok(['load', '-i', GLIBC]);
    const target = `${R}/pushed/busybox:v1`;
    agent.ok(['tag', 'busybox:1.37.0-glibc', target]);
    const id = idOf(agent, target);
    const out = agent.ok(['push', target]);
    assert.match(out, /Pushed|Already exists/);
    const cfg = JSON.parse(skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${target}`]));
    assert.equal(cfg.config.digest, id);
    // delete locally: both tags, so the image itself is gone
    agent.ok(['rmi', target]);
    const rm = agent.ok(['rmi', 'busybox:1.37.0-glibc']);
    assert.match(rm, /Deleted|Untagged/);
    if (agent.ok(['images', '-q', '--no-trunc']).includes(id)) {
      // the same image is also known under the earlier pulled name: remove that too
      agent.ok(['rmi', '-f', id]);
    }
    assert.doesNotMatch(agent.ok(['images', '-q', '--no-trunc']), new RegExp(id.slice(7)));
    agent.ok(['pull', target]);
    assert.equal(idOf(agent, target), id);
    // a second push finds every blob already there
    assert.match(agent.ok(['push', target]), /Already exists/);
  });

  test('history, search (catalog fallback) and image prune', () => {
    const ref = `${R}/test/multi:v1`;
    agent.ok(['pull', ref]); // the amd64 one again
    const hist = agent.ok(['history', ref]);
    assert.match(hist, /test layer 1/);
    assert.match(hist, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE/);
    const search = agent.ok(['search', `${R}/busy`]);
    assert.match(search, new RegExp(`${R.replace(/[.]/g, '\\.')}/library/busybox`));
    assert.doesNotMatch(search, /test\/multi/);
    // re-pulling the tag for another platform leaves the amd64 image untagged (dangling): prune
    // removes it, and keeps tagged images without -a
    agent.ok(['pull', '--platform', 'linux/arm64', ref]);
    const pruned = agent.ok(['image', 'prune', '-f']);
    assert.match(pruned, /deleted: sha256:/);
    assert.match(pruned, /Total reclaimed space/);
    assert.match(agent.ok(['images']), /test\/multi/);
  });
});

describe('a registry behind htpasswd (basic auth): login, pull, logout', () => {
  const agent = new TestAgent();
  const reg = new TestRegistry({ user: 'berthuser', pass: 's3cret-pass' });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-docker-config-'));
  const env = { DOCKER_CONFIG: home };

  before(async () => {
    requireRoot();
    requireTools();
    await reg.start();
    await agent.start();
    skopeoPush(`oci:${MUSL}`, reg, 'library/busybox:1.37.0-musl');
  });
  after(async () => {
    await agent.dispose();
    await reg.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('without credentials the pull is refused with a clear message', () => {
    const r = cliEnv(agent, ['pull', `${reg.host}/library/busybox:1.37.0-musl`], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unauthorized: authentication required/);
  });

  test('wrong credentials fail login clearly and store nothing', () => {
    const r = cliEnv(agent, ['login', '-u', 'berthuser', '--password-stdin', reg.host], env, 'wrong\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /incorrect username or password/);
    assert.ok(!fs.existsSync(path.join(home, 'config.json')) || !fs.readFileSync(path.join(home, 'config.json'), 'utf8').includes(reg.host));
  });

  test('login stores Docker-format credentials; pull then works; logout removes them', () => {
    const r = cliEnv(agent, ['login', '-u', 'berthuser', '--password-stdin', reg.host], env, 's3cret-pass\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Login Succeeded/);
    const cfg = JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8'));
    assert.equal(Buffer.from(cfg.auths[reg.host].auth, 'base64').toString(), 'berthuser:s3cret-pass');
    assert.equal((fs.statSync(path.join(home, 'config.json')).mode & 0o077), 0);

    const p = cliEnv(agent, ['pull', `${reg.host}/library/busybox:1.37.0-musl`], env);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(cliEnv(agent, ['run', '--rm', `${reg.host}/library/busybox:1.37.0-musl`, 'echo', 'authed'], env).stdout, 'authed\n');

    // push with the stored credentials too
    cliEnv(agent, ['tag', `${reg.host}/library/busybox:1.37.0-musl`, `${reg.host}/mine/busybox:1`], env);
    const push = cliEnv(agent, ['push', `${reg.host}/mine/busybox:1`], env);
    assert.equal(push.code, 0, push.stderr);

    assert.match(cliEnv(agent, ['logout', reg.host], env).stdout, /Removing login credentials/);
    const after = JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8'));
    assert.equal(after.auths[reg.host], undefined);
    agent.ok(['rmi', `${reg.host}/library/busybox:1.37.0-musl`]);
    const again = cliEnv(agent, ['pull', `${reg.host}/library/busybox:1.37.0-musl`], env);
    assert.notEqual(again.code, 0);
  });

  test("credentials written by Docker's own format (username/password fields, Hub key) are read", () => {
    fs.writeFileSync(
      path.join(home, 'config.json'),
      JSON.stringify({ auths: { [`http://${reg.host}/v2/`]: { auth: Buffer.from('berthuser:s3cret-pass').toString('base64') }, 'https://index.docker.io/v1/': { auth: 'eDp5' } } }),
    );
    const p = cliEnv(agent, ['pull', `${reg.host}/library/busybox:1.37.0-musl`], env);
    assert.equal(p.code, 0, p.stderr);
  });
});
