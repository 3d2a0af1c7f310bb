// Credentials in Docker's config file format (~/.docker/config.json, or $DOCKER_CONFIG/config.json):
//   { "auths": { "registry": { "auth": base64("user:pass") } } }
// with `username`/`password` and `identitytoken` also read. Docker Hub's key is
// "https://index.docker.io/v1/"; other registries are keyed by host[:port], possibly with a
// scheme or path, which lookups ignore. Credential helpers (credsStore) are not run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RegistryAuth } from '@berth/shared';
import { invalid } from '../errors';
import { DEFAULT_DOMAIN } from '../images/reference';

export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}
interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  [k: string]: unknown;
}

/** The config file the caller's tools use: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_CONFIG) return path.join(env.DOCKER_CONFIG, 'config.json');
  return path.join(env.HOME || os.homedir(), '.docker', 'config.json');
}

/** The config's key for a registry domain, as Docker writes it. */
export function configKey(domain: string): string {
  return domain === DEFAULT_DOMAIN || domain === 'index.docker.io' || domain === 'registry-1.docker.io' ? DOCKER_HUB_KEY : domain;
}

/** host[:port] of a config key: strips scheme and path; Hub's legacy keys become docker.io. */
function keyDomain(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//i, '');
  k = k.split('/')[0]!;
  if (k === 'index.docker.io' || k === 'registry-1.docker.io' || k === 'docker.io') return DEFAULT_DOMAIN;
  return k;
}

function readConfig(file: string): DockerConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as DockerConfig) : {};
  } catch {
    throw invalid(`${file} is not valid JSON`);
  }
}

function decodeEntry(e: AuthEntry): RegistryAuth | undefined {
  if (e.identitytoken) return { username: e.username, identityToken: e.identitytoken };
  if (e.auth) {
    const dec = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i > 0) return { username: dec.slice(0, i), password: dec.slice(i + 1) };
  }
  if (e.username && e.password) return { username: e.username, password: e.password };
  return undefined;
}

/** Credentials stored for `domain`, or undefined. */
export function readCredentials(domain: string, file = dockerConfigPath()): RegistryAuth | undefined {
  const auths = readConfig(file).auths ?? {};
  const exact = auths[configKey(domain)];
  if (exact) {
    const a = decodeEntry(exact);
    if (a) return a;
  }
  for (const [k, e] of Object.entries(auths)) {
    if (keyDomain(k) === domain) {
      const a = decodeEntry(e);
      if (a) return a;
    }
  }
  return undefined;
}

function writeConfig(file: string, cfg: DockerConfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Stores credentials as Docker does (`auth` = base64 user:pass), keeping everything else in the file. */
export function storeCredentials(domain: string, username: string, password: string, file = dockerConfigPath()): void {
  const cfg = readConfig(file);
  const auths = { ...(cfg.auths ?? {}) };
  for (const k of Object.keys(auths)) if (keyDomain(k) === domain) delete auths[k];
  auths[configKey(domain)] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  writeConfig(file, { ...cfg, auths });
}

/** Removes stored credentials; false when there were none. */
export function eraseCredentials(domain: string, file = dockerConfigPath()): boolean {
  const cfg = readConfig(file);
  const auths = { ...(cfg.auths ?? {}) };
  let found = false;
  for (const k of Object.keys(auths)) {
    if (keyDomain(k) === domain) {
      delete auths[k];
      found = true;
    }
  }
  if (found) writeConfig(file, { ...cfg, auths });
  return found;
}
