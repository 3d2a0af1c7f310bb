// Parsing and formatting of the sizes and CPU amounts users type in the run form.

const memUnits: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "64m", "1g", "512k", "1048576", "64MiB", "64MB" → bytes (binary units, as Docker does). */
export function parseMemory(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(input);
  if (!m) throw new Error(`invalid memory size "${input}": use a number with an optional unit b, k, m, g`);
  const bytes = Math.floor(Number(m[1]) * memUnits[m[2]!.toLowerCase()]!);
  if (!Number.isFinite(bytes) || bytes <= 0) throw new Error(`invalid memory size "${input}": must be positive`);
  return bytes;
}

/** "0.5", "2", "1.25" → nano CPUs, as Docker's --cpus. */
export function parseCpus(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*$/.exec(input);
  if (!m) throw new Error(`invalid cpus "${input}": use a decimal number such as 0.5`);
  const nano = Math.round(Number(m[1]) * 1e9);
  if (nano <= 0) throw new Error(`invalid cpus "${input}": must be positive`);
  return nano;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function formatPercent(p: number): string {
  return `${p.toFixed(p >= 100 ? 0 : 1)}%`;
}

/** Parses KEY=VALUE lines; blank lines and lines starting with # are skipped. */
export function parseEnvLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (!/^[^=\s][^=]*=/.test(line)) throw new Error(`invalid env line "${line}": use KEY=VALUE`);
    out.push(line);
  }
  return out;
}
