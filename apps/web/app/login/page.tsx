import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/server/session';
import { LoginForm } from '@/components/login-form';

export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if (await currentUser()) redirect('/containers');
  return (
    <main className="login">
      <h1>⚓ Berth</h1>
      <LoginForm initialError={errorText((await searchParams).error)} />
    </main>
  );
}

function errorText(code: string | undefined): string {
  if (!code) return '';
  return code === 'limited' ? 'too many failed logins: wait a few minutes and try again' : 'wrong username or password';
}
