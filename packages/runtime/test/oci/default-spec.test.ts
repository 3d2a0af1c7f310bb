import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CAPABILITIES, defaultSpec } from '../../src/oci/default-spec';

const base = { rootPath: '/r', args: ['sh'], env: ['A=1'], cwd: '/', hostname: 'h', terminal: false, hostNetwork: false };

test('default spec has Docker capabilities, mounts and namespaces', () => {
  const s = defaultSpec(base);
  assert.equal(s.process.capabilities?.bounding?.length, 14);
  assert.deepEqual(s.process.capabilities?.effective, [...DEFAULT_CAPABILITIES]);
  assert.ok(s.process.capabilities?.bounding?.includes('CAP_NET_BIND_SERVICE'));
  assert.ok(!s.process.capabilities?.bounding?.includes('CAP_SYS_ADMIN'));
  assert.deepEqual(
    s.mounts.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys'],
  );
  assert.deepEqual(
    s.linux.namespaces.map((n) => n.type),
    ['pid', 'mount', 'uts', 'ipc', 'network', 'cgroup'],
  );
  assert.ok(s.linux.maskedPaths?.includes('/proc/kcore'));
  assert.ok(s.linux.readonlyPaths?.includes('/proc/sys'));
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
  assert.equal(s.hostname, 'h');
  assert.equal(s.root.path, '/r');
});

test('default spec adds PATH only when missing', () => {
  assert.match(defaultSpec(base).process.env[0], /^PATH=\/usr\/local\/sbin:/);
  assert.deepEqual(defaultSpec({ ...base, env: ['PATH=/x'] }).process.env, ['PATH=/x']);
});

test('host network omits the network namespace; a netns path is joined', () => {
  assert.ok(!defaultSpec({ ...base, hostNetwork: true }).linux.namespaces.some((n) => n.type === 'network'));
  const joined = defaultSpec({ ...base, netnsPath: '/run/netns/x' }).linux.namespaces.find((n) => n.type === 'network');
  assert.deepEqual(joined, { type: 'network', path: '/run/netns/x' });
});

test('hostname, hosts and resolv.conf files become rbind mounts', () => {
  const s = defaultSpec({ ...base, hostnamePath: '/c/hostname', hostsPath: '/c/hosts' });
  assert.deepEqual(s.mounts.slice(-2), [
    { destination: '/etc/hostname', type: 'bind', source: '/c/hostname', options: ['rbind', 'rprivate'] },
    { destination: '/etc/hosts', type: 'bind', source: '/c/hosts', options: ['rbind', 'rprivate'] },
  ]);
});

test('defaultSpec is pure: inputs are copied', () => {
  const args = ['a'];
  const s = defaultSpec({ ...base, args });
  s.process.args.push('b');
  assert.deepEqual(args, ['a']);
});
