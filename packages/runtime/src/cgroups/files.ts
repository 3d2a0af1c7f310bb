// Small file helpers shared by both drivers: reading and writing control files with errors that
// name the file, parsing the kernel's formats, signalling pids and removing group directories.
import fs from 'node:fs/promises';
import path from 'node:path';
import { BerthError, internal, invalid, notFound } from '../errors';
import type { CgroupFs } from './driver';

const ID_RE = /^[a-f0-9]{12,64}$/;

/** Ids become path components, so nothing but lowercase hex reaches the filesystem. */
export function validateId(id: string): string {
  if (!ID_RE.test(id)) throw invalid(`invalid cgroup id ${JSON.stringify(id)}: want 12-64 lowercase hex characters`);
  return id;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export const realFs: CgroupFs = {
  async mkdir(p) {
    try {
      await fs.mkdir(p);
    } catch (e) {
      if (errno(e) === 'EEXIST') return;
      throw fileError(e, `creating cgroup ${p}`);
    }
  },
  async rmdir(p) {
    await fs.rmdir(p);
  },
};

function fileError(e: unknown, context: string): BerthError {
  const code = errno(e);
  const msg = `${context}: ${code ?? (e instanceof Error ? e.message : String(e))}`;
  if (code === 'ENOENT') return notFound(msg);
  if (code === 'EINVAL' || code === 'ERANGE') return invalid(msg);
  return internal(msg, e);
}

export async function readText(p: string): Promise<string> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (e) {
    throw fileError(e, `reading ${p}`);
  }
}

/** Reads a control file that a kernel may not provide (memsw without swapaccount, cgroup.kill). */
export async function readOptional(p: string): Promise<string | null> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    throw fileError(e, `reading ${p}`);
  }
}

export async function writeValue(p: string, value: string | number): Promise<void> {
  try {
    await fs.writeFile(p, String(value));
  } catch (e) {
    throw fileError(e, `writing ${JSON.stringify(String(value))} to ${p}`);
  }
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Values at or above this are the kernel's spelling of "no limit" in v1 (LONG_MAX rounded to a page). */
const UNLIMITED_FLOOR = 2 ** 62;

/** Parses a single-number control file; "max" (v2) and v1's huge sentinel mean no limit. */
export function parseLimit(text: string): number | null {
  const t = text.trim();
  if (t === 'max' || t === '' || t === '-1') return null;
  const n = Number(t);
  if (!Number.isFinite(n)) throw internal(`unexpected cgroup limit value ${JSON.stringify(t)}`);
  return n >= UNLIMITED_FLOOR ? null : n;
}

export function parseNumber(text: string, file: string): number {
  const n = Number(text.trim());
  if (!Number.isFinite(n)) throw internal(`unexpected value ${JSON.stringify(text.trim())} in ${file}`);
  return n;
}

/** Parses "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (!k || v === undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n)) out.set(k, n);
  }
  return out;
}

export function parsePidList(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Sub-groups of dir, deepest first (a container may nest its own cgroups). */
export async function subGroupsDeepestFirst(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (errno(e) === 'ENOENT') return [];
    throw fileError(e, `listing ${dir}`);
  }
  const out: string[] = [];
  for (const ent of entries) {
    if (!ent.isDirectory()) continue;
    const child = path.join(dir, ent.name);
    out.push(...(await subGroupsDeepestFirst(child)), child);
  }
  return out;
}

/** All pids in dir and its sub-groups; a missing group has none. */
export async function readPidsTree(dir: string): Promise<number[]> {
  const pids = new Set<number>();
  for (const d of [dir, ...(await subGroupsDeepestFirst(dir))]) {
    const text = await readOptional(path.join(d, 'cgroup.procs'));
    if (text !== null) for (const p of parsePidList(text)) pids.add(p);
  }
  return [...pids];
}

/** Signals each pid; one that already exited is fine. */
export function signalPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (e) {
      if (errno(e) !== 'ESRCH') throw internal(`sending ${signal} to pid ${pid}: ${errno(e) ?? String(e)}`, e);
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Removes group directories (and their sub-groups, deepest first). While the kernel answers EBUSY
 * (tasks still exiting) it calls killStragglers once, then retries for up to timeoutMs.
 */
export async function removeGroupDirs(
  cfs: CgroupFs,
  dirs: string[],
  killStragglers: () => Promise<void>,
  timeoutMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let killed = false;
  let remaining = [...dirs];
  for (;;) {
    const busy: string[] = [];
    let lastError: unknown;
    for (const dir of remaining) {
      for (const d of [...(await subGroupsDeepestFirst(dir)), dir]) {
        try {
          await cfs.rmdir(d);
        } catch (e) {
          const code = errno(e);
          if (code === 'ENOENT') continue;
          if (code === 'EBUSY' || code === 'ENOTEMPTY') {
            if (!busy.includes(dir)) busy.push(dir);
            lastError = e;
            break;
          }
          throw fileError(e, `removing cgroup ${d}`);
        }
      }
    }
    if (busy.length === 0) return;
    if (Date.now() >= deadline) {
      throw new BerthError('unavailable', `removing cgroup ${busy[0]}: still busy after ${timeoutMs}ms`, {
        cause: lastError,
      });
    }
    if (!killed) {
      killed = true;
      await killStragglers();
    }
    remaining = busy;
    await sleep(50);
  }
}
