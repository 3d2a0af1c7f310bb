// The result of a run: rows of (measurement, side, summary or reason), rendered as markdown with
// Berth ÷ peer ratios and the issue's targets, and as JSON.
import { type Summary, summarize } from './sample';

export interface Cell {
  side: string;
  summary?: Summary;
  /** Why there is no number (the side cannot run here, or Berth lacks the feature yet). */
  reason?: string;
  note?: string;
}

export interface Row {
  id: string;
  title: string;
  unit: 'ms' | 'MiB' | 'CPU ms/s' | 's';
  cells: Cell[];
  note?: string;
}

export function cell(side: string, samples: number[] | undefined, note?: string): Cell {
  const summary = samples ? summarize(samples) : undefined;
  return summary ? { side, summary, note } : { side, reason: 'no samples', note };
}

const fmt = (v: number, unit: Row['unit']) => (unit === 'ms' || unit === 'CPU ms/s' ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : v.toFixed(v >= 100 ? 0 : 2));

export function ratio(row: Row | undefined, num: string, den: string): number | undefined {
  const a = row?.cells.find((c) => c.side === num)?.summary;
  const b = row?.cells.find((c) => c.side === den)?.summary;
  return a && b && b.median > 0 ? a.median / b.median : undefined;
}

/** A cell's text with its pipes escaped, so `curl|gunzip|tar` stays one markdown cell. */
const esc = (s: string) => s.replace(/\|/g, '\\|');

export function renderTable(rows: Row[]): string {
  const out = ['| # | measurement | side | median | min | max | n | Berth ÷ side |', '|---|---|---|---:|---:|---:|---:|---:|'];
  for (const row of rows) {
    const berth = row.cells.find((c) => c.side.startsWith('berth'));
    for (const c of row.cells) {
      const label = `${row.title} (${row.unit})`;
      if (!c.summary) {
        out.push(`| ${row.id} | ${esc(label)} | ${esc(c.side)} | ${esc(c.reason ?? '—')} | | | | |`);
        continue;
      }
      const r = berth?.summary && !c.side.startsWith('berth') && c.summary.median > 0 ? `${(berth.summary.median / c.summary.median).toFixed(2)}×` : '';
      const s = c.summary;
      out.push(`| ${row.id} | ${esc(label)} | ${esc(c.side)}${c.note ? ` (${esc(c.note)})` : ''} | ${fmt(s.median, row.unit)} | ${fmt(s.min, row.unit)} | ${fmt(s.max, row.unit)} | ${s.n} | ${r} |`);
    }
  }
  return out.join('\n');
}

interface Target {
  what: string;
  row: string;
  peer?: string;
  max: number;
  /** absolute limit in the row's unit instead of a ratio */
  absolute?: boolean;
  side?: string;
}

// The issue's targets (to chase; never asserted).
const TARGETS: Target[] = [
  { what: '`run --rm true`, no network ≤ 0.4× podman+crun', row: '1a', peer: 'podman+crun', max: 0.4 },
  { what: '`run --rm true`, bridge ≤ 0.3× podman', row: '1b', peer: 'podman+crun', max: 0.3 },
  { what: '`exec true` ≤ 0.5× docker', row: '2', peer: 'docker', max: 0.5 },
  { what: '50 detached starts ≤ 0.4× podman', row: '3a', peer: 'podman+crun', max: 0.4 },
  { what: 'monitor RSS ≤ conmon', row: '5c', peer: 'podman+crun', max: 1 },
  { what: 'agent RSS with 50 containers ≤ 100 MB', row: '5b', side: 'berth', max: 100, absolute: true },
  { what: 'pull + unpack ≤ 1.2× curl|gunzip|tar', row: '6', peer: 'curl|gunzip|tar', max: 1.2 },
  { what: 'logs read-back ≤ 0.2× podman', row: '7b', peer: 'podman+crun', max: 0.2 },
];

export function renderTargets(rows: Row[]): string {
  const out = ['| target | measured | status |', '|---|---:|---|'];
  for (const t of TARGETS) {
    const row = rows.find((r) => r.id === t.row);
    const berth = row?.cells.find((c) => c.side === (t.side ?? 'berth'));
    let measured: string;
    let status: string;
    if (!berth?.summary) {
      measured = '—';
      status = berth?.reason ?? 'not measured this run';
    } else if (t.absolute) {
      measured = `${berth.summary.median.toFixed(1)} ${row!.unit}`;
      status = berth.summary.median <= t.max ? 'met' : `gap: ${(berth.summary.median / t.max).toFixed(2)}× the target`;
    } else {
      const r = ratio(row, 'berth', t.peer!);
      const peer = row?.cells.find((c) => c.side === t.peer);
      if (r === undefined) {
        measured = '—';
        status = `no ${t.peer} number: ${peer?.reason ?? 'not measured this run'}`;
      } else {
        measured = `${r.toFixed(2)}×`;
        status = r <= t.max ? 'met' : `gap: ${(r / t.max).toFixed(2)}× over (needs ${((1 - t.max / r) * 100).toFixed(0)}% less)`;
      }
    }
    out.push(`| ${esc(t.what)} | ${measured} | ${esc(status)} |`);
  }
  return out.join('\n');
}
