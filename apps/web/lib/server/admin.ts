// User management rules for the admin pages: validation, and never leaving the dashboard without
// an admin. Route handlers call these; the store does the writes.
import { roles, type Role, type Store, type User } from './db';
import { hashPassword } from './auth';
import { closeUser } from './live';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$/;

function checkRole(role: unknown): Role {
  if (typeof role !== 'string' || !roles.includes(role as Role)) throw new AdminError(400, `role must be one of ${roles.join(', ')}`);
  return role as Role;
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 10) throw new AdminError(400, 'password must be at least 10 characters');
  if (password.length > 1024) throw new AdminError(400, 'password is too long');
  return password;
}

export async function createUser(store: Store, body: { username?: unknown; password?: unknown; role?: unknown }): Promise<User> {
  if (typeof body.username !== 'string' || !USERNAME.test(body.username)) throw new AdminError(400, 'username must be 1-64 letters, digits or . _ @ - (starting with a letter or digit)');
  const role = checkRole(body.role);
  const password = checkPassword(body.password);
  if (await store.userByName(body.username)) throw new AdminError(409, `user ${body.username} already exists`);
  return store.createUser({ username: body.username, passwordHash: await hashPassword(password), role });
}

async function otherAdmins(store: Store, id: number): Promise<number> {
  return (await store.listUsers()).filter((u) => u.role === 'admin' && u.id !== id).length;
}

/** Changes a role and/or password; the user's open terminals and streams close (their rights changed). */
export async function updateUser(store: Store, id: number, body: { role?: unknown; password?: unknown }): Promise<User> {
  const user = await store.userById(id);
  if (!user) throw new AdminError(404, `no user with id ${id}`);
  if (body.role === undefined && body.password === undefined) throw new AdminError(400, 'nothing to change: give role and/or password');
  if (body.role !== undefined) {
    const role = checkRole(body.role);
    if (user.role === 'admin' && role !== 'admin' && (await otherAdmins(store, id)) === 0) throw new AdminError(409, 'the last admin cannot lose the admin role');
    await store.setUserRole(id, role);
  }
  if (body.password !== undefined) await store.setUserPassword(id, await hashPassword(checkPassword(body.password)));
  closeUser(id);
  return (await store.userById(id))!;
}

/** Removes the user, their sessions, and closes their open terminals and streams. */
export async function removeUser(store: Store, id: number, actingUserId: number): Promise<void> {
  const user = await store.userById(id);
  if (!user) throw new AdminError(404, `no user with id ${id}`);
  if (id === actingUserId) throw new AdminError(409, 'you cannot remove yourself');
  if (user.role === 'admin' && (await otherAdmins(store, id)) === 0) throw new AdminError(409, 'the last admin cannot be removed');
  await store.deleteUser(id);
  closeUser(id);
}

/** Audit rows as CSV (RFC 4180: quoted fields, doubled quotes); a leading = + - @ is defused for spreadsheets. */
export function auditCsv(rows: { id: number; time: string; username: string; action: string; target: string; detail: string; outcome: string }[]): string {
  const cell = (v: string | number) => {
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return `"${s.replace(/"/g, '""')}"`;
  };
  const head = ['id', 'time', 'user', 'action', 'target', 'detail', 'outcome'].join(',');
  return [head, ...rows.map((r) => [r.id, r.time, r.username, r.action, r.target, r.detail, r.outcome].map(cell).join(','))].join('\r\n') + '\r\n';
}
