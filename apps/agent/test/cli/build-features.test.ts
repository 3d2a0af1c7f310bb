// `berth build` beyond the basics, end to end on a real agent: RUN on the default bridge (and
// --network none|host), FROM pulling a missing image from a real local registry, heredocs in RUN
// and COPY, ADD of URLs (checksums, failures), --chown by name (resolved inside the image),
// ONBUILD triggers, and reproducible layers with SOURCE_DATE_EPOCH.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { TestAgent, imagesDir, requireRoot } from '../helpers/test-agent';
import { TestRegistry, requireTools, skopeoPush } from '../helpers/registry';

const BUILD_TIMEOUT = { timeoutMs: 180_000 };
const FILE_BODY = 'downloaded bytes\n';
const FILE_SHA = `sha256:${createHash('sha256').update(FILE_BODY).digest('hex')}`;

/**
 * A small HTTP server on all addresses, in a child process (the CLI runs synchronously here, so a
 * server in this process could not answer): /x and /file.txt answer, anything else is a 404.
 */
async function startServer(): Promise<{ proc: ChildProcess; port: number }> {
  const script = `
    const http = require('node:http');
    const s = http.createServer((req, res) => {
      if (req.url === '/x') res.end('from the host\\n');
      else if (req.url === '/file.txt') res.end(${JSON.stringify(FILE_BODY)});
      else { res.statusCode = 404; res.end('no\\n'); }
    });
    s.listen(0, '0.0.0.0', () => console.log(s.address().port));
    process.stdin.on('end', () => process.exit(0)).resume();`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    proc.once('exit', (code) => reject(new Error(`test HTTP server exited with ${code}`)));
  });
  return { proc, port };
}

describe('berth build: networks, pulls, heredocs, URLs, chown names, ONBUILD, reproducible layers (real runtime, as root)', () => {
  const agent = new TestAgent();
  const registry = new TestRegistry();
  const dirs: string[] = [];
  let srv: Awaited<ReturnType<typeof startServer>>;
  let gateway = '';
  const ctx = (files: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-ctx-'));
    dirs.push(dir);
    for (const [name, data] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), data);
    }
    return dir;
  };
  const tag = (p: string) => `${agent.name(p)}:1`;

  before(async () => {
    requireRoot();
    requireTools();
    await agent.start();
    agent.loadBundledImages(['musl']);
    srv = await startServer();
    const inspected = JSON.parse(agent.ok(['network', 'inspect', 'bridge']));
    gateway = (Array.isArray(inspected) ? inspected[0] : inspected).gateway;
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
  });
  after(async () => {
    if (srv && srv.proc.exitCode === null) {
      const exited = new Promise((r) => srv.proc.once('exit', r));
      srv.proc.kill('SIGTERM');
      await exited;
    }
    await registry.stop().catch(() => {});
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await agent.dispose();
  });

  test('RUN gets the default bridge: it reaches a server on the bridge gateway; --network none cannot, host can', () => {
    const image = tag('net');
    const dir = ctx({ Dockerfile: `FROM busybox:1.37.0-musl\nRUN wget -qO /got http://${gateway}:${srv.port}/x\n` });
    agent.ok(['build', '-t', image, dir], BUILD_TIMEOUT);
    assert.equal(agent.ok(['run', '--rm', image, 'cat', '/got']), 'from the host\n');

    const none = agent.cli(['build', '--no-cache', '--network', 'none', dir], BUILD_TIMEOUT);
    assert.equal(none.code, 1, none.stdout + none.stderr);
    assert.match(none.stderr, /line 2: RUN: the command .* returned a non-zero code/);

    const hostDir = ctx({ Dockerfile: `FROM busybox:1.37.0-musl\nRUN wget -qO /got http://127.0.0.1:${srv.port}/x\n` });
    const hostImage = tag('nethost');
    agent.ok(['build', '--network', 'host', '-t', hostImage, hostDir], BUILD_TIMEOUT);
    assert.equal(agent.ok(['run', '--rm', hostImage, 'cat', '/got']), 'from the host\n');

    const bad = agent.cli(['build', '--network', 'bogus', dir]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--network bogus/);
    // no build container is left behind in ps
    assert.equal(agent.ok(['ps', '-aq']).trim(), '');
    agent.ok(['rmi', image, hostImage]);
  });

  test('FROM an image that is not present pulls it from the registry, with progress in the build output', async () => {
    await registry.start();
    const ref = `${registry.host}/lib/bb:${agent.name('pull')}`;
    skopeoPush(`oci:${path.join(imagesDir, 'busybox-musl')}`, registry, ref.slice(registry.host.length + 1));
    const image = tag('pulled');
    const dir = ctx({ Dockerfile: `FROM ${ref}\nRUN echo pulled > /p\n` });
    const out = agent.ok(['build', '-t', image, dir], BUILD_TIMEOUT);
    assert.match(out, /Unable to find image '.*' locally/);
    assert.match(out, /Pulling from /);
    assert.match(out, /Pull complete|Already exists/);
    assert.match(out, /Status: Downloaded newer image for /);
    assert.equal(agent.ok(['run', '--rm', image, 'cat', '/p']), 'pulled\n');
    assert.match(agent.ok(['images']), new RegExp(`lib/bb`));
    // an image the registry does not have fails with the line
    const missing = agent.cli(['build', ctx({ Dockerfile: `FROM busybox:1.37.0-musl\nRUN true\nFROM ${registry.host}/lib/nope:1\n` })], BUILD_TIMEOUT);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /line 3: FROM .*nope:1: pulling/);
    agent.ok(['rmi', image, ref]);
  });

  test('heredocs: RUN <<EOF as a script, <<-EOF with tabs, cat <<EOF > file, COPY <<EOF with ARG values', () => {
    const image = tag('heredoc');
    const dir = ctx({
      Dockerfile: [
        'FROM busybox:1.37.0-musl',
        'ARG WHO=world',
        'RUN <<EOF',
        '# a comment line of the script',
        'echo one > /one',
        'echo "hello $WHO" >> /one',
        'EOF',
        'RUN <<-EOT',
        '\tif true; then',
        '\t\techo tabs > /tabs',
        '\tfi',
        '\tEOT',
        "RUN cat <<'EOF' > /fed",
        'literal $WHO',
        'EOF',
        'COPY <<EOF /etc/greeting',
        'greeting for ${WHO}',
        'EOF',
        'COPY <<A <<B /multi/',
        'a',
        'A',
        'b',
        'B',
        '',
      ].join('\n'),
    });
    agent.ok(['build', '--build-arg', 'WHO=berth', '-t', image, dir], BUILD_TIMEOUT);
    assert.equal(
      agent.ok(['run', '--rm', image, 'cat', '/one', '/tabs', '/fed', '/etc/greeting', '/multi/A', '/multi/B']),
      'one\nhello berth\ntabs\nliteral $WHO\ngreeting for berth\na\nb\n',
    );
    const bad = agent.cli(['build', ctx({ Dockerfile: 'FROM busybox:1.37.0-musl\nRUN true\nRUN <<EOF\necho never ends\n' })]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /line 3: unterminated heredoc <<EOF/);
    agent.ok(['rmi', image]);
  });

  test('ADD of a URL downloads it (mode 0600), checks --checksum, and a failed download names the URL and status', () => {
    const image = tag('url');
    const base = `http://127.0.0.1:${srv.port}`;
    const dir = ctx({ Dockerfile: `FROM busybox:1.37.0-musl\nADD ${base}/file.txt /dl/\nADD --checksum=${FILE_SHA} ${base}/file.txt /checked.txt\n` });
    agent.ok(['build', '-t', image, dir], BUILD_TIMEOUT);
    assert.equal(agent.ok(['run', '--rm', image, 'sh', '-c', 'cat /dl/file.txt /checked.txt; stat -c %a /dl/file.txt']), `${FILE_BODY}${FILE_BODY}600\n`);
    // the same bytes again: every step is a cache hit (the download's digest is the key)
    const again = agent.ok(['build', '-t', image, dir], BUILD_TIMEOUT);
    assert.equal((again.match(/Using cache/g) ?? []).length, 2, again);

    const wrong = agent.cli(['build', ctx({ Dockerfile: `FROM busybox:1.37.0-musl\nADD --checksum=sha256:${'0'.repeat(64)} ${base}/file.txt /x\n` })], BUILD_TIMEOUT);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`line 2: ADD: checksum of ${base}/file.txt does not match: expected sha256:0+, got ${FILE_SHA}`));
    const missing = agent.cli(['build', ctx({ Dockerfile: `FROM busybox:1.37.0-musl\nENV A=1\nADD ${base}/missing.bin /x\n` })], BUILD_TIMEOUT);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`line 3: ADD: downloading ${base}/missing.bin: HTTP 404`));
    agent.ok(['rmi', image]);
  });

  test('COPY --chown by name is looked up in the image, through symlinks resolved inside it; unknown names fail with the line', () => {
    const image = tag('chown');
    const dir = ctx({
      Dockerfile: [
        'FROM busybox:1.37.0-musl',
        'COPY --chown=www-data:staff f /f1',
        'COPY --chown=nobody f /f2',
        // /etc/passwd becomes a link climbing "out": it must resolve inside the image root
        'RUN echo "builder:x:4242:4343::/:/bin/sh" > /etc/passwd.real && ln -sf ../../../../../../../etc/passwd.real /etc/passwd',
        'COPY --chown=builder:wheel f /f3',
        'ADD --chown=builder:42 f /f4',
        '',
      ].join('\n'),
      f: 'owned\n',
    });
    agent.ok(['build', '-t', image, dir], BUILD_TIMEOUT);
    assert.equal(agent.ok(['run', '--rm', image, 'stat', '-c', '%u:%g', '/f1', '/f2', '/f3', '/f4']), '33:50\n65534:65534\n4242:10\n4242:42\n');
    const bad = agent.cli(['build', ctx({ Dockerfile: 'FROM busybox:1.37.0-musl\nENV A=1\nCOPY --chown=nosuchuser f /f\n', f: 'x' })], BUILD_TIMEOUT);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /line 3: COPY: --chown nosuchuser: unable to find user nosuchuser: no matching entries in \/etc\/passwd/);
    // a user that exists only on the host is not found through the climbing link
    const hostOnly = agent.cli(['build', ctx({ Dockerfile: 'FROM busybox:1.37.0-musl\nRUN ln -sf ../../../../../etc/shadow-not-here /etc/passwd\nCOPY --chown=root f /f\n', f: 'x' })], BUILD_TIMEOUT);
    assert.equal(hostOnly.code, 1);
    assert.match(hostOnly.stderr, /line 3: COPY: --chown root: unable to find user root/);
    assert.doesNotMatch(agent.ok(['images']), /^<none>.*chown/m);
    agent.ok(['rmi', image]);
  });

  test('ONBUILD triggers run right after FROM in the child build, and are not inherited further', () => {
    const base = tag('onbuild-base');
    const child = tag('onbuild-child');
    const grandchild = tag('onbuild-grand');
    agent.ok(['build', '-t', base, ctx({ Dockerfile: 'FROM busybox:1.37.0-musl\nONBUILD RUN echo triggered > /t\nONBUILD COPY app.txt /app.txt\n' })], BUILD_TIMEOUT);
    const out = agent.ok(['build', '-t', child, ctx({ Dockerfile: `FROM ${base}\nRUN cat /t /app.txt > /both\n`, 'app.txt': 'from the child context\n' })], BUILD_TIMEOUT);
    assert.match(out, /# Executing 2 build triggers/);
    assert.equal(agent.ok(['run', '--rm', child, 'cat', '/both']), 'triggered\nfrom the child context\n');
    const out2 = agent.ok(['build', '-t', grandchild, ctx({ Dockerfile: `FROM ${child}\nRUN echo ok\n` })], BUILD_TIMEOUT);
    assert.doesNotMatch(out2, /build trigger/);
    // a trigger that fails names the FROM line and the trigger
    const broken = tag('onbuild-broken');
    agent.ok(['build', '-t', broken, ctx({ Dockerfile: 'FROM busybox:1.37.0-musl\nONBUILD RUN exit 3\n' })], BUILD_TIMEOUT);
    const r = agent.cli(['build', ctx({ Dockerfile: `# child\nFROM ${broken}\n` })], BUILD_TIMEOUT);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`line 2: ONBUILD trigger of ${broken}: RUN: .*returned a non-zero code: 3`));
    agent.ok(['rmi', grandchild, child, base, broken]);
  });

  test('SOURCE_DATE_EPOCH: two --no-cache builds of the same inputs give the same layers and image id', () => {
    const files = {
      Dockerfile: 'FROM busybox:1.37.0-musl\nRUN mkdir -p /out && echo built > /out/x && touch /out/y\nCOPY f /f\nCOPY <<EOF /h\nheredoc\nEOF\nRUN rm /bin/vi\n',
      f: 'same bytes\n',
    };
    const dir = ctx(files);
    const args = (t: string) => ['build', '--no-cache', '-q', '--build-arg', 'SOURCE_DATE_EPOCH=1700000000', '-t', t, dir];
    const a = tag('repro-a');
    const b = tag('repro-b');
    const idA = agent.ok(args(a), BUILD_TIMEOUT).trim();
    // a newer mtime on the context file, the same bytes
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(dir, 'f'), later, later);
    const idB = agent.ok(args(b), BUILD_TIMEOUT).trim();
    const layers = (t: string) => JSON.parse(agent.ok(['inspect', t]))[0].rootfs.diffIds as string[];
    assert.deepEqual(layers(a), layers(b));
    assert.equal(idA, idB);
    assert.match(agent.ok(['inspect', a]), /2023-11-14T22:13:20/);
    // without it, Docker's default: real timestamps, so another id
    const c = tag('repro-c');
    const idC = agent.ok(['build', '--no-cache', '-q', '-t', c, dir], BUILD_TIMEOUT).trim();
    assert.notEqual(idC, idA);
    const bad = agent.cli(['build', '--build-arg', 'SOURCE_DATE_EPOCH=yesterday', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SOURCE_DATE_EPOCH yesterday: expected whole seconds/);
    agent.ok(['rmi', a, b, c]);
  });
});
