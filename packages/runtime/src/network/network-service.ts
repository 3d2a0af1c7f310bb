// Networks for containers, Docker's way: the built-in `bridge` (berth0), `host` and `none`,
// `container:<name|id>`, and user-defined bridge networks with name resolution between their
// containers. Owns: network rows and IPAM leases (metadata DB), bridges, per-container network
// namespaces under $BERTH_RUN/netns with their veth pairs, published ports, and Berth's iptables
// chains, which are always rewritten whole from the DB (so reconcile = one sync).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
  ContainerNetworkSettings,
  NetworkCreate as NetworkCreateInput,
  NetworkInspect,
  NetworkSummary,
  PortBinding,
  RunSpecParsed,
} from '@berth/shared';
import { NetworkCreate } from '@berth/shared';
import { BerthError, conflict, invalid, notFound, precondition } from '../errors';
import type { MetadataDb } from '../metadata/db';
import { renderHosts, renderResolvConf, writeInPlace, type HostsEntry } from './dns-files';
import { realHostExec, type HostExec } from './host-exec';
import { hostPortFree } from './host-ports';
import { applyRules, ensureJumps, removeRules, renderRules } from './iptables';
import { addVeth, createNetns, deleteLink, deleteNetns, ensureBridge, listLinks, macFor } from './links';
import { netNames, type NetNames } from './names';
import { NetworkStore, type BindingRow, type EndpointRow, type NetworkRow } from './network-store';
import { contains, formatCidr, hostRange, intToIp, ipToInt, overlaps, parseCidr, type Subnet } from './subnet';

/** What the network service needs to know about containers (adapted from the container store). */
export interface ContainerView {
  id: string;
  name: string;
  running: boolean;
  pid: number | null;
  hostname: string;
  network: string;
  dir: string; // holds hosts, resolv.conf
}

export interface ContainerDirectory {
  all(): ContainerView[];
  find(idOrName: string): ContainerView;
}

export interface NetworkServiceDeps {
  db: MetadataDb;
  runDir: string;
  containers: ContainerDirectory;
  tag?: string;
  exec?: HostExec;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
  /** the default bridge's subnet; picked from free private ranges when absent */
  defaultSubnet?: string;
}

export interface NetworkSetup {
  hostNetwork: boolean;
  netnsPath?: string;
}

const BUILTIN = ['bridge', 'host', 'none'];
const RANDOM_PORTS: [number, number] = [49153, 60999];

export class NetworkService {
  readonly names: NetNames;
  readonly store: NetworkStore;
  private readonly exec: HostExec;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: NetworkServiceDeps) {
    this.names = netNames(d.tag ?? '');
    this.store = new NetworkStore(d.db);
    this.exec = d.exec ?? realHostExec;
  }

  netnsDir() {
    return path.join(this.d.runDir, 'netns');
  }
  netnsFile(containerId: string) {
    return path.join(this.netnsDir(), containerId);
  }

  /** One host-changing operation at a time: allocation and the iptables sync see a stable DB. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  // ---- networks -----------------------------------------------------------------------------
  find(idOrName: string): NetworkRow {
    const byName = this.store.byName(idOrName);
    if (byName) return byName;
    if (/^[a-f0-9]{1,64}$/.test(idOrName)) {
      const rows = this.store.byIdPrefix(idOrName);
      if (rows.length === 1) return rows[0];
      if (rows.length > 1) throw invalid(`multiple networks match id prefix ${idOrName}: give more characters`);
    }
    throw notFound(`network ${idOrName} not found`);
  }

  list(): NetworkSummary[] {
    const eps = this.store.endpoints();
    return this.store.networks().map((n) => this.summary(n, eps.filter((e) => e.networkId === n.id).length));
  }

  private summary(n: NetworkRow, containers: number): NetworkSummary {
    return {
      id: n.id,
      name: n.name,
      driver: n.driver,
      bridge: n.bridge,
      subnet: n.subnet,
      gateway: n.gateway,
      createdAt: n.createdAt,
      builtin: n.builtin,
      containers,
    };
  }

  inspect(idOrName: string): NetworkInspect {
    const n = this.find(idOrName);
    const byId = new Map(this.d.containers.all().map((c) => [c.id, c]));
    const eps = this.store.endpoints({ networkId: n.id });
    return {
      ...this.summary(n, eps.length),
      labels: n.labels,
      endpoints: eps.map((e) => ({
        containerId: e.containerId,
        containerName: byId.get(e.containerId)?.name ?? '',
        ipAddress: `${e.address}/${parseCidr(n.subnet!).prefix}`,
        macAddress: e.mac,
        aliases: e.aliases,
      })),
    };
  }

  create(input: NetworkCreateInput): Promise<NetworkInspect> {
    return this.serial(async () => {
      const parsed = NetworkCreate.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
      const req = parsed.data;
      if (BUILTIN.includes(req.name) || this.store.byName(req.name)) throw new BerthError('already_exists', `network with name ${req.name} already exists`);
      let subnet: Subnet;
      if (req.subnet) {
        subnet = parseCidr(req.subnet);
        if (subnet.prefix > 30) throw invalid(`subnet ${req.subnet} is too small: want /30 or larger`);
        await this.checkFree(subnet);
      } else {
        subnet = await this.pickSubnet();
      }
      const gateway = req.gateway ?? intToIp(subnet.base + 1);
      const gw = ipToInt(gateway);
      const [lo, hi] = hostRange(subnet);
      if (!contains(subnet, gw) || gw < lo || gw > hi) throw invalid(`gateway ${gateway} is not a host address in subnet ${formatCidr(subnet)}`);
      const id = crypto.randomBytes(32).toString('hex');
      const row: NetworkRow = {
        id,
        name: req.name,
        driver: 'bridge',
        bridge: this.names.bridgeFor(id),
        subnet: formatCidr(subnet),
        gateway,
        labels: req.labels,
        builtin: false,
        createdAt: new Date().toISOString(),
      };
      // DB first: a crash before the bridge exists leaves a row that reconcile completes
      this.store.insertNetwork(row);
      try {
        await this.ensureBridgeFor(row);
        await this.syncRules();
      } catch (e) {
        this.store.deleteNetwork(id);
        await deleteLink(this.exec, row.bridge!).catch(() => {});
        await this.syncRules().catch(() => {});
        throw e;
      }
      this.d.log?.('info', `network ${row.name}: bridge ${row.bridge} on ${row.subnet}`);
      return this.inspect(id);
    });
  }

  remove(idOrName: string): Promise<void> {
    return this.serial(async () => {
      const n = this.find(idOrName);
      if (n.builtin) throw precondition(`${n.name} is a pre-defined network and cannot be removed`);
      const users = this.store.endpoints({ networkId: n.id });
      if (users.length) {
        const names = new Map(this.d.containers.all().map((c) => [c.id, c.name]));
        throw conflict(`network ${n.name} has active endpoints: ${users.map((u) => names.get(u.containerId) ?? u.containerId.slice(0, 12)).join(', ')}`);
      }
      this.store.deleteNetwork(n.id);
      await this.syncRules();
      await deleteLink(this.exec, n.bridge!);
    });
  }

  async prune(): Promise<string[]> {
    const removed: string[] = [];
    for (const n of this.store.networks()) {
      if (n.builtin || this.store.endpoints({ networkId: n.id }).length) continue;
      await this.remove(n.id);
      removed.push(n.name);
    }
    return removed;
  }

  private async hostSubnets(): Promise<Subnet[]> {
    const out: Subnet[] = [];
    const routes = JSON.parse((await this.exec.run('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) || '[]') as { dst: string }[];
    const ours = new Set(this.store.networks().map((n) => n.bridge));
    for (const r of routes as { dst: string; dev?: string }[]) {
      if (r.dst === 'default' || (r.dev && ours.has(r.dev))) continue;
      const [ip, p] = r.dst.split('/');
      try {
        const prefix = p ? Number(p) : 32;
        const base = ipToInt(ip);
        out.push({ base: prefix === 0 ? 0 : (base & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0, prefix });
      } catch {
        /* not IPv4 */
      }
    }
    return out;
  }

  private async checkFree(s: Subnet, exceptNetworkId?: string): Promise<void> {
    for (const n of this.store.networks()) {
      if (!n.subnet || n.id === exceptNetworkId) continue;
      if (overlaps(parseCidr(n.subnet), s)) throw conflict(`subnet ${formatCidr(s)} overlaps network ${n.name} (${n.subnet})`);
    }
    for (const h of await this.hostSubnets()) {
      if (h.prefix === 32 && h.base >>> 24 === 127) continue;
      if (overlaps(h, s)) throw conflict(`subnet ${formatCidr(s)} overlaps a route of this host (${formatCidr(h)})`);
    }
  }

  /** A free /24 from 10.89.0.0-10.95.255.0 (test agents start at a random place to stay apart). */
  private async pickSubnet(preferred: string[] = []): Promise<Subnet> {
    for (const p of preferred) {
      const s = parseCidr(p);
      try {
        await this.checkFree(s);
        return s;
      } catch {
        /* taken: fall through to the pool */
      }
    }
    const first = ipToInt('10.89.0.0');
    const count = 7 * 256;
    const start = this.names.tag ? crypto.randomInt(count) : 0;
    const taken = [...this.store.networks().filter((n) => n.subnet).map((n) => parseCidr(n.subnet!)), ...(await this.hostSubnets())].filter(
      (h) => !(h.prefix === 32 && h.base >>> 24 === 127),
    );
    for (let i = 0; i < count; i++) {
      const s = { base: (first + ((start + i) % count) * 256) >>> 0, prefix: 24 };
      if (!taken.some((t) => overlaps(t, s))) return s;
    }
    throw new BerthError('unavailable', 'no free subnet left in 10.89.0.0-10.95.255.0/24: give one with --subnet');
  }

  private async ensureBridgeFor(n: NetworkRow): Promise<void> {
    if (n.driver !== 'bridge' || !n.bridge || !n.subnet || !n.gateway) return;
    const created = await ensureBridge(this.exec, n.bridge, `${n.gateway}/${parseCidr(n.subnet).prefix}`);
    if (created) this.d.log?.('info', `created bridge ${n.bridge} (${n.subnet}) for network ${n.name}`);
    if (this.exec.readSysctl('net.ipv4.ip_forward') !== '1') {
      this.exec.writeSysctl('net.ipv4.ip_forward', '1');
      this.d.log?.('info', 'set net.ipv4.ip_forward=1: bridge networks route container traffic through this host');
    }
  }

  /** Rewrites Berth's chains from the DB: networks, and the bindings of running containers. */
  private async syncRules(): Promise<void> {
    const nets = this.store.networks().filter((n) => n.driver === 'bridge' && n.bridge && n.subnet);
    const text = renderRules(
      this.names,
      nets.map((n) => ({ bridge: n.bridge!, subnet: n.subnet! })),
      this.store.bindings(),
    );
    await applyRules(this.exec, text);
    await ensureJumps(this.exec, this.names);
  }

  // ---- containers: create-time -----------------------------------------------------------------
  /** Checks a run spec's network settings before anything is made; returns warnings. */
  async validate(spec: RunSpecParsed, exposedPorts: string[]): Promise<string[]> {
    const warnings: string[] = [];
    const mode = spec.network;
    const publishes = spec.publish.length > 0 || spec.publishAll;
    if (mode === 'host' || mode === 'none') {
      if (publishes) warnings.push(`published ports are discarded when using ${mode} network mode`);
      if (spec.networkAliases.length) throw invalid('network-scoped aliases are supported only for containers on user-defined networks');
      return warnings;
    }
    if (mode.startsWith('container:')) {
      if (publishes) throw invalid('conflicting options: port publishing and the container network mode');
      if (spec.hostname) throw invalid('conflicting options: hostname and the container network mode');
      this.d.containers.find(mode.slice('container:'.length));
      return warnings;
    }
    const n = this.find(mode);
    if (n.driver !== 'bridge') throw invalid(`network ${mode} cannot be used this way`);
    if (n.name === 'bridge' && spec.networkAliases.length) throw invalid('network-scoped aliases are supported only for containers on user-defined networks');
    const wanted = this.wantedPorts(spec, exposedPorts);
    const seen = new Set<string>();
    for (const p of wanted) {
      if (!p.hostPort) continue;
      const key = `${p.protocol}/${p.hostPort}`;
      if (seen.has(key)) throw invalid(`host port ${p.hostPort}/${p.protocol} is published twice`);
      seen.add(key);
      await this.checkPortFree(p.protocol, p.hostIp ?? '0.0.0.0', p.hostPort);
    }
    return warnings;
  }

  private wantedPorts(spec: RunSpecParsed, exposedPorts: string[]): { protocol: 'tcp' | 'udp'; hostIp?: string; hostPort?: number; containerPort: number }[] {
    const out = spec.publish.map((p) => ({ protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort }));
    if (spec.publishAll) {
      for (const e of exposedPorts) {
        const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(e);
        if (!m) continue;
        const protocol = (m[2] ?? 'tcp') as 'tcp' | 'udp';
        if (!out.some((o) => o.containerPort === Number(m[1]) && o.protocol === protocol)) out.push({ protocol, hostIp: undefined, hostPort: undefined, containerPort: Number(m[1]) });
      }
    }
    return out;
  }

  private async checkPortFree(protocol: 'tcp' | 'udp', hostIp: string, port: number, exceptContainer?: string): Promise<void> {
    for (const b of this.store.bindings()) {
      if (b.containerId === exceptContainer || b.protocol !== protocol || b.hostPort !== port) continue;
      if (b.hostIp === '0.0.0.0' || hostIp === '0.0.0.0' || b.hostIp === hostIp) {
        const owner = this.d.containers.all().find((c) => c.id === b.containerId);
        throw conflict(`port ${hostIp}:${port}/${protocol} is already allocated (by container ${owner?.name ?? b.containerId.slice(0, 12)})`);
      }
    }
    if (!(await hostPortFree(protocol, hostIp, port))) throw conflict(`port ${hostIp}:${port}/${protocol} is already in use on this host`);
  }

  /** Leases an address on the container's network (bridge and user networks). */
  onCreate(containerId: string, spec: RunSpecParsed): void {
    const mode = spec.network;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return;
    const n = this.find(mode);
    this.lease(containerId, n, spec.networkAliases, 0);
  }

  private lease(containerId: string, n: NetworkRow, aliases: string[], ord: number): EndpointRow {
    const subnet = parseCidr(n.subnet!);
    const used = new Set(this.store.endpoints({ networkId: n.id }).map((e) => ipToInt(e.address)));
    used.add(ipToInt(n.gateway!));
    const [lo, hi] = hostRange(subnet);
    for (let a = lo; a <= hi; a++) {
      if (used.has(a)) continue;
      const address = intToIp(a);
      const ep: EndpointRow = { containerId, networkId: n.id, address, mac: macFor(address), aliases, ord };
      this.store.insertEndpoint(ep);
      return ep;
    }
    throw new BerthError('unavailable', `no free address left in network ${n.name} (${n.subnet})`);
  }

  /** At rm: gives back the container's addresses. */
  onRemove(containerId: string): void {
    this.store.deleteEndpoints(containerId);
  }

  // ---- containers: start / exit ----------------------------------------------------------------
  /** Before start: the namespace, links, addresses, published ports and DNS files. */
  setup(containerId: string, spec: RunSpecParsed, exposedPorts: string[]): Promise<NetworkSetup> {
    return this.serial(async () => {
      const c = this.d.containers.all().find((x) => x.id === containerId);
      if (!c) throw notFound(`no such container: ${containerId}`);
      const mode = spec.network;
      if (mode === 'host') {
        this.writeResolv(c, true);
        return { hostNetwork: true };
      }
      if (mode === 'none') return { hostNetwork: false };
      if (mode.startsWith('container:')) {
        const other = this.d.containers.find(mode.slice('container:'.length));
        if (!other.running || !other.pid) throw precondition(`cannot join the network of container ${other.name}: it is not running`);
        if (other.id === containerId) throw invalid('a container cannot join its own network namespace');
        for (const f of ['hosts', 'resolv.conf']) {
          try {
            writeInPlace(path.join(c.dir, f), fs.readFileSync(path.join(other.dir, f), 'utf8'));
          } catch {
            /* the other container's files are optional */
          }
        }
        return { hostNetwork: false, netnsPath: `/proc/${other.pid}/ns/net` };
      }
      const file = this.netnsFile(containerId);
      try {
        await createNetns(this.exec, file);
        const eps = this.store.endpoints({ containerId });
        if (eps.length === 0) throw precondition(`container ${c.name} has no address on network ${mode}: recreate it`);
        for (const ep of eps) await this.plugEndpoint(containerId, file, ep);
        const bindings = await this.allocatePorts(containerId, spec, exposedPorts, eps);
        if (bindings.length) this.store.insertBindings(bindings);
        await this.syncRules();
        this.writeResolv(c, false);
        this.refreshHosts(undefined, containerId);
        return { hostNetwork: false, netnsPath: file };
      } catch (e) {
        await this.teardownLocked(containerId).catch(() => {});
        throw e;
      }
    });
  }

  private async plugEndpoint(containerId: string, file: string, ep: EndpointRow): Promise<void> {
    const n = this.store.byId(ep.networkId);
    if (!n) throw notFound(`network ${ep.networkId.slice(0, 12)} not found`);
    await this.ensureBridgeFor(n);
    await addVeth(this.exec, file, {
      hostName: this.names.veth(containerId, ep.ord),
      innerName: `eth${ep.ord}`,
      bridge: n.bridge!,
      address: ep.address,
      prefixLen: parseCidr(n.subnet!).prefix,
      mac: ep.mac,
      gateway: ep.ord === Math.min(...this.store.endpoints({ containerId }).map((e) => e.ord)) ? n.gateway! : undefined,
    });
  }

  private async allocatePorts(containerId: string, spec: RunSpecParsed, exposedPorts: string[], eps: EndpointRow[]): Promise<BindingRow[]> {
    const wanted = this.wantedPorts(spec, exposedPorts);
    if (!wanted.length) return [];
    const primary = eps.reduce((a, b) => (b.ord < a.ord ? b : a));
    const out: BindingRow[] = [];
    for (const w of wanted) {
      const hostIp = w.hostIp ?? '0.0.0.0';
      let hostPort = w.hostPort;
      if (hostPort) {
        await this.checkPortFree(w.protocol, hostIp, hostPort, containerId);
        if (out.some((o) => o.protocol === w.protocol && o.hostPort === hostPort)) throw invalid(`host port ${hostPort}/${w.protocol} is published twice`);
      } else {
        hostPort = await this.randomPort(w.protocol, hostIp, out);
      }
      out.push({ containerId, protocol: w.protocol, hostIp, hostPort, containerIp: primary.address, containerPort: w.containerPort });
    }
    return out;
  }

  private async randomPort(protocol: 'tcp' | 'udp', hostIp: string, pending: BindingRow[]): Promise<number> {
    const [lo, hi] = RANDOM_PORTS;
    const taken = new Set([...this.store.bindings(), ...pending].filter((b) => b.protocol === protocol).map((b) => b.hostPort));
    for (let i = 0; i < 200; i++) {
      const p = lo + crypto.randomInt(hi - lo + 1);
      if (taken.has(p)) continue;
      if (await hostPortFree(protocol, hostIp, p)) return p;
    }
    throw new BerthError('unavailable', `no free host port found for ${protocol} between ${lo} and ${hi}`);
  }

  /** After exit (or a failed start): namespace, links and port rules go; the address lease stays. */
  teardown(containerId: string): Promise<void> {
    return this.serial(() => this.teardownLocked(containerId));
  }

  private async teardownLocked(containerId: string): Promise<void> {
    const hadBindings = this.store.bindings(containerId).length > 0;
    this.store.deleteBindings(containerId);
    for (const ep of this.store.endpoints({ containerId })) await deleteLink(this.exec, this.names.veth(containerId, ep.ord));
    await deleteNetns(this.exec, this.netnsFile(containerId));
    if (hadBindings) await this.syncRules();
    this.refreshHosts(containerId);
  }

  // ---- connect / disconnect -------------------------------------------------------------------
  connect(netIdOrName: string, containerIdOrName: string, aliases: string[] = []): Promise<void> {
    return this.serial(async () => {
      const n = this.find(netIdOrName);
      const c = this.d.containers.find(containerIdOrName);
      if (n.driver !== 'bridge') throw invalid(`cannot connect a container to the ${n.name} network`);
      if (!this.isBridged(c.network)) throw invalid(`container ${c.name} uses network mode ${c.network}: it cannot be connected to other networks`);
      if (n.name === 'bridge' && aliases.length) throw invalid('network-scoped aliases are supported only for containers on user-defined networks');
      const eps = this.store.endpoints({ containerId: c.id });
      if (eps.some((e) => e.networkId === n.id)) throw conflict(`container ${c.name} is already connected to network ${n.name}`);
      const ep = this.lease(c.id, n, aliases, eps.length ? Math.max(...eps.map((e) => e.ord)) + 1 : 0);
      if (c.running && fs.existsSync(this.netnsFile(c.id))) {
        try {
          await this.plugEndpoint(c.id, this.netnsFile(c.id), ep);
        } catch (e) {
          this.store.deleteEndpoint(c.id, n.id);
          await deleteLink(this.exec, this.names.veth(c.id, ep.ord)).catch(() => {});
          throw e;
        }
        this.refreshHosts();
      }
    });
  }

  disconnect(netIdOrName: string, containerIdOrName: string): Promise<void> {
    return this.serial(async () => {
      const n = this.find(netIdOrName);
      const c = this.d.containers.find(containerIdOrName);
      const ep = this.store.endpoints({ containerId: c.id }).find((e) => e.networkId === n.id);
      if (!ep) throw notFound(`container ${c.name} is not connected to network ${n.name}`);
      if (this.store.bindings(c.id).some((b) => b.containerIp === ep.address)) throw precondition(`container ${c.name} publishes ports through network ${n.name}: stop it first`);
      await deleteLink(this.exec, this.names.veth(c.id, ep.ord));
      this.store.deleteEndpoint(c.id, n.id);
      this.refreshHosts();
    });
  }

  private isBridged(mode: string) {
    return mode !== 'host' && mode !== 'none' && !mode.startsWith('container:');
  }

  // ---- views ----------------------------------------------------------------------------------
  settings(containerId: string): ContainerNetworkSettings {
    const nets = new Map(this.store.networks().map((n) => [n.id, n]));
    const networks: ContainerNetworkSettings['networks'] = {};
    for (const ep of this.store.endpoints({ containerId })) {
      const n = nets.get(ep.networkId);
      if (!n) continue;
      networks[n.name] = { ipAddress: ep.address, prefixLen: parseCidr(n.subnet!).prefix, gateway: n.gateway!, macAddress: ep.mac, aliases: ep.aliases };
    }
    return { networks, ports: this.ports(containerId) };
  }

  ports(containerId: string): PortBinding[] {
    return this.store.bindings(containerId).map((b) => ({ hostIp: b.hostIp, hostPort: b.hostPort, containerPort: b.containerPort, protocol: b.protocol }));
  }

  // ---- DNS files --------------------------------------------------------------------------------
  private writeResolv(c: ContainerView, host: boolean) {
    let text = '';
    try {
      text = fs.readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      /* none on the host */
    }
    writeInPlace(path.join(c.dir, 'resolv.conf'), host ? text : renderResolvConf(text));
  }

  /** Rewrites /etc/hosts of every running bridged container: itself, and its user-network peers. */
  private refreshHosts(exceptGone?: string, starting?: string) {
    const all = this.d.containers.all();
    const running = all.filter((c) => (c.running || c.id === starting) && c.id !== exceptGone && this.isBridged(c.network));
    const runningIds = new Set(running.map((c) => c.id));
    const eps = this.store.endpoints().filter((e) => runningIds.has(e.containerId));
    const nets = new Map(this.store.networks().map((n) => [n.id, n]));
    const byId = new Map(all.map((c) => [c.id, c]));
    for (const c of running) {
      if (!fs.existsSync(this.netnsFile(c.id))) continue;
      const mine = eps.filter((e) => e.containerId === c.id).sort((a, b) => a.ord - b.ord);
      if (!mine.length) continue;
      const peers: HostsEntry[] = [];
      for (const ep of mine) {
        if (nets.get(ep.networkId)?.builtin) continue; // the default bridge has no name resolution, as in Docker
        for (const o of eps) {
          if (o.networkId !== ep.networkId || o.containerId === c.id) continue;
          const oc = byId.get(o.containerId)!;
          peers.push({ address: o.address, names: [oc.name, ...o.aliases, oc.id.slice(0, 12)] });
        }
      }
      const self = { address: mine[0].address, names: mine.flatMap((e) => e.aliases) };
      try {
        writeInPlace(path.join(c.dir, 'hosts'), renderHosts(self, c.hostname, peers));
      } catch (e) {
        this.d.log?.('warn', `updating /etc/hosts of ${c.name}: ${e}`);
      }
    }
  }

  // ---- start-up -------------------------------------------------------------------------------
  /** The built-in networks' rows (bridge, host, none); the default bridge gets its subnet once. */
  async init(): Promise<void> {
    if (!this.store.byName('bridge')) {
      const subnet = this.d.defaultSubnet ? parseCidr(this.d.defaultSubnet) : await this.pickSubnet(this.names.tag ? [] : ['10.88.0.0/16']);
      if (this.d.defaultSubnet) await this.checkFree(subnet);
      const now = new Date().toISOString();
      this.store.insertNetwork({
        id: crypto.randomBytes(32).toString('hex'),
        name: 'bridge',
        driver: 'bridge',
        bridge: this.names.defaultBridge,
        subnet: formatCidr(subnet),
        gateway: intToIp(subnet.base + 1),
        labels: {},
        builtin: true,
        createdAt: now,
      });
      for (const [name, driver] of [
        ['host', 'host'],
        ['none', 'null'],
      ] as const) {
        if (!this.store.byName(name))
          this.store.insertNetwork({ id: crypto.randomBytes(32).toString('hex'), name, driver, bridge: null, subnet: null, gateway: null, labels: {}, builtin: true, createdAt: now });
      }
    }
    for (const n of this.store.networks()) await this.ensureBridgeFor(n);
  }

  /**
   * After the containers folded in their exits: make the host match the DB exactly. Namespaces and
   * port bindings of containers that are not running go; links of ours that no network or running
   * container owns go; the chains are rewritten and the jumps made unique.
   */
  reconcile(): Promise<void> {
    return this.serial(async () => {
      const all = this.d.containers.all();
      const running = new Set(all.filter((c) => c.running).map((c) => c.id));
      const known = new Set(all.map((c) => c.id));
      // leases of containers that no longer exist (a crash between rm's steps)
      for (const ep of this.store.endpoints()) if (!known.has(ep.containerId)) this.store.deleteEndpoints(ep.containerId);
      const dropped = this.store.deleteBindingsExcept([...running]);
      if (dropped) this.d.log?.('info', `reconcile: dropped port bindings of ${dropped} stopped containers`);
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(this.netnsDir());
      } catch {
        /* none yet */
      }
      for (const e of entries) {
        if (running.has(e)) continue;
        await deleteNetns(this.exec, path.join(this.netnsDir(), e));
        this.d.log?.('info', `reconcile: removed the network namespace of stopped container ${e.slice(0, 12)}`);
      }
      const nets = this.store.networks();
      const bridges = new Set(nets.map((n) => n.bridge).filter(Boolean) as string[]);
      for (const l of await listLinks(this.exec)) {
        const ours = this.names.isOurBridge(l.name) && l.kind === 'bridge';
        if (ours && !bridges.has(l.name)) {
          await deleteLink(this.exec, l.name);
          this.d.log?.('info', `reconcile: removed bridge ${l.name} of a network that no longer exists`);
          continue;
        }
        const m = /^vb([a-f0-9]{8})[0-9a-f]$/.exec(l.name);
        if (m && l.kind === 'veth' && l.master && bridges.has(l.master) && ![...running].some((id) => id.startsWith(m[1]))) {
          await deleteLink(this.exec, l.name);
          this.d.log?.('info', `reconcile: removed veth ${l.name} of a stopped container`);
        }
      }
      for (const n of nets) await this.ensureBridgeFor(n);
      await this.syncRules();
      this.refreshHosts();
    });
  }

  /** Removes everything this agent's networking put on the host (tests; `berth` never calls it). */
  static async purgeHost(tag: string, runDir: string, exec: HostExec = realHostExec): Promise<void> {
    const names = netNames(tag);
    const dir = path.join(runDir, 'netns');
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      /* none */
    }
    for (const e of entries) await deleteNetns(exec, path.join(dir, e));
    await removeRules(exec, names);
    for (const l of await listLinks(exec)) if (l.kind === 'bridge' && names.isOurBridge(l.name)) await deleteLink(exec, l.name);
  }
}

/** The tag that keeps this agent's host names apart: explicit, else none for the default root, else derived from the root. */
export function networkTag(root: string, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  if (path.resolve(root) === '/var/lib/berth') return '';
  return crypto.createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 5);
}
