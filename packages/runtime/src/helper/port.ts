// The native helper as the ports the engine's services take (containers/ports.ts, the images'
// unpack function). Kept apart from the spawn code so services never see child processes.
import type { AttachHandle, HelperPort } from '../containers/ports';
import { archiveIn, archiveList, archiveOut, archiveStat } from './archive';
import { attach } from './attach';
import { spawnExec } from './exec';
import path from 'node:path';
import { helperPath } from './helper-path';
import { startContainer } from './start';
import { unpackLayer } from './unpack';

export function nativeHelper(): HelperPort & { unpack: typeof unpackLayer } {
  return {
    unpack: unpackLayer,
    startContainer,
    // built next to the helper (make -C packages/runtime/native)
    initPath: process.env.BERTH_INIT ?? path.join(path.dirname(helperPath()), 'berth-init'),
    archive: { stat: archiveStat, list: archiveList, out: archiveOut, in: archiveIn },
    exec(o) {
      const p = spawnExec(o);
      return {
        stdin: p.stdin,
        stdout: p.stdout,
        stderr: p.stderr,
        resize: p.resize,
        signal: p.signal,
        kill() {
          p.signal(9);
          // the helper exits once its child is gone; make sure it does
          setTimeout(() => p.child.exitCode === null && p.child.kill('SIGKILL'), 2000).unref();
        },
        exited: p.exited,
        ...(p.started ? { started: p.started } : {}),
      };
    },
    attach(stateDir): AttachHandle {
      const c = attach(stateDir);
      let paused = false;
      const held: [('stdout' | 'stderr'), Buffer][] = [];
      let sink: ((s: 'stdout' | 'stderr', d: Buffer) => void) | undefined;
      c.on('data', (ch: { stream: 'stdout' | 'stderr'; data: Buffer }) => {
        if (paused || !sink) held.push([ch.stream, ch.data]);
        else sink(ch.stream, ch.data);
      });
      const flush = () => {
        while (!paused && sink && held.length) {
          const [s, d] = held.shift()!;
          sink(s, d);
        }
      };
      return {
        onData(fn) {
          sink = fn;
          flush();
        },
        write: (d) => c.write(d),
        resize: (r, cols) => c.resize(r, cols),
        closeStdin: () => c.closeStdin(),
        pause() {
          // the monitor drops a client that stops reading for too long, so buffer here instead
          paused = true;
        },
        resume() {
          paused = false;
          flush();
        },
        close: () => c.close(),
        connected: c.connected,
        exited: c.exit.then((e) => {
          flush();
          if (!e) throw Object.assign(new Error('the container monitor closed the attach socket without an exit status'), { code: 'unavailable' });
          return e.exitCode;
        }),
      };
    },
  };
}
