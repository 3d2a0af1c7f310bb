// Pure translations between Docker's API shapes and Berth's: the create body becomes a RunSpec,
// Berth's container/image/network/volume views become the JSON the docker CLI and SDKs read.
import type {
  ContainerInspect,
  ContainerSummary,
  ImageInspect,
  ImageSummary,
  MountSpec,
  NetworkInspect,
  NetworkSummary,
  PortBinding,
  PortSpec,
  RunSpec,
  UpdateSpec,
  VolumeSummary,
} from '@berth/shared';
import { DockerApiError, unixSeconds } from './http-util';

const ZERO_TIME = '0001-01-01T00:00:00Z';

interface DockerCreateBody {
  Image?: string;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  Labels?: Record<string, string> | null;
  HostConfig?: {
    Memory?: number;
    NanoCpus?: number;
    CpuQuota?: number;
    CpuPeriod?: number;
    PidsLimit?: number | null;
    NetworkMode?: string;
    AutoRemove?: boolean;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    PublishAllPorts?: boolean;
    Binds?: string[] | null;
    Mounts?: { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean; TmpfsOptions?: { SizeBytes?: number } }[] | null;
    Tmpfs?: Record<string, string> | null;
    Privileged?: boolean;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    ReadonlyRootfs?: boolean;
    SecurityOpt?: string[] | null;
    ConsoleSize?: [number, number] | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
    MemorySwap?: number;
    Devices?: { PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string }[] | null;
    Sysctls?: Record<string, string> | null;
    LogConfig?: { Type?: string; Config?: Record<string, string> | null } | null;
    /** "" or "host": no user namespace; "remap": Berth's per-container userns-remap */
    UsernsMode?: string;
    Init?: boolean | null;
  };
  Healthcheck?: DockerHealthConfig | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] | null } | null> | null };
}

/** Docker's HealthConfig: durations in nanoseconds, 0 = inherit */
interface DockerHealthConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

/** Config.Healthcheck as RunSpec.healthcheck (RunSpec validates the test's form). */
export function healthcheckOfBody(h: DockerHealthConfig | null | undefined): RunSpec['healthcheck'] {
  if (!h) return undefined;
  const ms = (ns: number | undefined) => (typeof ns === 'number' && ns > 0 ? Math.max(1, Math.round(ns / 1e6)) : undefined);
  const out: NonNullable<RunSpec['healthcheck']> = {};
  if (h.Test && h.Test.length) out.test = h.Test;
  if (ms(h.Interval)) out.intervalMs = ms(h.Interval);
  if (ms(h.Timeout)) out.timeoutMs = ms(h.Timeout);
  if (ms(h.StartPeriod)) out.startPeriodMs = ms(h.StartPeriod);
  if (typeof h.Retries === 'number' && h.Retries > 0) out.retries = h.Retries;
  return Object.keys(out).length ? out : undefined;
}

/** Berth's healthcheck (ms) as Docker's HealthConfig (ns). */
function dockerHealthConfig(h: { test?: string[]; intervalMs?: number; timeoutMs?: number; startPeriodMs?: number; retries?: number } | undefined) {
  if (!h) return undefined;
  return {
    Test: h.test ?? [],
    ...(h.intervalMs ? { Interval: h.intervalMs * 1e6 } : {}),
    ...(h.timeoutMs ? { Timeout: h.timeoutMs * 1e6 } : {}),
    ...(h.startPeriodMs ? { StartPeriod: h.startPeriodMs * 1e6 } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
  };
}

const strList = (v: string[] | string | null | undefined): string[] | undefined =>
  v === undefined || v === null ? undefined : Array.isArray(v) ? v : [v];

/** HostConfig.RestartPolicy as Berth's restart policy (Docker's "" means no). */
export function restartPolicyOf(p: { Name?: string; MaximumRetryCount?: number } | null | undefined): RunSpec['restartPolicy'] {
  const name = p?.Name || 'no';
  if (!['no', 'on-failure', 'always', 'unless-stopped'].includes(name)) throw new DockerApiError(400, `invalid restart policy "${name}": want no, always, unless-stopped or on-failure`);
  if (name === 'no') return undefined;
  return { name: name as 'always', maximumRetryCount: name === 'on-failure' ? (p?.MaximumRetryCount ?? 0) : 0 };
}

/** Docker's `POST /containers/{id}/update` body as Berth's UpdateSpec. */
export function updateBodyToSpec(body: {
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  PidsLimit?: number | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
}): UpdateSpec {
  const out: UpdateSpec = {};
  if (body.Memory) out.memoryBytes = body.Memory;
  if (body.MemorySwap) out.memorySwapBytes = body.MemorySwap;
  if (body.NanoCpus) out.nanoCpus = body.NanoCpus;
  else if (body.CpuQuota && body.CpuQuota > 0) out.nanoCpus = Math.round((body.CpuQuota / (body.CpuPeriod || 100_000)) * 1e9);
  if (body.PidsLimit && body.PidsLimit > 0) out.pidsLimit = body.PidsLimit;
  if (body.RestartPolicy && body.RestartPolicy.Name !== undefined) out.restartPolicy = restartPolicyOf(body.RestartPolicy) ?? { name: 'no', maximumRetryCount: 0 };
  return out;
}

/** Docker's `POST /containers/create` body (and ?name=) as a RunSpec; the engine validates it. */
export function createBodyToRunSpec(body: DockerCreateBody, name: string | undefined): RunSpec {
  if (!body.Image) throw new DockerApiError(400, 'config.Image is required');
  const hc = body.HostConfig ?? {};
  const cmd = strList(body.Cmd);
  const entrypoint = strList(body.Entrypoint);
  const publish: PortSpec[] = [];
  for (const [key, binds] of Object.entries(hc.PortBindings ?? {})) {
    const [p, proto] = key.split('/');
    for (const b of binds ?? [{}]) {
      publish.push({
        containerPort: Number(p),
        protocol: proto === 'udp' ? 'udp' : 'tcp',
        hostIp: b.HostIp || undefined,
        hostPort: b.HostPort ? Number(b.HostPort) : undefined,
      });
    }
  }
  const mounts: MountSpec[] = [];
  for (const bind of hc.Binds ?? []) {
    const parts = bind.split(':');
    if (parts.length < 2) throw new DockerApiError(400, `invalid bind "${bind}": want SOURCE:TARGET[:ro]`);
    const [source, target, mode = ''] = parts;
    mounts.push({ type: source.startsWith('/') ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') });
  }
  for (const m of hc.Mounts ?? []) {
    const type = m.Type === 'bind' || m.Type === 'tmpfs' ? m.Type : 'volume';
    mounts.push({ type, source: m.Source || undefined, target: m.Target ?? '', readOnly: m.ReadOnly ?? false, tmpfsSize: m.TmpfsOptions?.SizeBytes || undefined });
  }
  for (const [target, opts] of Object.entries(hc.Tmpfs ?? {})) {
    const size = /(?:^|,)size=(\d+)([kmg]?)/i.exec(opts);
    const mult = size ? { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[size[2].toLowerCase() as '' | 'k' | 'm' | 'g'] : 0;
    mounts.push({ type: 'tmpfs', target, tmpfsSize: size ? Number(size[1]) * mult : undefined });
  }
  const network = !hc.NetworkMode || hc.NetworkMode === 'default' ? 'bridge' : hc.NetworkMode;
  const aliases = Object.values(body.NetworkingConfig?.EndpointsConfig ?? {}).flatMap((e) => e?.Aliases ?? []);
  let nanoCpus = hc.NanoCpus || undefined;
  if (!nanoCpus && hc.CpuQuota && hc.CpuQuota > 0) nanoCpus = Math.round((hc.CpuQuota / (hc.CpuPeriod || 100_000)) * 1e9);
  return {
    image: body.Image,
    name,
    cmd: cmd && cmd.length ? cmd : undefined,
    entrypoint: entrypoint && (entrypoint.length > 0 || body.Entrypoint !== undefined) ? entrypoint : undefined,
    env: body.Env ?? [],
    workingDir: body.WorkingDir || undefined,
    user: body.User || undefined,
    hostname: body.Hostname || undefined,
    tty: body.Tty ?? false,
    openStdin: body.OpenStdin ?? false,
    labels: body.Labels ?? {},
    autoRemove: hc.AutoRemove ?? false,
    memoryBytes: hc.Memory || undefined,
    memorySwapBytes: hc.Memory && hc.MemorySwap ? hc.MemorySwap : undefined,
    nanoCpus,
    restartPolicy: restartPolicyOf(hc.RestartPolicy),
    stopSignal: body.StopSignal || undefined,
    stopTimeout: typeof body.StopTimeout === 'number' && body.StopTimeout >= 0 ? body.StopTimeout : undefined,
    pidsLimit: hc.PidsLimit && hc.PidsLimit > 0 ? hc.PidsLimit : undefined,
    network,
    networkAliases: aliases,
    publish,
    publishAll: hc.PublishAllPorts ?? false,
    mounts,
    privileged: hc.Privileged ?? false,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    securityOpt: hc.SecurityOpt ?? [],
    readOnly: hc.ReadonlyRootfs ?? false,
    devices: (hc.Devices ?? []).map((d) => ({
      pathOnHost: d.PathOnHost ?? '',
      pathInContainer: d.PathInContainer || d.PathOnHost || '',
      permissions: d.CgroupPermissions || 'rwm',
    })),
    sysctls: hc.Sysctls ?? {},
    ...logConfigOf(hc.LogConfig),
    // Docker's "" means the daemon default, which is host here; anything else the RunSpec schema checks
    ...(hc.UsernsMode ? { userns: hc.UsernsMode as 'host' | 'remap' } : {}),
    ...(hc.Init ? { init: true } : {}),
    ...(healthcheckOfBody(body.Healthcheck) ? { healthcheck: healthcheckOfBody(body.Healthcheck) } : {}),
  };
}

/** HostConfig.LogConfig ("" is the default driver, json-file); RunSpec validates the options. */
function logConfigOf(lc: { Type?: string; Config?: Record<string, string> | null } | null | undefined): Pick<RunSpec, 'logConfig'> {
  const type = lc?.Type || 'json-file';
  const config = lc?.Config ?? {};
  if (type === 'json-file' && Object.keys(config).length === 0) return {};
  return { logConfig: { type, config } };
}

function dockerPorts(ports: PortBinding[] | undefined) {
  return (ports ?? []).map((p) => ({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol }));
}

function portMap(ports: PortBinding[] | undefined): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports ?? []) (out[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return out;
}

export function containerSummary(c: ContainerSummary, networkMode = 'bridge') {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.image,
    ImageID: c.imageId,
    Command: c.command,
    Created: unixSeconds(c.createdAt),
    Ports: dockerPorts(c.ports),
    Labels: {},
    State: c.state,
    Status: c.status,
    HostConfig: { NetworkMode: networkMode },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

export function containerInspect(c: ContainerInspect) {
  const running = c.state === 'running';
  const nets = c.networkSettings?.networks ?? {};
  const first = Object.values(nets)[0];
  return {
    Id: c.id,
    Created: c.createdAt,
    Path: c.path,
    Args: c.args,
    State: {
      Status: c.paused && c.state === 'running' ? 'paused' : c.state,
      Running: running,
      Paused: c.paused ?? false,
      Restarting: false,
      OOMKilled: c.oomKilled,
      Dead: c.state === 'dead',
      Pid: running ? (c.pid ?? 0) : 0,
      ExitCode: c.exitCode ?? 0,
      Error: '',
      StartedAt: c.startedAt ?? ZERO_TIME,
      FinishedAt: c.finishedAt ?? ZERO_TIME,
      ...(c.health
        ? {
            Health: {
              Status: c.health.status,
              FailingStreak: c.health.failingStreak,
              Log: c.health.log.map((l) => ({ Start: l.start, End: l.end, ExitCode: l.exitCode, Output: l.output })),
            },
          }
        : {}),
    },
    Image: c.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: c.logPath,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      Memory: c.hostConfig.memory,
      NanoCpus: c.hostConfig.nanoCpus,
      PidsLimit: c.hostConfig.pidsLimit,
      NetworkMode: c.hostConfig.networkMode,
      AutoRemove: c.hostConfig.autoRemove,
      Privileged: c.hostConfig.privileged ?? false,
      ReadonlyRootfs: c.hostConfig.readonlyRootfs ?? false,
      CapAdd: c.hostConfig.capAdd ?? null,
      CapDrop: c.hostConfig.capDrop ?? null,
      SecurityOpt: c.hostConfig.securityOpt ?? null,
      Devices: (c.hostConfig.devices ?? []).map((d) => ({ PathOnHost: d.pathOnHost, PathInContainer: d.pathInContainer, CgroupPermissions: d.permissions })),
      Sysctls: c.hostConfig.sysctls && Object.keys(c.hostConfig.sysctls).length ? c.hostConfig.sysctls : null,
      UsernsMode: c.hostConfig.usernsMode === 'remap' ? 'remap' : '',
      PortBindings: portMap(c.networkSettings?.ports),
      Binds: null,
      RestartPolicy: { Name: c.hostConfig.restartPolicy?.name ?? 'no', MaximumRetryCount: c.hostConfig.restartPolicy?.maximumRetryCount ?? 0 },
      MemorySwap: c.hostConfig.memorySwap ?? 0,
      LogConfig: { Type: c.hostConfig.logConfig?.type ?? 'json-file', Config: c.hostConfig.logConfig?.config ?? {} },
      Init: c.hostConfig.init ? true : null,
    },
    GraphDriver: { Name: 'overlay', Data: null },
    Mounts: (c.mounts ?? []).map((m) => ({
      Type: m.type,
      Name: m.name,
      Source: m.source,
      Destination: m.destination,
      Driver: m.type === 'volume' ? 'local' : '',
      Mode: '',
      RW: m.rw,
      Propagation: '',
    })),
    Config: {
      Hostname: c.config.hostname,
      Domainname: '',
      User: c.config.user,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: c.config.tty,
      OpenStdin: c.config.openStdin,
      StdinOnce: false,
      Env: c.config.env,
      Cmd: c.config.cmd,
      Image: c.image,
      Volumes: null,
      WorkingDir: c.config.workingDir,
      Entrypoint: c.config.entrypoint,
      OnBuild: null,
      Labels: c.config.labels,
      StopSignal: c.config.stopSignal,
      ...(c.config.healthcheck ? { Healthcheck: dockerHealthConfig(c.config.healthcheck) } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      Ports: portMap(c.networkSettings?.ports),
      IPAddress: first?.ipAddress ?? '',
      IPPrefixLen: first?.prefixLen ?? 0,
      Gateway: first?.gateway ?? '',
      MacAddress: first?.macAddress ?? '',
      Networks: Object.fromEntries(
        Object.entries(nets).map(([name, n]) => [
          name,
          { IPAddress: n.ipAddress, IPPrefixLen: n.prefixLen, Gateway: n.gateway, MacAddress: n.macAddress, Aliases: n.aliases, NetworkID: '', EndpointID: '' },
        ]),
      ),
    },
  };
}

export function imageSummary(i: ImageSummary) {
  return {
    Id: i.id,
    ParentId: '',
    RepoTags: i.repoTags,
    RepoDigests: [],
    Created: unixSeconds(i.created),
    Size: i.size,
    VirtualSize: i.size,
    SharedSize: -1,
    Labels: {},
    Containers: -1,
  };
}

function portSet(ports: string[]): Record<string, object> | null {
  if (!ports.length) return null;
  return Object.fromEntries(ports.map((p) => [p.includes('/') ? p : `${p}/tcp`, {}]));
}

export function imageInspect(i: ImageInspect) {
  const config = {
    Hostname: '',
    Domainname: '',
    User: i.config.user ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: portSet(i.config.exposedPorts),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: i.config.env,
    Cmd: i.config.cmd,
    Image: '',
    Volumes: i.config.volumes.length ? Object.fromEntries(i.config.volumes.map((v) => [v, {}])) : null,
    WorkingDir: i.config.workingDir ?? '',
    Entrypoint: i.config.entrypoint,
    OnBuild: null,
    Labels: i.config.labels,
    StopSignal: i.config.stopSignal,
    ...(i.config.healthcheck ? { Healthcheck: dockerHealthConfig(i.config.healthcheck) } : {}),
  };
  return {
    Id: i.id,
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Parent: '',
    Comment: '',
    Created: i.created ?? ZERO_TIME,
    DockerVersion: '',
    Author: '',
    Config: config,
    ContainerConfig: config,
    Architecture: i.architecture,
    Os: i.os,
    Size: i.size,
    VirtualSize: i.size,
    GraphDriver: { Name: 'overlay', Data: null },
    RootFS: { Type: 'layers', Layers: i.rootfs.diffIds },
    Metadata: { LastTagTime: ZERO_TIME },
  };
}

export function networkView(n: NetworkSummary | NetworkInspect) {
  const endpoints = 'endpoints' in n ? n.endpoints : [];
  return {
    Name: n.name,
    Id: n.id,
    Created: n.createdAt,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway ?? undefined }] : [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      endpoints.map((e) => [e.containerId, { Name: e.containerName, EndpointID: '', MacAddress: e.macAddress, IPv4Address: e.ipAddress, IPv6Address: '' }]),
    ),
    Options: n.bridge ? { 'com.docker.network.bridge.name': n.bridge } : {},
    Labels: 'labels' in n ? n.labels : {},
  };
}

export function volumeView(v: VolumeSummary) {
  return {
    Name: v.name,
    Driver: v.driver,
    Mountpoint: v.mountpoint,
    CreatedAt: v.createdAt,
    Labels: v.labels,
    Scope: 'local',
    Options: null,
    UsageData: { Size: -1, RefCount: v.usedBy.length },
  };
}
