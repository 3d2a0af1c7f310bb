// What the build form turns into: the context tar (typed Dockerfile + picked files, minus what a
// picked .dockerignore names) and the query for /api/images/build. Pure: no DOM, no fetch.
import { isIgnored, parseDockerignore } from '@berth/shared';
import { contextPath, makeTar, type TarFile } from './tar';
import { parseEnvLines } from '../parse/units';

export interface BuildForm {
  dockerfile: string;
  tags: string;
  buildArgs: string;
  noCache: boolean;
  target: string;
  /** picked files, named relative to the context */
  files: TarFile[];
}

/** A repository[:tag] as Docker accepts it (lower-case path, optional registry and tag). */
const TAG = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

export function buildRequest(f: BuildForm): { query: URLSearchParams; body: Uint8Array; dockerfile: string; sent: string[] } {
  const q = new URLSearchParams();
  for (const t of f.tags.split(/[\s,]+/).filter(Boolean)) {
    if (!TAG.test(t)) throw new Error(`invalid tag "${t}": use name[:tag] in lower case, e.g. myapp:1`);
    q.append('tags', t);
  }
  const args: Record<string, string> = {};
  for (const line of parseEnvLines(f.buildArgs)) {
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`invalid build argument "${line}": use KEY=VALUE`);
    args[line.slice(0, i)] = line.slice(i + 1);
  }
  if (Object.keys(args).length) q.set('buildargs', JSON.stringify(args));
  if (f.noCache) q.set('nocache', '1');
  if (f.target.trim()) q.set('target', f.target.trim());

  const files = f.files.map((x) => ({ ...x, name: contextPath(x.name) }));
  const names = new Set(files.map((x) => x.name));
  const typed = f.dockerfile.trim() !== '';
  if (!typed && !names.has('Dockerfile')) throw new Error('write a Dockerfile, or pick a folder that has one');
  // the typed Dockerfile wins; it takes another name when the picked files have their own
  const dockerfile = !typed ? 'Dockerfile' : names.has('Dockerfile') ? 'Dockerfile.dashboard' : 'Dockerfile';
  const ignore = files.find((x) => x.name === '.dockerignore');
  const rules = ignore ? parseDockerignore(new TextDecoder().decode(ignore.data)) : [];
  const kept = files.filter((x) => x.name === dockerfile || !isIgnored(x.name, rules));
  if (typed) kept.push({ name: dockerfile, data: new TextEncoder().encode(f.dockerfile.endsWith('\n') ? f.dockerfile : `${f.dockerfile}\n`) });
  q.set('dockerfile', dockerfile);
  return { query: q, body: makeTar(kept), dockerfile, sent: kept.map((x) => x.name) };
}
