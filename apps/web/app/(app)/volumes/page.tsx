import { requireUser } from '@/lib/server/session';
import { canMutate } from '@/lib/server/auth';
import { VolumesView } from '@/components/volumes-view';

export default async function VolumesPage() {
  const user = await requireUser();
  return <VolumesView canMutate={canMutate(user.role)} />;
}
