// A build context as a tar, made in the browser: the Dockerfile the user typed plus the files
// they picked, in POSIX ustar format (what the agent's build endpoint unpacks). Pure: no DOM.

export interface TarFile {
  /** relative path inside the context, with `/` separators */
  name: string;
  data: Uint8Array;
  mode?: number;
}

const enc = new TextEncoder();

/** Cleans a relative path: no absolute names, no `..`, no empty or `.` parts. */
export function contextPath(name: string): string {
  const parts = name.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new Error(`empty file name "${name}"`);
  if (parts.some((p) => p === '..')) throw new Error(`file name "${name}" leaves the build context`);
  return parts.join('/');
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mode: number, type: '0' | '5'): Uint8Array {
  const h = new Uint8Array(512);
  let base = name;
  let prefix = '';
  if (enc.encode(name).length > 100) {
    // ustar splits long names at a slash: prefix (at most 155 bytes) + name (at most 100)
    let i = -1;
    for (let j = name.indexOf('/'); j >= 0; j = name.indexOf('/', j + 1)) {
      if (enc.encode(name.slice(0, j)).length <= 155 && enc.encode(name.slice(j + 1)).length <= 100) {
        i = j;
        break;
      }
    }
    if (i < 0) throw new Error(`file name too long for the build context tar: ${name}`);
    prefix = name.slice(0, i);
    base = name.slice(i + 1);
  }
  const put = (s: string, off: number, len: number) => h.set(enc.encode(s).subarray(0, len), off);
  put(base, 0, 100);
  put(octal(mode & 0o7777, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

/** The tar bytes: a directory entry for every parent, then each file, then the end blocks. */
export function makeTar(files: TarFile[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const dirs = new Set<string>();
  const seen = new Set<string>();
  for (const f of files) {
    const name = contextPath(f.name);
    if (seen.has(name)) throw new Error(`${name} is in the context twice`);
    seen.add(name);
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (dirs.has(d)) continue;
      dirs.add(d);
      chunks.push(header(`${d}/`, 0, 0o755, '5'));
    }
    chunks.push(header(name, f.data.length, f.mode ?? 0o644, '0'));
    chunks.push(f.data);
    const pad = (512 - (f.data.length % 512)) % 512;
    if (pad) chunks.push(new Uint8Array(pad));
  }
  chunks.push(new Uint8Array(1024));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
