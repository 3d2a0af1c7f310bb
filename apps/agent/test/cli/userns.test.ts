// --userns=remap (issue 7): the container's root is root in its own user namespace and uid 100000
// (the `berth` range of /etc/subuid) on the host; its rootfs is idmapped so the image's files are
// still 0:0 inside; exec joins the user namespace; a root-only host file bound in stays unreadable.
// Real containers through the real agent and CLI, as root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { TestAgent, eventually, osTmp, requireRoot } from '../helpers/test-agent';
import { parseSubIds } from '../../../../packages/runtime/src/oci/userns';

const BB = 'busybox:1.37.0-musl';

/** The Uid:/Gid: line of /proc/PID/status: [real, effective, saved, fs]. */
function procIds(pid: number, which: 'Uid' | 'Gid'): number[] {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${which}:`));
  assert.ok(line, `no ${which}: line for pid ${pid}`);
  return line.split(/\s+/).slice(1).map(Number);
}

/** One request to the agent's Docker API socket; the JSON answer. */
function dockerApi(socket: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: urlPath, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('--userns=remap (real runtime, as root)', () => {
  const agent = new TestAgent();
  const tmp: string[] = [];
  let range: { start: number; count: number };

  before(async () => {
    requireRoot();
    const r = parseSubIds(fs.readFileSync('/etc/subuid', 'utf8'));
    assert.ok(r, 'this test needs the berth range in /etc/subuid (scripts/setup.sh adds berth:100000:65536)');
    range = r;
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(async () => {
    await agent.dispose();
    for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
  });

  test('inside, id -u is 0 and /bin/sh is owned by 0:0 (the idmapped rootfs)', () => {
    const r = agent.cli(['run', '--rm', '--userns=remap', BB, 'sh', '-c', 'id -u; id -g; stat -c %u:%g /bin/sh; cat /proc/self/uid_map']);
    assert.equal(r.code, 0, r.stderr);
    const [uid, gid, owner, map] = r.stdout.trim().split('\n');
    assert.equal(uid, '0');
    assert.equal(gid, '0');
    assert.equal(owner, '0:0');
    assert.deepEqual(map.trim().split(/\s+/).map(Number), [0, range.start, range.count]);
  });

  test('from the host the init runs as the first id of the range; its writes land in the upper dir as 0:0', async () => {
    const name = agent.name('remap');
    agent.ok(['run', '-d', '--name', name, '--userns', 'remap', BB, 'sh', '-c', 'echo data > /made-here; mkdir /dir-here; touch /dir-here/f; chown 123:456 /dir-here/f; sleep 300']);
    const inspect = JSON.parse(agent.ok(['inspect', name]))[0];
    assert.equal(inspect.hostConfig.usernsMode, 'remap');
    assert.deepEqual(inspect.hostConfig.idMappings.uid, { containerId: 0, hostId: range.start, size: range.count });
    const pid: number = inspect.pid;
    assert.ok(pid > 0);
    assert.equal(agent.ok(['inspect', '-f', '{{.State.Pid}}', name]).trim(), String(pid)); // the README's way
    assert.deepEqual(procIds(pid, 'Uid'), [range.start, range.start, range.start, range.start]);
    assert.equal(procIds(pid, 'Gid')[0], range.start);
    // the upper dir is an idmapped layer: container root's files are stored as 0 on disk (so diff,
    // commit, export and cp see the same ids as for any container), container 123:456 as 123:456
    const upper = path.join(agent.root, 'containers', inspect.id, 'upper');
    const made = path.join(upper, 'made-here');
    await eventually('the container wrote its files', () => fs.existsSync(path.join(upper, 'dir-here', 'f')) && fs.statSync(path.join(upper, 'dir-here', 'f')).uid === 123);
    assert.equal(fs.readFileSync(made, 'utf8'), 'data\n');
    assert.deepEqual([fs.statSync(made).uid, fs.statSync(made).gid], [0, 0]);
    const f = fs.statSync(path.join(upper, 'dir-here', 'f'));
    assert.deepEqual([f.uid, f.gid], [123, 456]);
    assert.match(agent.ok(['diff', name]), /^A \/made-here$/m);

    // exec joins the user namespace: root inside, the range's first id outside
    const e = agent.cli(['exec', name, 'sh', '-c', 'id -u; stat -c %u:%g /made-here /dir-here/f; cat /proc/self/uid_map; grep ^Uid: /proc/self/status']);
    assert.equal(e.code, 0, e.stderr);
    const lines = e.stdout.trim().split('\n');
    assert.equal(lines[0], '0');
    assert.equal(lines[1], '0:0');
    assert.equal(lines[2], '123:456');
    assert.deepEqual(lines[3].trim().split(/\s+/).map(Number), [0, range.start, range.count]);
    assert.deepEqual(lines[4].split(/\s+/).slice(1).map(Number), [0, 0, 0, 0]);
    agent.ok(['rm', '-f', name]);
  });

  test('a process berth exec starts is remapped on the host too', () => {
    const name = agent.name('remap-exec');
    agent.ok(['run', '-d', '--name', name, '--userns=remap', BB, 'sleep', '300']);
    try {
      // exec leaves a sleep behind (re-parented to the container's init) that the host can look at
      agent.ok(['exec', name, 'sh', '-c', 'sleep 301 </dev/null >/dev/null 2>&1 &']);
      const pid: number = JSON.parse(agent.ok(['inspect', name]))[0].pid;
      const userns = fs.readlinkSync(`/proc/${pid}/ns/user`);
      assert.notEqual(userns, fs.readlinkSync('/proc/self/ns/user'));
      const sleeper = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).find((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u0000301\u0000' && fs.readlinkSync(`/proc/${p}/ns/user`) === userns;
        } catch {
          return false; // gone meanwhile
        }
      });
      assert.ok(sleeper, "the exec'd process is in the container's user namespace");
      assert.deepEqual(procIds(Number(sleeper), 'Uid'), [range.start, range.start, range.start, range.start]);
    } finally {
      agent.ok(['rm', '-f', name]);
    }
  });

  test('a root-only (0600) host file bind-mounted in cannot be read: container root is not host root', () => {
    const dir = fs.mkdtempSync(path.join(osTmp, 'berth-userns-'));
    tmp.push(dir);
    fs.chmodSync(dir, 0o755);
    const secret = path.join(dir, 'secret');
    fs.writeFileSync(secret, 'top secret\n', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'public'), 'hello\n', { mode: 0o644 });
    const r = agent.cli(['run', '--rm', '--userns=remap', '-v', `${dir}:/host`, BB, 'sh', '-c', 'stat -c "%u:%g %a" /host/secret; cat /host/public; cat /host/secret; echo rc=$?; echo x > /host/new; echo wrc=$?']);
    assert.equal(r.code, 0, r.stderr);
    // host root is not mapped: its files show as the overflow id (nobody)
    assert.equal(r.stdout, '65534:65534 600\nhello\nrc=1\nwrc=1\n');
    assert.match(r.stderr, /\/host\/secret'?: Permission denied/);
    assert.equal(fs.existsSync(path.join(dir, 'new')), false);
    // without remap the same container reads it (root is host root)
    const plain = agent.cli(['run', '--rm', '-v', `${dir}:/host`, BB, 'cat', '/host/secret']);
    assert.equal(plain.stdout, 'top secret\n', plain.stderr);
  });

  test('the usual container plumbing works: /proc, /sys, /dev nodes, hostname, /etc/hosts, a pty, network', () => {
    const name = agent.name('remap-plumb');
    const r = agent.cli([
      'run', '--rm', '--name', name, '--hostname', 'remapped', '--userns=remap', BB, 'sh', '-c',
      'hostname; echo x > /dev/null && head -c 3 /dev/zero | wc -c; ls /sys/kernel >/dev/null && echo sys; ' +
        'grep -c . /proc/self/status >/dev/null && echo proc; echo "10.9.9.9 extra" >> /etc/hosts && echo hosts-writable; ' +
        'ping -c1 -W2 127.0.0.1 >/dev/null 2>&1; ip addr show lo | grep -q "inet 127.0.0.1" && echo lo; ' +
        'mount | grep -c " / " >/dev/null && echo mounted',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'remapped\n3\nsys\nproc\nhosts-writable\nlo\nmounted\n');
    const t = agent.cli(['run', '--rm', '-t', '--userns=remap', BB, 'sh', '-c', 'tty; id -u'], { input: '' });
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^\/dev\/pts\/0\r?\n0\r?\n$/);
  });

  test('berth cp into and out of a running remapped container', () => {
    const name = agent.name('remap-cp');
    agent.ok(['run', '-d', '--name', name, '--userns=remap', BB, 'sleep', '300']);
    try {
      const dir = fs.mkdtempSync(path.join(osTmp, 'berth-userns-cp-'));
      tmp.push(dir);
      fs.writeFileSync(path.join(dir, 'in.txt'), 'copied in\n');
      agent.ok(['cp', path.join(dir, 'in.txt'), `${name}:/tmp/in.txt`]);
      assert.equal(agent.ok(['exec', name, 'sh', '-c', 'stat -c %u:%g /tmp/in.txt; cat /tmp/in.txt']), '0:0\ncopied in\n');
      agent.ok(['cp', `${name}:/tmp/in.txt`, path.join(dir, 'out')]);
      assert.equal(fs.readFileSync(path.join(dir, 'out'), 'utf8'), 'copied in\n');
    } finally {
      agent.ok(['rm', '-f', name]);
    }
  });

  test('a named volume is idmapped like the rootfs: root inside writes it, 0:0 on disk, shared with a plain container', () => {
    const vol = agent.name('uvol');
    try {
      const r = agent.cli(['run', '--rm', '--userns=remap', '-v', `${vol}:/data`, BB, 'sh', '-c', 'echo remapped > /data/f && stat -c %u:%g /data /data/f']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '0:0\n0:0\n');
      const mountpoint: string = JSON.parse(agent.ok(['volume', 'inspect', vol]))[0].mountpoint;
      const st = fs.statSync(path.join(mountpoint, 'f'));
      assert.deepEqual([st.uid, st.gid], [0, 0]);
      const plain = agent.cli(['run', '--rm', '-v', `${vol}:/data`, BB, 'cat', '/data/f']);
      assert.equal(plain.stdout, 'remapped\n', plain.stderr);
    } finally {
      agent.cli(['volume', 'rm', vol]);
    }
  });

  test('--network none and --network host, a net.* sysctl on the bridge network, --device', () => {
    const none = agent.cli(['run', '--rm', '--userns=remap', '--network', 'none', BB, 'sh', '-c', 'id -u; ls /sys/class/net | tr "\\n" " "']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, '0\nlo '); // its own sysfs: a network namespace of its user namespace
    const host = agent.cli(['run', '--rm', '--userns=remap', '--network', 'host', BB, 'sh', '-c', 'id -u; test -d /sys/class/net/lo && echo sys']);
    assert.equal(host.code, 0, host.stderr);
    assert.equal(host.stdout, '0\nsys\n');
    // the bridge network's namespace belongs to the host's user namespace: the helper writes net.* there
    const sc = agent.cli(['run', '--rm', '--userns=remap', '--sysctl', 'net.ipv4.tcp_keepalive_time=611', '--sysctl', 'kernel.shmmax=268435456', BB, 'sh', '-c', 'cat /proc/sys/net/ipv4/tcp_keepalive_time /proc/sys/kernel/shmmax']);
    assert.equal(sc.code, 0, sc.stderr);
    assert.equal(sc.stdout, '611\n268435456\n');
    // no mknod in a user namespace: the host's node is bound in
    const dev = agent.cli(['run', '--rm', '--userns=remap', '--device', '/dev/zero:/dev/z:r', BB, 'sh', '-c', 'stat -c "%F %t:%T" /dev/z; head -c 4 /dev/z | wc -c']);
    assert.equal(dev.code, 0, dev.stderr);
    assert.equal(dev.stdout, 'character special file 1:5\n4\n');
  });

  test('with --read-only, --tmpfs, -u, a new -w, a restart and a commit', () => {
    const r = agent.cli(['run', '--rm', '--userns=remap', '--read-only', '--tmpfs', '/scratch', '-u', 'nobody', BB, 'sh', '-c',
      'id -u; touch /x 2>/dev/null || echo ro; echo t > /scratch/t && echo tmpfs']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '65534\nro\ntmpfs\n');
    // a missing working directory is made by the container's root, on the idmapped upper layer
    const w = agent.cli(['run', '--rm', '--userns=remap', '-w', '/new/dir', BB, 'sh', '-c', 'pwd; stat -c %u:%g /new/dir']);
    assert.equal(w.stdout, '/new/dir\n0:0\n', w.stderr);
    const name = agent.name('remap-restart');
    const image = `${name}:1`;
    try {
      agent.ok(['run', '-d', '--name', name, '--userns=remap', BB, 'sh', '-c', 'echo run >> /runs; sleep 300']);
      agent.ok(['stop', '-t', '0', name]);
      agent.ok(['start', name]);
      assert.equal(agent.ok(['exec', name, 'sh', '-c', 'cat /runs; stat -c %u:%g /runs']), 'run\nrun\n0:0\n');
      agent.ok(['commit', name, image]);
      // the committed layer has the container's own ids: 0:0 in a plain container too
      assert.equal(agent.ok(['run', '--rm', image, 'stat', '-c', '%u:%g', '/runs']), '0:0\n');
    } finally {
      agent.cli(['rm', '-f', name]);
      agent.cli(['rmi', image]);
    }
  });

  test('the Docker API: HostConfig.UsernsMode "remap" in the create body, shown by inspect', async () => {
    const name = agent.name('uapi');
    const c = await dockerApi(agent.dockerSocket, 'POST', `/containers/create?name=${name}`, { Image: BB, Cmd: ['sleep', '300'], HostConfig: { UsernsMode: 'remap' } });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    try {
      assert.equal((await dockerApi(agent.dockerSocket, 'POST', `/containers/${name}/start`)).status, 204);
      const i = await dockerApi(agent.dockerSocket, 'GET', `/containers/${name}/json`);
      assert.equal(i.json.HostConfig.UsernsMode, 'remap');
      assert.equal(procIds(i.json.State.Pid, 'Uid')[0], range.start);
      const bad = await dockerApi(agent.dockerSocket, 'POST', '/containers/create', { Image: BB, HostConfig: { UsernsMode: 'private' } });
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /invalid userns mode "private"/);
      const plain = await dockerApi(agent.dockerSocket, 'POST', '/containers/create', { Image: BB, HostConfig: { UsernsMode: 'host' } });
      assert.equal(plain.status, 201, JSON.stringify(plain.json));
      assert.equal((await dockerApi(agent.dockerSocket, 'GET', `/containers/${plain.json.Id}/json`)).json.HostConfig.UsernsMode, '');
      agent.ok(['rm', plain.json.Id]);
    } finally {
      agent.ok(['rm', '-f', name]);
    }
  });

  test('without a berth range --userns=remap fails saying how to add one, and leaves nothing behind', async () => {
    const dir = fs.mkdtempSync(path.join(osTmp, 'berth-userns-subid-'));
    tmp.push(dir);
    const subuid = path.join(dir, 'subuid');
    const subgid = path.join(dir, 'subgid');
    fs.writeFileSync(subuid, 'someone:100000:65536\n');
    fs.writeFileSync(subgid, '');
    const other = new TestAgent({ agentEnv: { BERTH_SUBUID_FILE: subuid, BERTH_SUBGID_FILE: subgid } });
    try {
      await other.start();
      other.loadBundledImages(['musl']);
      const r = other.cli(['run', '--rm', '--userns=remap', BB, 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`--userns=remap needs a "berth" entry in ${subuid}: add one with: echo berth:100000:65536 >> ${subuid} && echo berth:100000:65536 >> ${subgid}`));
      assert.equal(other.ok(['ps', '-aq']).trim(), '');
      assert.equal(other.cli(['run', '--rm', BB, 'true']).code, 0);
    } finally {
      await other.dispose();
    }
  });

  test('--userns host is the default; anything else is refused, and so is --privileged with remap', () => {
    const host = agent.cli(['run', '--rm', '--userns=host', BB, 'cat', '/proc/self/uid_map']);
    assert.equal(host.code, 0, host.stderr);
    assert.deepEqual(host.stdout.trim().split(/\s+/).map(Number), [0, 0, 4294967295]);
    const bad = agent.cli(['run', '--rm', '--userns=private', BB, 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid userns mode "private": want host or remap/);
    const priv = agent.cli(['run', '--rm', '--userns=remap', '--privileged', BB, 'true']);
    assert.equal(priv.code, 125);
    assert.match(priv.stderr, /--privileged cannot be combined with --userns=remap/);
    assert.equal(agent.ok(['ps', '-aq']).trim(), '');
  });
});
