// Berth's iptables rules as a pure function of the desired state, applied in one
// iptables-restore --noflush that rewrites only Berth's own chains. The jumps into those chains
// from the built-in chains are the only rules outside them; `ensureJumps` keeps exactly one each.
import type { HostExec } from './host-exec';
import type { NetNames } from './names';

export interface RuleNetwork {
  bridge: string;
  subnet: string;
}

export interface RuleBinding {
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

/** The full contents of Berth's chains, in iptables-restore syntax. */
export function renderRules(names: NetNames, networks: RuleNetwork[], bindings: RuleBinding[]): string {
  const { forward, dnat, postrouting } = names.chains;
  const f: string[] = ['*filter', `:${forward} - [0:0]`];
  // first every bridge's inbound policy: replies, published ports and same-network traffic pass,
  // anything else into a bridge (another network, another host) is dropped
  for (const n of networks) {
    f.push(`-A ${forward} -o ${n.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    f.push(`-A ${forward} -o ${n.bridge} -m conntrack --ctstate DNAT -j ACCEPT`);
    f.push(`-A ${forward} -i ${n.bridge} -o ${n.bridge} -j ACCEPT`);
    f.push(`-A ${forward} -o ${n.bridge} -j DROP`);
  }
  // then outbound: whatever left a bridge and did not enter one goes out
  for (const n of networks) f.push(`-A ${forward} -i ${n.bridge} -j ACCEPT`);
  f.push('COMMIT');

  const t: string[] = ['*nat', `:${dnat} - [0:0]`, `:${postrouting} - [0:0]`];
  for (const b of bindings) {
    const dst = b.hostIp && b.hostIp !== '0.0.0.0' ? ` -d ${b.hostIp}/32` : '';
    t.push(`-A ${dnat}${dst} -p ${b.protocol} -m ${b.protocol} --dport ${b.hostPort} -j DNAT --to-destination ${b.containerIp}:${b.containerPort}`);
  }
  for (const n of networks) {
    t.push(`-A ${postrouting} -s ${n.subnet} ! -o ${n.bridge} -j MASQUERADE`);
    // 127.0.0.1:PORT on the host: the DNATed packet still has a loopback source
    t.push(`-A ${postrouting} -s 127.0.0.0/8 -o ${n.bridge} -j MASQUERADE`);
  }
  for (const b of bindings) {
    // hairpin: a container reaching its own published port through the host
    t.push(`-A ${postrouting} -s ${b.containerIp}/32 -d ${b.containerIp}/32 -p ${b.protocol} -m ${b.protocol} --dport ${b.containerPort} -j MASQUERADE`);
  }
  t.push('COMMIT');
  return [...f, ...t, ''].join('\n');
}

/** The rules in built-in chains that lead into Berth's: [table, chain, rule args]. */
export function jumpRules(names: NetNames): [string, string, string[]][] {
  const { forward, dnat, postrouting } = names.chains;
  return [
    ['filter', 'FORWARD', ['-j', forward]],
    ['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', dnat]],
    ['nat', 'OUTPUT', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', dnat]],
    ['nat', 'POSTROUTING', ['-j', postrouting]],
  ];
}

export async function applyRules(exec: HostExec, text: string): Promise<void> {
  await exec.run('iptables-restore', ['-w', '--noflush'], text);
}

/** Exactly one of each jump rule, at the top of its built-in chain. */
export async function ensureJumps(exec: HostExec, names: NetNames): Promise<void> {
  for (const [table, chain, rule] of jumpRules(names)) {
    // a crash between a check and an insert can leave two: keep exactly one
    const dumps = (await exec.run('iptables', ['-w', '-t', table, '-S', chain])).split('\n');
    const want = `-A ${chain} ${rule.join(' ')}`;
    let count = dumps.filter((l) => l.trim() === want).length;
    while (count > 1) {
      await exec.run('iptables', ['-w', '-t', table, '-D', chain, ...rule]);
      count--;
    }
    if (count === 0) await exec.run('iptables', ['-w', '-t', table, '-I', chain, '1', ...rule]);
  }
}

/** Removes Berth's jumps and chains (for this tag) from the host. */
export async function removeRules(exec: HostExec, names: NetNames): Promise<void> {
  for (const [table, chain, rule] of jumpRules(names)) {
    while ((await exec.tryRun('iptables', ['-w', '-t', table, '-D', chain, ...rule])).code === 0) {
      /* delete every copy */
    }
  }
  const { forward, dnat, postrouting } = names.chains;
  for (const [table, chain] of [
    ['filter', forward],
    ['nat', dnat],
    ['nat', postrouting],
  ] as const) {
    await exec.tryRun('iptables', ['-w', '-t', table, '-F', chain]);
    await exec.tryRun('iptables', ['-w', '-t', table, '-X', chain]);
  }
}
