// What the host looks like (mounts, links, netns, iptables, ip_forward, well-known engine dirs), so
// the run can prove it left nothing behind, and clean up what it can attribute to itself.
import fs from 'node:fs';
import { sh } from './proc';

export interface HostState {
  mounts: string[];
  links: string[];
  netns: string[];
  iptables: string[];
  ipForward: string;
  dirs: string[];
}

// Default state locations of the peers: the bench points every engine elsewhere, so none should appear.
const ENGINE_DIRS = [
  '/var/lib/docker', '/var/lib/containerd', '/run/containerd', // containerd 1.6 puts shim sockets in /run/containerd/s whatever its state dir '/run/docker', '/var/run/docker.sock',
  '/var/lib/containers', '/run/containers', '/run/libpod', '/var/lib/cni', '/etc/cni/net.d',
  '/run/crun', '/run/runc', '/var/lib/docker-registry', '/run/netns',
];

export function snapshot(): HostState {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[4]);
  const links = sh(['ip', '-o', 'link', 'show']).stdout.split('\n').filter(Boolean).map((l) => l.split(':')[1].trim().split('@')[0]);
  const netns = fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : [];
  const ipt = sh(['iptables-save']);
  const iptables = ipt.code === 0 ? ipt.stdout.split('\n').filter((l) => l.startsWith('-') || l.startsWith(':')).map((l) => l.replace(/\[\d+:\d+\]/, '')) : [];
  const ipForward = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  const dirs = ENGINE_DIRS.filter((d) => fs.existsSync(d));
  return { mounts, links, netns, iptables, ipForward, dirs };
}

export interface Leftovers {
  mounts: string[];
  links: string[];
  netns: string[];
  iptables: string[];
  ipForward?: string;
  dirs: string[];
}

export function diff(before: HostState, after: HostState): Leftovers {
  const added = (a: string[], b: string[]) => b.filter((x) => !a.includes(x));
  return {
    mounts: added(before.mounts, after.mounts),
    links: added(before.links, after.links),
    netns: added(before.netns, after.netns),
    iptables: added(before.iptables, after.iptables),
    ipForward: before.ipForward !== after.ipForward ? `${before.ipForward} -> ${after.ipForward}` : undefined,
    dirs: added(before.dirs, after.dirs),
  };
}

export function isClean(l: Leftovers): boolean {
  return !l.mounts.length && !l.links.length && !l.netns.length && !l.iptables.length && !l.ipForward && !l.dirs.length;
}

/**
 * Removes what the bench can attribute to itself: mounts under its temp dir (deepest first),
 * links and iptables chains carrying its suffix, engine dirs that did not exist before, and ip_forward restored.
 * Anything else that appeared (another process on the machine may have made it) is only reported.
 */
export function cleanUp(before: HostState, tmp: string, suffix: string): void {
  const now = snapshot();
  const mine = now.mounts.filter((m) => m.startsWith(tmp + '/') && !before.mounts.includes(m)).sort((a, b) => b.length - a.length);
  for (const m of mine) sh(['umount', '-l', m]);
  for (const l of now.links) if (l.includes(suffix) && !before.links.includes(l)) sh(['ip', 'link', 'del', l]);
  // podman (CNI) creates /run/netns as a shared bind mount of itself; undo that only when it was
  // not there before and holds nothing (another process may be using it).
  if (!before.dirs.includes('/run/netns') && now.dirs.includes('/run/netns') && fs.readdirSync('/run/netns').length === 0) {
    while (snapshot().mounts.includes('/run/netns')) if (sh(['umount', '/run/netns']).code !== 0) break;
    fs.rmdirSync('/run/netns');
  }
  for (const d of now.dirs) {
    if (before.dirs.includes(d) || d === '/run/netns' || d === '/etc/cni/net.d') continue;
    fs.rmSync(d, { recursive: true, force: true });
  }
  // iptables chains whose name carries the suffix (the bench's Berth agent's BERTH-B<SUFFIX>-*):
  // drop the jumps to them, then flush and delete them.
  const tag = suffix.toUpperCase();
  for (const table of ['filter', 'nat']) {
    const rules = sh(['iptables', '-t', table, '-S']).stdout.split('\n');
    for (const r of rules) if (r.startsWith('-A ') && r.includes(tag) && !r.startsWith(`-A BERTH-B${tag}`)) sh(['sh', '-c', `iptables -t ${table} -D ${r.slice(3)}`]);
    for (const r of rules) {
      const chain = r.startsWith('-N ') && r.includes(`B${tag}`) ? r.slice(3).trim() : undefined;
      if (chain) sh(['iptables', '-t', table, '-F', chain]), sh(['iptables', '-t', table, '-X', chain]);
    }
  }
  if (now.ipForward !== before.ipForward) fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', before.ipForward);
}
