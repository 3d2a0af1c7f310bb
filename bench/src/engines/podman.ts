// Podman (daemonless): private root, runroot, tmpdir and network config under the bench's temp
// dir, cgroupfs, file events. Two runtimes: crun (Debian's 1.8 refuses this hybrid cgroup layout,
// so a wrapper runs it in a private mount namespace without /sys/fs/cgroup/unified) and runc.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from './engine';
import { pidsMatching, sh } from '../lib/proc';

export const CRUN_HYBRID_NOTE = 'crun 1.8 refuses hybrid cgroups ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"); measured through a wrapper that unmounts /sys/fs/cgroup/unified in a private mount namespace';

/** A crun that hides the cgroup2 mount (with only hugetlb) which makes crun 1.8 refuse this host. */
export function crunWrapper(tmp: string): string {
  const p = path.join(tmp, 'crun-nohybrid');
  fs.writeFileSync(p, `#!/bin/sh\nexec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"\n`, { mode: 0o755 });
  return p;
}

export async function startPodman(tmp: string, suffix: string, runtime: 'crun' | 'runc', archive: string): Promise<Engine> {
  const base = path.join(tmp, `podman-${runtime}`);
  const netDir = path.join(base, 'net');
  fs.mkdirSync(netDir, { recursive: true });
  const runtimePath = runtime === 'crun' ? crunWrapper(tmp) : 'runc';
  const flags = [
    '--root', path.join(base, 'root'), '--runroot', path.join(base, 'runroot'), '--tmpdir', path.join(base, 'tmp'),
    '--volumepath', path.join(base, 'volumes'), '--network-config-dir', netDir, '--storage-driver', 'overlay',
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', runtimePath,
  ];
  const registries = path.join(base, 'registries.conf');
  fs.writeFileSync(registries, 'unqualified-search-registries = []\n');
  // podman's default RLIMIT_NOFILE for root (1048576) is above this host's hard limit and both
  // runtimes then refuse to start; give containers the host's own limits instead.
  const conf = path.join(base, 'containers.conf');
  // (nproc: podman's own documented default; higher values fail the same way here)
  const lim = (f: string) => sh(['bash', '-c', `ulimit ${f}`]).stdout.trim();
  fs.writeFileSync(conf, `[containers]\ndefault_ulimits = ["nofile=${lim('-Sn')}:${lim('-Hn')}", "nproc=32768:32768"]\n`);
  const env = { ...process.env, CONTAINERS_REGISTRIES_CONF: registries, CONTAINERS_CONF: conf };
  const cli = (args: string[]) => ['podman', ...flags, ...args];
  const load = sh(cli(['load', '-i', archive]), { env });
  if (load.code !== 0) throw new Error(`podman load: ${load.stderr.trim()}`);
  // A plain CNI bridge (no masquerade, no firewall plugin, not a gateway) so nothing touches
  // iptables or ip_forward; the cost measured is the bridge + veth + IPAM that every start pays.
  const net = `pbr${suffix}${runtime[0]}`;
  fs.writeFileSync(
    path.join(netDir, `${net}.conflist`),
    JSON.stringify({
      cniVersion: '0.4.0',
      name: net,
      plugins: [{ type: 'bridge', bridge: net, isGateway: false, ipMasq: false, hairpinMode: true, ipam: { type: 'host-local', dataDir: path.join(base, 'ipam'), routes: [], ranges: [[{ subnet: runtime === 'crun' ? '10.231.7.0/24' : '10.231.8.0/24' }]] } }],
    }),
  );
  const probe = sh(cli(['run', '--rm', '--network', net, 'busybox:1.37.0-musl', 'true']), { env, timeout: 60_000 });
  const bridge: Engine['bridge'] = probe.code === 0 ? { flags: ['--network', net] } : { unavailable: `podman bridge: ${probe.stderr.trim().split('\n').pop()?.slice(0, 160)}` };
  return {
    name: `podman+${runtime}`,
    image: 'busybox:1.37.0-musl',
    cli,
    env,
    bridge,
    monitorPids: () => pidsMatching('conmon', base),
    daemonPids: () => [],
    async stop() {
      sh(cli(['rm', '-af', '-t', '0']), { env });
      sh(['ip', 'link', 'del', net]);
    },
  };
}
