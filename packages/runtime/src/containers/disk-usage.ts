// Bytes a directory tree holds on disk (`berth system df`, Docker's SizeRw): lstat only, so
// symlinks are counted as links and never followed; hard links are counted once.
import fs from 'node:fs';
import path from 'node:path';

export function treeSize(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = fs.readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        walk(p);
        continue;
      }
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      if (st.isFile()) total += st.size;
    }
  };
  walk(dir);
  return total;
}
