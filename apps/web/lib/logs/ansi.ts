// ANSI colours in log lines, made safe: SGR sequences (colours, bold, underline, reset) become
// styled segments; every other escape or control sequence (OSC titles and clipboard writes,
// cursor moves, …) is dropped, so a log can only ever show text. Pure.

export interface Segment {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  underline?: boolean;
}

const BASE = ['#1f2937', '#ef4444', '#22c55e', '#eab308', '#3b82f6', '#d946ef', '#06b6d4', '#e5e7eb'];
const BRIGHT = ['#6b7280', '#f87171', '#4ade80', '#facc15', '#60a5fa', '#e879f9', '#22d3ee', '#ffffff'];

function color256(n: number): string | undefined {
  if (n < 8) return BASE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const v = n - 16;
    const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
    return `rgb(${c(Math.floor(v / 36))},${c(Math.floor(v / 6) % 6)},${c(v % 6)})`;
  }
  if (n < 256) {
    const g = 8 + (n - 232) * 10;
    return `rgb(${g},${g},${g})`;
  }
  return undefined;
}

// CSI ... final byte; OSC ... BEL or ST; other two-byte escapes; lone C0 controls except tab
// eslint-disable-next-line no-control-regex
const TOKEN = /\x1b\[([0-9;?]*)([@-~])|\x1b\][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[PX^_][\s\S]*?(?:\x1b\\|$)|\x1b[@-Z\\-_]?|[\x00-\x08\x0b-\x1f\x7f]/g;

export function ansiSegments(line: string): Segment[] {
  const out: Segment[] = [];
  let style: Omit<Segment, 'text'> = {};
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const prev = out[out.length - 1];
    if (prev && prev.fg === style.fg && prev.bg === style.bg && prev.bold === style.bold && prev.dim === style.dim && prev.underline === style.underline) prev.text += text;
    else out.push({ text, ...style });
  };
  for (const m of line.matchAll(TOKEN)) {
    push(line.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[2] !== 'm' || m[1]?.includes('?')) continue; // only SGR changes how text looks
    const codes = (m[1] || '0').split(';').map((c) => (c === '' ? 0 : Number(c)));
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c === 0) style = {};
      else if (c === 1) style = { ...style, bold: true };
      else if (c === 2) style = { ...style, dim: true };
      else if (c === 4) style = { ...style, underline: true };
      else if (c === 22) style = { ...style, bold: undefined, dim: undefined };
      else if (c === 24) style = { ...style, underline: undefined };
      else if (c >= 30 && c <= 37) style = { ...style, fg: BASE[c - 30] };
      else if (c >= 90 && c <= 97) style = { ...style, fg: BRIGHT[c - 90] };
      else if (c === 39) style = { ...style, fg: undefined };
      else if (c >= 40 && c <= 47) style = { ...style, bg: BASE[c - 40] };
      else if (c >= 100 && c <= 107) style = { ...style, bg: BRIGHT[c - 100] };
      else if (c === 49) style = { ...style, bg: undefined };
      else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
        const col = color256(codes[i + 2] ?? -1);
        style = c === 38 ? { ...style, fg: col } : { ...style, bg: col };
        i += 2;
      } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
        const [r, g, b] = [codes[i + 2], codes[i + 3], codes[i + 4]].map((x) => Math.max(0, Math.min(255, x ?? 0)));
        const col = `rgb(${r},${g},${b})`;
        style = c === 38 ? { ...style, fg: col } : { ...style, bg: col };
        i += 4;
      }
    }
  }
  push(line.slice(last));
  return out;
}

/** The line without any escape or control sequence (search, copy, download as plain text). */
export function stripAnsi(line: string): string {
  return line.replace(TOKEN, '');
}
