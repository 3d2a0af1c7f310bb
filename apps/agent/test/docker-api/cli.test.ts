// The stock docker CLI (28.x) drives Berth through its Docker Engine API socket.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';
import { DockerCli } from './docker-cli';

const IMG = 'busybox:1.37.0-musl';

describe('docker CLI against the Docker API socket (real runtime, as root)', () => {
  const agent = new TestAgent();
  const docker = new DockerCli(agent);
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(async () => {
    docker.dispose();
    await agent.dispose();
  });

  test('the socket is root-only (mode 0600)', () => {
    const st = fs.statSync(agent.dockerSocket);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
  });

  test('version and info', () => {
    const v = docker.ok(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}']);
    assert.match(v, /^0\.\d+\.\d+ 1\.\d+ linux$/m);
    const info = docker.ok(['info', '--format', '{{.ServerVersion}} {{.Images}} {{.OSType}}']);
    assert.match(info, /^\S+ 1 linux$/m);
  });

  test('an unknown endpoint answers 501 naming it', () => {
    const r = docker.run(['secret', 'ls']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /berth does not implement GET \/secrets yet/);
  });

  test('images lists the bundled image; inspect an image', () => {
    assert.match(docker.ok(['images']), /busybox\s+1\.37\.0-musl/);
    const img = JSON.parse(docker.ok(['inspect', IMG]))[0];
    assert.match(img.Id, /^sha256:/);
    assert.deepEqual(img.RepoTags, [IMG]);
    assert.deepEqual(img.Config.Cmd, ['sh']);
    assert.equal(docker.ok(['image', 'inspect', '--format', '{{.Os}}', IMG]).trim(), 'linux');
  });

  test('run --rm echo hi prints hi, exits 0, leaves no container', async () => {
    const r = docker.run(['run', '--rm', IMG, 'echo', 'hi']);
    assert.equal(r.stdout, 'hi\n', r.stderr);
    assert.equal(r.code, 0, r.stderr);
    await eventually('the container to be removed', () => docker.ok(['ps', '-aq']).trim() === '');
  });

  test("the container's exit code and stderr are the CLI's", () => {
    const r = docker.run(['run', '--rm', IMG, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 3);
  });

  test('run -i pipes stdin', () => {
    assert.equal(docker.ok(['run', '--rm', '-i', IMG, 'cat'], { input: 'piped\n' }), 'piped\n');
  });

  test('run of an unknown image tries a pull and fails with 125', () => {
    const r = docker.run(['run', '--rm', '127.0.0.1:1/nope:1', 'true']);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /Unable to find image|nope/);
  });

  test('run -d, ps, logs, exec, stop, start, inspect, rm -f', async () => {
    const name = agent.name('d');
    const id = docker.ok(['run', '-d', '--name', name, '-e', 'FOO=bar', '--label', 'k=v', IMG, 'sh', '-c', 'echo started; echo oops >&2; while true; do sleep 1; done']).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.match(docker.ok(['ps']), new RegExp(name));
    await eventually('logs', () => docker.ok(['logs', name]) === 'started\n');
    const logs = docker.run(['logs', name]);
    assert.equal(logs.stderr, 'oops\n');
    const tailed = docker.run(['logs', '-t', '--tail', '2', name]);
    assert.match(tailed.stdout, /^\d{4}-\d\d-\d\dT\S+ started\n$/);
    assert.match(tailed.stderr, /^\d{4}-\d\d-\d\dT\S+ oops\n$/);
    assert.equal(docker.ok(['exec', name, 'sh', '-c', 'echo $FOO']), 'bar\n');
    const ex = docker.run(['exec', name, 'sh', '-c', 'exit 7']);
    assert.equal(ex.code, 7);
    assert.equal(docker.ok(['exec', '-i', name, 'cat'], { input: 'to exec\n' }), 'to exec\n');

    const c = JSON.parse(docker.ok(['inspect', name]))[0];
    assert.equal(c.Id, id);
    assert.equal(c.Name, `/${name}`);
    assert.equal(c.State.Status, 'running');
    assert.equal(c.State.Running, true);
    assert.ok(c.State.Pid > 0);
    assert.ok(c.Config.Env.includes('FOO=bar'));
    assert.equal(c.Config.Labels.k, 'v');
    assert.equal(c.Config.Image, IMG);

    docker.ok(['stop', '-t', '1', name]);
    assert.equal(docker.ok(['inspect', '-f', '{{.State.Status}} {{.State.Running}}', name]).trim(), 'exited false');
    assert.match(docker.ok(['ps', '-a', '--filter', `name=${name}`]), /Exited/);
    assert.doesNotMatch(docker.ok(['ps']), new RegExp(name));
    docker.ok(['start', name]);
    assert.equal(docker.ok(['inspect', '-f', '{{.State.Running}}', name]).trim(), 'true');
    docker.ok(['restart', '-t', '1', name]);
    assert.equal(docker.ok(['inspect', '-f', '{{.State.Running}}', name]).trim(), 'true');
    docker.ok(['rm', '-f', name]);
    const gone = docker.run(['inspect', name]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No such object|no such/i);
  });

  test('run -d -p publishes a port that answers', async () => {
    const name = agent.name('p');
    docker.ok(['run', '-d', '--name', name, '-p', '127.0.0.1::80', IMG, 'httpd', '-f', '-p', '80']);
    const port = docker.ok(['port', name, '80']).trim();
    assert.match(port, /^127\.0\.0\.1:\d+$/);
    docker.ok(['exec', name, 'sh', '-c', 'echo published > /index.html']);
    await eventually('the published port to answer', async () => {
      const r = await fetch(`http://${port}/`).catch(() => null);
      return r?.status === 200 && (await r.text()) === 'published\n';
    });
    docker.ok(['rm', '-f', name]);
  });

  test('tag, rmi, save -o, load -i', () => {
    docker.ok(['tag', IMG, 'mybox:1']);
    assert.match(docker.ok(['images']), /mybox\s+1/);
    const tar = path.join(agent.run, 'saved.tar');
    docker.ok(['save', '-o', tar, 'mybox:1']);
    assert.ok(fs.statSync(tar).size > 100_000);
    assert.match(docker.ok(['rmi', 'mybox:1']), /Untagged: mybox:1/);
    assert.doesNotMatch(docker.ok(['images']), /mybox/);
    assert.match(docker.ok(['load', '-i', tar]), /Loaded image: mybox:1/);
    assert.match(docker.ok(['images']), /mybox\s+1/);
    docker.ok(['rmi', 'mybox:1']);
    const r = docker.run(['rmi', 'nosuch:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no such image/i);
  });

  test('volume ls/create/inspect/rm', () => {
    const v = agent.name('vol');
    assert.equal(docker.ok(['volume', 'create', v]).trim(), v);
    assert.match(docker.ok(['volume', 'ls']), new RegExp(v));
    assert.equal(docker.ok(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}}', v]).trim(), `${v} local`);
    docker.ok(['run', '--rm', '-v', `${v}:/data`, IMG, 'sh', '-c', 'echo kept > /data/f']);
    assert.equal(docker.ok(['run', '--rm', '-v', `${v}:/data:ro`, IMG, 'cat', '/data/f']), 'kept\n');
    docker.ok(['volume', 'rm', v]);
    assert.doesNotMatch(docker.ok(['volume', 'ls']), new RegExp(v));
  });

  test('network ls/create/inspect/rm', () => {
    const n = agent.name('net');
    assert.match(docker.ok(['network', 'ls']), /bridge/);
    docker.ok(['network', 'create', n]);
    assert.match(docker.ok(['network', 'ls']), new RegExp(n));
    assert.equal(docker.ok(['network', 'inspect', '-f', '{{.Name}} {{.Driver}}', n]).trim(), `${n} bridge`);
    docker.ok(['network', 'rm', n]);
    assert.doesNotMatch(docker.ok(['network', 'ls']), new RegExp(n));
  });

  test('start of a running container is a no-op (304), kill of a stopped one is a conflict (409)', () => {
    const name = agent.name('c');
    docker.ok(['run', '-d', '--name', name, IMG, 'sleep', '60']);
    docker.ok(['start', name]);
    assert.equal(docker.ok(['inspect', '-f', '{{.State.Running}}', name]).trim(), 'true');
    docker.ok(['kill', name]);
    assert.equal(docker.ok(['wait', name]).trim(), '137');
    const r = docker.run(['kill', name]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not running/);
    docker.ok(['rm', name]);
  });

  test('logs -f follows until the container exits', async () => {
    const name = agent.name('f');
    docker.ok(['run', '-d', '--name', name, IMG, 'sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.3; done']);
    const p = spawn(docker.bin, ['logs', '-f', name], { env: docker.env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => p.on('exit', r));
    assert.equal(code, 0);
    assert.equal(out, 'line1\nline2\nline3\n');
    docker.ok(['rm', name]);
  });

  test('stats --no-stream shows a running container with its memory limit', () => {
    const name = agent.name('s');
    docker.ok(['run', '-d', '--name', name, '-m', '64m', IMG, 'sleep', '60']);
    const out = docker.ok(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}}', name]);
    assert.match(out, new RegExp(`^${name} \\S+ / 64MiB 1$`, 'm'));
    docker.ok(['rm', '-f', name]);
  });

  test('cp both ways, top, pause/unpause, rename', () => {
    const name = agent.name('cp');
    docker.ok(['run', '-d', '--name', name, IMG, 'sleep', '60']);
    const local = fs.mkdtempSync(path.join(agent.run, 'cp-'));
    fs.writeFileSync(path.join(local, 'in.txt'), 'into the container\n');
    docker.ok(['cp', path.join(local, 'in.txt'), `${name}:/tmp/in.txt`]);
    assert.equal(docker.ok(['exec', name, 'cat', '/tmp/in.txt']), 'into the container\n');
    docker.ok(['exec', name, 'sh', '-c', 'mkdir -p /out/sub && echo from > /out/sub/f']);
    docker.ok(['cp', `${name}:/out`, path.join(local, 'out')]);
    assert.equal(fs.readFileSync(path.join(local, 'out/sub/f'), 'utf8'), 'from\n');
    docker.ok(['cp', `${name}:/etc/hostname`, path.join(local, 'hn')]);
    assert.ok(fs.readFileSync(path.join(local, 'hn'), 'utf8').length > 0);
    assert.match(docker.run(['cp', `${name}:/nope`, local]).stderr, /no such|not found|Could not find/i);

    assert.match(docker.ok(['top', name]), /sleep 60/);
    docker.ok(['pause', name]);
    docker.ok(['unpause', name]);
    assert.equal(docker.ok(['exec', name, 'echo', 'awake']), 'awake\n');
    const renamed = agent.name('rn');
    docker.ok(['rename', name, renamed]);
    assert.equal(docker.ok(['inspect', '-f', '{{.Name}}', renamed]).trim(), `/${renamed}`);
    docker.ok(['rm', '-f', renamed]);
  });

  test('events: a container run shows create, start, die, destroy', async () => {
    const name = agent.name('ev');
    const started = Date.now();
    const p = spawn(docker.bin, ['events', '--filter', 'type=container', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'], { env: docker.env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    try {
      await new Promise((r) => setTimeout(r, 700));
      docker.ok(['run', '-d', '--name', name, IMG, 'sleep', '1']);
      await eventually('create and start', () => out.includes(`container create ${name}`) && out.includes(`container start ${name}`));
      await eventually('die', () => out.includes(`container die ${name}`), 10_000);
      docker.ok(['rm', name]);
      await eventually('destroy', () => out.includes(`container destroy ${name}`));
    } finally {
      p.kill();
    }
    // --since/--until replay what happened and end: the engine keeps recent events
    const past = docker.ok(['events', '--since', String(Math.floor(started / 1000)), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', `container=${name}`, '--format', '{{.Action}}']);
    assert.deepEqual(past.trim().split('\n'), ['create', 'start', 'die', 'destroy']);
  });

  test('diff, export, commit --change, update, system df and --restart', () => {
    const name = agent.name('fs');
    docker.ok(['run', '--name', name, IMG, 'sh', '-c', 'echo hi > /new && rm /bin/vi']);
    assert.deepEqual(docker.ok(['diff', name]).trim().split('\n'), ['C /bin', 'D /bin/vi', 'A /new']);
    const local = fs.mkdtempSync(path.join(agent.run, 'exp-'));
    docker.ok(['export', '-o', path.join(local, 'fs.tar'), name]);
    const listing = execFileSync('tar', ['-tf', path.join(local, 'fs.tar')], { encoding: 'utf8' }).split('\n');
    assert.ok(listing.includes('new') && !listing.includes('bin/vi'));
    const img = `dcommit-${agent.suffix}:1`;
    docker.ok(['commit', '--change', 'CMD ["cat", "/new"]', '--change', 'ENV K=v', name, img]);
    assert.equal(docker.ok(['run', '--rm', img]), 'hi\n');
    assert.equal(docker.ok(['run', '--rm', img, 'sh', '-c', 'echo $K']), 'v\n');

    const up = agent.name('upd');
    docker.ok(['run', '-d', '--name', up, '-m', '64m', '--restart', 'on-failure:2', IMG, 'sleep', '300']);
    assert.equal(docker.ok(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', up]).trim(), 'on-failure:2');
    docker.ok(['update', '--memory', '96m', '--memory-swap', '192m', '--restart', 'always', up]);
    assert.equal(docker.ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}', up]).trim(), `${96 * 1024 * 1024} always`);
    assert.match(docker.ok(['stats', '--no-stream', '--format', '{{.MemUsage}}', up]), / \/ 96MiB/);

    const df = docker.ok(['system', 'df']);
    assert.match(df, /^Images\s+\d+\s+\d+/m);
    assert.match(df, /^Containers\s+\d+\s+\d+/m);
    assert.match(df, /^Local Volumes\s+\d+/m);
    const verbose = docker.ok(['system', 'df', '-v']);
    assert.match(verbose, new RegExp(name));
    docker.ok(['rm', '-f', name, up]);
    docker.ok(['rmi', img]);
  });
});
