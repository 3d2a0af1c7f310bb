// /etc/hosts and /etc/resolv.conf for containers. On user-defined networks, names resolve through
// /etc/hosts: every running peer's name, aliases and short id, rewritten in place (the file is
// bind-mounted, so its inode must stay) whenever a peer comes or goes.
import fs from 'node:fs';

export interface HostsEntry {
  address: string;
  names: string[];
}

export function renderHosts(self: HostsEntry | null, hostname: string, peers: HostsEntry[]): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  if (self) lines.push(`${self.address}\t${[...new Set([hostname, ...self.names])].join(' ')}`);
  else lines.push(`127.0.1.1\t${hostname}`);
  const seen = new Set<string>();
  for (const p of peers) {
    const names = p.names.filter((n) => !seen.has(n));
    names.forEach((n) => seen.add(n));
    if (names.length) lines.push(`${p.address}\t${names.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The host's resolv.conf without loopback resolvers (unreachable from a container), like Docker. */
export function renderResolvConf(hostText: string): string {
  const kept = hostText.replace(/\n+$/, '').split('\n').filter((l) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(l);
    return !m || !(m[1].startsWith('127.') || m[1] === '::1');
  });
  if (!kept.some((l) => /^\s*nameserver\s/.test(l))) kept.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return kept.join('\n') + '\n';
}

/** Rewrites a file in place (same inode: it is bind-mounted into a running container). */
export function writeInPlace(file: string, text: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === text) return;
  } catch {
    /* written below */
  }
  fs.writeFileSync(file, text);
}
