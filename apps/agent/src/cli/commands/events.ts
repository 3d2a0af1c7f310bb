// `berth events [--since T] [--until T] [--filter k=v] [--format TPL]`: the engine's container
// events, live (a tRPC subscription), with recent ones replayed from --since.
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { renderTemplate } from '../go-template';

/** Docker's time forms: unix seconds (with fraction), RFC 3339, or a duration back from now (10m). */
export function parseEventTime(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const d = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (d) return now - Number(d[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[d[2] as 'ms']!;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`invalid time "${v}": want unix seconds, RFC 3339 or a duration like 10m`);
  return t;
}

interface Ev {
  time: string;
  timeMs: number;
  type: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
}

export async function events(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'since', type: 'string' },
    { long: 'until', type: 'string' },
    { long: 'filter', short: 'f', type: 'list' },
    { long: 'format', type: 'string' },
  ]);
  if (positionals.length) throw new UsageError('usage: berth events [--since TIME] [--until TIME] [--filter KEY=VALUE] [--format TEMPLATE]');
  const sinceMs = flags.since !== undefined ? parseEventTime(flags.since as string) : undefined;
  const untilMs = flags.until !== undefined ? parseEventTime(flags.until as string) : undefined;
  const filters = new Map<string, string[]>();
  for (const f of (flags.filter as string[] | undefined) ?? []) {
    const i = f.indexOf('=');
    if (i <= 0) throw new UsageError(`bad format of filter "${f}": want KEY=VALUE`);
    const k = f.slice(0, i).toLowerCase();
    if (!['container', 'event', 'type', 'image'].includes(k)) throw new UsageError(`invalid filter '${k}'`);
    filters.set(k, [...(filters.get(k) ?? []), f.slice(i + 1)]);
  }
  const match = (e: Ev) =>
    [...filters].every(([k, vs]) =>
      vs.some((v) =>
        k === 'container' ? e.id.startsWith(v) || e.attributes.name === v : k === 'event' ? e.action === v : k === 'type' ? e.type === v : e.attributes.image === v,
      ),
    );
  const fmt = flags.format as string | undefined;
  const line = (e: Ev) => {
    if (fmt) return renderTemplate(fmt, { ...e, Type: e.type, Action: e.action, Status: e.action, ID: e.id, Actor: { ID: e.id, Attributes: e.attributes } });
    const attrs = Object.entries(e.attributes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    return `${e.time} ${e.type} ${e.action} ${e.id} (${attrs})`;
  };
  const client = ctx.client();
  return new Promise<number>((resolve, reject) => {
    const sub = client.trpc.containers.events.subscribe(
      { ...(sinceMs !== undefined ? { sinceMs } : {}), ...(untilMs !== undefined ? { untilMs } : {}) },
      {
        onData(e: Ev) {
          if (match(e)) ctx.out(line(e) + '\n');
        },
        onError: (err: unknown) => reject(err),
        onComplete: () => resolve(0),
      },
    );
    process.once('SIGINT', () => {
      sub.unsubscribe();
      resolve(0);
    });
  });
}
