// Image references, parsed and normalised the way Docker does (distribution/reference,
// go-containerregistry pkg/name): `busybox` → `docker.io/library/busybox:latest`. Parsing is
// pure and separate from any transport; everything that stores or compares a reference uses the
// normalised string from `formatReference`, and only display uses `familiarName`.
import { invalid } from '../errors';

export interface Reference {
  /** Registry host, with port when given: `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`, `a/b`. */
  path: string;
  /** Tag; `latest` when neither tag nor digest was given. */
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins a digest. */
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_MAX = 255;

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = new RegExp(
  `^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const tagRe = /^[\w][\w.-]{0,127}$/;
const anyDigestRe = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const sha256DigestRe = /^sha256:[a-f0-9]{64}$/;
const hex64Re = /^[a-f0-9]{64}$/;

function bad(input: string, why: string): never {
  throw invalid(`invalid reference format "${truncate(input)}": ${why}`);
}

function truncate(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/**
 * Parses a reference and normalises it: default registry docker.io, `library/` for official
 * images, tag `latest` when neither tag nor digest is given. Throws invalid_argument naming the
 * reference.
 */
export function parseReference(input: string): Reference {
  if (typeof input !== 'string' || input.length === 0) bad(String(input), 'empty reference');
  if (input.length > 4096) bad(input, 'too long');
  if (hex64Re.test(input)) bad(input, 'repository name cannot be a 64-byte hexadecimal string');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!anyDigestRe.test(digest)) bad(input, 'invalid digest');
    if (!sha256DigestRe.test(digest)) bad(input, 'only lowercase sha256 digests are supported');
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) bad(input, 'invalid tag');
  }
  if (rest.length === 0) bad(input, 'missing repository name');
  if (rest.length > NAME_MAX) bad(input, `repository name longer than ${NAME_MAX} characters`);

  let domain: string;
  let path: string;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  if (
    slash === -1 ||
    (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)
  ) {
    domain = DEFAULT_DOMAIN;
    path = rest;
  } else {
    domain = first;
    path = rest.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (!domainRe.test(domain)) bad(input, `invalid registry "${domain}"`);
  if (path.length === 0) bad(input, 'missing repository path');
  if (path !== path.toLowerCase()) bad(input, 'repository name must be lowercase');
  for (const comp of path.split('/')) {
    if (!pathComponent.test(comp)) bad(input, `invalid repository path component "${comp}"`);
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  if (domain.length + 1 + path.length > NAME_MAX) bad(input, `repository name longer than ${NAME_MAX} characters`);

  if (tag === undefined && digest === undefined) tag = 'latest';
  return { domain, path, tag, digest };
}

/** `docker.io/library/busybox` */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The normalised string: `docker.io/library/busybox:latest`, `host/a@sha256:…`. */
export function formatReference(ref: Reference): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Parses and returns the normalised string in one step. */
export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

/** Repository as users write it: `busybox`, `user/app`, `localhost:5000/a/b`. */
export function familiarRepository(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX) && ref.path.indexOf('/', OFFICIAL_REPO_PREFIX.length) === -1) {
    return ref.path.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return ref.path;
}

/** For display: `docker.io/library/busybox:1.37.0-musl` → `busybox:1.37.0-musl`. */
export function familiarName(ref: Reference | string): string {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  let s = familiarRepository(r);
  if (r.tag !== undefined) s += `:${r.tag}`;
  if (r.digest !== undefined) s += `@${r.digest}`;
  return s;
}
