// The Backend the agent's adapters use, implemented over the runtime. Thin: it names things the
// way the API does and turns runtime handles into TerminalProcess objects.
import os from 'node:os';
import type { Runtime } from '@berth/runtime';
import { readLogs } from '@berth/runtime';
import { BerthError } from '@berth/runtime/errors';
import type { AttachHandle, ExecHandle } from '@berth/runtime/containers/ports';
import { networkVolumeBackend } from './network-backend';
import type { Backend, ExecSpec, TerminalProcess } from './backend';
import { imageRegistryBackend, type RegistryBackendOptions } from './image-registry-backend';

export const VERSION = '0.1.0';

export function runtimeBackend(rt: Runtime, opts: RegistryBackendOptions = {}): Backend {
  const c = rt.containers;
  return {
    ...imageRegistryBackend(rt, opts),
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
    stats(id, signal) {
      const rec = c.find(id);
      if (rec.state.status !== 'running') throw new BerthError('failed_precondition', `container ${rec.name} is not running`);
      return rt.stats.stream(rec.id, () => c.isRunning(rec.id), signal);
    },
    async statsOnce() {
      const out: Record<string, Awaited<ReturnType<typeof rt.stats.sample>>['sample']> = {};
      for (const s of c.list(false)) {
        try {
          out[s.id] = (await rt.stats.sample(s.id)).sample;
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
    async attach(id, opts) {
      const rec = c.find(id);
      if (rec.state.status !== 'running' && !opts.start) throw new BerthError('failed_precondition', `container ${rec.name} is not running: start it first`);
      const h = await c.attach(rec.id, opts);
      return fromAttach(h);
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
