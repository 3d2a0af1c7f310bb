'use client';
import { useState, type FormEvent } from 'react';

export function LoginForm({ initialError = '' }: { initialError?: string }) {
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError('');
    try {
      const res = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { message?: string };
        setError(body.message ?? `login failed (http ${res.status})`);
        return;
      }
      window.location.assign('/containers');
    } catch (err) {
      setError(`login failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card login-form" onSubmit={submit} method="post" action="/api/auth/login">
      <label>
        Username
        <input name="username" autoComplete="username" required data-testid="login-username" defaultValue="" />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required data-testid="login-password" />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="login-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="login-submit">
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
