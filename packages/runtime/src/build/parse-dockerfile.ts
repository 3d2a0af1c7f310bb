// The Dockerfile parser: parser directives (`# escape`), comments, line continuations, one
// instruction per logical line with its flags (`--from=`, `--chown=`), exec (JSON) vs shell
// form, heredocs (`RUN <<EOF`, `COPY <<EOF /f`: Dockerfile 1.4 syntax) and the `$VAR` /
// `${VAR:-x}` substitution the executor applies with ARG and ENV values.
// Pure: no filesystem, no engine.
import { invalid } from '../errors';

export const INSTRUCTIONS = new Set([
  'FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'USER', 'CMD', 'ENTRYPOINT', 'LABEL',
  'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'SHELL', 'HEALTHCHECK', 'ONBUILD', 'MAINTAINER',
]);

export interface Instruction {
  /** 1-based line where the instruction starts */
  line: number;
  /** upper-case keyword */
  cmd: string;
  /** `--name=value` flags before the arguments (COPY --from, --chown, --chmod; FROM --platform) */
  flags: Record<string, string>;
  /** the arguments as written (continuations joined, flags removed) */
  args: string;
  /** exec form (a JSON array of strings), when the arguments are one */
  json: string[] | null;
  /** the instruction as written on one line, for history and the cache key */
  original: string;
  /** heredocs opened on the instruction's line (RUN, COPY, ADD; shell form), in order */
  heredocs: Heredoc[];
}

export interface Heredoc {
  /** the delimiter word (`EOF` in `<<-"EOF"`) */
  name: string;
  /** the content: the lines up to the delimiter, each ending in \n; leading tabs gone for `<<-` */
  body: string;
  /** `<<-`: leading tabs are stripped from the lines and the delimiter */
  stripTabs: boolean;
  /** the delimiter was quoted: no variable expansion in the content */
  quoted: boolean;
  /** the lines as written, the delimiter line included (a shell is given these verbatim) */
  raw: string;
}

/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` (not `<<<`; a name starts with a letter or `_`). */
const HEREDOC_RE = /^<<(-?)(?:"([A-Za-z_][A-Za-z0-9_.-]*)"|'([A-Za-z_][A-Za-z0-9_.-]*)'|([A-Za-z_][A-Za-z0-9_.-]*))/;
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * The heredoc markers in an instruction's arguments, in order: outside quotes, backslash escapes
 * and `$(( ))` arithmetic (where `<<` is a shift).
 */
export function heredocMarkers(args: string): { name: string; stripTabs: boolean; quoted: boolean; text: string }[] {
  const out: { name: string; stripTabs: boolean; quoted: boolean; text: string }[] = [];
  let q: '"' | "'" | null = null;
  let arith = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"') i++;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      q = c;
      continue;
    }
    if (args.startsWith('$((', i)) {
      arith++;
      i += 2;
      continue;
    }
    if (arith > 0 && args.startsWith('))', i)) {
      arith--;
      i++;
      continue;
    }
    if (arith > 0 || c !== '<' || args[i - 1] === '<' || args[i + 2] === '<') continue;
    const m = HEREDOC_RE.exec(args.slice(i));
    if (!m) continue;
    out.push({ name: (m[2] ?? m[3] ?? m[4])!, stripTabs: m[1] === '-', quoted: m[2] !== undefined || m[3] !== undefined, text: m[0] });
    i += m[0].length - 1;
  }
  return out;
}

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let escape = '\\';
  // parser directives: only at the very top, before any comment or instruction
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([a-zA-Z]+)\s*=\s*(.*?)\s*$/.exec(lines[i]!);
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw invalid(`Dockerfile line ${i + 1}: invalid escape directive "${m[2]}": must be \\ or \``);
      escape = m[2]!;
    }
  }
  const out: Instruction[] = [];
  let cur: string | null = null;
  let start = 0;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const trimmed = raw.trim();
    if (/^#/.test(trimmed)) continue; // comments, also inside a continued instruction
    if (cur === null) {
      if (trimmed === '') continue;
      cur = '';
      start = n + 1;
    } else if (trimmed === '') continue; // empty lines inside continuations are skipped
    const body = raw.replace(/\s+$/, '');
    if (body.endsWith(escape) && !body.endsWith(escape + escape)) {
      cur += body.slice(0, -1);
      continue;
    }
    cur += body;
    const ins = parseInstruction(cur.trim(), start);
    if (HEREDOC_INSTRUCTIONS.has(ins.cmd) && !ins.json) {
      for (const mk of heredocMarkers(ins.args)) {
        const rawLines: string[] = [];
        const bodyLines: string[] = [];
        for (;;) {
          if (++n >= lines.length) throw invalid(`Dockerfile line ${start}: unterminated heredoc <<${mk.name}: no line "${mk.name}" ends it`);
          const l = lines[n]!;
          rawLines.push(l);
          const cleaned = mk.stripTabs ? l.replace(/^\t+/, '') : l;
          if (cleaned === mk.name) break;
          bodyLines.push(cleaned);
        }
        ins.heredocs.push({ name: mk.name, body: bodyLines.map((x) => `${x}\n`).join(''), stripTabs: mk.stripTabs, quoted: mk.quoted, raw: rawLines.join('\n') });
      }
    }
    out.push(ins);
    cur = null;
  }
  if (cur !== null && cur.trim() !== '') out.push(parseInstruction(cur.trim(), start));
  if (out.length === 0) throw invalid('the Dockerfile has no instructions');
  const firstNonArg = out.find((x) => x.cmd !== 'ARG');
  if (!firstNonArg || firstNonArg.cmd !== 'FROM') {
    throw invalid(`Dockerfile line ${firstNonArg?.line ?? 1}: no build stage in current context: the first instruction must be FROM (ARG may come before it)`);
  }
  return out;
}

/** One instruction written on one line (continuations already joined). */
export function parseInstruction(text: string, line: number): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const cmd = m[1]!.toUpperCase();
  if (!INSTRUCTIONS.has(cmd)) throw invalid(`Dockerfile line ${line}: unknown instruction: ${m[1]}`);
  let rest = m[2]!;
  const flags: Record<string, string> = {};
  if (cmd === 'FROM' || cmd === 'COPY' || cmd === 'ADD' || cmd === 'RUN') {
    for (;;) {
      const f = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(rest);
      if (!f) break;
      flags[f[1]!] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
  }
  let json: string[] | null = null;
  if (rest.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(rest);
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) json = v as string[];
    } catch {
      json = null; // not JSON: shell form, as Docker treats it
    }
  }
  if (rest === '' && cmd !== 'RUN' && cmd !== 'CMD' && cmd !== 'ENTRYPOINT') {
    throw invalid(`Dockerfile line ${line}: ${cmd} requires at least one argument`);
  }
  return { line, cmd, flags, args: rest, json, original: text.replace(/\s+/g, ' '), heredocs: [] };
}

/**
 * Splits on unquoted whitespace; quotes ('..' and "..") group, backslash escapes the next
 * character (outside single quotes). Used for ENV, LABEL, ARG, COPY sources, EXPOSE, VOLUME.
 */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && i + 1 < s.length && (s[i + 1] === '"' || s[i + 1] === '\\')) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      q = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (q) throw invalid(`unterminated quote in: ${s}`);
  if (has) out.push(cur);
  return out;
}

/** `K=V K2="v 2"` or the legacy `K V with spaces` form (ENV, LABEL). */
export function parseKeyValues(args: string, what: string): [string, string][] {
  const firstWord = /^\S+/.exec(args)?.[0] ?? '';
  if (!firstWord.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (!m) throw invalid(`${what} needs a value: ${args}`);
    return [[m[1]!, m[2]!]];
  }
  return splitWords(args).map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalid(`${what} expects KEY=VALUE, got "${w}"`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/**
 * Docker's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}`; `\$`
 * stays a literal `$`. Unknown variables become empty, as in Docker.
 */
export function substitute(s: string, vars: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && s[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      if (end < 0) throw invalid(`missing } in: ${s}`);
      const inner = s.slice(i + 2, end);
      const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(inner);
      if (!m) throw invalid(`bad substitution \${${inner}}`);
      const v = vars.get(m[1]!);
      if (m[2] === '-') out += v ? v : substitute(m[3]!, vars);
      else if (m[2] === '+') out += v ? substitute(m[3]!, vars) : '';
      else out += v ?? '';
      i = end;
      continue;
    }
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i + 1));
    if (!m) {
      out += '$';
      continue;
    }
    out += vars.get(m[0]) ?? '';
    i += m[0].length;
  }
  return out;
}
