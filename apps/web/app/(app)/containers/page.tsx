import { requireUser } from '@/lib/server/session';
import { canMutate } from '@/lib/server/auth';
import { ContainersView } from '@/components/containers-view';

export default async function ContainersPage() {
  const user = await requireUser();
  return <ContainersView canMutate={canMutate(user.role)} />;
}
