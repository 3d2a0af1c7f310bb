// Passwords (scrypt), sessions (random id in a cookie, its hash in the DB), roles, and the
// first admin created at first start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Role, Store, User } from './db';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

export const SESSION_COOKIE = 'berth_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
const KEYLEN = 64;
const PARAMS = { N: 16384, r: 8, p: 1 };

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * 1024 * 1024 });
  return key.length === expected.length && crypto.timingSafeEqual(key, expected);
}

const hashId = (id: string) => crypto.createHash('sha256').update(id).digest('hex');
/** The key a session is stored and tracked under (its id's hash; the id itself stays secret). */
export const sessionKey = hashId;

export function canMutate(role: Role): boolean {
  return role === 'admin' || role === 'operator';
}

export interface PublicUser {
  id: number;
  username: string;
  role: Role;
}
export const publicUser = (u: User): PublicUser => ({ id: u.id, username: u.username, role: u.role });

// a fixed hash to compare against when the user does not exist, so timing does not reveal it
let dummyHash: Promise<string> | undefined;

/** Checks credentials; on success creates a session and returns its (secret) id. */
export async function login(store: Store, username: string, password: string, now = Date.now()): Promise<{ sessionId: string; user: User; expires: Date } | null> {
  const user = await store.userByName(username);
  if (!user) {
    dummyHash ??= hashPassword('not-a-password');
    await verifyPassword(password, await dummyHash);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  const sessionId = crypto.randomBytes(32).toString('base64url');
  const expires = new Date(now + SESSION_TTL_MS);
  await store.deleteExpiredSessions(new Date(now).toISOString());
  await store.createSession({ idHash: hashId(sessionId), userId: user.id, expiresAt: expires.toISOString() });
  return { sessionId, user, expires };
}

export async function sessionUser(store: Store, sessionId: string | undefined, now = Date.now()): Promise<User | undefined> {
  if (!sessionId || sessionId.length > 200) return undefined;
  return store.sessionUser(hashId(sessionId), new Date(now).toISOString());
}

export async function logout(store: Store, sessionId: string | undefined): Promise<void> {
  if (sessionId) await store.deleteSession(hashId(sessionId));
}

export function sessionCookie(sessionId: string, expires: Date, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${sessionId}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expires.toUTCString()}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    }
  }
  return undefined;
}

/**
 * Creates user `admin` when there are no users. The password comes from BERTH_ADMIN_PASSWORD or is
 * random; it is written to <root>/web-admin-password (0600) and printed once.
 */
export async function ensureFirstAdmin(
  store: Store,
  opts: { berthRoot: string; password?: string; log?: (line: string) => void },
): Promise<{ created: boolean; password?: string }> {
  if ((await store.countUsers()) > 0) return { created: false };
  const password = opts.password || crypto.randomBytes(12).toString('base64url');
  await store.createUser({ username: 'admin', passwordHash: await hashPassword(password), role: 'admin' });
  try {
    fs.mkdirSync(opts.berthRoot, { recursive: true, mode: 0o700 });
    const file = path.join(opts.berthRoot, 'web-admin-password');
    fs.writeFileSync(file, password + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  } catch (e) {
    (opts.log ?? console.log)(`warning: could not write the admin password file: ${(e as Error).message}`);
  }
  (opts.log ?? console.log)(`first login: admin / ${password}`);
  return { created: true, password };
}

/** Same-origin check for WebSocket upgrades and mutating POSTs: Origin must name our Host. */
export function originAllowed(origin: string | undefined | null, host: string | undefined | null): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
