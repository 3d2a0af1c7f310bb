// Starts a container from a bundle; returns once the init was exec'd (or parked for attach).
// The monitor is double-forked by the helper and is not our child.
import { internal } from '../errors';
import { runHelper } from './run-helper';

export async function startContainer(bundleDir: string, stateDir: string): Promise<{ pid: number; monitorPid: number }> {
  const r = await runHelper(['start', '--bundle', bundleDir, '--state', stateDir], { what: `starting container` });
  const v = JSON.parse(r.stdout.trim()) as { pid?: unknown; monitorPid?: unknown };
  if (typeof v.pid !== 'number' || typeof v.monitorPid !== 'number') throw internal(`start container: bad helper output ${r.stdout}`);
  return { pid: v.pid, monitorPid: v.monitorPid };
}
