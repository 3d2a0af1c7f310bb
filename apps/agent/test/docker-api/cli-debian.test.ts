// Debian's docker.io client (20.10, API 1.41) drives Berth through the same socket.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';
import { DOCKER_CLIENTS, DockerCli, requireClient } from './docker-cli';

const IMG = 'busybox:1.37.0-musl';

describe('docker 20.10 (Debian docker.io) against the Docker API socket (as root)', () => {
  const agent = new TestAgent();
  const docker = new DockerCli(agent, DOCKER_CLIENTS.debian);
  before(async () => {
    requireRoot();
    requireClient(DOCKER_CLIENTS.debian);
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(async () => {
    docker.dispose();
    await agent.dispose();
  });

  test('version negotiates API 1.41 paths; info, images', () => {
    assert.match(docker.ok(['version', '--format', '{{.Client.APIVersion}} {{.Server.Os}}']), /^1\.41 linux$/m);
    assert.match(docker.ok(['info', '--format', '{{.OSType}}']), /linux/);
    assert.match(docker.ok(['images']), /busybox\s+1\.37\.0-musl/);
  });

  test('run --rm, exit code, -i', async () => {
    const r = docker.run(['run', '--rm', IMG, 'sh', '-c', 'echo hi; exit 2']);
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(docker.ok(['run', '--rm', '-i', IMG, 'cat'], { input: 'x\n' }), 'x\n');
    await eventually('no containers left', () => docker.ok(['ps', '-aq']).trim() === '');
  });

  test('run -d, exec, logs, stop, start, inspect, rm -f', () => {
    const name = agent.name('d');
    docker.ok(['run', '-d', '--name', name, IMG, 'sh', '-c', 'echo up; sleep 60']);
    assert.equal(docker.ok(['exec', name, 'echo', 'in']), 'in\n');
    assert.equal(docker.ok(['logs', name]), 'up\n');
    docker.ok(['stop', '-t', '1', name]);
    assert.equal(docker.ok(['inspect', '-f', '{{.State.Status}}', name]).trim(), 'exited');
    docker.ok(['start', name]);
    assert.equal(docker.ok(['inspect', '-f', '{{.State.Running}}', name]).trim(), 'true');
    docker.ok(['rm', '-f', name]);
    assert.equal(docker.run(['inspect', name]).code, 1);
  });

  test('tag, save, rmi, load; volumes and networks', () => {
    docker.ok(['tag', IMG, 'oldcli:1']);
    const tar = path.join(agent.run, 'old.tar');
    docker.ok(['save', '-o', tar, 'oldcli:1']);
    assert.ok(fs.statSync(tar).size > 100_000);
    docker.ok(['rmi', 'oldcli:1']);
    assert.match(docker.ok(['load', '-i', tar]), /Loaded image: oldcli:1/);
    docker.ok(['rmi', 'oldcli:1']);
    const v = agent.name('v');
    docker.ok(['volume', 'create', v]);
    assert.match(docker.ok(['volume', 'ls']), new RegExp(v));
    docker.ok(['volume', 'rm', v]);
    const n = agent.name('n');
    docker.ok(['network', 'create', n]);
    assert.match(docker.ok(['network', 'ls']), new RegExp(n));
    docker.ok(['network', 'rm', n]);
  });

  test('stats --no-stream, cp both ways, inspect volume and network, events', async () => {
    const name = agent.name('x');
    docker.ok(['run', '-d', '--name', name, IMG, 'sh', '-c', 'echo a; sleep 60']);
    assert.match(docker.ok(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', name]), new RegExp(`^${name} \\d+$`, 'm'));
    const local = fs.mkdtempSync(path.join(agent.run, 'cp-'));
    fs.writeFileSync(path.join(local, 'f'), 'f\n');
    docker.ok(['cp', path.join(local, 'f'), `${name}:/tmp/`]);
    assert.equal(docker.ok(['exec', name, 'cat', '/tmp/f']), 'f\n');
    docker.ok(['cp', `${name}:/tmp/f`, path.join(local, 'back')]);
    assert.equal(fs.readFileSync(path.join(local, 'back'), 'utf8'), 'f\n');
    assert.equal(docker.ok(['volume', 'inspect', '-f', '{{.Driver}}', docker.ok(['volume', 'create']).trim()]).trim(), 'local');
    assert.equal(docker.ok(['network', 'inspect', '-f', '{{.Name}}', 'bridge']).trim(), 'bridge');
    const since = Math.floor(Date.now() / 1000);
    docker.ok(['rm', '-f', name]);
    const ev = docker.run(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', `container=${name}`, '--format', '{{.Action}}'], { timeoutMs: 10_000 });
    assert.equal(ev.code, 0, ev.stderr);
    assert.match(ev.stdout, /^die$/m);
    assert.match(ev.stdout, /^destroy$/m);
  });

  test('run -d -p publishes a port; logs -f; ps -a; inspect an image; diff', async () => {
    const name = agent.name('p');
    docker.ok(['run', '-d', '--name', name, '-p', '127.0.0.1::80', IMG, 'sh', '-c', 'echo published > /index.html; echo ready; exec httpd -f -p 80']);
    const port = docker.ok(['port', name, '80']).trim();
    assert.match(port, /^127\.0\.0\.1:\d+$/);
    await eventually('the published port to answer', async () => {
      const r = await fetch(`http://${port}/`).catch(() => null);
      return r?.status === 200 && (await r.text()) === 'published\n';
    });
    assert.match(docker.ok(['ps', '-a', '--format', '{{.Names}} {{.Status}}']), new RegExp(`^${name} Up`, 'm'));
    assert.match(docker.ok(['diff', name]), /^A \/index\.html$/m);
    docker.ok(['rm', '-f', name]);
    assert.match(docker.ok(['inspect', '-f', '{{.Os}} {{.Architecture}}', IMG]), /^linux \w+/);

    const f = agent.name('f');
    docker.ok(['run', '-d', '--name', f, IMG, 'sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.3; done']);
    const p = spawn(docker.bin, ['logs', '-f', f], { env: docker.env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => p.on('exit', r));
    assert.equal(code, 0);
    assert.equal(out, 'line1\nline2\nline3\n');
    assert.match(docker.ok(['ps', '-a', '--filter', `name=${f}`, '--format', '{{.Status}}']), /^Exited \(0\)/m);
    docker.ok(['rm', f]);
  });
});
