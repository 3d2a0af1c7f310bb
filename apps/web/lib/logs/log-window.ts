// The log viewer's window: a run of consecutive lines somewhere in a log of any length, grown by
// pages before or after it and trimmed at the far end so memory stays bounded. Pure.
import type { LogLine } from '@berth/shared';

export interface LogWindow {
  lines: LogLine[];
  /** lines exist before the first one held */
  moreBefore: boolean;
  /** lines exist after the last one held (false: the window ends at the log's end, live) */
  moreAfter: boolean;
}

export const emptyWindow: LogWindow = { lines: [], moreBefore: false, moreAfter: false };

export const lineKey = (l: LogLine) => `${l.file ?? 0}:${l.cursor}`;

/** Older lines in front; the newest are dropped past `max` (the window no longer ends at the end). */
export function prepend(w: LogWindow, page: { lines: LogLine[]; more: boolean }, max: number): { window: LogWindow; added: number } {
  const have = new Set(w.lines.map(lineKey));
  const fresh = page.lines.filter((l) => !have.has(lineKey(l)));
  let lines = [...fresh, ...w.lines];
  let moreAfter = w.moreAfter;
  if (lines.length > max) {
    lines = lines.slice(0, max);
    moreAfter = true;
  }
  return { window: { lines, moreBefore: page.more, moreAfter }, added: fresh.length };
}

/** Newer lines behind; the oldest are dropped past `max`. */
export function append(w: LogWindow, page: { lines: LogLine[]; more: boolean }, max: number): { window: LogWindow; dropped: number } {
  const have = new Set(w.lines.slice(-page.lines.length - 1).map(lineKey));
  const fresh = page.lines.filter((l) => !have.has(lineKey(l)));
  let lines = [...w.lines, ...fresh];
  let dropped = 0;
  let moreBefore = w.moreBefore;
  if (lines.length > max) {
    dropped = lines.length - max;
    lines = lines.slice(dropped);
    moreBefore = true;
  }
  return { window: { lines, moreBefore, moreAfter: page.more }, dropped };
}

/** Whether a line matches the viewer's search (case-insensitive substring, as the agent's grep). */
export function matches(l: LogLine, grep: string): boolean {
  return !grep || l.text.toLowerCase().includes(grep.toLowerCase());
}
