// Links, addresses and network namespaces, through iproute2 and util-linux. Each function is
// idempotent so reconcile can call it on whatever a crash left.
import fs from 'node:fs';
import path from 'node:path';
import type { HostExec } from './host-exec';

export async function linkExists(exec: HostExec, name: string): Promise<boolean> {
  return (await exec.tryRun('ip', ['link', 'show', 'dev', name])).code === 0;
}

/** Host links with their master (bridge), for reconcile. */
export async function listLinks(exec: HostExec): Promise<{ name: string; master?: string; kind?: string }[]> {
  const out = await exec.run('ip', ['-d', '-j', 'link', 'show']);
  const rows = JSON.parse(out || '[]') as { ifname: string; master?: string; linkinfo?: { info_kind?: string } }[];
  return rows.map((r) => ({ name: r.ifname, master: r.master, kind: r.linkinfo?.info_kind }));
}

/** Creates (or repairs) a bridge with the gateway address, up, with route_localnet for 127.0.0.1 publishing. */
export async function ensureBridge(exec: HostExec, name: string, gatewayCidr: string): Promise<boolean> {
  let created = false;
  if (!(await linkExists(exec, name))) {
    await exec.run('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
    created = true;
  }
  await exec.run('ip', ['addr', 'replace', gatewayCidr, 'dev', name]);
  await exec.run('ip', ['link', 'set', 'dev', name, 'up']);
  exec.writeSysctl(`net.ipv4.conf.${name}.route_localnet`, '1');
  return created;
}

export async function deleteLink(exec: HostExec, name: string): Promise<void> {
  const r = await exec.tryRun('ip', ['link', 'del', 'dev', name]);
  if (r.code !== 0 && !/Cannot find device|does not exist/i.test(r.stderr)) throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
}

/** A persistent network namespace bound to `file` (like `ip netns add`, under Berth's run dir). */
export async function createNetns(exec: HostExec, file: string): Promise<void> {
  await deleteNetns(exec, file);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, '', { mode: 0o600 });
  await exec.run('unshare', [`--net=${file}`, 'true']);
}

export async function deleteNetns(exec: HostExec, file: string): Promise<void> {
  if (!fs.existsSync(file)) return;
  // the namespace dies with its last user; the veth pair with it
  await exec.tryRun('umount', ['-l', file]);
  fs.rmSync(file, { force: true });
}

export function isNetnsMounted(file: string): boolean {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === file);
  } catch {
    return false;
  }
}

export interface VethPlan {
  hostName: string;
  innerName: string; // eth0, eth1, ...
  bridge: string;
  address: string;
  prefixLen: number;
  mac: string;
  gateway?: string; // set for the first network: the default route
}

/** One veth pair: the inner end in the namespace with its address, the host end on the bridge. */
export async function addVeth(exec: HostExec, netnsFile: string, p: VethPlan): Promise<void> {
  await deleteLink(exec, p.hostName);
  await exec.run('ip', ['link', 'add', 'name', p.hostName, 'type', 'veth', 'peer', 'name', p.innerName, 'netns', netnsFile]);
  await exec.run('ip', ['link', 'set', 'dev', p.hostName, 'master', p.bridge, 'up']);
  const batch = [
    'link set dev lo up',
    `link set dev ${p.innerName} address ${p.mac}`,
    `addr add ${p.address}/${p.prefixLen} dev ${p.innerName}`,
    `link set dev ${p.innerName} up`,
    ...(p.gateway ? [`route replace default via ${p.gateway} dev ${p.innerName}`] : []),
    '',
  ].join('\n');
  await exec.run('nsenter', [`--net=${netnsFile}`, 'ip', '-batch', '-'], batch);
}

/** A MAC like Docker's: 02:42 then the IPv4 address. */
export function macFor(address: string): string {
  return ['02', '42', ...address.split('.').map((x) => Number(x).toString(16).padStart(2, '0'))].join(':');
}
