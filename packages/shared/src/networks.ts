// Networks, published ports and mounts as they cross process boundaries, plus the parsers for
// Docker's `-p`, `-v`, `--mount` and `--tmpfs` syntax (pure: the CLI and the dashboard share them).
import { z } from 'zod';

export const NetworkName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'network name must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 64 characters)');

export const VolumeName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'volume name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*');

const Ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address');
const Cidr = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/, 'must be an IPv4 subnet like 10.89.1.0/24');

/** One `-p`: hostPort absent means "pick a free one". */
export const PortSpec = z.object({
  hostIp: Ipv4.optional(),
  hostPort: z.number().int().min(1).max(65535).optional(),
  containerPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
});
export type PortSpec = z.input<typeof PortSpec>;

/** A published port as it is bound now. */
export const PortBinding = z.object({
  hostIp: z.string(),
  hostPort: z.number().int(),
  containerPort: z.number().int(),
  protocol: z.enum(['tcp', 'udp']),
});
export type PortBinding = z.infer<typeof PortBinding>;

/** One `-v`, `--mount` or `--tmpfs`. For volumes an absent source makes an anonymous volume. */
export const MountSpec = z.object({
  type: z.enum(['volume', 'bind', 'tmpfs']),
  source: z.string().optional(),
  target: z.string().regex(/^\/[^\0]*$/, 'mount target must be an absolute path'),
  readOnly: z.boolean().default(false),
  /** tmpfs size in bytes */
  tmpfsSize: z.number().int().positive().optional(),
  /** volume: do not fill a new volume from the image */
  noCopy: z.boolean().default(false),
});
export type MountSpec = z.input<typeof MountSpec>;

export const NetworkCreate = z.object({
  name: NetworkName,
  subnet: Cidr.optional(),
  gateway: Ipv4.optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type NetworkCreate = z.input<typeof NetworkCreate>;

export const NetworkEndpointView = z.object({
  containerId: z.string(),
  containerName: z.string(),
  ipAddress: z.string(),
  macAddress: z.string(),
  aliases: z.array(z.string()),
});

export const NetworkSummary = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.string(), // bridge | host | null
  bridge: z.string().nullable(),
  subnet: z.string().nullable(),
  gateway: z.string().nullable(),
  createdAt: z.string(),
  builtin: z.boolean(),
  containers: z.number().int(),
});
export type NetworkSummary = z.infer<typeof NetworkSummary>;

export const NetworkInspect = NetworkSummary.extend({
  labels: z.record(z.string(), z.string()),
  endpoints: z.array(NetworkEndpointView),
});
export type NetworkInspect = z.infer<typeof NetworkInspect>;

export const VolumeSummary = z.object({
  name: z.string(),
  driver: z.string(),
  mountpoint: z.string(),
  createdAt: z.string(),
  anonymous: z.boolean(),
  labels: z.record(z.string(), z.string()),
  /** containers (any state) that mount it */
  usedBy: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;

export const VolumeCreate = z.object({ name: VolumeName.optional(), labels: z.record(z.string(), z.string()).default({}) });
export type VolumeCreate = z.input<typeof VolumeCreate>;

/** Network settings of a container, for inspect and the dashboard. */
export const ContainerNetworkSettings = z.object({
  networks: z.record(
    z.string(),
    z.object({ ipAddress: z.string(), prefixLen: z.number().int(), gateway: z.string(), macAddress: z.string(), aliases: z.array(z.string()) }),
  ),
  ports: z.array(PortBinding),
});
export type ContainerNetworkSettings = z.infer<typeof ContainerNetworkSettings>;

export const ContainerMountView = z.object({
  type: z.enum(['volume', 'bind', 'tmpfs']),
  name: z.string().optional(),
  source: z.string(),
  destination: z.string(),
  rw: z.boolean(),
});

// ---- flag parsers (throw Error with a message naming the flag) ---------------------------------

function port(v: string, what: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new Error(`invalid ${what} "${v}": want a port number 1-65535`);
  return Number(v);
}

/**
 * Docker's `-p`: `[ip:][hostPort:]containerPort[/tcp|/udp]`, also `ip::containerPort`. Port ranges
 * (`8000-8010:80`) expand one to one.
 */
export function parsePublish(s: string): PortSpec[] {
  const bad = (why: string) => new Error(`invalid publish spec "${s}": ${why} (want [ip:][hostPort:]containerPort[/tcp|/udp])`);
  let rest = s.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw bad(`unknown protocol "${p}"`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  if (parts.length > 3 || parts.some((p, i) => p === '' && !(parts.length === 3 && i === 1))) throw bad('malformed');
  const [ip, hostPart, contPart] = parts.length === 3 ? parts : parts.length === 2 ? [undefined, parts[0], parts[1]] : [undefined, undefined, parts[0]];
  if (ip !== undefined && !Ipv4.safeParse(ip).success) throw bad(`"${ip}" is not an IPv4 address`);
  const range = (v: string, what: string): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(v);
    if (!m) throw bad(`"${v}" is not a port`);
    const a = port(m[1], what);
    const b = m[2] ? port(m[2], what) : a;
    if (b < a) throw bad(`port range ${v} is reversed`);
    return [a, b];
  };
  const [c0, c1] = range(contPart!, 'container port');
  const host = hostPart ? range(hostPart, 'host port') : undefined;
  if (host && host[1] - host[0] !== c1 - c0) throw bad('host and container port ranges differ in size');
  const out: PortSpec[] = [];
  for (let i = 0; i <= c1 - c0; i++) {
    out.push({ ...(ip && ip !== '0.0.0.0' ? { hostIp: ip } : {}), ...(host ? { hostPort: host[0] + i } : {}), containerPort: c0 + i, protocol });
  }
  return out;
}

/** Docker's `-v`: `NAME:/path[:ro]`, `/host/path:/path[:ro|rw]`, or `/path` (anonymous volume). */
export function parseVolumeFlag(s: string): MountSpec {
  const bad = (why: string) => new Error(`invalid volume spec "${s}": ${why} (want NAME:/path[:ro], /host/path:/path[:ro] or /path)`);
  const parts = s.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw bad('malformed');
  let readOnly = false;
  if (parts.length === 3) {
    const mode = parts[2].split(',');
    for (const m of mode) {
      if (m === 'ro') readOnly = true;
      else if (m !== 'rw' && m !== 'z' && m !== 'Z' && m !== 'nocopy') throw bad(`unknown mode "${m}"`);
    }
  }
  if (parts.length === 1) {
    if (!parts[0].startsWith('/')) throw bad('a lone path must be absolute');
    return { type: 'volume', target: normTarget(parts[0], bad), readOnly: false, noCopy: false };
  }
  const [src, dst] = parts;
  if (!dst.startsWith('/')) throw bad('the container path must be absolute');
  if (src.startsWith('/')) return { type: 'bind', source: src, target: normTarget(dst, bad), readOnly, noCopy: false };
  if (!VolumeName.safeParse(src).success) throw bad(`"${src}" is neither an absolute host path nor a valid volume name`);
  return { type: 'volume', source: src, target: normTarget(dst, bad), readOnly, noCopy: parts[2]?.split(',').includes('nocopy') ?? false };
}

/** Docker's `--mount type=volume|bind|tmpfs,source=..,target=..[,readonly][,tmpfs-size=..]`. */
export function parseMountFlag(s: string): MountSpec {
  const bad = (why: string) => new Error(`invalid mount spec "${s}": ${why}`);
  const kv = new Map<string, string>();
  for (const field of s.split(',')) {
    if (!field) throw bad('empty field');
    const i = field.indexOf('=');
    kv.set((i < 0 ? field : field.slice(0, i)).toLowerCase(), i < 0 ? 'true' : field.slice(i + 1));
  }
  const type = kv.get('type') ?? 'volume';
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') throw bad(`unknown type "${type}": want volume, bind or tmpfs`);
  const source = kv.get('source') ?? kv.get('src');
  const target = kv.get('target') ?? kv.get('destination') ?? kv.get('dst');
  if (!target) throw bad('target is required');
  if (!target.startsWith('/')) throw bad('target must be an absolute path');
  const ro = kv.get('readonly') ?? kv.get('ro');
  const readOnly = ro !== undefined && ro !== 'false' && ro !== '0';
  const known = new Set(['type', 'source', 'src', 'target', 'destination', 'dst', 'readonly', 'ro', 'tmpfs-size', 'volume-nocopy', 'bind-propagation']);
  for (const k of kv.keys()) if (!known.has(k)) throw bad(`unknown field "${k}"`);
  if (type === 'bind') {
    if (!source || !source.startsWith('/')) throw bad('a bind mount needs an absolute source path');
    return { type, source, target: normTarget(target, bad), readOnly, noCopy: false };
  }
  if (type === 'tmpfs') {
    if (source) throw bad('a tmpfs mount takes no source');
    const size = kv.get('tmpfs-size');
    if (size !== undefined && !/^\d+$/.test(size)) throw bad(`tmpfs-size "${size}" must be a number of bytes`);
    return { type, target: normTarget(target, bad), readOnly, noCopy: false, ...(size ? { tmpfsSize: Number(size) } : {}) };
  }
  if (source !== undefined && !VolumeName.safeParse(source).success) throw bad(`"${source}" is not a valid volume name`);
  return { type, ...(source ? { source } : {}), target: normTarget(target, bad), readOnly, noCopy: kv.has('volume-nocopy') && kv.get('volume-nocopy') !== 'false' };
}

/** Docker's `--tmpfs /path[:opts]` (only size= is understood among the options). */
export function parseTmpfsFlag(s: string): MountSpec {
  const bad = (why: string) => new Error(`invalid tmpfs spec "${s}": ${why}`);
  const i = s.indexOf(':');
  const target = i < 0 ? s : s.slice(0, i);
  if (!target.startsWith('/')) throw bad('the path must be absolute');
  let tmpfsSize: number | undefined;
  let readOnly = false;
  for (const o of i < 0 ? [] : s.slice(i + 1).split(',')) {
    const m = /^size=(\d+)([kmg]?)$/i.exec(o);
    if (m) tmpfsSize = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2].toLowerCase()];
    else if (o === 'ro') readOnly = true;
    else if (!['rw', 'noexec', 'exec', 'nosuid', 'nodev'].includes(o) && !/^mode=[0-7]{3,4}$/.test(o)) throw bad(`unknown option "${o}"`);
  }
  return { type: 'tmpfs', target: normTarget(target, bad), readOnly, noCopy: false, ...(tmpfsSize ? { tmpfsSize } : {}) };
}

function normTarget(t: string, bad: (why: string) => Error): string {
  const parts = t.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw bad('the container path may not contain ".."');
  if (parts.length === 0) throw bad('cannot mount over /');
  return '/' + parts.join('/');
}
