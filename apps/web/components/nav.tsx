'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { HostSelector } from './hosts';
import { ThemeToggle } from './theme-toggle';

export function Nav({ username, role, host }: { username: string; role: string; host: string }) {
  const pathname = usePathname();
  const link = (href: string, label: string) => (
    <Link href={href} className={pathname.startsWith(href) ? 'nav-link active' : 'nav-link'} data-testid={`nav-${label.toLowerCase()}`}>
      {label}
    </Link>
  );
  return (
    <header className="nav">
      <span className="brand">⚓ Berth</span>
      <nav>
        {link('/home', 'Home')}
        {link('/containers', 'Containers')}
        {link('/images', 'Images')}
        {link('/networks', 'Networks')}
        {link('/volumes', 'Volumes')}
        {role === 'admin' && link('/admin', 'Admin')}
      </nav>
      <span className="spacer" />
      <HostSelector current={host} />
      <ThemeToggle />
      <span className="user" data-testid="nav-user">
        {username} <span className="muted">({role})</span>
      </span>
      <form action="/api/auth/logout" method="post">
        <button type="submit" className="btn btn-small" data-testid="logout">
          Log out
        </button>
      </form>
    </header>
  );
}
