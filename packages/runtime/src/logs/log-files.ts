// The files of one container log: PATH.N ... PATH.1 (rotated, oldest first) and PATH (current),
// as the monitor's json-file rotation leaves them. Opened together, so a rotation during a read
// neither loses nor repeats records: an open descriptor keeps reading its file after a rename.
import fs from 'node:fs';

export interface OpenLogFile {
  fh: fs.promises.FileHandle;
  ino: number;
}

const MAX_ROTATED = 1000; // the monitor keeps at most 1000 files

/** PATH.N ... PATH.1, PATH as they exist now (names are derived from our own log path only). */
export function logFileNames(path: string): string[] {
  const rotated: string[] = [];
  for (let n = 1; n <= MAX_ROTATED; n++) {
    const name = `${path}.${n}`;
    if (!fs.existsSync(name)) break;
    rotated.push(name);
  }
  return [...rotated.reverse(), path];
}

async function openOne(name: string): Promise<OpenLogFile | undefined> {
  try {
    const fh = await fs.promises.open(name, 'r');
    return { fh, ino: (await fh.stat()).ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Every file of the log, oldest first, as one consistent snapshot (retried if a rotation raced it). */
export async function openLogSet(path: string): Promise<OpenLogFile[]> {
  for (let attempt = 0; ; attempt++) {
    const names = logFileNames(path);
    const files: OpenLogFile[] = [];
    for (const n of names) {
      const f = await openOne(n);
      if (f) files.push(f);
    }
    if (files.length === 0 && names.length === 1) return files; // never started: no log yet
    // consistent when every name still names the file we opened for it
    const stable = names.length === files.length && names.every((n, i) => statIno(n) === files[i].ino) && !fs.existsSync(`${path}.${names.length}`);
    if (stable || attempt >= 4) return files;
    await closeAll(files);
  }
}

export function statIno(name: string): number | undefined {
  try {
    return fs.statSync(name).ino;
  } catch {
    return undefined;
  }
}

export async function closeAll(files: OpenLogFile[]): Promise<void> {
  await Promise.all(files.map((f) => f.fh.close().catch(() => {})));
}
