import { requireUser } from '@/lib/server/session';
import { canMutate } from '@/lib/server/auth';
import { BuildView } from '@/components/build-view';

export default async function BuildPage() {
  const user = await requireUser();
  return <BuildView canMutate={canMutate(user.role)} />;
}
