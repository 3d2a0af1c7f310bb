import type { ReactNode } from 'react';
import { requireUser } from '@/lib/server/session';
import { Providers } from '@/lib/client/trpc';
import { RoleProvider } from '@/lib/client/role';
import { Nav } from '@/components/nav';
import { cookies } from 'next/headers';
import { HOST_COOKIE, hostIdOf } from '@/lib/server/agent';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const host = hostIdOf(`${HOST_COOKIE}=${(await cookies()).get(HOST_COOKIE)?.value ?? ''}`);
  return (
    <Providers>
      <RoleProvider role={user.role}>
        <Nav username={user.username} role={user.role} host={host} />
        <main className="main">{children}</main>
      </RoleProvider>
    </Providers>
  );
}
