// The container lifecycle: create, start, stop, kill, remove, wait, and re-adoption of running
// containers after an agent restart. The monitor (native helper) owns the running process, its
// log and its exit file; this service keeps the records and reacts to the monitor's files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RunSpec, UpdateSpec, type ContainerInspect, type ContainerSummary, type HealthState, type RunSpecParsed } from '@berth/shared';
import { BerthError, conflict, invalid, notFound, precondition, wrap } from '../errors';
import type { RuntimePaths } from '../paths';
import type { CgroupDriver, CgroupLimits } from '../cgroups/driver';
import { ContainerStore } from './container-store';
import { generateName } from './names';
import { initialState, type ContainerRecord } from './record';
import { resolveConfig } from './resolve-config';
import { parseSignal, signalNumber } from './signals';
import { statusText } from '@berth/shared';
import { writeBundle } from './bundle';
import { hostCapabilities, resolveSecurity } from '../oci/security';
import { checkSysctls, resolveDevices } from '../oci/devices';
import { resolveRemap } from '../oci/userns';
import type { ArchivePathStat, ArchivePort, ArchiveRootDesc, AttachHandle, ExecHandle, HelperPort, ImagePort, RootfsPort } from './ports';
import type { NetworkService } from '../network/network-service';
import { VolumeService } from '../volumes/volume-service';
import { EventBus } from '../events/event-bus';
import { containerChanges, type Change } from './changes';
import { treeSize } from './disk-usage';
import { HealthChecker, HEALTH_OUTPUT_MAX, type ProbeResult } from './health';

export interface ContainerServiceDeps {
  paths: RuntimePaths;
  store: ContainerStore;
  images: ImagePort;
  rootfs: RootfsPort;
  cgroups: CgroupDriver;
  helper: HelperPort;
  /** bridge/user networks, published ports (absent: only none and host work) */
  network?: NetworkService;
  volumes?: VolumeService;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

interface ExitInfo {
  exitCode: number;
  signal: number | null;
  finishedAt: string;
}

export class ContainerService {
  private readonly waiters = new Map<string, Set<(code: number) => void>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Map<string, Promise<void>>();
  /** container events for `berth events` */
  readonly events = new EventBus();
  /** healthchecks of running containers (health.ts): probes run as execs */
  readonly health: HealthChecker;

  constructor(private readonly d: ContainerServiceDeps) {
    this.health = new HealthChecker({
      probe: (id, cmd, signal) => this.probe(id, cmd, signal),
      shouldProbe: (id) => this.d.store.tryGet(id)?.state.paused !== true,
      onUpdate: (id, st) => this.saveHealth(id, st),
      onStatus: (id, status) => {
        const rec = this.d.store.tryGet(id);
        if (rec) this.emit(`health_status: ${status}`, rec);
      },
    });
  }

  private emit(action: string, rec: ContainerRecord, extra: Record<string, string> = {}) {
    this.events.emit(action, rec.id, { name: rec.name, image: rec.image, ...extra });
  }

  // ---- paths --------------------------------------------------------------------------------
  dir(id: string) {
    return path.join(this.d.paths.containers, id);
  }
  stateDir(id: string) {
    return path.join(this.d.paths.run, 'containers', id);
  }
  logPath(id: string) {
    return path.join(this.dir(id), 'container.log');
  }

  // ---- queries ------------------------------------------------------------------------------
  find(idOrName: string): ContainerRecord {
    return this.d.store.find(idOrName);
  }

  list(all: boolean): ContainerSummary[] {
    return this.d.store
      .all()
      .filter((r) => all || r.state.status === 'running')
      .map((r) => this.summary(r));
  }

  /** The summaries of these containers (ids missing now are left out): one row each, no list. */
  summaries(ids: string[]): ContainerSummary[] {
    return ids.flatMap((id) => {
      const r = this.d.store.tryGet(id);
      return r ? [this.summary(r)] : [];
    });
  }

  summary(r: ContainerRecord): ContainerSummary {
    const health = r.state.status === 'running' && r.config.healthcheck ? (this.health.state(r.id)?.status ?? 'starting') : undefined;
    return {
      id: r.id,
      name: r.name,
      image: r.image,
      imageId: r.imageId,
      command: r.config.args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' '),
      state: r.state.status,
      status: statusText(r.state, Date.now(), health),
      createdAt: r.createdAt,
      startedAt: r.state.startedAt,
      finishedAt: r.state.finishedAt,
      exitCode: r.state.status === 'exited' || r.state.status === 'dead' ? r.state.exitCode : null,
      pid: r.state.status === 'running' ? r.state.pid : null,
      ...(this.d.network && r.state.status === 'running' ? { ports: this.d.network.ports(r.id) } : {}),
      labels: r.spec.labels ?? {},
      paused: r.state.status === 'running' && r.state.paused === true,
      ...(health ? { healthStatus: health } : {}),
    };
  }

  inspect(idOrName: string): ContainerInspect {
    const r = this.find(idOrName);
    const health = this.healthOf(r);
    return {
      ...this.summary(r),
      path: r.config.args[0],
      args: r.config.args.slice(1),
      oomKilled: r.state.oomKilled,
      restartCount: r.state.restartCount,
      config: {
        hostname: r.config.hostname,
        user: r.config.user,
        env: r.config.env,
        cmd: r.config.cmd,
        entrypoint: r.config.entrypoint,
        workingDir: r.config.workingDir,
        tty: r.config.tty,
        openStdin: r.config.openStdin,
        stopSignal: r.config.stopSignal,
        labels: r.spec.labels,
        ...(r.config.healthcheck ? { healthcheck: r.config.healthcheck } : {}),
      },
      hostConfig: {
        memory: r.spec.memoryBytes ?? 0,
        memorySwap: r.spec.memoryBytes ? (r.spec.memorySwapBytes ?? r.spec.memoryBytes * 2) : 0,
        nanoCpus: r.spec.nanoCpus ?? 0,
        pidsLimit: r.spec.pidsLimit ?? 0,
        networkMode: r.spec.network,
        autoRemove: r.spec.autoRemove,
        privileged: r.spec.privileged ?? false,
        readonlyRootfs: r.spec.readOnly ?? false,
        capAdd: r.spec.capAdd ?? [],
        capDrop: r.spec.capDrop ?? [],
        devices: r.spec.devices ?? [],
        sysctls: r.spec.sysctls ?? {},
        usernsMode: r.spec.userns ?? 'host',
        ...(r.userns ? { idMappings: r.userns } : {}),
        securityOpt: (r.spec.securityOpt ?? []).map((o) => (/^seccomp[=:]\s*\{/.test(o) ? 'seccomp=<custom profile>' : o)),
        restartPolicy: r.spec.restartPolicy ?? { name: 'no', maximumRetryCount: 0 },
        ...(r.spec.stopTimeout !== undefined ? { stopTimeout: r.spec.stopTimeout } : {}),
        logConfig: { type: 'json-file', config: { ...(r.spec.logConfig?.config ?? {}) } },
        init: r.spec.init ?? false,
      },
      ...(health ? { health } : {}),
      logPath: this.logPath(r.id),
      ...(this.d.network ? { networkSettings: this.d.network.settings(r.id) } : {}),
      mounts: (r.mounts ?? []).map((m) => ({ type: m.type, ...(m.name ? { name: m.name } : {}), source: m.source, destination: m.target, rw: !m.readOnly })),
    };
  }

  isRunning(id: string): boolean {
    return this.d.store.tryGet(id)?.state.status === 'running';
  }

  imageInUse(imageId: string): boolean {
    return this.d.store.imageInUse(imageId);
  }

  // ---- create -------------------------------------------------------------------------------
  async create(input: unknown): Promise<{ id: string; name: string; warnings: string[] }> {
    const parsed = RunSpec.safeParse(input);
    if (!parsed.success) {
      throw invalid(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
    }
    const spec: RunSpecParsed = parsed.data;
    if (!this.d.network && spec.network !== 'none' && spec.network !== 'host') {
      throw new BerthError('not_implemented', `network mode ${spec.network} needs the network service: use --network none or --network host`);
    }
    const image = await this.d.images.resolve(spec.image);
    if (spec.name && this.d.store.nameTaken(spec.name)) {
      const other = this.d.store.find(spec.name);
      throw conflict(`container name "${spec.name}" is already in use by container ${other.id.slice(0, 12)}: remove it or pick another name`);
    }
    const id = crypto.randomBytes(32).toString('hex');
    const name = spec.name ?? generateName((n) => this.d.store.nameTaken(n));
    const hostname = spec.hostname ?? id.slice(0, 12);
    const config = resolveConfig(spec, image.config, hostname);
    resolveSecurity(spec); // a bad --cap-add or --security-opt fails here, before anything exists
    const devices = resolveDevices(spec); // a missing path or a non-device fails here too
    checkSysctls(spec); // net.* needs its own network namespace
    if (spec.userns === 'remap' && spec.privileged)
      throw invalid('--privileged cannot be combined with --userns=remap: a privileged container needs the host user namespace (--userns=host)');
    const userns = spec.userns === 'remap' ? resolveRemap() : undefined; // no berth range: fails here, saying how to add one
    const warnings: string[] = [];
    if (devices.length && this.d.cgroups.version === 2)
      warnings.push('cgroup v2 has no devices file: the --device nodes are created but device access is not filtered (that needs an eBPF program, not implemented)');
    // every check before anything is made: a refused run leaves nothing behind
    if (this.d.network) warnings.push(...(await this.d.network.validate(spec, image.config.exposedPorts ?? [])));
    this.d.volumes?.validate(spec);

    // Disk first, then the record: a crash in between leaves a directory that reconcile removes.
    const dir = this.dir(id);
    fs.mkdirSync(dir, { recursive: true, mode: 0o710 });
    for (const sub of ['rootfs', 'upper', 'work']) fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'hostname'), `${hostname}\n`);
    fs.writeFileSync(path.join(dir, 'hosts'), hostsFile(hostname, spec.network));
    fs.writeFileSync(path.join(dir, 'resolv.conf'), resolvConf(spec.network));
    // Docker gives a remapped container's root these files: it may edit /etc/hosts as usual
    if (userns) for (const f of ['hostname', 'hosts', 'resolv.conf']) fs.chownSync(path.join(dir, f), userns.uid.hostId, userns.gid.hostId);

    const rec: ContainerRecord = {
      id,
      name,
      image: spec.image,
      imageId: image.id,
      chainIds: image.chainIds,
      spec,
      config,
      createdAt: new Date().toISOString(),
      state: initialState(),
      exposedPorts: image.config.exposedPorts ?? [],
      ...(userns ? { userns } : {}),
    };
    try {
      this.d.store.insert(rec);
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    try {
      this.d.network?.onCreate(id, spec);
      if (this.d.volumes) {
        const lowerDirs = lowerDirsOf(this.d.rootfs.mounts(image.chainIds, path.join(dir, 'upper'), path.join(dir, 'work')));
        rec.mounts = await this.d.volumes.prepare(spec, { volumes: image.config.volumes ?? [], lowerDirs });
        this.d.store.update(rec);
      }
    } catch (e) {
      this.destroy(id, true);
      throw e;
    }
    this.emit('create', rec);
    return { id, name, warnings };
  }

  // ---- start --------------------------------------------------------------------------------
  start(idOrName: string, opts: { waitForAttach?: boolean } = {}): Promise<void> {
    const rec = this.find(idOrName);
    this.manualStops.delete(rec.id);
    return this.exclusive(rec.id, () => this.startLocked(rec.id, opts));
  }

  private async startLocked(id: string, opts: { waitForAttach?: boolean }): Promise<void> {
    const rec = this.d.store.tryGet(id);
    if (!rec) throw notFound(`no such container: ${id}`);
    if (rec.state.status === 'running') return;
    const stateDir = this.stateDir(id);
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });

    const devices = resolveDevices(rec.spec);
    const limits: CgroupLimits = { ...limitsOf(rec.spec), devices: rec.spec.privileged ? 'all' : 'default', deviceRules: devices.map((d) => d.rule) };
    try {
      await this.d.cgroups.create(id, limits);
      const dir = this.dir(id);
      const rootfsMount = this.d.rootfs.mounts(rec.chainIds, path.join(dir, 'upper'), path.join(dir, 'work'));
      const net = this.d.network ? await this.d.network.setup(id, rec.spec, rec.exposedPorts ?? []) : undefined;
      writeBundle(dir, rec, {
        rootfsMount,
        cgroupProcs: this.d.cgroups.procsFiles(id),
        logPath: this.logPath(id),
        waitForAttach: opts.waitForAttach ?? false,
        ...(net ? { netnsPath: net.netnsPath, hostNetwork: net.hostNetwork } : {}),
        extraMounts: VolumeService.ociMounts(rec.mounts ?? [], { idmapVolumes: rec.spec.userns === 'remap' }),
        devices,
        // cgroup v2 has no devices file and Berth has no eBPF device filter yet
        noDeviceFilter: this.d.cgroups.version === 2,
        ...(rec.spec.init ? { initPath: this.initPath() } : {}),
      });
      const { pid, monitorPid } = await this.d.helper.startContainer(dir, stateDir);
      rec.state = {
        ...rec.state,
        status: 'running',
        paused: false,
        manuallyStopped: false,
        pid,
        monitorPid,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        exitCode: null,
        oomKilled: false,
        error: null,
      };
      this.d.store.update(rec);
      this.emit('start', rec);
      if (rec.config.healthcheck) this.health.start(id, rec.config.healthcheck, { startedAtMs: Date.now() });
      this.ensureWatching();
    } catch (e) {
      await this.d.cgroups.remove(id).catch(() => {});
      await this.d.network?.teardown(id).catch((err) => this.d.log?.('warn', `network teardown of ${id}: ${err}`));
      if (rec.spec.autoRemove) {
        // --rm: a container that could not start leaves nothing behind
        this.destroy(id, true);
      } else {
        rec.state.error = e instanceof Error ? e.message : String(e);
        this.d.store.update(rec);
      }
      throw e instanceof BerthError ? e : wrap(e, `starting container ${rec.name}`);
    }
  }

  // ---- stop / kill ----------------------------------------------------------------------------
  async stop(idOrName: string, timeout?: number): Promise<void> {
    const rec = this.find(idOrName);
    this.markManualStop(rec);
    if (rec.state.status !== 'running' || !rec.state.pid) {
      // a restart-policy start may be in flight: let it finish, then stop what it started
      const pending = this.busy.get(rec.id);
      if (!pending) return;
      await pending;
      const cur = this.d.store.tryGet(rec.id);
      if (cur?.state.status === 'running') return this.stop(rec.id, timeout);
      return;
    }
    const timeoutSeconds = timeout ?? rec.spec.stopTimeout ?? 10;
    const exited = this.waitExit(rec.id);
    this.health.stop(rec.id); // no verdicts on a container that is being stopped
    this.signal(rec, parseSignal(rec.config.stopSignal, 'SIGTERM'));
    if (rec.state.paused) await this.d.cgroups.thaw(rec.id).catch(() => {});
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutSeconds * 1000)),
    ]);
    if (timedOut) {
      this.signal(rec, 'SIGKILL');
      await this.d.cgroups.killAll(rec.id, 'SIGKILL').catch(() => {});
      await exited;
    }
    this.emit('stop', rec);
  }

  async kill(idOrName: string, signal?: string): Promise<void> {
    const rec = this.find(idOrName);
    const sig = parseSignal(signal, 'SIGKILL');
    if (rec.state.status !== 'running') throw precondition(`container ${rec.name} is not running`);
    this.markManualStop(rec);
    this.signal(rec, sig);
    this.emit('kill', rec, { signal: sig });
    if (rec.state.paused && sig === 'SIGKILL') await this.d.cgroups.thaw(rec.id).catch(() => {});
  }

  private signal(rec: ContainerRecord, sig: NodeJS.Signals) {
    if (!rec.state.pid) return;
    try {
      process.kill(rec.state.pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  async restart(idOrName: string, timeoutSeconds?: number): Promise<void> {
    const rec = this.find(idOrName);
    await this.stop(rec.id, timeoutSeconds);
    await this.start(rec.id);
  }

  // ---- remove -------------------------------------------------------------------------------
  async remove(idOrName: string, force: boolean, opts: { volumes?: boolean } = {}): Promise<void> {
    const rec = this.find(idOrName);
    if (rec.state.status === 'running') {
      if (!force) throw conflict(`cannot remove running container ${rec.name}: stop the container before removing or force remove`);
      this.markManualStop(rec);
      const exited = this.waitExit(rec.id);
      this.signal(rec, 'SIGKILL');
      await this.d.cgroups.killAll(rec.id, 'SIGKILL').catch(() => {});
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await this.exclusive(rec.id, async () => {
      const cur = this.d.store.tryGet(rec.id);
      if (!cur) return;
      await this.d.cgroups.remove(rec.id).catch(() => {});
      await this.d.network?.teardown(rec.id).catch(() => {});
      this.destroy(rec.id, opts.volumes ?? false);
    });
  }

  /** Deletes a stopped container's record and files. */
  private destroy(id: string, removeAnonymousVolumes = false) {
    this.health.stop(id);
    const gone = this.d.store.tryGet(id);
    if (gone) this.emit('destroy', gone);
    const mounts = gone?.mounts ?? [];
    // Record first: a crash after this leaves only directories, which reconcile deletes.
    this.d.store.delete(id);
    this.d.network?.onRemove(id);
    this.d.volumes?.onContainerRemoved(mounts, removeAnonymousVolumes);
    fs.rmSync(this.stateDir(id), { recursive: true, force: true });
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }

  // ---- health ---------------------------------------------------------------------------------
  /** One healthcheck probe: an exec like `berth exec`, its output (4 KiB kept), killed on abort. */
  private async probe(id: string, cmd: string[], signal: AbortSignal): Promise<ProbeResult | null> {
    // a container whose init has exited (the agent notices within 100 ms) gets no verdict
    const exiting = () => fs.existsSync(path.join(this.stateDir(id), 'exit.json'));
    if (exiting()) return null;
    const h = await this.exec(id, { cmd, tty: false });
    const onAbort = () => h.kill();
    if (signal.aborted) h.kill();
    signal.addEventListener('abort', onAbort);
    h.stdin?.end();
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (b: Buffer) => {
      if (size >= HEALTH_OUTPUT_MAX) return;
      chunks.push(b);
      size += b.length;
    };
    const ended = [h.stdout, h.stderr].map((st) => {
      if (!st) return Promise.resolve();
      st.on('data', collect);
      return new Promise<void>((r) => st.once('end', r).once('close', r).once('error', () => r()));
    });
    try {
      const exitCode = await h.exited;
      await Promise.race([Promise.all(ended), new Promise((r) => setTimeout(r, 1000).unref())]);
      if (exiting()) return null;
      return { exitCode, output: Buffer.concat(chunks).toString('utf8') };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private healthFile(id: string) {
    return path.join(this.stateDir(id), 'health.json');
  }

  private saveHealth(id: string, st: HealthState) {
    try {
      const tmp = this.healthFile(id) + '.tmp';
      fs.writeFileSync(tmp, JSON.stringify(st), { mode: 0o600 });
      fs.renameSync(tmp, this.healthFile(id));
    } catch {
      // the container is going away: its state dir with it
    }
  }

  private readHealth(id: string): HealthState | undefined {
    try {
      const st = JSON.parse(fs.readFileSync(this.healthFile(id), 'utf8')) as HealthState;
      return ['starting', 'healthy', 'unhealthy'].includes(st.status) && Array.isArray(st.log) ? st : undefined;
    } catch {
      return undefined;
    }
  }

  /** Docker's State.Health: live while running, the last one kept after a stop. */
  private healthOf(r: ContainerRecord): HealthState | undefined {
    if (!r.config.healthcheck) return undefined;
    if (r.state.status === 'running') return this.health.state(r.id) ?? this.readHealth(r.id) ?? { status: 'starting', failingStreak: 0, log: [] };
    return this.readHealth(r.id);
  }

  private initPath(): string {
    if (!this.d.helper.initPath) throw new BerthError('not_implemented', '--init needs the native helper (berth-init)');
    if (!fs.existsSync(this.d.helper.initPath)) throw new BerthError('unavailable', `--init: ${this.d.helper.initPath} is missing: build it with make -C packages/runtime/native`);
    return this.d.helper.initPath;
  }

  // ---- exec / attach ------------------------------------------------------------------------
  /** Runs a process inside a running container, with the container's own confinement. */
  async exec(
    idOrName: string,
    spec: { cmd: string[]; tty: boolean; env?: string[]; workingDir?: string; user?: string; rows?: number; cols?: number; privileged?: boolean; detach?: boolean },
  ): Promise<ExecHandle> {
    const rec = this.find(idOrName);
    if (rec.state.status !== 'running' || !rec.state.pid) throw conflict(`container ${rec.name} is not running`);
    if (spec.cmd.length === 0) throw invalid('exec needs a command');
    if (spec.workingDir !== undefined && !spec.workingDir.startsWith('/')) throw invalid(`working directory must be an absolute path: ${spec.workingDir}`);
    for (const e of spec.env ?? []) if (!/^[^=\0]+=/.test(e)) throw invalid(`env must be KEY=VALUE: ${e}`);
    // the same capabilities and settings the container itself got
    const bundle = JSON.parse(fs.readFileSync(path.join(this.dir(rec.id), 'config.json'), 'utf8')) as {
      process: { capabilities?: unknown; noNewPrivileges?: boolean; rlimits?: unknown };
      linux?: { seccomp?: unknown };
    };
    const env = [...rec.config.env.filter((e) => !(spec.tty && e.startsWith('TERM='))), ...(spec.env ?? [])];
    if (spec.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    const user = spec.user ?? rec.config.user;
    const processSpec = {
      terminal: spec.tty,
      args: spec.cmd,
      env,
      cwd: spec.workingDir ?? rec.config.workingDir,
      user: { uid: 0, gid: 0 },
      // --privileged (Docker's exec --privileged): every capability and no seccomp for this process
      capabilities: spec.privileged ? allCapabilities() : bundle.process.capabilities,
      noNewPrivileges: bundle.process.noNewPrivileges ?? false,
      rlimits: bundle.process.rlimits,
      ...(bundle.linux?.seccomp && !spec.privileged ? { seccomp: bundle.linux.seccomp } : {}),
      ...(user ? { berthUser: user } : {}),
    };
    const h = this.d.helper.exec({ pid: rec.state.pid, process: processSpec, cgroupProcs: this.d.cgroups.procsFiles(rec.id), tty: spec.tty, ...(spec.detach ? { detach: true } : {}) });
    if (spec.tty && spec.rows && spec.cols) h.resize(spec.rows, spec.cols);
    return h;
  }

  /**
   * `exec -d`: starts the process with no stdio and returns once it runs (a command that cannot
   * run fails here, 126/127 as usual); the helper stays its parent and reaps it.
   */
  async execDetached(idOrName: string, spec: { cmd: string[]; env?: string[]; workingDir?: string; user?: string; privileged?: boolean }): Promise<void> {
    const h = await this.exec(idOrName, { ...spec, tty: false, detach: true });
    h.stdin?.end();
    h.stdout?.resume();
    h.stderr?.resume();
    h.exited.catch(() => {});
    await (h.started ?? h.exited);
  }

  /** Connects to the container's own stdio; with `start`, starts it parked until connected. */
  async attach(idOrName: string, opts: { start?: boolean; rows?: number; cols?: number }): Promise<AttachHandle> {
    const rec = this.find(idOrName);
    if (rec.state.status !== 'running') {
      if (!opts.start) throw conflict(`container ${rec.name} is not running`);
      await this.exclusive(rec.id, () => this.startLocked(rec.id, { waitForAttach: true }));
    }
    const h = this.d.helper.attach(this.stateDir(rec.id));
    await h.connected;
    if (rec.config.tty && opts.rows && opts.cols) h.resize(opts.rows, opts.cols);
    return h;
  }

  // ---- pause / rename / prune / top -----------------------------------------------------------
  async pause(idOrName: string): Promise<void> {
    const rec = this.find(idOrName);
    await this.exclusive(rec.id, async () => {
      const cur = this.find(rec.id);
      if (cur.state.status !== 'running') throw conflict(`container ${cur.name} is not running`);
      if (cur.state.paused) throw conflict(`container ${cur.name} is already paused`);
      await this.d.cgroups.freeze(cur.id);
      cur.state.paused = true;
      this.d.store.update(cur);
      this.emit('pause', cur);
    });
  }

  async unpause(idOrName: string): Promise<void> {
    const rec = this.find(idOrName);
    await this.exclusive(rec.id, async () => {
      const cur = this.find(rec.id);
      if (cur.state.status !== 'running' || !cur.state.paused) throw conflict(`container ${cur.name} is not paused`);
      await this.d.cgroups.thaw(cur.id);
      cur.state.paused = false;
      this.d.store.update(cur);
      this.emit('unpause', cur);
    });
  }

  rename(idOrName: string, newName: string): void {
    const rec = this.find(idOrName);
    const name = newName.replace(/^\//, '');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw invalid(`invalid container name "${newName}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (name === rec.name) throw conflict(`renaming a container with the same name as its current name`);
    if (this.d.store.nameTaken(name)) throw conflict(`container name "${name}" is already in use`);
    this.d.store.rename(rec, name);
    this.emit('rename', { ...rec, name }, { oldName: rec.name });
  }

  /**
   * New limits and restart policy: kept in the record and, when the container runs, written to its
   * cgroup at once (a limit below current usage fails with the kernel's reason, changing nothing).
   */
  async update(idOrName: string, input: unknown): Promise<{ warnings: string[] }> {
    const parsed = UpdateSpec.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.') || 'update'}: ${i.message}`).join('; '));
    const u = parsed.data;
    const rec = this.find(idOrName);
    return this.exclusive(rec.id, async () => {
      const cur = this.find(rec.id);
      const spec: RunSpecParsed = { ...cur.spec };
      for (const [k, v] of Object.entries(u)) if (v !== undefined) (spec as Record<string, unknown>)[k] = v;
      if (u.memoryBytes !== undefined && u.memorySwapBytes === undefined && cur.spec.memorySwapBytes !== undefined && cur.spec.memorySwapBytes !== -1) {
        // Docker keeps an explicit swap limit; it must stay above the memory limit
        if (cur.spec.memorySwapBytes < u.memoryBytes) throw invalid('memory limit should be smaller than the already set memory-swap limit: update --memory-swap as well');
      }
      if (spec.memorySwapBytes !== undefined && spec.memorySwapBytes !== -1) {
        if (!spec.memoryBytes) throw invalid('memory-swap needs a memory limit as well (--memory)');
        if (spec.memorySwapBytes < spec.memoryBytes) throw invalid('memory-swap must be at least the memory limit');
      }
      if (cur.state.status === 'running') {
        const changed: CgroupLimits = {};
        const all = limitsOf(spec);
        if (u.memoryBytes !== undefined || u.memorySwapBytes !== undefined) {
          changed.memoryBytes = all.memoryBytes;
          changed.memorySwapBytes = all.memorySwapBytes;
        }
        if (u.nanoCpus !== undefined) changed.nanoCpus = all.nanoCpus;
        if (u.pidsLimit !== undefined) changed.pidsLimit = all.pidsLimit;
        try {
          await this.d.cgroups.create(cur.id, changed);
        } catch (e) {
          throw wrap(e, `updating the limits of ${cur.name}`);
        }
      }
      cur.spec = spec;
      this.d.store.update(cur);
      this.emit('update', cur);
      return { warnings: [] };
    });
  }

  /** Bytes the container wrote to its writable layer (Docker's SizeRw). */
  sizeRw(idOrName: string): number {
    return treeSize(path.join(this.dir(this.find(idOrName).id), 'upper'));
  }

  /** What the container changed against its image (`berth diff`): from its overlay upper dir. */
  changes(idOrName: string): Change[] {
    const rec = this.find(idOrName);
    const dir = this.dir(rec.id);
    const lowers = lowerDirsOf(this.d.rootfs.mounts(rec.chainIds, path.join(dir, 'upper'), path.join(dir, 'work')));
    const targets = (rec.mounts ?? []).map((m) => m.target);
    return containerChanges(path.join(dir, 'upper'), lowers, targets);
  }

  /** Removes every container that is not running; returns their ids. */
  async prune(): Promise<string[]> {
    const gone: string[] = [];
    for (const r of this.d.store.all()) {
      if (r.state.status === 'running') continue;
      try {
        await this.remove(r.id, false);
        gone.push(r.id);
      } catch (e) {
        this.d.log?.('warn', `prune ${r.id}: ${e}`);
      }
    }
    return gone;
  }

  /** The container's processes, from its cgroup (not its pid namespace). */
  async pids(idOrName: string): Promise<number[]> {
    const rec = this.find(idOrName);
    if (rec.state.status !== 'running') throw conflict(`container ${rec.name} is not running`);
    return this.d.cgroups.pids(rec.id);
  }

  // ---- cp (archive) ---------------------------------------------------------------------------
  /** Where the helper finds the container's root: a running one's mount namespace, else its snapshot. */
  private archiveRoot(rec: ContainerRecord): ArchiveRootDesc {
    if (rec.state.status === 'running' && rec.state.pid) return { pid: rec.state.pid };
    const dir = this.dir(rec.id);
    return { mount: this.d.rootfs.mounts(rec.chainIds, path.join(dir, 'upper'), path.join(dir, 'work')), at: path.join(dir, 'rootfs') };
  }

  private archivePort(): ArchivePort {
    if (!this.d.helper.archive) throw new BerthError('not_implemented', 'copying files needs the native helper');
    return this.d.helper.archive;
  }

  private archivePath(p: string): string {
    if (!p.startsWith('/')) p = '/' + p;
    if (p.includes('\0')) throw invalid('path must not contain NUL');
    return p;
  }

  async archiveStat(idOrName: string, p: string, follow = false): Promise<ArchivePathStat> {
    const rec = this.find(idOrName);
    const port = this.archivePort();
    const run = () => port.stat(this.archiveRoot(rec), this.archivePath(p), follow);
    return this.isRunning(rec.id) ? run() : this.exclusive(rec.id, run);
  }

  /** The entries of the directory `p` in the container (the dashboard's file browser). */
  async listDir(idOrName: string, p: string) {
    const rec = this.find(idOrName);
    const port = this.archivePort();
    const run = () => port.list(this.archiveRoot(rec), this.archivePath(p));
    return this.isRunning(rec.id) ? run() : this.exclusive(rec.id, run);
  }

  /** A tar of `p` in the container (entries named from `rebase`, default its base name). */
  async archiveGet(idOrName: string, p: string, opts: { rebase?: string; follow?: boolean; oneFileSystem?: boolean } = {}) {
    const rec = this.find(idOrName);
    const port = this.archivePort();
    const stat = await this.archiveStat(rec.id, p, opts.follow ?? false);
    if (this.isRunning(rec.id)) return { stat, ...port.out(this.archiveRoot(rec), this.archivePath(p), opts) };
    // a stopped container's snapshot is mounted for the copy: no start meanwhile
    let out!: ReturnType<ArchivePort['out']>;
    let opened!: () => void;
    const ready = new Promise<void>((r) => (opened = r));
    void this.exclusive(rec.id, () => {
      out = port.out(this.archiveRoot(rec), this.archivePath(p), opts);
      opened();
      return out.done;
    }).catch(() => {});
    await ready;
    return { stat, ...out };
  }

  /** `berth export`: the container's root filesystem as a tar, without volumes, /proc, /sys or /dev. */
  exportFs(idOrName: string) {
    return this.archiveGet(idOrName, '/', { rebase: '', oneFileSystem: true });
  }

  /** Extracts a tar into the directory `p` in the container. */
  async archivePut(idOrName: string, p: string, body: NodeJS.ReadableStream, opts: { rebase?: string; keepOwner?: boolean } = {}) {
    const rec = this.find(idOrName);
    const port = this.archivePort();
    const run = () => port.in(this.archiveRoot(rec), this.archivePath(p), body, opts);
    return this.isRunning(rec.id) ? run() : this.exclusive(rec.id, run);
  }

  // ---- wait / exits -------------------------------------------------------------------------
  /** Resolves with the exit code when the container is not running (at once if it is not). */
  waitExit(id: string, signal?: AbortSignal): Promise<number> {
    const rec = this.d.store.tryGet(id);
    if (!rec) return Promise.reject(notFound(`no such container: ${id}`));
    if (rec.state.status !== 'running') return Promise.resolve(rec.state.exitCode ?? 0);
    return new Promise((resolve, reject) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      const fn = (code: number) => resolve(code);
      set.add(fn);
      signal?.addEventListener('abort', () => {
        set.delete(fn);
        reject(new BerthError('unavailable', 'wait aborted'));
      });
      this.ensureWatching();
    });
  }

  /** Starts the single poll loop that notices exits of running containers. */
  private ensureWatching() {
    if (this.timer) return;
    let tick = 0;
    this.timer = setInterval(() => {
      tick++;
      const running = this.d.store.all().filter((r) => r.state.status === 'running');
      if (running.length === 0 && this.waiters.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      for (const r of running) {
        if (this.busy.has(r.id)) continue;
        const exitFile = path.join(this.stateDir(r.id), 'exit.json');
        if (fs.existsSync(exitFile)) void this.exclusive(r.id, () => this.onExit(r.id));
        else if (tick % 8 === 0 && !alive(r.state.monitorPid)) void this.exclusive(r.id, () => this.onExit(r.id));
      }
    }, 100);
    this.timer.unref();
  }

  private async onExit(id: string): Promise<void> {
    const rec = this.d.store.tryGet(id);
    if (!rec || rec.state.status !== 'running') return;
    this.health.stop(id);
    const exit = readExit(path.join(this.stateDir(id), 'exit.json'));
    let oomKills = 0;
    try {
      oomKills = (await this.d.cgroups.stats(id)).oomKills;
    } catch {
      /* group already gone */
    }
    await this.d.cgroups.killAll(id, 'SIGKILL').catch(() => {});
    await this.d.cgroups.remove(id).catch((e) => this.d.log?.('warn', `removing cgroup of ${id}: ${e}`));
    await this.d.network?.teardown(id).catch((e) => this.d.log?.('warn', `network teardown of ${id}: ${e}`));
    rec.state = {
      ...rec.state,
      status: exit ? 'exited' : 'dead',
      paused: false,
      manuallyStopped: rec.state.manuallyStopped === true || this.manualStops.has(id),
      pid: null,
      monitorPid: null,
      exitCode: exit ? exit.exitCode : 255,
      finishedAt: exit?.finishedAt ?? new Date().toISOString(),
      oomKilled: oomKills > 0,
      error: exit ? null : 'the container monitor died without recording an exit status',
    };
    this.d.store.update(rec);
    this.emit('die', rec, { exitCode: String(rec.state.exitCode ?? 255) });
    const code = rec.state.exitCode ?? 255;
    for (const fn of this.waiters.get(id) ?? []) fn(code);
    this.waiters.delete(id);
    if (rec.spec.autoRemove) {
      setImmediate(() => void this.remove(id, true, { volumes: true }).catch((e) => this.d.log?.('warn', `auto-removing ${id}: ${e}`)));
    } else this.maybeRestart(rec);
  }

  // ---- restart policies ---------------------------------------------------------------------
  private readonly backoff = new Map<string, number>();

  /** also in memory: an exit being recorded concurrently must not lose the flag */
  private readonly manualStops = new Set<string>();

  private markManualStop(rec: ContainerRecord) {
    this.manualStops.add(rec.id);
    const cur = this.d.store.tryGet(rec.id);
    if (!cur || cur.state.manuallyStopped) return;
    cur.state.manuallyStopped = true;
    this.d.store.update(cur);
    rec.state.manuallyStopped = true;
  }

  /** Docker's rules: no | on-failure[:N] (non-zero exits, at most N restarts) | always | unless-stopped. */
  shouldRestart(rec: ContainerRecord, atAgentStart = false): boolean {
    const p = rec.spec.restartPolicy;
    if (!p || p.name === 'no' || rec.spec.autoRemove) return false;
    const manual = rec.state.manuallyStopped === true || this.manualStops.has(rec.id);
    if (manual && !(atAgentStart && p.name === 'always')) return false;
    if (p.name === 'on-failure') {
      if (atAgentStart || (rec.state.exitCode ?? 0) === 0) return false;
      return p.maximumRetryCount === 0 || rec.state.restartCount < p.maximumRetryCount;
    }
    return true;
  }

  private maybeRestart(rec: ContainerRecord, atAgentStart = false) {
    if (!this.shouldRestart(rec, atAgentStart)) {
      this.backoff.delete(rec.id);
      return;
    }
    // 100ms doubling per restart, back to 100ms after a run of 10s or more (Docker's backoff)
    const ran = Date.parse(rec.state.finishedAt ?? '') - Date.parse(rec.state.startedAt ?? '');
    const prev = this.backoff.get(rec.id);
    const delay = atAgentStart ? 0 : prev === undefined || ran >= 10_000 ? 100 : Math.min(prev * 2, 60_000);
    this.backoff.set(rec.id, delay || 100);
    const t = setTimeout(() => {
      void this.exclusive(rec.id, async () => {
        const cur = this.d.store.tryGet(rec.id);
        if (!cur || cur.state.status === 'running' || !this.shouldRestart(cur, atAgentStart)) return;
        cur.state.restartCount++;
        this.d.store.update(cur);
        await this.startLocked(cur.id, {});
      }).catch((e) => this.d.log?.('warn', `restarting ${rec.id}: ${e}`));
    }, delay);
    t.unref();
  }

  /** At agent start: fold in exits that happened while it was down, re-watch the rest. */
  async reconcile(): Promise<void> {
    const known = new Set<string>();
    for (const r of this.d.store.all()) {
      known.add(r.id);
      if (r.state.status !== 'running') continue;
      if (fs.existsSync(path.join(this.stateDir(r.id), 'exit.json')) || !alive(r.state.monitorPid)) await this.exclusive(r.id, () => this.onExit(r.id));
    }
    // restart policies across the agent's own restart (and a reboot): always / unless-stopped come back
    for (const r of this.d.store.all()) {
      if ((r.state.status === 'exited' || r.state.status === 'dead') && r.state.startedAt && ['always', 'unless-stopped'].includes(r.spec.restartPolicy?.name ?? ''))
        this.maybeRestart(r, true);
    }
    // healthchecks of the containers that kept running, from the state they had
    for (const r of this.d.store.all()) {
      if (r.state.status !== 'running' || !r.config.healthcheck) continue;
      const kept = this.readHealth(r.id);
      this.health.start(r.id, r.config.healthcheck, { startedAtMs: Date.parse(r.state.startedAt ?? '') || Date.now(), ...(kept ? { initial: kept } : {}) });
    }
    // directories without a record are leftovers of a crash between disk and DB writes
    for (const dir of [this.d.paths.containers, path.join(this.d.paths.run, 'containers')]) {
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const e of entries) if (/^[a-f0-9]{64}$/.test(e) && !known.has(e)) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
    }
    this.ensureWatching();
  }

  stopWatching() {
    this.health.stopAll();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One lifecycle operation at a time per container. */
  private exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.busy.get(id) ?? Promise.resolve();
    const next = prev.then(fn);
    // the map holds a promise that never rejects: callers see `next`'s failure, nobody else
    const tracked: Promise<void> = next.then(
      () => {},
      () => {},
    );
    void tracked.then(() => {
      if (this.busy.get(id) === tracked) this.busy.delete(id);
    });
    this.busy.set(id, tracked);
    return next;
  }
}

/** exec --privileged: every capability the runtime holds, in every set */
function allCapabilities() {
  const caps = [...hostCapabilities()];
  return { bounding: caps, effective: caps, permitted: caps };
}

function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a reused pid is not our monitor
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('berth-helper');
  } catch {
    return false;
  }
}

function readExit(file: string): ExitInfo | undefined {
  try {
    const e = JSON.parse(fs.readFileSync(file, 'utf8')) as ExitInfo;
    return typeof e.exitCode === 'number' ? e : undefined;
  } catch {
    return undefined;
  }
}

function hostsFile(hostname: string, network: string): string {
  const base = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
  return network === 'host' ? base : `${base}127.0.1.1\t${hostname}\n`;
}

function resolvConf(network: string): string {
  if (network === 'host') {
    try {
      return fs.readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      return '';
    }
  }
  return '';
}

/** The image layer dirs of an overlay mount description (for filling volumes from the image). */
/** The cgroup limits a spec asks for. */
function limitsOf(spec: RunSpecParsed): CgroupLimits {
  return {
    memoryBytes: spec.memoryBytes,
    // like Docker: with -m and no --memory-swap, swap is limited to the same amount again
    memorySwapBytes: spec.memoryBytes ? (spec.memorySwapBytes ?? spec.memoryBytes * 2) : undefined,
    nanoCpus: spec.nanoCpus,
    pidsLimit: spec.pidsLimit,
  };
}

function lowerDirsOf(m: { options: string[] }): string[] {
  const opt = m.options.find((o) => o.startsWith('lowerdir='));
  return opt ? opt.slice('lowerdir='.length).split(':') : [];
}

export { signalNumber };
