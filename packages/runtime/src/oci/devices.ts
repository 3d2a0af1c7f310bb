// --device and --sysctl: what the user asked for, checked against the host before anything is
// created, and turned into the OCI config's linux.devices / linux.sysctl plus the devices cgroup's
// extra allow rules. The host device path is the caller's (as with a bind source); the path in the
// container is only ever resolved inside the container's root, by the helper.
import fs from 'node:fs';
import type { RunSpecParsed } from '@berth/shared';
import { invalid } from '../errors';
import type { OciDevice, OciSpec } from './types';

export interface ResolvedDevice extends OciDevice {
  /** the devices cgroup rule: "c 1:3 rw" */
  rule: string;
}

/** Stats every --device on the host: it must exist and be a character or block device. */
export function resolveDevices(spec: Pick<RunSpecParsed, 'devices'>): ResolvedDevice[] {
  return (spec.devices ?? []).map((d) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(d.pathOnHost);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw invalid(`error gathering device information while adding custom device "${d.pathOnHost}": ${code === 'ENOENT' ? 'no such file or directory' : code ?? (e as Error).message}`);
    }
    const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
    if (!type) throw invalid(`error gathering device information while adding custom device "${d.pathOnHost}": not a device node`);
    // glibc's gnu_dev_major/minor
    const rdev = BigInt(st.rdev);
    const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n));
    const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n));
    const permissions = d.permissions ?? 'rwm';
    return {
      path: d.pathInContainer,
      type,
      major,
      minor,
      fileMode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      berthHostPath: d.pathOnHost,
      rule: `${type} ${major}:${minor} ${permissions}`,
    };
  });
}

/** net.* needs the container's own network namespace (Docker refuses it with --network host). */
export function checkSysctls(spec: Pick<RunSpecParsed, 'sysctls' | 'network'>): void {
  for (const key of Object.keys(spec.sysctls ?? {})) {
    if (!key.startsWith('net.')) continue;
    if (spec.network === 'host') throw invalid(`sysctl "${key}" is not allowed with --network host: the container shares the host's network namespace`);
    if (spec.network.startsWith('container:'))
      throw invalid(`sysctl "${key}" is not allowed with --network ${spec.network}: the network namespace belongs to the other container`);
  }
}

export function applyDevicesAndSysctls(spec: OciSpec, devices: ResolvedDevice[], sysctls: Record<string, string>): OciSpec {
  if (devices.length) spec.linux.devices = devices.map(({ rule: _rule, ...d }) => d);
  if (Object.keys(sysctls).length) spec.linux.sysctl = { ...sysctls };
  return spec;
}
