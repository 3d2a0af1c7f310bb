// Security options -> OCI spec, the default seccomp profile, Docker-format profiles, and the v1
// devices allowlist (written into a temp dir, as the kernel's files would be).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import { RunSpec } from '@berth/shared';
import { DEFAULT_CAPABILITIES, defaultSpec } from '../../src/oci/default-spec';
import { ALL_CAPABILITIES, applySecurity, resolveCapabilities, resolveSecurity } from '../../src/oci/security';
import { defaultSeccompProfile, seccompFromProfile } from '../../src/oci/seccomp-default';
import { applyDevicesV1, DEFAULT_DEVICE_RULES } from '../../src/cgroups/v1/devices';
import { buildSpec, withoutMknod } from '../../src/containers/bundle';

const base = { rootPath: '/r', args: ['sh'], env: [], cwd: '/', hostname: 'h', terminal: false, hostNetwork: false };
const spec = (o: Partial<RunSpec> = {}) => RunSpec.parse({ image: 'x', ...o });
const denied = (p: ReturnType<typeof defaultSeccompProfile>) => p.syscalls!.filter((s) => !s.args).flatMap((s) => s.names);

test('capabilities follow Docker: add, drop, drop ALL + add, add ALL - drop, privileged', () => {
  const all = [...ALL_CAPABILITIES];
  assert.deepEqual(resolveCapabilities([], [], false, all), ALL_CAPABILITIES.filter((c) => (DEFAULT_CAPABILITIES as readonly string[]).includes(c)));
  assert.ok(resolveCapabilities(['net_admin'], [], false, all).includes('CAP_NET_ADMIN'));
  assert.ok(!resolveCapabilities([], ['CAP_CHOWN'], false, all).includes('CAP_CHOWN'));
  assert.deepEqual(resolveCapabilities(['chown'], ['ALL'], false, all), ['CAP_CHOWN']);
  assert.deepEqual(resolveCapabilities(['ALL'], ['SYS_ADMIN'], false, all), all.filter((c) => c !== 'CAP_SYS_ADMIN'));
  assert.deepEqual(resolveCapabilities([], ['ALL'], true, all), all);
  // "all" is what the runtime holds
  assert.deepEqual(resolveCapabilities([], [], true, ['CAP_CHOWN']), ['CAP_CHOWN']);
  assert.throws(() => resolveCapabilities(['NOPE'], [], false, all), /unknown capability: "NOPE"/);
});

test('the default profile denies what Docker denies, and lifts groups with their capability', () => {
  const d = defaultSeccompProfile([...DEFAULT_CAPABILITIES]);
  assert.equal(d.defaultAction, 'SCMP_ACT_ALLOW');
  for (const n of ['mount', 'umount2', 'unshare', 'setns', 'keyctl', 'add_key', 'init_module', 'finit_module', 'kexec_load', 'bpf', 'reboot', 'swapon', 'open_by_handle_at', 'io_uring_setup'])
    assert.ok(denied(d).includes(n), n);
  assert.ok(!denied(d).includes('chroot')); // CAP_SYS_CHROOT is a default capability
  assert.ok(!denied(d).includes('ptrace')); // Docker allows it on kernels >= 4.8
  assert.ok(d.syscalls!.some((s) => s.names[0] === 'clone' && s.args?.[0].value === 0x10000000));
  assert.ok(d.syscalls!.some((s) => s.names[0] === 'clone3' && s.errnoRet === 38));
  const admin = defaultSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  assert.ok(!denied(admin).includes('mount'));
  assert.ok(denied(admin).includes('keyctl'));
  assert.ok(!admin.syscalls!.some((s) => s.names[0] === 'clone'));
});

test('Docker-format profiles: names/name, includes and excludes by capability, archMap', () => {
  const text = JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }, { architecture: 'SCMP_ARCH_AARCH64' }],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { name: 'mount', action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['chown'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN'] } },
    ],
  });
  const p = seccompFromProfile(text, ['CAP_CHOWN']);
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
  assert.deepEqual(p.syscalls!.map((s) => s.names), [['read', 'write'], ['chown']]);
  assert.deepEqual(seccompFromProfile(text, ['CAP_SYS_ADMIN']).syscalls!.map((s) => s.names), [['read', 'write'], ['mount']]);
  assert.throws(() => seccompFromProfile('{nope', []), /not valid JSON/);
  assert.throws(() => seccompFromProfile('{}', []), /no defaultAction/);
});

test('security options change the spec: privileged, read-only, no-new-privileges, unconfined', () => {
  const def = applySecurity(defaultSpec(base), resolveSecurity(spec()));
  assert.equal(def.linux.seccomp?.defaultAction, 'SCMP_ACT_ALLOW');
  assert.equal(def.process.noNewPrivileges, false);
  assert.ok(def.linux.maskedPaths!.includes('/proc/kcore'));

  const priv = applySecurity(defaultSpec(base), resolveSecurity(spec({ privileged: true })));
  assert.equal(priv.linux.seccomp, undefined);
  assert.deepEqual(priv.linux.maskedPaths, []);
  assert.deepEqual(priv.linux.readonlyPaths, []);
  assert.ok(!priv.mounts.find((m) => m.type === 'sysfs')!.options!.includes('ro'));
  // an explicit profile still applies under --privileged, as in Docker
  assert.ok(resolveSecurity(spec({ privileged: true, securityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] })).seccomp);

  const ro = applySecurity(defaultSpec(base), resolveSecurity(spec({ readOnly: true, securityOpt: ['no-new-privileges', 'seccomp=unconfined'] })));
  assert.equal(ro.root.readonly, true);
  assert.equal(ro.process.noNewPrivileges, true);
  assert.equal(ro.linux.seccomp, undefined);
  assert.equal(resolveSecurity(spec({ securityOpt: ['no-new-privileges:false'] })).noNewPrivileges, false);
  assert.throws(() => resolveSecurity(spec({ securityOpt: ['apparmor=x'] })), /invalid --security-opt "apparmor=x"/);
  assert.throws(() => resolveSecurity(spec({ securityOpt: ['no-new-privileges=maybe'] })), /want true or false/);
});

test('v1 devices: deny all, then one allow rule per write; privileged allows all', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-devices-'));
  try {
    const writes: string[] = [];
    const orig = fs.promises.writeFile;
    // record each write (the kernel takes one rule per write)
    (fs.promises as { writeFile: unknown }).writeFile = async (p: string, v: string) => {
      writes.push(`${path.basename(p)} ${v}`);
      return orig(p, v);
    };
    try {
      await applyDevicesV1(dir, { devices: 'default' });
      await applyDevicesV1(dir, {});
      await applyDevicesV1(dir, { devices: 'all' });
    } finally {
      (fs.promises as { writeFile: unknown }).writeFile = orig;
    }
    assert.deepEqual(writes, ['devices.deny a', ...DEFAULT_DEVICE_RULES.map((r) => `devices.allow ${r}`), 'devices.allow a']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('no device filter (cgroup v2): CAP_MKNOD goes unless asked for', () => {
  const base = spec();
  it('the default set loses CAP_MKNOD; --cap-add MKNOD, ALL and --privileged keep it', () => {
    const caps = (o: Partial<RunSpec>) => withoutMknod(resolveSecurity(spec(o)), o.capAdd ?? []).capabilities;
    assert.ok(resolveSecurity(base).capabilities.includes('CAP_MKNOD'), 'Docker default has it');
    assert.ok(!caps({}).includes('CAP_MKNOD'));
    assert.ok(caps({}).includes('CAP_CHOWN'), 'nothing else is dropped');
    assert.ok(caps({ capAdd: ['mknod'] }).includes('CAP_MKNOD'));
    assert.ok(caps({ capAdd: ['ALL'] }).includes('CAP_MKNOD'));
    assert.ok(caps({ privileged: true }).includes('CAP_MKNOD'));
  });
  it('the bundle built for a v2 host has no CAP_MKNOD, for a v1 host it has', () => {
    const rec = { spec: spec(), config: { args: ['sh'], env: [], workingDir: '/', hostname: 'h', tty: false, openStdin: false } } as unknown as Parameters<typeof buildSpec>[1];
    const extras = { rootfsMount: { type: 'overlay', source: 'overlay', options: [] }, cgroupProcs: [], logPath: '/x', waitForAttach: false };
    const bounding = (noDeviceFilter: boolean) => (buildSpec('/tmp/b', rec, { ...extras, noDeviceFilter }).process as { capabilities: { bounding: string[] } }).capabilities.bounding;
    assert.ok(bounding(false).includes('CAP_MKNOD'));
    assert.ok(!bounding(true).includes('CAP_MKNOD'));
  });
});
