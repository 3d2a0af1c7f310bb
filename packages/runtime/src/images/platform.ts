// Platforms as users write them (`linux/amd64`, `linux/arm64/v8`, `arm64`) and the host's own.
import { invalid } from '../errors';
import type { Platform } from './oci';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: ARCH[process.arch] ?? process.arch };
}

export function parsePlatform(s: string): Platform {
  const parts = s.trim().toLowerCase().split('/');
  if (parts.some((p) => !/^[a-z0-9._-]+$/.test(p)) || parts.length > 3) throw invalid(`invalid platform "${s.slice(0, 100)}": want os/arch[/variant]`);
  if (parts.length === 1) return { os: 'linux', architecture: normArch(parts[0]!) };
  const p: Platform = { os: parts[0]!, architecture: normArch(parts[1]!) };
  if (parts[2]) p.variant = parts[2];
  return p;
}

function normArch(a: string): string {
  if (a === 'x86_64' || a === 'x86-64') return 'amd64';
  if (a === 'aarch64') return 'arm64';
  return a;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Does an index entry's platform satisfy the wanted one? A wanted variant must match. */
export function platformSatisfies(have: Platform, want: Platform): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant && have.variant && have.variant !== want.variant) return false;
  if (want.variant && !have.variant) return want.architecture === 'arm64' && want.variant === 'v8';
  return true;
}
