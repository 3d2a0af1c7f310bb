// An in-memory Backend for developing the dashboard without root or a real runtime. A seam fake
// for development and tests only: containers "run" by emitting synthetic log lines.
import { EventEmitter } from 'node:events';
import crypto from 'node:crypto';
import type { Backend, ExecSpec, TerminalProcess } from '../../agent/src/backend';
import type { ContainerInspect, ContainerSummary, ImageSummary, LogLine, RunSpec } from '@berth/shared';
import type { NetworkCreate, NetworkInspect, NetworkSummary, VolumeCreate, VolumeSummary } from '@berth/shared';
import { BerthError } from '@berth/runtime/errors';
import type { LogRecord } from '@berth/runtime/logs/log-record';
import { formatLogTime, parseLogTime } from '@berth/shared';

interface FakeContainer {
  summary: ContainerSummary;
  spec: RunSpec;
  logs: LogLine[];
  nextCursor: number;
  timer?: NodeJS.Timeout;
  events: EventEmitter;
}

const digest = (s: string) => 'sha256:' + crypto.createHash('sha256').update(s).digest('hex');

export class FakeBackend implements Backend {
  images: ImageSummary[] = [
    { id: digest('busybox'), repoTags: ['busybox:1.37.0-musl'], created: '2024-09-26T21:31:42Z', size: 1_500_000, layers: 1 },
  ];
  containers = new Map<string, FakeContainer>();

  async info() {
    const list = [...this.containers.values()];
    return { version: 'fake', hostname: 'fake-host', cgroupVersion: 2 as const, containers: list.length, running: list.filter((c) => c.summary.state === 'running').length, images: this.images.length, dataRoot: '/fake' };
  }
  async listImages() {
    return this.images;
  }
  async inspectImage(ref: string): Promise<never> {
    throw new BerthError('not_implemented', `inspect of image ${ref} is not implemented in the fake`);
  }
  async removeImage(ref: string) {
    const img = this.findImage(ref);
    if ([...this.containers.values()].some((c) => c.summary.imageId === img.id)) throw new BerthError('conflict', `image ${ref} is used by a container`);
    this.images = this.images.filter((i) => i !== img);
    return { untagged: img.repoTags, deleted: [img.id] };
  }
  async loadImages(source: string | NodeJS.ReadableStream) {
    let size = 0;
    if (typeof source !== 'string') for await (const chunk of source as AsyncIterable<Buffer>) size += chunk.length;
    if (size === 0) throw new BerthError('invalid_argument', 'image archive is empty');
    const img: ImageSummary = { id: digest(String(Date.now())), repoTags: [`loaded:${this.images.length}`], created: new Date().toISOString(), size, layers: 1 };
    this.images.push(img);
    return { loaded: [{ id: img.id, tags: img.repoTags }] };
  }
  async importImage(): Promise<never> {
    throw new BerthError('not_implemented', 'import is not implemented in the fake');
  }

  private findImage(ref: string): ImageSummary {
    const img = this.images.find((i) => i.repoTags.includes(ref) || i.id === ref || i.id.slice(7).startsWith(ref));
    if (!img) throw new BerthError('not_found', `image ${ref} not found`);
    return img;
  }
  private find(idOrName: string): FakeContainer {
    for (const c of this.containers.values()) if (c.summary.id === idOrName || c.summary.name === idOrName || c.summary.id.startsWith(idOrName)) return c;
    throw new BerthError('not_found', `container ${idOrName} not found`);
  }

  async listContainers(all: boolean) {
    return [...this.containers.values()].map((c) => this.summary(c)).filter((s) => all || s.state === 'running');
  }
  async containerSummaries(ids: string[]) {
    return ids.flatMap((id) => {
      const c = this.containers.get(id);
      return c ? [this.summary(c)] : [];
    });
  }
  private summary(c: FakeContainer): ContainerSummary {
    const s = c.summary;
    const ago = (t: string) => `${Math.round((Date.now() - Date.parse(t)) / 1000)} seconds`;
    const status = s.state === 'running' ? `Up ${ago(s.startedAt!)}` : s.state === 'exited' ? `Exited (${s.exitCode}) ${ago(s.finishedAt!)} ago` : 'Created';
    return { ...s, status };
  }
  async inspectContainer(idOrName: string): Promise<ContainerInspect> {
    const c = this.find(idOrName);
    const s = this.summary(c);
    const cmd = c.spec.cmd ?? ['sh'];
    return {
      ...s,
      path: cmd[0]!,
      args: cmd.slice(1),
      oomKilled: false,
      restartCount: 0,
      config: { hostname: s.id.slice(0, 12), user: '', env: c.spec.env ?? [], cmd, entrypoint: null, workingDir: '/', tty: false, openStdin: false, stopSignal: 'SIGTERM', labels: c.spec.labels ?? {} },
      hostConfig: { memory: c.spec.memoryBytes ?? 0, nanoCpus: c.spec.nanoCpus ?? 0, pidsLimit: 0, networkMode: c.spec.network ?? 'none', autoRemove: false },
      logPath: `/fake/${s.id}.log`,
    };
  }
  async createContainer(spec: RunSpec) {
    const img = this.findImage(spec.image);
    const id = crypto.randomBytes(32).toString('hex');
    const name = spec.name ?? `fake_${id.slice(0, 6)}`;
    if ([...this.containers.values()].some((c) => c.summary.name === name)) throw new BerthError('already_exists', `container name ${name} is already in use`);
    this.containers.set(id, {
      spec,
      logs: [],
      nextCursor: 0,
      events: new EventEmitter().setMaxListeners(100),
      summary: { id, name, image: spec.image, imageId: img.id, command: (spec.cmd ?? ['sh']).join(' '), state: 'created', status: 'Created', createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, exitCode: null, pid: null },
    });
    return { id, name, warnings: [] };
  }
  private log(c: FakeContainer, text: string, stream: 'stdout' | 'stderr' = 'stdout') {
    const line: LogLine = { cursor: c.nextCursor, stream, time: new Date().toISOString(), text };
    c.nextCursor += text.length + 40;
    c.logs.push(line);
    c.events.emit('line', line);
  }
  async startContainer(idOrName: string) {
    const c = this.find(idOrName);
    if (c.summary.state === 'running') return;
    Object.assign(c.summary, { state: 'running', startedAt: new Date().toISOString(), finishedAt: null, exitCode: null, pid: 4242 });
    const usesDate = (c.spec.cmd ?? []).join(' ').includes('date');
    const tick = () => this.log(c, usesDate ? new Date().toString() : `hello from ${c.summary.name} <b>not bold</b>`);
    tick();
    c.timer = setInterval(tick, 1000);
  }
  async stopContainer(idOrName: string) {
    const c = this.find(idOrName);
    if (c.summary.state !== 'running') return;
    clearInterval(c.timer);
    Object.assign(c.summary, { state: 'exited', finishedAt: new Date().toISOString(), exitCode: 143, pid: null });
    c.events.emit('stop');
  }
  async restartContainer(idOrName: string) {
    await this.stopContainer(idOrName);
    await this.startContainer(idOrName);
  }
  async killContainer(idOrName: string) {
    await this.stopContainer(idOrName);
  }
  async removeContainer(idOrName: string, force: boolean) {
    const c = this.find(idOrName);
    if (c.summary.state === 'running') {
      if (!force) throw new BerthError('failed_precondition', `container ${c.summary.name} is running: stop it first or force removal`);
      await this.stopContainer(idOrName);
    }
    this.containers.delete(c.summary.id);
  }
  async waitContainer(idOrName: string) {
    const c = this.find(idOrName);
    if (c.summary.state === 'running') await new Promise((r) => c.events.once('stop', r));
    return { exitCode: c.summary.exitCode ?? 0 };
  }
  /** the same lines as records for the byte stream (GET /v1/containers/:id/logs) */
  async *logBatches(idOrName: string, query: { follow: boolean; tail?: number; after?: number }, signal?: AbortSignal): AsyncIterable<LogRecord[]> {
    for await (const l of this.logs(idOrName, query, signal)) {
      const body = Buffer.from(l.text);
      const tbuf = Buffer.from(parseLogTime(l.time) ?? formatLogTime(0n), 'latin1');
      yield [{ file: 0, cursor: l.cursor, stream: l.stream, body, bodyStart: 0, bodyEnd: body.length, newline: false, tbuf, tAt: 0 }];
    }
  }

  async *logs(idOrName: string, query: { follow: boolean; tail?: number; after?: number }, signal?: AbortSignal): AsyncIterable<LogLine> {
    const c = this.find(idOrName);
    let backlog = c.logs;
    if (query.after !== undefined) backlog = backlog.filter((l) => l.cursor > query.after!);
    else if (query.tail !== undefined) backlog = backlog.slice(Math.max(0, backlog.length - query.tail));
    const queue: LogLine[] = [...backlog];
    if (!query.follow) return yield* queue;
    let wake: (() => void) | undefined;
    let stopped = c.summary.state !== 'running';
    const onLine = (l: LogLine) => {
      queue.push(l);
      wake?.();
    };
    const onStop = () => {
      stopped = true;
      wake?.();
    };
    const onAbort = () => wake?.();
    c.events.on('line', onLine);
    c.events.on('stop', onStop);
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        while (queue.length) yield queue.shift()!;
        if (stopped) return;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      c.events.off('line', onLine);
      c.events.off('stop', onStop);
      signal?.removeEventListener('abort', onAbort);
    }
  }
  private sample(c: FakeContainer) {
    return {
      time: new Date().toISOString(),
      cpuPercent: 2 + Math.random() * 8,
      cpuUsageNs: Date.now() * 1000,
      memoryBytes: 2_000_000 + Math.floor(Math.random() * 500_000),
      memoryLimitBytes: c.spec.memoryBytes ?? null,
      pids: 2,
      pidsLimit: null,
    };
  }
  async *stats(idOrName: string, signal?: AbortSignal) {
    const c = this.find(idOrName);
    while (!signal?.aborted && c.summary.state === 'running') {
      yield this.sample(c);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  async statsOnce() {
    const out: Record<string, ReturnType<FakeBackend['sample']>> = {};
    for (const c of this.containers.values()) if (c.summary.state === 'running') out[c.summary.id] = this.sample(c);
    return out;
  }
  async execDetached(idOrName: string): Promise<void> {
    const c = this.find(idOrName);
    if (c.summary.state !== 'running') throw new BerthError('failed_precondition', `container ${c.summary.name} is not running`);
  }
  async exec(idOrName: string, spec: ExecSpec): Promise<TerminalProcess> {
    const c = this.find(idOrName);
    if (c.summary.state !== 'running') throw new BerthError('failed_precondition', `container ${c.summary.name} is not running`);
    return fakeShell(spec);
  }
  async attach(idOrName: string, _opts?: { start?: boolean; rows?: number; cols?: number }): Promise<TerminalProcess> {
    this.find(idOrName);
    return fakeShell({ cmd: ['sh'], tty: true });
  }

  // ---- cp, lifecycle extras, events (issue 6): not in the fake ----
  async archiveStat(): Promise<never> {
    throw new BerthError('not_implemented', 'cp is not implemented in the fake');
  }
  async archiveGet(): Promise<never> {
    throw new BerthError('not_implemented', 'cp is not implemented in the fake');
  }
  async archivePut(): Promise<never> {
    throw new BerthError('not_implemented', 'cp is not implemented in the fake');
  }
  async pauseContainer(): Promise<never> {
    throw new BerthError('not_implemented', 'pause is not implemented in the fake');
  }
  async unpauseContainer(): Promise<never> {
    throw new BerthError('not_implemented', 'unpause is not implemented in the fake');
  }
  async renameContainer(): Promise<never> {
    throw new BerthError('not_implemented', 'rename is not implemented in the fake');
  }
  async pruneContainers(): Promise<never> {
    throw new BerthError('not_implemented', 'container prune is not implemented in the fake');
  }
  async updateContainer(): Promise<never> {
    throw new BerthError('not_implemented', 'update is not implemented in the fake');
  }
  async logPage() {
    return { lines: [], more: false };
  }
  async statsHistory() {
    return { startedAt: null, stepMs: 2000, samples: [] };
  }
  async readFile(): Promise<never> {
    throw new BerthError('not_implemented', 'file download is not implemented in the fake');
  }
  async listDir(): Promise<never> {
    throw new BerthError('not_implemented', 'the file browser is not implemented in the fake');
  }
  async exportContainer(): Promise<never> {
    throw new BerthError('not_implemented', 'export is not implemented in the fake');
  }
  async diskUsage(): Promise<never> {
    throw new BerthError('not_implemented', 'system df is not implemented in the fake');
  }
  async containerChanges(): Promise<never> {
    throw new BerthError('not_implemented', 'diff is not implemented in the fake');
  }
  async topContainer(): Promise<never> {
    throw new BerthError('not_implemented', 'top is not implemented in the fake');
  }
  events(): AsyncIterable<never> {
    throw new BerthError('not_implemented', 'events are not implemented in the fake');
  }

  // ---- registries and archives (issue 4): not in the fake ----
  pullImage(): AsyncIterable<never> {
    throw new BerthError('not_implemented', 'pull is not implemented in the fake');
  }
  pushImage(): AsyncIterable<never> {
    throw new BerthError('not_implemented', 'push is not implemented in the fake');
  }
  async tagImage(): Promise<never> {
    throw new BerthError('not_implemented', 'tag is not implemented in the fake');
  }
  async imageHistory(): Promise<never> {
    throw new BerthError('not_implemented', 'history is not implemented in the fake');
  }
  async imageLayers(): Promise<never> {
    throw new BerthError('not_implemented', 'layers are not implemented in the fake');
  }
  async pruneImages(): Promise<never> {
    throw new BerthError('not_implemented', 'image prune is not implemented in the fake');
  }
  async searchImages(): Promise<never> {
    throw new BerthError('not_implemented', 'search is not implemented in the fake');
  }
  async registryLogin(): Promise<never> {
    throw new BerthError('not_implemented', 'login is not implemented in the fake');
  }
  async saveImages(): Promise<never> {
    throw new BerthError('not_implemented', 'save is not implemented in the fake');
  }

  // ---- networks and volumes (issue 5): in memory ----
  networks: NetworkSummary[] = [
    { id: digest('bridge').slice(7), name: 'bridge', driver: 'bridge', bridge: 'berth0', subnet: '10.88.0.0/16', gateway: '10.88.0.1', createdAt: new Date().toISOString(), builtin: true, containers: 0 },
    { id: digest('host').slice(7), name: 'host', driver: 'host', bridge: null, subnet: null, gateway: null, createdAt: new Date().toISOString(), builtin: true, containers: 0 },
    { id: digest('none').slice(7), name: 'none', driver: 'null', bridge: null, subnet: null, gateway: null, createdAt: new Date().toISOString(), builtin: true, containers: 0 },
  ];
  volumes: VolumeSummary[] = [];
  private findNetwork(idOrName: string) {
    const n = this.networks.find((x) => x.name === idOrName || x.id.startsWith(idOrName));
    if (!n) throw new BerthError('not_found', `network ${idOrName} not found`);
    return n;
  }
  async listNetworks() {
    return this.networks;
  }
  async inspectNetwork(idOrName: string): Promise<NetworkInspect> {
    return { ...this.findNetwork(idOrName), labels: {}, endpoints: [] };
  }
  async createNetwork(req: NetworkCreate): Promise<NetworkInspect> {
    if (this.networks.some((n) => n.name === req.name)) throw new BerthError('already_exists', `network with name ${req.name} already exists`);
    const id = digest(req.name + Date.now()).slice(7);
    this.networks.push({ id, name: req.name, driver: 'bridge', bridge: `br-${id.slice(0, 12)}`, subnet: req.subnet ?? '10.89.0.0/24', gateway: req.gateway ?? '10.89.0.1', createdAt: new Date().toISOString(), builtin: false, containers: 0 });
    return this.inspectNetwork(id);
  }
  async removeNetwork(idOrName: string) {
    const n = this.findNetwork(idOrName);
    if (n.builtin) throw new BerthError('failed_precondition', `${n.name} is a pre-defined network and cannot be removed`);
    this.networks = this.networks.filter((x) => x !== n);
  }
  async pruneNetworks() {
    const removed = this.networks.filter((n) => !n.builtin).map((n) => n.name);
    this.networks = this.networks.filter((n) => n.builtin);
    return { removed };
  }
  async connectNetwork(): Promise<void> {
    throw new BerthError('not_implemented', 'network connect is not implemented in the fake');
  }
  async disconnectNetwork(): Promise<void> {
    throw new BerthError('not_implemented', 'network disconnect is not implemented in the fake');
  }
  async listVolumes() {
    return this.volumes;
  }
  async inspectVolume(name: string) {
    const v = this.volumes.find((x) => x.name === name);
    if (!v) throw new BerthError('not_found', `no such volume: ${name}`);
    return v;
  }
  async createVolume(req: VolumeCreate) {
    const name = req.name ?? digest(String(Date.now())).slice(7);
    const v: VolumeSummary = { name, driver: 'local', mountpoint: `/fake/volumes/${name}/_data`, createdAt: new Date().toISOString(), anonymous: !req.name, labels: req.labels ?? {}, usedBy: [] };
    this.volumes.push(v);
    return v;
  }
  async removeVolume(name: string) {
    await this.inspectVolume(name);
    this.volumes = this.volumes.filter((v) => v.name !== name);
  }
  async pruneVolumes() {
    const removed = this.volumes.map((v) => v.name);
    this.volumes = [];
    return { removed, reclaimedBytes: 0 };
  }
}

/** A tiny line-editing "shell": echoes keys, runs `echo …`, `yes` (floods), and `exit`. */
function fakeShell(_spec: ExecSpec): TerminalProcess {
  const listeners: ((s: 'stdout' | 'stderr', d: Buffer) => void)[] = [];
  let line = '';
  let paused = false;
  const held: Buffer[] = [];
  let resolveExit!: (n: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  let flood: NodeJS.Timeout | undefined;
  const out = (s: string) => {
    const b = Buffer.from(s);
    if (paused) held.push(b);
    else for (const l of listeners) l('stdout', b);
  };
  setTimeout(() => out('/ # '), 10);
  return {
    onOutput: (fn) => void listeners.push(fn),
    write(data) {
      for (const ch of data.toString()) {
        if (ch === '\r') {
          out('\r\n');
          const cmd = line.trim();
          line = '';
          if (cmd === 'exit') return resolveExit(0);
          if (cmd.startsWith('echo ')) out(cmd.slice(5) + '\r\n');
          else if (cmd === 'yes') flood = setInterval(() => out('y\r\n'.repeat(2000)), 5);
          else if (cmd) out(`sh: ${cmd}: not found\r\n`);
          out('/ # ');
        } else if (ch === '\x03') {
          clearInterval(flood);
          out('^C\r\n/ # ');
        } else if (ch === '\x7f') {
          if (line) {
            line = line.slice(0, -1);
            out('\b \b');
          }
        } else {
          line += ch;
          out(ch);
        }
      }
    },
    closeStdin: () => resolveExit(0),
    resize() {},
    pause: () => void (paused = true),
    resume() {
      paused = false;
      for (const b of held.splice(0)) for (const l of listeners) l('stdout', b);
    },
    exited,
    close() {
      clearInterval(flood);
      resolveExit(137);
    },
  };
}
