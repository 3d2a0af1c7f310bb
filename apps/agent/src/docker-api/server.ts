// The Docker Engine API on a root-only unix socket: a compat layer over the same Backend the tRPC
// routers use (as podman's compat handlers sit over libpod). Versioned paths (/v1.41/...) and
// unversioned ones route alike; what Berth does not implement answers 501 naming the endpoint.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Backend } from '../backend';
import { VERSION } from '../runtime-backend';
import * as C from './containers';
import type { AdapterState, Ctx, Handler } from './context';
import { DockerApiError, errorMessage, errorStatus, sendError, sendJson } from './http-util';
import * as E from './events';
import * as I from './images';
import * as N from './networks-volumes';
import { systemDf } from './system-df';

export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';

export interface DockerApiServer {
  server: http.Server;
  socketPath: string;
  close(): Promise<void>;
}

const ID = '([^/]+)';
type Route = [method: string, pattern: RegExp, handler: Handler];

const goArch = (a: string) => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' })[a] ?? a;

const ping: Handler = async (ctx) => {
  const res = C.resOf(ctx);
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'api-version': API_VERSION,
    'docker-experimental': 'false',
    ostype: 'linux',
    'builder-version': '1',
    'cache-control': 'no-cache, no-store, must-revalidate',
    pragma: 'no-cache',
  });
  res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
};

const version: Handler = async (ctx) => {
  const v = {
    Platform: { Name: 'Berth' },
    Version: VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: goArch(process.arch),
    KernelVersion: os.release(),
    BuildTime: '',
  };
  sendJson(C.resOf(ctx), 200, { ...v, Components: [{ Name: 'Engine', Version: VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: v.Arch } }] });
};

const info: Handler = async (ctx) => {
  const i = await ctx.backend.info();
  sendJson(C.resOf(ctx), 200, {
    ID: '',
    Containers: i.containers,
    ContainersRunning: i.running,
    ContainersPaused: 0,
    ContainersStopped: i.containers - i.running,
    Images: i.images,
    Driver: 'overlay',
    DriverStatus: [],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: true,
    SwapLimit: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: String(i.cgroupVersion),
    NEventsListener: 0,
    KernelVersion: os.release(),
    OperatingSystem: 'Berth',
    OSVersion: '',
    OSType: 'linux',
    Architecture: os.machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    DockerRootDir: i.dataRoot,
    Name: i.hostname,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: i.version,
    Runtimes: { berth: { path: 'berth-helper' } },
    DefaultRuntime: 'berth',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: '',
    SecurityOptions: ['name=seccomp,profile=builtin', `name=cgroupns`],
    Warnings: [],
  });
};

const routes: Route[] = [
  ['GET', /^\/_ping$/, ping],
  ['HEAD', /^\/_ping$/, ping],
  ['GET', /^\/version$/, version],
  ['GET', /^\/info$/, info],
  ['GET', /^\/events$/, E.streamEvents],
  ['GET', /^\/system\/df$/, systemDf],
  ['POST', /^\/commit$/, C.commitContainer],

  ['GET', /^\/containers\/json$/, C.listContainers],
  ['POST', /^\/containers\/create$/, C.createContainer],
  ['POST', /^\/containers\/prune$/, C.pruneContainers],
  ['GET', new RegExp(`^/containers/${ID}/json$`), C.inspectContainer],
  ['POST', new RegExp(`^/containers/${ID}/start$`), C.startContainer],
  ['POST', new RegExp(`^/containers/${ID}/stop$`), C.stopContainer],
  ['POST', new RegExp(`^/containers/${ID}/restart$`), C.restartContainer],
  ['POST', new RegExp(`^/containers/${ID}/kill$`), C.killContainer],
  ['POST', new RegExp(`^/containers/${ID}/wait$`), C.waitContainer],
  ['DELETE', new RegExp(`^/containers/${ID}$`), C.removeContainer],
  ['GET', new RegExp(`^/containers/${ID}/logs$`), C.containerLogs],
  ['POST', new RegExp(`^/containers/${ID}/attach$`), C.attachContainer],
  ['POST', new RegExp(`^/containers/${ID}/resize$`), C.resizeContainer],
  ['GET', new RegExp(`^/containers/${ID}/stats$`), C.containerStats],
  ['GET', new RegExp(`^/containers/${ID}/top$`), C.topContainer],
  ['POST', new RegExp(`^/containers/${ID}/pause$`), C.pauseContainer],
  ['POST', new RegExp(`^/containers/${ID}/unpause$`), C.unpauseContainer],
  ['POST', new RegExp(`^/containers/${ID}/rename$`), C.renameContainer],
  ['POST', new RegExp(`^/containers/${ID}/update$`), C.updateContainer],
  ['GET', new RegExp(`^/containers/${ID}/changes$`), C.containerChanges],
  ['GET', new RegExp(`^/containers/${ID}/export$`), C.exportContainer],
  ['HEAD', new RegExp(`^/containers/${ID}/archive$`), C.statArchive],
  ['GET', new RegExp(`^/containers/${ID}/archive$`), C.getArchive],
  ['PUT', new RegExp(`^/containers/${ID}/archive$`), C.putArchive],
  ['POST', new RegExp(`^/containers/${ID}/exec$`), C.createExec],
  ['POST', new RegExp(`^/exec/${ID}/start$`), C.startExec],
  ['POST', new RegExp(`^/exec/${ID}/resize$`), C.resizeExec],
  ['GET', new RegExp(`^/exec/${ID}/json$`), C.inspectExec],

  ['GET', /^\/images\/json$/, I.listImages],
  ['POST', /^\/images\/create$/, I.createImage],
  ['POST', /^\/images\/load$/, I.loadImages],
  ['GET', /^\/images\/get$/, I.getImages],
  ['GET', /^\/images\/search$/, I.searchImages],
  ['POST', /^\/images\/prune$/, I.pruneImages],
  // image names contain slashes: these match the longest name before the verb
  ['GET', /^\/images\/(.+)\/json$/, I.inspectImage],
  ['GET', /^\/images\/(.+)\/history$/, I.imageHistory],
  ['GET', /^\/images\/(.+)\/get$/, I.getImage],
  ['POST', /^\/images\/(.+)\/tag$/, I.tagImage],
  ['POST', /^\/images\/(.+)\/push$/, I.pushImage],
  ['DELETE', /^\/images\/(.+)$/, I.removeImage],

  // Berth has no plugins: the list is empty and every name is unknown (inspect's fall-through needs the 404)
  ['GET', /^\/plugins$/, async (ctx) => sendJson(C.resOf(ctx), 200, [])],
  ['GET', /^\/plugins\/(.+)\/json$/, async (ctx) => sendJson(C.resOf(ctx), 404, { message: `plugin ${ctx.params[0]} not found` })],

  ['GET', /^\/networks$/, N.listNetworks],
  ['POST', /^\/networks\/create$/, N.createNetwork],
  ['POST', /^\/networks\/prune$/, N.pruneNetworks],
  ['GET', new RegExp(`^/networks/${ID}$`), N.inspectNetwork],
  ['DELETE', new RegExp(`^/networks/${ID}$`), N.removeNetwork],
  ['POST', new RegExp(`^/networks/${ID}/connect$`), N.connectNetwork],
  ['POST', new RegExp(`^/networks/${ID}/disconnect$`), N.disconnectNetwork],

  ['GET', /^\/volumes$/, N.listVolumes],
  ['POST', /^\/volumes\/create$/, N.createVolume],
  ['POST', /^\/volumes\/prune$/, N.pruneVolumes],
  ['GET', new RegExp(`^/volumes/${ID}$`), N.inspectVolume],
  ['DELETE', new RegExp(`^/volumes/${ID}$`), N.removeVolume],
];

/** Splits `/v1.41/containers/json` into the version and the path the routes know. */
export function splitVersion(pathname: string): { version?: string; path: string } {
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname);
  return m ? { version: m[1], path: m[2] } : { path: pathname };
}

export function route(method: string, pathname: string): { handler: Handler; params: string[] } | undefined {
  for (const [m, re, handler] of routes) {
    if (m !== method) continue;
    const hit = re.exec(pathname);
    if (hit) return { handler, params: hit.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}

function notImplemented(method: string, p: string) {
  return new DockerApiError(501, `berth does not implement ${method} ${p} yet`);
}

function checkVersion(v: string | undefined) {
  if (!v) return;
  const [maj, min] = v.split('.').map(Number);
  const [mmaj, mmin] = MIN_API_VERSION.split('.').map(Number);
  if (maj < mmaj || (maj === mmaj && min < mmin))
    throw new DockerApiError(400, `client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
}

export function createDockerApiHandler(backend: Backend) {
  const state: AdapterState = { execs: new Map(), pendingAttach: new Map(), attached: new Map(), lastExit: new Map() };

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://docker');
      const { version: v, path: p } = splitVersion(url.pathname);
      checkVersion(v);
      res.setHeader('api-version', API_VERSION);
      res.setHeader('server', `Berth/${VERSION} (linux)`);
      const r = route(req.method ?? 'GET', p);
      if (!r) throw notImplemented(req.method ?? 'GET', p);
      await r.handler({ req, res, params: r.params, q: url.searchParams, backend, state });
    } catch (err) {
      req.resume();
      sendError(res, err);
    }
  };

  const onUpgrade = async (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
    const fail = (err: unknown) => {
      const body = JSON.stringify({ message: errorMessage(err) });
      socket.end(`HTTP/1.1 ${errorStatus(err)} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://docker');
      const { version: v, path: p } = splitVersion(url.pathname);
      checkVersion(v);
      const r = route(req.method ?? 'GET', p);
      if (!r || (r.handler !== C.attachContainer && r.handler !== C.startExec)) throw notImplemented(`${req.method} (Upgrade)`, p);
      const ctx: Ctx = { req, params: r.params, q: url.searchParams, backend, state, hijack: { socket, head } };
      await r.handler(ctx);
    } catch (err) {
      fail(err);
    }
  };
  return { onRequest, onUpgrade, state };
}

/** Listens on `socketPath` (replacing a stale socket), mode 0600: only root may drive the engine. */
export async function startDockerApiServer(opts: { backend: Backend; socketPath: string }): Promise<DockerApiServer> {
  const { onRequest, onUpgrade } = createDockerApiHandler(opts.backend);
  const server = http.createServer((req, res) => void onRequest(req, res));
  server.on('upgrade', (req, socket, head) => void onUpgrade(req, socket as import('node:net').Socket, head));
  fs.mkdirSync(path.dirname(opts.socketPath), { recursive: true, mode: 0o700 });
  fs.rmSync(opts.socketPath, { force: true });
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.socketPath, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  fs.chmodSync(opts.socketPath, 0o600);
  return {
    server,
    socketPath: opts.socketPath,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      fs.rmSync(opts.socketPath, { force: true });
    },
  };
}
