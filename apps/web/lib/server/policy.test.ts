import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyDenial } from './policy';

const run = (spec: object) => policyDenial('operator', 'containers.run', { image: 'x', ...spec });

test('operators run ordinary containers, with volumes, ports and tmpfs', () => {
  assert.equal(run({}), null);
  assert.equal(run({ mounts: [{ type: 'volume', source: 'data', target: '/data' }, { type: 'tmpfs', target: '/tmp' }], publish: [{ containerPort: 80 }] }), null);
  assert.equal(run({ capDrop: ['ALL'], securityOpt: ['no-new-privileges'] }), null);
  assert.equal(policyDenial('operator', 'containers.stop', { id: 'x' }), null);
});

test('operators cannot step past the default confinement; admins can', () => {
  assert.match(run({ privileged: true })!, /privileged/);
  assert.match(run({ capAdd: ['SYS_ADMIN'] })!, /capabilities/);
  assert.match(run({ devices: [{ pathOnHost: '/dev/sda' }] })!, /devices/);
  assert.match(run({ mounts: [{ type: 'bind', source: '/etc', target: '/x' }] })!, /bind-mount/);
  assert.match(run({ mounts: [{ source: '/', target: '/host' }] })!, /bind-mount/);
  assert.match(run({ securityOpt: ['seccomp=unconfined'] })!, /seccomp/);
  assert.match(run({ network: 'host' })!, /host's network/);
  assert.match(policyDenial('operator', 'containers.create', { image: 'x', privileged: true })!, /privileged/);
  assert.equal(policyDenial('admin', 'containers.run', { image: 'x', privileged: true, capAdd: ['ALL'] }), null);
  assert.match(policyDenial('viewer', 'containers.stop', { id: 'x' })!, /viewer/);
});

test('privileged execs are for admins only, over tRPC and terminals', async () => {
  const { terminalDenial } = await import('./policy');
  assert.match(policyDenial('operator', 'containers.execDetached', { id: 'x', spec: { cmd: ['sh'], privileged: true } })!, /--privileged/);
  assert.equal(policyDenial('operator', 'containers.execDetached', { id: 'x', spec: { cmd: ['sh'] } }), null);
  assert.equal(policyDenial('admin', 'containers.execDetached', { id: 'x', spec: { cmd: ['sh'], privileged: true } }), null);
  assert.match(terminalDenial('operator', { cmd: ['sh'], tty: true, privileged: true })!, /--privileged/);
  assert.equal(terminalDenial('operator', { cmd: ['sh'], tty: true }), null);
  assert.equal(terminalDenial('admin', { cmd: ['sh'], privileged: true }), null);
});
