import { requireUser } from '@/lib/server/session';
import { canMutate } from '@/lib/server/auth';
import { NetworksView } from '@/components/networks-view';

export default async function NetworksPage() {
  const user = await requireUser();
  return <NetworksView canMutate={canMutate(user.role)} />;
}
