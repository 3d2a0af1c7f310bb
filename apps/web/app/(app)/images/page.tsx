import { requireUser } from '@/lib/server/session';
import { canMutate } from '@/lib/server/auth';
import { ImagesView } from '@/components/images-view';

export default async function ImagesPage() {
  const user = await requireUser();
  return <ImagesView canMutate={canMutate(user.role)} />;
}
