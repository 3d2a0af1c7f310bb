// WWW-Authenticate parsing (RFC 7235): `Bearer realm="https://auth",service="reg",scope="a b"`,
// `Basic realm="x"`. Several challenges may share one header. Pure; no transport.

export interface Challenge {
  scheme: string; // lowercase: "bearer", "basic"
  params: Record<string, string>; // keys lowercase
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const s = header;
  const out: Challenge[] = [];
  let i = 0;
  let cur: Challenge | null = null;
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  while (i < s.length) {
    ws();
    if (s[i] === ',') {
      i++;
      continue;
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (!m) {
      i++; // junk: skip it
      continue;
    }
    i = TOKEN.lastIndex;
    const save = i;
    ws();
    if (s[i] === '=' && cur) {
      i++;
      ws();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i++];
        }
        i++;
      } else {
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
        value = s.slice(start, i);
      }
      cur.params[m[0].toLowerCase()] = value;
    } else {
      i = save;
      cur = { scheme: m[0].toLowerCase(), params: {} };
      out.push(cur);
    }
  }
  return out;
}
