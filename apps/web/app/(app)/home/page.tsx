import { requireUser } from '@/lib/server/session';
import { HomeView } from '@/components/home-view';

export default async function HomePage() {
  await requireUser();
  return <HomeView />;
}
