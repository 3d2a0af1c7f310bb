// The Backend the agent's adapters use, implemented over the runtime. Thin: it names things the
// way the API does and turns runtime handles into TerminalProcess objects.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import type { Runtime } from '@berth/runtime';
import { readLogBatches, readLogs } from '@berth/runtime';
import { BerthError } from '@berth/runtime/errors';
import type { AttachHandle, ExecHandle } from '@berth/runtime/containers/ports';
import { networkVolumeBackend } from './network-backend';
import { readNetDev } from '@berth/runtime/stats/net-dev';
import { treeSize } from '@berth/runtime/containers/disk-usage';
import { fileFromTar } from '@berth/runtime/containers/file-from-tar';
import { readLogPage } from '@berth/runtime/logs/log-page';
import type { Backend, ExecSpec, TerminalProcess } from './backend';
import { imageRegistryBackend, type RegistryBackendOptions } from './image-registry-backend';
import { buildBackend } from './build-backend';

export const VERSION = '0.1.0';

export function runtimeBackend(rt: Runtime, opts: RegistryBackendOptions = {}): Backend {
  const c = rt.containers;
  return {
    ...imageRegistryBackend(rt, opts),
    ...buildBackend(rt, opts),
    async info() {
      const all = c.list(true);
      return {
        version: VERSION,
        hostname: os.hostname(),
        cgroupVersion: rt.cgroups.version,
        containers: all.length,
        running: all.filter((x) => x.state === 'running').length,
        images: rt.images.list().length,
        dataRoot: rt.paths.root,
      };
    },

    listImages: async () => rt.images.list(),
    inspectImage: async (ref) => rt.images.inspect(ref),
    removeImage: (ref, force) => rt.images.remove(ref, { force }),
    loadImages: (source) => rt.images.load(source),
    importImage: async (source, ref, cmd) => {
      const r = await rt.images.import(source, ref, { cmd });
      return { id: r.id };
    },

    listContainers: async (all) => c.list(all),
    containerSummaries: async (ids) => c.summaries(ids),
    events: (opts, signal) => c.events.stream(opts, signal),
    pauseContainer: (id) => c.pause(id),
    unpauseContainer: (id) => c.unpause(id),
    renameContainer: async (id, name) => c.rename(id, name),
    pruneContainers: async () => ({ deleted: await c.prune() }),
    updateContainer: (id, spec) => c.update(id, spec),
    containerChanges: async (id) => c.changes(id),
    async diskUsage() {
      const containers: Record<string, number> = {};
      for (const s of c.list(true)) containers[s.id] = c.sizeRw(s.id);
      const volumes: Record<string, number> = {};
      for (const v of rt.volumes.list()) volumes[v.name] = treeSize(v.mountpoint);
      return { containers, volumes };
    },
    async topContainer(id) {
      const pids = await c.pids(id);
      const titles = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'];
      if (pids.length === 0) return { titles, processes: [] };
      const r = spawnSync('ps', ['-o', 'user,pid,ppid,c,stime,tty,time,args', '-p', pids.join(',')], { encoding: 'utf8' });
      if (r.status !== 0 && !r.stdout) throw new BerthError('internal', `ps: ${r.stderr || r.error?.message || `exited with ${r.status}`}`);
      const processes = r.stdout
        .split('\n')
        .slice(1)
        .filter((l) => l.trim())
        .map((l) => {
          const f = l.trim().split(/\s+/);
          return [...f.slice(0, 7), f.slice(7).join(' ')];
        });
      return { titles, processes };
    },
    archiveStat: (id, p, follow) => c.archiveStat(id, p, follow),
    archiveGet: (id, p, o) => c.archiveGet(id, p, o),
    archivePut: (id, p, body, o) => c.archivePut(id, p, body, o),
    exportContainer: (id) => c.exportFs(id),
    async readFile(id, p) {
      const a = await c.archiveGet(id, p);
      if (a.stat.type !== 'file') {
        a.kill();
        throw new BerthError('invalid_argument', `${p} is a ${a.stat.type === 'dir' ? 'directory' : a.stat.type}, not a file: download it as a tar`);
      }
      a.done.catch(() => {});
      return { size: a.stat.size, stream: fileFromTar(a.stream), kill: a.kill };
    },
    async listDir(id, p) {
      const r = await c.listDir(id, p);
      return { path: p, entries: r.entries.sort((a, b) => (a.type === 'dir') === (b.type === 'dir') ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1), truncated: r.truncated };
    },
    inspectContainer: async (id) => c.inspect(id),
    createContainer: (spec) => c.create(spec),
    startContainer: (id) => c.start(id),
    stopContainer: (id, t) => c.stop(id, t),
    restartContainer: (id, t) => c.restart(id, t),
    killContainer: (id, s) => c.kill(id, s),
    removeContainer: (id, f, o) => c.remove(id, f, o),
    ...networkVolumeBackend(rt),
    async waitContainer(id, signal) {
      const rec = c.find(id);
      return { exitCode: await c.waitExit(rec.id, signal) };
    },

    logs(id, query, signal) {
      const rec = c.find(id);
      return readLogs(c.logPath(rec.id), { ...query, signal, isRunning: () => c.isRunning(rec.id) });
    },
    logPage(id, q) {
      return readLogPage(c.logPath(c.find(id).id), q);
    },
    logBatches(id, query, signal) {
      const rec = c.find(id);
      return readLogBatches(c.logPath(rec.id), { ...query, signal, isRunning: () => c.isRunning(rec.id) });
    },
    stats(id, signal) {
      const rec = c.find(id);
      if (rec.state.status !== 'running') throw new BerthError('failed_precondition', `container ${rec.name} is not running`);
      return rt.stats.stream(rec.id, () => c.isRunning(rec.id), signal);
    },
    async statsHistory(id) {
      return rt.statsHistory.get(c.find(id).id);
    },
    async statsOnce() {
      const out: Record<string, Awaited<ReturnType<typeof rt.stats.sample>>['sample']> = {};
      for (const s of c.list(false)) {
        try {
          const sample = (await rt.stats.sample(s.id)).sample;
          const net = s.pid ? readNetDev(s.pid) : undefined;
          out[s.id] = net ? { ...sample, netRxBytes: net.rxBytes, netTxBytes: net.txBytes } : sample;
        } catch {
          /* stopped between list and sample */
        }
      }
      return out;
    },

    async exec(id, spec: ExecSpec) {
      const h = await c.exec(id, spec);
      return fromExec(h, spec.tty);
    },
    async execDetached(id, spec) {
      await c.execDetached(id, spec);
    },
    async attach(id, opts) {
      const rec = c.find(id);
      if (rec.state.status !== 'running' && !opts.start) throw new BerthError('failed_precondition', `container ${rec.name} is not running: start it first`);
      const h = await c.attach(rec.id, opts);
      const t = fromAttach(h);
      // the exit goes to the client once the engine has recorded it too, so the command after
      // `berth run` (rm, inspect, start) finds the container exited, never still "running"
      const recorded = (code: number) =>
        Promise.race([c.waitExit(rec.id).catch(() => code), new Promise<number>((r) => setTimeout(r, 10_000, code).unref())]).then(() => code);
      return { ...t, exited: t.exited.then(recorded) };
    },
  };
}

function fromExec(h: ExecHandle, tty: boolean): TerminalProcess {
  return {
    onOutput(fn) {
      h.stdout?.on('data', (d: Buffer) => fn('stdout', d));
      h.stderr?.on('data', (d: Buffer) => fn(tty ? 'stdout' : 'stderr', d));
    },
    write: (d) => h.stdin?.write(d),
    closeStdin: () => h.stdin?.end(),
    resize: (r, cols) => h.resize(r, cols),
    pause() {
      h.stdout?.pause();
      h.stderr?.pause();
    },
    resume() {
      h.stdout?.resume();
      h.stderr?.resume();
    },
    exited: (async () => {
      const code = await h.exited;
      // let the last output chunks through before the exit frame
      await Promise.all([h.stdout, h.stderr].map((s) => (s && !s.readableEnded ? new Promise((r) => s.once('end', r).once('close', r)) : null)));
      return code;
    })(),
    close: () => h.kill(),
  };
}

function fromAttach(h: AttachHandle): TerminalProcess {
  return {
    onOutput: (fn) => h.onData(fn),
    write: (d) => h.write(d),
    closeStdin: () => h.closeStdin(),
    resize: (r, cols) => h.resize(r, cols),
    pause: () => h.pause(),
    resume: () => h.resume(),
    exited: h.exited,
    close: () => h.close(),
  };
}
