// Pure parsing of --device, --sysctl and BERTH_AGENT_FINGERPRINT (no agent, no root needed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunSpec } from '@berth/shared';
import { parseDevice, parseSysctls, securitySpecFromFlags } from '../../src/cli/commands/run-security-flags';
import { normalizeFingerprint } from '../../src/client/pinned-tls';

describe('flag parsing', () => {
  test('--device follows Docker: HOST, HOST:CONTAINER, HOST:PERMS, HOST:CONTAINER:PERMS', () => {
    assert.deepEqual(parseDevice('/dev/null'), { pathOnHost: '/dev/null', pathInContainer: '/dev/null', permissions: 'rwm' });
    assert.deepEqual(parseDevice('/dev/null:/dev/n'), { pathOnHost: '/dev/null', pathInContainer: '/dev/n', permissions: 'rwm' });
    assert.deepEqual(parseDevice('/dev/zero:r'), { pathOnHost: '/dev/zero', pathInContainer: '/dev/zero', permissions: 'r' });
    assert.deepEqual(parseDevice('/dev/zero:/dev/z:wr'), { pathOnHost: '/dev/zero', pathInContainer: '/dev/z', permissions: 'wr' });
    assert.throws(() => parseDevice('/dev/zero:/dev/z:rx'), /bad permissions "rx"/);
    assert.throws(() => parseDevice('/dev/zero:z'), /bad permissions or container path "z"/);
    assert.throws(() => parseDevice('dev/zero'), /host path must be absolute/);
    assert.throws(() => parseDevice('/a:/b:r:x'), /want HOST\[:CONTAINER\[:PERMS\]\]/);
  });

  test('the RunSpec schema checks devices and sysctls for the API too', () => {
    assert.equal(RunSpec.safeParse({ image: 'x', devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/../x', permissions: 'r' }] }).success, false);
    assert.equal(RunSpec.safeParse({ image: 'x', devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/n', permissions: 'rr' }] }).success, false);
    assert.equal(RunSpec.safeParse({ image: 'x', sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.shm_rmid_forced': '1', 'fs.mqueue.msg_max': '5' } }).success, true);
    for (const k of ['kernel.hostname', 'vm.swappiness', 'net.', 'fs.mqueue', 'net.ipv4..x', 'net.ipv4/../x']) {
      const r = RunSpec.safeParse({ image: 'x', sysctls: { [k]: '1' } });
      assert.equal(r.success, false, k);
      assert.match(r.error!.issues[0].message, new RegExp(`sysctl "${k.replace(/[.*/]/g, '\\$&')}" is not allowed`));
    }
    assert.equal(RunSpec.safeParse({ image: 'x', sysctls: { 'net.core.somaxconn': '1\n2' } }).success, false);
    assert.deepEqual(parseSysctls(['a.b=c=d', 'k.x=']), { 'a.b': 'c=d', 'k.x': '' });
    assert.throws(() => parseSysctls(['=1']), /want KEY=VALUE/);
  });

  test('--userns: host (the default) or remap; anything else fails in the RunSpec schema', () => {
    assert.equal(RunSpec.parse({ image: 'x' }).userns, 'host');
    assert.equal(RunSpec.parse({ image: 'x', userns: 'remap' }).userns, 'remap');
    const r = RunSpec.safeParse({ image: 'x', userns: 'private' });
    assert.equal(r.success, false);
    assert.equal(r.error!.issues[0].message, 'invalid userns mode "private": want host or remap');
    assert.equal(securitySpecFromFlags({ userns: 'remap' }).userns, 'remap');
    assert.equal(securitySpecFromFlags({}).userns, undefined);
  });

  test('fingerprints: colons, case and a sha256: prefix do not matter', () => {
    const hex = 'ab'.repeat(32);
    const want = 'AB:'.repeat(31) + 'AB';
    assert.equal(normalizeFingerprint(hex), want);
    assert.equal(normalizeFingerprint(`sha256:${want.toLowerCase()}`), want);
    assert.throws(() => normalizeFingerprint('ab:cd'), /must be a SHA-256 fingerprint/);
  });
});
