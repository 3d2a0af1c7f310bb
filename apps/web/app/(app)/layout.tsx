import type { ReactNode } from 'react';
import { requireUser } from '@/lib/server/session';
import { Providers } from '@/lib/client/trpc';
import { Nav } from '@/components/nav';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <Providers>
      <Nav username={user.username} role={user.role} />
      <main className="main">{children}</main>
    </Providers>
  );
}
