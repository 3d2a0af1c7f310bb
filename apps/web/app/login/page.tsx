import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/server/session';
import { LoginForm } from '@/components/login-form';

export const dynamic = 'force-dynamic';

export default async function LoginPage() {
  if (await currentUser()) redirect('/containers');
  return (
    <main className="login">
      <h1>⚓ Berth</h1>
      <LoginForm />
    </main>
  );
}
