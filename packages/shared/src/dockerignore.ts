// .dockerignore rules, for every client that makes a build context (the CLI from a directory,
// the dashboard from picked files): globs with `*`, `?`, `**`; `!` re-includes; `#` comments.
// Later rules win, as in Docker. Pure: no Node.

export interface IgnoreRule {
  re: RegExp;
  negate: boolean;
}

/** `a/./b/../c/` → `a/c`, lexically; leading slashes dropped. */
function cleanPattern(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let line of text.split('\n')) {
    line = line.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    const p = cleanPattern(line);
    if (p === '') continue;
    let re = '';
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      if (c === '*' && p[i + 1] === '*') {
        re += '.*';
        i++;
        if (p[i + 1] === '/') i++;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    rules.push({ re: new RegExp(`^${re}(/.*)?$`), negate });
  }
  return rules;
}

/** Whether the context-relative path `rel` (with `/`) is left out of the context. */
export function isIgnored(rel: string, rules: IgnoreRule[]): boolean {
  let ignored = false;
  for (const r of rules) if (r.re.test(rel)) ignored = !r.negate;
  return ignored;
}
