// The agent token: a random secret in a root-only file under the data root, created on first
// start. Every HTTP request and WebSocket upgrade must present it as a Bearer token.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function tokenFile(root: string): string {
  return path.join(root, 'agent.token');
}

export function ensureToken(root: string, fromEnv?: string): string {
  if (fromEnv) return fromEnv;
  const file = tokenFile(root);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(root, { recursive: true, mode: 0o711 });
  const token = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return token;
}

export function checkBearer(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}
