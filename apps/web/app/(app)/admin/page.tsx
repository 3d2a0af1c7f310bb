import { redirect } from 'next/navigation';
import { requireUser } from '@/lib/server/session';
import { AdminView } from '@/components/admin-view';

export default async function AdminPage() {
  const user = await requireUser();
  if (user.role !== 'admin') redirect('/containers');
  return <AdminView self={user.id} />;
}
