// dockerode (an SDK client) drives Berth's Docker API: create, start, attach, wait, remove.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { TestAgent, requireRoot } from '../helpers/test-agent';

describe('dockerode against the Docker API socket (real runtime, as root)', () => {
  const agent = new TestAgent();
  let docker: Docker;
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
    docker = new Docker({ socketPath: agent.dockerSocket });
  });
  after(() => agent.dispose());

  test('ping and version', async () => {
    assert.equal(String(await docker.ping()), 'OK');
    const v = await docker.version();
    assert.equal(v.Os, 'linux');
  });

  test('create, attach, start, wait, remove', async () => {
    const c = await docker.createContainer({
      Image: 'busybox:1.37.0-musl',
      Cmd: ['sh', '-c', 'read line; echo got $line; echo warn >&2; exit 6'],
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      name: agent.name('sdk'),
    });
    const stream = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks = { out: '', err: '' };
    out.on('data', (d) => (chunks.out += d));
    err.on('data', (d) => (chunks.err += d));
    docker.modem.demuxStream(stream, out, err);
    const ended = new Promise((r) => stream.on('end', r));
    const waited = c.wait({ condition: 'next-exit' });
    await c.start();
    stream.write('hello\n');
    const w = await waited;
    await ended;
    assert.equal(w.StatusCode, 6);
    assert.equal(chunks.out, 'got hello\n');
    assert.equal(chunks.err, 'warn\n');
    const info = await c.inspect();
    assert.equal(info.State.ExitCode, 6);
    assert.equal(info.State.Status, 'exited');
    await c.remove({ v: true });
    await assert.rejects(c.inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  test('list, inspect image, and 404 for a missing container', async () => {
    const imgs = await docker.listImages();
    assert.ok(imgs.some((i) => i.RepoTags?.includes('busybox:1.37.0-musl')));
    await assert.rejects(docker.getContainer('nope-nope').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });
});
