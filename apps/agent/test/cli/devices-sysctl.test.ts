// --device and --sysctl (issue 7): real containers through the real agent and CLI, and the same
// options through the Docker Engine API's create body.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { TestAgent, requireRoot } from '../helpers/test-agent';

const BB = 'busybox:1.37.0-musl';
const hostSysctl = (key: string) => fs.readFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8').trim();

/** One request to the agent's Docker API socket; the JSON answer. */
function dockerApi(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('--device and --sysctl (real runtime, as root)', () => {
  const agent = new TestAgent();
  const run = (args: string[]) => agent.cli(['run', '--rm', ...args]);
  const noContainers = () => assert.equal(agent.ok(['ps', '-aq']).trim(), '');

  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(() => agent.dispose());

  describe('--device', () => {
    test('/dev/null:/dev/mynull is a char device 1:3 in the container and writes work', () => {
      const r = run(['--device', '/dev/null:/dev/mynull', BB, 'sh', '-c', 'stat -c "%F %t:%T %a" /dev/mynull && echo hi > /dev/mynull && echo written']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'character special file 1:3 666\nwritten\n');
      // the default list alone would refuse a node it does not know: the rule is the device's own
      assert.equal(fs.existsSync('/dev/mynull'), false);
    });

    test('/dev/zero:/dev/z:r reads and refuses writes (the devices cgroup allows exactly r)', () => {
      const r = run(['--device', '/dev/zero:/dev/z:r', BB, 'sh', '-c', 'head -c 4 /dev/z | wc -c; echo x > /dev/z; echo rc=$?']);
      assert.equal(r.stdout, '4\nrc=1\n', r.stderr);
      assert.match(r.stderr, /\/dev\/z: Operation not permitted/);
    });

    test('a device outside the default list is usable only with --device (a loop device)', () => {
      assert.equal(fs.statSync('/dev/loop0').isBlockDevice(), true, 'this test needs the host\'s /dev/loop0');
      const without = run([BB, 'sh', '-c', 'mknod /tmp/l b 7 0 && head -c 1 /tmp/l >/dev/null && echo opened']);
      assert.notEqual(without.stdout, 'opened\n');
      const r = run(['--device', '/dev/loop0:/dev/xloop:r', BB, 'sh', '-c', 'stat -c "%F %t:%T" /dev/xloop; head -c 0 /dev/xloop && echo opened; echo x > /dev/xloop; echo rc=$?']);
      assert.match(r.stdout, /^block special file 7:0\nopened\nrc=1\n$/, r.stderr);
    });

    test('HOST:PERMS short form and inspect shows the devices', () => {
      const name = agent.name('dev');
      agent.ok(['create', '--name', name, '--device', '/dev/zero:rw', '--device', '/dev/null:/dev/n2', BB, 'true']);
      try {
        const hc = JSON.parse(agent.ok(['inspect', name]))[0].hostConfig;
        assert.deepEqual(hc.devices, [
          { pathOnHost: '/dev/zero', pathInContainer: '/dev/zero', permissions: 'rw' },
          { pathOnHost: '/dev/null', pathInContainer: '/dev/n2', permissions: 'rwm' },
        ]);
      } finally {
        agent.ok(['rm', '-f', name]);
      }
    });

    test('a path in the container is resolved inside its root (.. is refused, missing dirs are made in the root)', () => {
      const r = run(['--device', '/dev/null:/etc/../../../tmp/devnode', BB, 'sh', '-c', 'stat -c "%F" /tmp/devnode']);
      assert.equal(r.code, 125, r.stdout);
      assert.match(r.stderr, /may not contain "\.\."/);
      const r2 = run(['--device', '/dev/null:/tmp/sub/devnode', BB, 'sh', '-c', 'stat -c "%F" /tmp/sub/devnode']);
      assert.equal(r2.stdout, 'character special file\n', r2.stderr);
      assert.equal(fs.existsSync('/tmp/sub/devnode'), false);
    });

    test('a non-device path, a missing path or bad permissions fail before anything is created', () => {
      const notDev = run(['--device', '/etc/passwd:/dev/p', BB, 'true']);
      assert.equal(notDev.code, 125);
      assert.match(notDev.stderr, /custom device "\/etc\/passwd": not a device node/);
      const missing = run(['--device', '/dev/nope-berth', BB, 'true']);
      assert.equal(missing.code, 127); // Docker's CLI too: "no such file or directory" means 127
      assert.match(missing.stderr, /custom device "\/dev\/nope-berth": no such file or directory/);
      const bad = run(['--device', '/dev/zero:/dev/z:rx', BB, 'true']);
      assert.equal(bad.code, 125);
      assert.match(bad.stderr, /bad permissions "rx" \(want a combination of r, w and m\)/);
      const dup = run(['--device', '/dev/zero:/dev/z:rr', BB, 'true']);
      assert.equal(dup.code, 125);
      assert.match(dup.stderr, /bad permissions "rr"/);
      noContainers();
    });
  });

  describe('--sysctl', () => {
    test('net.* in the container\'s own network namespace; the host keeps its value', () => {
      const before = hostSysctl('net.ipv4.tcp_keepalive_time');
      const r = run(['--sysctl', 'net.ipv4.tcp_keepalive_time=1234', '--sysctl', 'net.ipv4.ip_forward=0', BB, 'sh', '-c', 'cat /proc/sys/net/ipv4/tcp_keepalive_time /proc/sys/net/ipv4/ip_forward']);
      assert.equal(r.stdout, '1234\n0\n', r.stderr);
      assert.equal(hostSysctl('net.ipv4.tcp_keepalive_time'), before);
      assert.equal(hostSysctl('net.ipv4.ip_forward'), '1'); // the host still routes for its bridges
      // --network none is a namespace of its own too
      assert.equal(run(['--network', 'none', '--sysctl', 'net.ipv4.tcp_keepalive_time=99', BB, 'cat', '/proc/sys/net/ipv4/tcp_keepalive_time']).stdout, '99\n');
    });

    test('kernel.shmmax and fs.mqueue.* in the container\'s IPC namespace; the host keeps its values', () => {
      const shm = hostSysctl('kernel.shmmax');
      const mq = hostSysctl('fs.mqueue.msg_max');
      const r = run(['--sysctl', 'kernel.shmmax=123456789', '--sysctl', 'fs.mqueue.msg_max=42', BB, 'sh', '-c', 'cat /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max']);
      assert.equal(r.stdout, '123456789\n42\n', r.stderr);
      assert.equal(hostSysctl('kernel.shmmax'), shm);
      assert.equal(hostSysctl('fs.mqueue.msg_max'), mq);
    });

    test('/proc/sys stays read-only for the container after the sysctls are written', () => {
      const r = run(['--sysctl', 'kernel.shmmni=100', BB, 'sh', '-c', 'cat /proc/sys/kernel/shmmni; echo 200 > /proc/sys/kernel/shmmni; echo rc=$?']);
      assert.equal(r.stdout, '100\nrc=1\n');
      assert.match(r.stderr, /read-only file system/i);
    });

    test('non-namespaced keys, net.* with --network host, and bad syntax are refused naming the key', () => {
      for (const kv of ['kernel.hostname=x', 'vm.swappiness=1', 'kernel.domainname=x', 'fs.file-max=10', 'net=1']) {
        const r = run(['--sysctl', kv, BB, 'true']);
        assert.equal(r.code, 125, kv);
        assert.match(r.stderr, new RegExp(`sysctl "${kv.split('=')[0]}" is not allowed: only namespaced sysctls`), kv);
      }
      const host = run(['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=0', BB, 'true']);
      assert.equal(host.code, 125);
      assert.match(host.stderr, /sysctl "net.ipv4.ip_forward" is not allowed with --network host/);
      assert.equal(hostSysctl('net.ipv4.ip_forward'), '1');
      const noEq = run(['--sysctl', 'kernel.shmmax', BB, 'true']);
      assert.equal(noEq.code, 125);
      assert.match(noEq.stderr, /invalid --sysctl "kernel.shmmax": want KEY=VALUE/);
      // a key the kernel does not have fails the start, naming it
      const unknown = run(['--sysctl', 'net.ipv4.no_such_key=1', BB, 'true']);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /sysctl net.ipv4.no_such_key: open \/proc\/sys\/net\/ipv4\/no_such_key: no such file or directory/);
      noContainers();
    });
  });

  describe('the Docker Engine API', () => {
    test('HostConfig.Devices and HostConfig.Sysctls', async () => {
      const name = agent.name('dapi');
      const created = await dockerApi(agent.dockerSocket, 'POST', `/containers/create?name=${name}`, {
        Image: BB,
        Cmd: ['sh', '-c', 'stat -c "%t:%T" /dev/dnull; echo x > /dev/dnull && echo ok; cat /proc/sys/net/core/somaxconn'],
        HostConfig: { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/dnull', CgroupPermissions: 'rw' }], Sysctls: { 'net.core.somaxconn': '77' } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      assert.deepEqual(created.json.Warnings, []);
      try {
        agent.ok(['start', name]);
        assert.equal(agent.ok(['wait', name]).trim(), '0');
        assert.equal(agent.ok(['logs', name]), '1:3\nok\n77\n');
        const insp = await dockerApi(agent.dockerSocket, 'GET', `/containers/${name}/json`);
        assert.deepEqual(insp.json.HostConfig.Devices, [{ PathOnHost: '/dev/null', PathInContainer: '/dev/dnull', CgroupPermissions: 'rw' }]);
        assert.deepEqual(insp.json.HostConfig.Sysctls, { 'net.core.somaxconn': '77' });
      } finally {
        agent.ok(['rm', '-f', name]);
      }
      const bad = await dockerApi(agent.dockerSocket, 'POST', '/containers/create', { Image: BB, HostConfig: { Sysctls: { 'kernel.hostname': 'x' } } });
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /sysctl "kernel.hostname" is not allowed/);
      const notDev = await dockerApi(agent.dockerSocket, 'POST', '/containers/create', { Image: BB, HostConfig: { Devices: [{ PathOnHost: '/etc/hostname' }] } });
      assert.equal(notDev.status, 400);
      assert.match(notDev.json.message, /not a device node/);
    });
  });
});
