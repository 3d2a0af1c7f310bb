// A small getopt for Docker-style command lines: `-it`, `-e K=V -e X`, `--name=x`, `--name x`,
// and "everything after the image is the command" (stopAtPositional).
export type FlagType = 'bool' | 'string' | 'list';
export interface FlagDef {
  long: string;
  short?: string;
  type: FlagType;
}

export class UsageError extends Error {}

/** `--help` on any command: lists the flags it takes (main prints it and exits 0). */
export class HelpRequest extends Error {}

function helpText(defs: FlagDef[]): string {
  if (defs.length === 0) return 'this command takes no flags';
  const lines = defs.map((d) => `  ${d.short ? `-${d.short}, ` : '    '}--${d.long}${d.type === 'bool' ? '' : d.type === 'list' ? ' VALUE (repeatable)' : ' VALUE'}`);
  return `flags:\n${lines.join('\n')}`;
}

export interface Parsed {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseArgs(argv: string[], defs: FlagDef[], opts: { stopAtPositional?: boolean } = {}): Parsed {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  const byLong = new Map(defs.map((d) => [d.long, d]));
  const byShort = new Map(defs.filter((d) => d.short).map((d) => [d.short!, d]));
  const set = (d: FlagDef, v: string | boolean) => {
    if (d.type === 'list') (flags[d.long] = (flags[d.long] as string[] | undefined) ?? []).push(String(v));
    else flags[d.long] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' && !byLong.has('help')) throw new HelpRequest(helpText(defs));
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const d = byLong.get(name);
      if (!d) throw new UsageError(`unknown flag: --${name}`);
      if (d.type === 'bool') {
        if (eq >= 0) {
          const v = a.slice(eq + 1);
          if (v !== 'true' && v !== 'false') throw new UsageError(`invalid value "${v}" for flag --${name}: want true or false`);
          set(d, v === 'true');
        } else set(d, true);
      } else if (eq >= 0) set(d, a.slice(eq + 1));
      else {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        set(d, argv[++i]);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // -it, -e K=V, -eK=V, -m32m
      for (let j = 1; j < a.length; j++) {
        const d = byShort.get(a[j]);
        if (!d) throw new UsageError(`unknown shorthand flag: '${a[j]}' in ${a}`);
        if (d.type === 'bool') {
          set(d, true);
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest) set(d, rest);
        else {
          if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: '${a[j]}' in ${a}`);
          set(d, argv[++i]);
        }
        break;
      }
      continue;
    }
    positionals.push(a);
    if (opts.stopAtPositional) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags, positionals };
}

/** "32m", "1g", "512k", "1048576" → bytes, like Docker's -m. */
export function parseBytes(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(v.trim());
  if (!m) throw new UsageError(`invalid value "${v}" for flag ${flag}: want a size like 64m or 1g`);
  const mult = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'b' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}

/** "0.5" → 500000000 nano CPUs. */
export function parseCpus(v: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || Number(v) <= 0) throw new UsageError(`invalid value "${v}" for flag ${flag}: want a positive number of CPUs like 0.5`);
  return Math.round(Number(v) * 1e9);
}

export function parseIntFlag(v: string, flag: string, min = 0): number {
  if (!/^-?\d+$/.test(v.trim()) || Number(v) < min) throw new UsageError(`invalid value "${v}" for flag ${flag}: want an integer ≥ ${min}`);
  return Number(v);
}
