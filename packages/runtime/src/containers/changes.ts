// `berth diff` / Docker's `GET /containers/{id}/changes`: what a container changed against its
// image, read from its overlay upper dir. A whiteout (0:0 character device) is a deletion; any
// other entry is a change when the image has that path and an addition when it does not.
// Both trees are walked side by side with lstat and readdir only, never following a symlink,
// so a container's links cannot make the walk look outside Berth's own directories.
import fs from 'node:fs';
import path from 'node:path';

export type ChangeKind = 'C' | 'A' | 'D';
export interface Change {
  path: string;
  kind: ChangeKind;
}

/**
 * Paths the runtime itself creates in the upper dir as mount targets at every start; Docker keeps
 * them in a hidden init layer, so they are not the container's changes.
 */
export const RUNTIME_TARGETS = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev', '/proc', '/sys', '/dev/shm', '/dev/pts', '/dev/mqueue']);

function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** The lower-layer entry for `name` under directories `lowers` (top first): undefined if absent or whited out. */
function lowerEntry(lowers: string[], name: string): { stat: fs.Stats; index: number } | undefined {
  for (let i = 0; i < lowers.length; i++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(lowers[i], name));
    } catch {
      continue;
    }
    if (isWhiteout(st)) return undefined;
    return { stat: st, index: i };
  }
  return undefined;
}

/** The real directories for `name` in each lower layer, top first, stopping at a non-directory. */
function lowerDirs(lowers: string[], name: string): string[] {
  const out: string[] = [];
  for (const l of lowers) {
    const p = path.join(l, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (!st.isDirectory()) break; // a file or whiteout hides everything below it
    out.push(p);
  }
  return out;
}

/**
 * Changes of `upperDir` against the image layers `lowers` (top first, as overlay's lowerdir lists
 * them), sorted by path like Docker. `mountTargets` are extra container paths to leave out.
 */
export function containerChanges(upperDir: string, lowers: string[], mountTargets: string[] = []): Change[] {
  const skip = new Set([...RUNTIME_TARGETS, ...mountTargets]);
  const out: Change[] = [];
  /** walks one upper directory; returns how many of its entries were runtime targets only */
  const walk = (upper: string, lowerHere: string[], rel: string): { reported: number; skipped: number } => {
    let names: string[];
    try {
      names = fs.readdirSync(upper);
    } catch {
      return { reported: 0, skipped: 0 };
    }
    let reported = 0;
    let skipped = 0;
    for (const name of names.sort()) {
      const p = path.join(upper, name);
      const containerPath = `${rel}/${name}`;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      const below = lowerEntry(lowerHere, name);
      if (isWhiteout(st)) {
        if (below) {
          out.push({ path: containerPath, kind: 'D' });
          reported++;
        }
        continue;
      }
      if (skip.has(containerPath)) {
        skipped++;
        continue;
      }
      const at = out.length;
      out.push({ path: containerPath, kind: below ? 'C' : 'A' });
      if (!st.isDirectory()) {
        reported++;
        continue;
      }
      // a copied-up directory is only there for its children: when every child was a runtime
      // mount target (e.g. /etc for /etc/hosts), the directory is not a change either
      const inner = walk(p, below ? lowerDirs(lowerHere, name) : [], containerPath);
      if (below && inner.reported === 0 && inner.skipped > 0) out.splice(at, 1);
      else reported++;
    }
    return { reported, skipped };
  };
  walk(upperDir, lowers, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
