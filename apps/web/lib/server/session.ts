// Session lookup for Next server components and route handlers.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getStore, type User } from './db';
import { SESSION_COOKIE, publicUser, readCookie, sessionUser, type PublicUser } from './auth';

export async function currentUser(): Promise<PublicUser | undefined> {
  const id = (await cookies()).get(SESSION_COOKIE)?.value;
  const u = await sessionUser(await getStore(), id);
  return u ? publicUser(u) : undefined;
}

/** For server pages: the user, or a redirect to the login page. */
export async function requireUser(): Promise<PublicUser> {
  const u = await currentUser();
  if (!u) redirect('/login');
  return u;
}

export async function userFromRequest(req: Request): Promise<User | undefined> {
  return sessionUser(await getStore(), readCookie(req.headers.get('cookie'), SESSION_COOKIE));
}
