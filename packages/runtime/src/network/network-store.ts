// Network rows, endpoints (IPAM leases) and port bindings in the metadata DB.
import type { MetadataDb } from '../metadata/db';

export interface NetworkRow {
  id: string;
  name: string;
  driver: 'bridge' | 'host' | 'null';
  bridge: string | null;
  subnet: string | null;
  gateway: string | null;
  labels: Record<string, string>;
  builtin: boolean;
  createdAt: string;
}

export interface EndpointRow {
  containerId: string;
  networkId: string;
  address: string;
  mac: string;
  aliases: string[];
  ord: number;
}

export interface BindingRow {
  containerId: string;
  protocol: 'tcp' | 'udp';
  hostIp: string; // 0.0.0.0 = every address
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

interface RawNetwork {
  id: string;
  name: string;
  driver: string;
  bridge: string | null;
  subnet: string | null;
  gateway: string | null;
  labels: string;
  builtin: number;
  created_at: number;
}

const toNetwork = (r: RawNetwork): NetworkRow => ({
  id: r.id,
  name: r.name,
  driver: r.driver as NetworkRow['driver'],
  bridge: r.bridge,
  subnet: r.subnet,
  gateway: r.gateway,
  labels: JSON.parse(r.labels) as Record<string, string>,
  builtin: r.builtin === 1,
  createdAt: new Date(r.created_at).toISOString(),
});

export class NetworkStore {
  constructor(private readonly db: MetadataDb) {}
  private get sql() {
    return this.db.$client;
  }

  networks(): NetworkRow[] {
    return (this.sql.prepare('SELECT * FROM networks ORDER BY created_at, name').all() as RawNetwork[]).map(toNetwork);
  }
  byName(name: string): NetworkRow | undefined {
    const r = this.sql.prepare('SELECT * FROM networks WHERE name = ?').get(name) as RawNetwork | undefined;
    return r && toNetwork(r);
  }
  byId(id: string): NetworkRow | undefined {
    const r = this.sql.prepare('SELECT * FROM networks WHERE id = ?').get(id) as RawNetwork | undefined;
    return r && toNetwork(r);
  }
  byIdPrefix(prefix: string): NetworkRow[] {
    return (this.sql.prepare('SELECT * FROM networks WHERE id LIKE ?').all(`${prefix}%`) as RawNetwork[]).map(toNetwork);
  }
  insertNetwork(n: NetworkRow): void {
    this.sql
      .prepare('INSERT INTO networks (id, name, driver, bridge, subnet, gateway, labels, builtin, created_at) VALUES (?,?,?,?,?,?,?,?,?)')
      .run(n.id, n.name, n.driver, n.bridge, n.subnet, n.gateway, JSON.stringify(n.labels), n.builtin ? 1 : 0, Date.parse(n.createdAt));
  }
  deleteNetwork(id: string): void {
    this.sql.prepare('DELETE FROM networks WHERE id = ?').run(id);
  }

  endpoints(filter: { containerId?: string; networkId?: string } = {}): EndpointRow[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.containerId) (where.push('container_id = ?'), args.push(filter.containerId));
    if (filter.networkId) (where.push('network_id = ?'), args.push(filter.networkId));
    const rows = this.sql
      .prepare(`SELECT * FROM network_endpoints ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ord, network_id`)
      .all(...args) as { container_id: string; network_id: string; address: string; mac: string; aliases: string; ord: number }[];
    return rows.map((r) => ({
      containerId: r.container_id,
      networkId: r.network_id,
      address: r.address,
      mac: r.mac,
      aliases: JSON.parse(r.aliases) as string[],
      ord: r.ord,
    }));
  }
  insertEndpoint(e: EndpointRow): void {
    this.sql
      .prepare('INSERT INTO network_endpoints (container_id, network_id, address, mac, aliases, ord) VALUES (?,?,?,?,?,?)')
      .run(e.containerId, e.networkId, e.address, e.mac, JSON.stringify(e.aliases), e.ord);
  }
  deleteEndpoint(containerId: string, networkId: string): void {
    this.sql.prepare('DELETE FROM network_endpoints WHERE container_id = ? AND network_id = ?').run(containerId, networkId);
  }
  deleteEndpoints(containerId: string): void {
    this.sql.prepare('DELETE FROM network_endpoints WHERE container_id = ?').run(containerId);
  }

  bindings(containerId?: string): BindingRow[] {
    const rows = (containerId
      ? this.sql.prepare('SELECT * FROM port_bindings WHERE container_id = ? ORDER BY protocol, host_port').all(containerId)
      : this.sql.prepare('SELECT * FROM port_bindings ORDER BY protocol, host_port').all()) as {
      container_id: string;
      protocol: string;
      host_ip: string;
      host_port: number;
      container_ip: string;
      container_port: number;
    }[];
    return rows.map((r) => ({
      containerId: r.container_id,
      protocol: r.protocol as 'tcp' | 'udp',
      hostIp: r.host_ip,
      hostPort: r.host_port,
      containerIp: r.container_ip,
      containerPort: r.container_port,
    }));
  }
  insertBindings(rows: BindingRow[]): void {
    const st = this.sql.prepare(
      'INSERT INTO port_bindings (container_id, protocol, host_ip, host_port, container_ip, container_port) VALUES (?,?,?,?,?,?)',
    );
    this.sql.transaction(() => {
      for (const b of rows) st.run(b.containerId, b.protocol, b.hostIp, b.hostPort, b.containerIp, b.containerPort);
    })();
  }
  deleteBindings(containerId: string): void {
    this.sql.prepare('DELETE FROM port_bindings WHERE container_id = ?').run(containerId);
  }
  deleteBindingsExcept(containerIds: string[]): number {
    const all = this.bindings();
    const keep = new Set(containerIds);
    let n = 0;
    for (const b of all) if (!keep.has(b.containerId)) (this.deleteBindings(b.containerId), n++);
    return n;
  }
}
