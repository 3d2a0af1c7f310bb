// Container log options and `logs --since/--until` times, validated here once for the CLI, the
// Docker API and the dashboard alike.
import { z } from 'zod';

// ---- --log-opt (Docker's json-file driver: max-size, max-file) -----------------------------

/** Docker's RAMInBytes: 10m, 1.5g, 512k, 100 (bytes); k/m/g are powers of 1024. */
export function parseLogSize(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([kmgt]?)(?:i?b)?$/i.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as ''];
  const n = Math.floor(Number(m[1]) * mult);
  return n > 0 ? n : undefined;
}

const LOG_OPTS = ['max-size', 'max-file'];

/**
 * HostConfig.LogConfig in Docker's shape. Only the json-file driver exists; of its options Berth
 * implements max-size and max-file (rotation) and refuses the rest rather than ignore them.
 */
export const LogConfig = z
  .object({
    type: z.string().default('json-file'),
    config: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((c, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message, path: ['config'] });
    if (c.type !== 'json-file') {
      ctx.addIssue({ code: 'custom', message: `log driver "${c.type}" is not supported: berth writes json-file logs`, path: ['type'] });
      return;
    }
    for (const k of Object.keys(c.config)) {
      if (!LOG_OPTS.includes(k)) issue(`unknown log opt '${k}' for json-file log driver: berth supports max-size and max-file`);
    }
    const size = c.config['max-size'];
    if (size !== undefined && size !== '-1' && parseLogSize(size) === undefined)
      issue(`invalid log opt max-size=${size}: want a positive size like 10m, 512k or 1g`);
    const file = c.config['max-file'];
    if (file !== undefined) {
      if (!/^\d+$/.test(file) || Number(file) < 1) issue(`invalid log opt max-file=${file}: want a whole number of files, at least 1`);
      else if (Number(file) > 1000) issue(`invalid log opt max-file=${file}: at most 1000 files`);
      else if (Number(file) > 1 && (size === undefined || size === '-1')) issue(`log opt max-file=${file} needs max-size: rotation happens when a file reaches max-size`);
    }
  });
export type LogConfig = z.input<typeof LogConfig>;

/** The rotation a (validated) LogConfig asks for; maxSize 0 = the log is never rotated. */
export function logRotation(c: { config?: Record<string, string> } | undefined): { maxSize: number; maxFile: number } {
  const size = c?.config?.['max-size'];
  const maxSize = size && size !== '-1' ? (parseLogSize(size) ?? 0) : 0;
  const maxFile = maxSize && c?.config?.['max-file'] ? Number(c.config['max-file']) : 1;
  return { maxSize, maxFile };
}

/** `--log-opt KEY=VALUE` flags as LogConfig.config (validated by LogConfig). */
export function logOptsToConfig(opts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of opts) {
    const i = o.indexOf('=');
    if (i <= 0) throw new Error(`invalid log opt "${o}": want KEY=VALUE, like max-size=10m`);
    out[o.slice(0, i)] = o.slice(i + 1);
  }
  return out;
}

// ---- --since / --until ----------------------------------------------------------------------

const NS = 1_000_000_000n;
const DURATION_UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, ms: 1_000_000n, s: NS, m: 60n * NS, h: 3600n * NS };

/** Go's time.ParseDuration (what Docker uses for `--since 10m`), without a sign: nanoseconds. */
export function parseDuration(v: string): bigint | undefined {
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.test(v)) return undefined;
  let total = 0n;
  for (const [, num, unit] of v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    const [int, frac = ''] = num.split('.');
    const u = DURATION_UNITS[unit];
    total += BigInt(int || '0') * u;
    if (frac) total += (BigInt(frac.slice(0, 18)) * u) / 10n ** BigInt(frac.slice(0, 18).length);
  }
  return total;
}

/** A time as the log writes it: RFC 3339 in UTC with exactly nine fraction digits (sorts as text). */
export function formatLogTime(ns: bigint): string {
  if (ns < 0n) ns = 0n;
  const sec = ns / NS;
  const frac = (ns % NS).toString().padStart(9, '0');
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?([Zz]|[+-]\d\d:?\d\d)?$/;

/**
 * Docker's `logs --since/--until` forms, as nanoseconds since the epoch: unix seconds with an
 * optional fraction (`1700000000.000000000`, what the docker CLI sends), RFC 3339 (`2026-12-04T08:00:00Z`,
 * `...+01:00`; without a zone it is local time, like Docker), a date (`2026-12-04`), or a
 * duration back from now (`10m`, `1h30m`, `90s`). undefined when it is none of these.
 */
export function parseLogTimeNs(v: string, nowMs: number = Date.now()): bigint | undefined {
  const s = v.trim();
  let m = /^(\d+)(?:\.(\d{1,9})\d*)?$/.exec(s);
  if (m) return BigInt(m[1]) * NS + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  const d = parseDuration(s);
  if (d !== undefined) return BigInt(nowMs) * 1_000_000n - d;
  m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, da, h = '0', mi = '0', se = '0', frac = '', zone] = m;
  const parts = [Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(se)] as const;
  if (parts[1] > 11 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 || parts[4] > 59 || parts[5] > 60) return undefined;
  let ms: number;
  if (zone === undefined) ms = new Date(...parts).getTime();
  else {
    ms = Date.UTC(...parts);
    if (zone !== 'Z' && zone !== 'z') {
      const z = /^([+-])(\d\d):?(\d\d)$/.exec(zone)!;
      ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
    }
  }
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
}

/** parseLogTimeNs as the log's own time text (comparable with each record's `time` as strings). */
export function parseLogTime(v: string, nowMs?: number): string | undefined {
  const ns = parseLogTimeNs(v, nowMs);
  return ns === undefined ? undefined : formatLogTime(ns);
}

export const logTimeHint = 'want RFC 3339 (2026-12-04T08:00:00Z), unix seconds (1700000000.5) or a duration back from now (10m, 1h30m)';

/** A since/until bound from a user: validated and turned into the log's time text. */
export const LogTimeBound = z.string().transform((v, ctx) => {
  const t = parseLogTime(v);
  if (t === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid time "${v}": ${logTimeHint}` });
    return z.NEVER;
  }
  return t;
});
