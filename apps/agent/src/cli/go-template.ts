// The small part of Go templates `--format` / `-f` uses: literal text, `{{.A.B}}` (field names
// match case-insensitively), `{{json .A}}`, `{{index .A "key"}}`, `{{upper|lower .A}}`, `\t`/`\n`.
export function renderTemplate(tpl: string, data: unknown): string {
  const text = tpl.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return text.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => show(evalExpr(expr, data)));
}

function lookup(obj: unknown, path: string): unknown {
  if (path === '.' || path === '') return obj;
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const rec = cur as Record<string, unknown>;
    const key = part in rec ? part : Object.keys(rec).find((k) => k.toLowerCase() === part.toLowerCase());
    cur = key === undefined ? undefined : rec[key];
  }
  return cur;
}

function evalExpr(expr: string, data: unknown): unknown {
  const args = expr.match(/"[^"]*"|\S+/g) ?? [];
  const val = (a: string) => (a.startsWith('"') ? a.slice(1, -1) : lookup(data, a));
  switch (args[0]) {
    case 'json':
      return JSON.stringify(val(args[1] ?? '.'));
    case 'index': {
      const o = val(args[1]) as Record<string, unknown> | unknown[] | undefined;
      return o === undefined || o === null ? undefined : (o as Record<string, unknown>)[String(val(args[2]))];
    }
    case 'upper':
      return String(val(args[1]) ?? '').toUpperCase();
    case 'lower':
      return String(val(args[1]) ?? '').toLowerCase();
    default:
      if (!args[0]?.startsWith('.')) throw new Error(`template: unsupported expression {{${expr}}}`);
      return val(args[0]);
  }
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object') {
    if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
    return `map[${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}:${show(x)}`)
      .join(' ')}]`;
  }
  return String(v);
}
