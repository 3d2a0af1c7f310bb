import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/server/session';
import { LoginForm } from '@/components/login-form';

export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if (await currentUser()) redirect('/containers');
  return (
    <main className="login">
      <h1>⚓ Berth</h1>
      <LoginForm initialError={(await searchParams).error ? 'wrong username or password' : ''} />
    </main>
  );
}
