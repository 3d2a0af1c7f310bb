// Writes the OCI bundle (config.json) the native helper starts a container from. The same file
// runs under crun or runc for differential tests; Berth-only settings live under "berth".
import fs from 'node:fs';
import path from 'node:path';
import { logRotation } from '@berth/shared';
import { defaultSpec } from '../oci/default-spec';
import { applyDevicesAndSysctls, resolveDevices } from '../oci/devices';
import { applySecurity, resolveSecurity } from '../oci/security';
import { applyUserns, resolveRemap } from '../oci/userns';
import type { OciMount } from '../oci/types';
import type { ResolvedDevice } from '../oci/devices';
import type { ContainerRecord } from './record';

export interface BundleExtras {
  rootfsMount: { type: string; source: string; options: string[] };
  cgroupProcs: string[];
  logPath: string;
  waitForAttach: boolean;
  /** set by the network service: join this namespace / share the host's */
  netnsPath?: string;
  hostNetwork?: boolean;
  /** volumes, binds, tmpfs */
  extraMounts?: OciMount[];
  /** --device, as stat'ed when the cgroup was made (so node and rule agree) */
  devices?: ResolvedDevice[];
  /** --init: the host's berth-init, which the helper starts as PID 1 from a sealed copy */
  initPath?: string;
  /**
   * the cgroup cannot limit device access (cgroup v2 without Berth's eBPF device filter): the
   * container then loses CAP_MKNOD unless it asked for it (--cap-add MKNOD|ALL) or is privileged,
   * so it cannot make a node for a host disk the way the device list would have stopped it
   */
  noDeviceFilter?: boolean;
}

/** Drops CAP_MKNOD where no device filter stands behind it (see BundleExtras.noDeviceFilter). */
export function withoutMknod(sec: ReturnType<typeof resolveSecurity>, capAdd: string[]): ReturnType<typeof resolveSecurity> {
  const asked = capAdd.some((c) => ['MKNOD', 'CAP_MKNOD', 'ALL'].includes(c.trim().toUpperCase()));
  if (sec.privileged || asked) return sec;
  return { ...sec, capabilities: sec.capabilities.filter((c) => c !== 'CAP_MKNOD') };
}

export function buildSpec(dir: string, rec: ContainerRecord, extras: BundleExtras) {
  const spec = defaultSpec({
    rootPath: path.join(dir, 'rootfs'),
    args: rec.config.args,
    env: rec.config.env,
    cwd: rec.config.workingDir,
    hostname: rec.config.hostname,
    terminal: rec.config.tty,
    hostNetwork: extras.hostNetwork ?? rec.spec.network === 'host',
    netnsPath: extras.netnsPath,
    extraMounts: extras.extraMounts,
    hostnamePath: path.join(dir, 'hostname'),
    hostsPath: path.join(dir, 'hosts'),
    resolvConfPath: path.join(dir, 'resolv.conf'),
  });
  const rotation = logRotation(rec.spec.logConfig);
  spec.berth = {
    rootfsMount: extras.rootfsMount,
    cgroupProcs: extras.cgroupProcs,
    logPath: extras.logPath,
    ...(rotation.maxSize ? { logMaxSize: rotation.maxSize, logMaxFile: rotation.maxFile } : {}),
    openStdin: rec.config.openStdin,
    waitForAttach: extras.waitForAttach,
    ...(rec.config.user ? { user: rec.config.user } : {}),
    ...(extras.initPath ? { initPath: extras.initPath } : {}),
  };
  // --privileged, --cap-add/--cap-drop, --security-opt, --read-only (records from before these
  // options parse to Docker's defaults)
  const security = resolveSecurity(rec.spec);
  applySecurity(spec, extras.noDeviceFilter ? withoutMknod(security, rec.spec.capAdd ?? []) : security);
  // --device, --sysctl
  applyDevicesAndSysctls(spec, extras.devices ?? resolveDevices(rec.spec), rec.spec.sysctls ?? {});
  // --userns=remap
  if (rec.spec.userns === 'remap') applyUserns(spec, rec.userns ?? resolveRemap());
  return spec;
}

export function writeBundle(dir: string, rec: ContainerRecord, extras: BundleExtras): void {
  const spec = buildSpec(dir, rec, extras);
  const tmp = path.join(dir, 'config.json.tmp');
  fs.writeFileSync(tmp, JSON.stringify(spec, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, 'config.json'));
}
