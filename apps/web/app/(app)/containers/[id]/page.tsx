import { requireUser } from '@/lib/server/session';
import { canMutate } from '@/lib/server/auth';
import { ContainerDetail } from '@/components/container-detail';

export default async function ContainerPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  return <ContainerDetail id={decodeURIComponent(id)} canMutate={canMutate(user.role)} />;
}
