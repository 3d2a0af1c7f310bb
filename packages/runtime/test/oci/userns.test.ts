// --userns=remap: the `berth` subordinate range (shadow-utils' file format) and the OCI spec it
// produces (a user namespace with uidMappings/gidMappings). No root needed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { defaultSpec } from '../../src/oci/default-spec';
import { applyUserns, parseSubIds, resolveRemap, subIdFiles } from '../../src/oci/userns';

test('parseSubIds takes the first well-formed berth line and skips others', () => {
  assert.deepEqual(parseSubIds('alice:100000:65536\nberth:200000:65536\nberth:300000:1\n'), { start: 200000, count: 65536 });
  assert.deepEqual(parseSubIds('# comment\n berth:165536:65536 \n'), { start: 165536, count: 65536 });
  assert.equal(parseSubIds('berthx:1:2\nberth:x:1\nberth:1\n'), undefined);
  // a range with host root in it, an empty or an overflowing one is no use
  assert.equal(parseSubIds('berth:0:65536\nberth:5:0\nberth:4294967290:65536\n'), undefined);
  assert.equal(parseSubIds(''), undefined);
});

test('resolveRemap reads both files and says how to add a missing entry', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-subid-'));
  try {
    const subuid = path.join(dir, 'subuid');
    const subgid = path.join(dir, 'subgid');
    fs.writeFileSync(subuid, 'berth:100000:65536\n');
    fs.writeFileSync(subgid, 'berth:300000:1000\n');
    assert.deepEqual(resolveRemap({ subuid, subgid }), {
      uid: { containerId: 0, hostId: 100000, size: 65536 },
      gid: { containerId: 0, hostId: 300000, size: 1000 },
    });
    fs.writeFileSync(subgid, 'other:1:2\n');
    assert.throws(() => resolveRemap({ subuid, subgid }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'failed_precondition');
      assert.equal(e.message, `--userns=remap needs a "berth" entry in ${subgid}: add one with: echo berth:100000:65536 >> ${subuid} && echo berth:100000:65536 >> ${subgid} (scripts/setup.sh does this)`);
      return true;
    });
    assert.throws(() => resolveRemap({ subuid: path.join(dir, 'missing'), subgid }), /needs a "berth" entry in .*missing/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('BERTH_SUBUID_FILE / BERTH_SUBGID_FILE replace /etc/subuid and /etc/subgid', () => {
  assert.deepEqual(subIdFiles({}), { subuid: '/etc/subuid', subgid: '/etc/subgid' });
  assert.deepEqual(subIdFiles({ BERTH_SUBUID_FILE: '/a', BERTH_SUBGID_FILE: '/b' }), { subuid: '/a', subgid: '/b' });
});

test('applyUserns adds a user namespace and OCI maps', () => {
  const spec = defaultSpec({ rootPath: '/r', args: ['sh'], env: [], cwd: '/', hostname: 'h', terminal: false, hostNetwork: false });
  applyUserns(spec, { uid: { containerId: 0, hostId: 100000, size: 65536 }, gid: { containerId: 0, hostId: 100000, size: 65536 } });
  assert.deepEqual(spec.linux.namespaces.at(-1), { type: 'user' });
  assert.deepEqual(spec.linux.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.deepEqual(spec.linux.gidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
});
