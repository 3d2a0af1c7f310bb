// Networks, their IPAM leases (one endpoint per container and network) and published ports.
// Owned by network/. Accessed with prepared SQL through network/network-store.ts.
export const networksDdl = [
  `CREATE TABLE IF NOT EXISTS networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    driver TEXT NOT NULL,
    bridge TEXT UNIQUE,
    subnet TEXT,
    gateway TEXT,
    labels TEXT NOT NULL DEFAULT '{}',
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  )`,
  // the IPAM lease: an address is held from connect (or create) until disconnect (or rm)
  `CREATE TABLE IF NOT EXISTS network_endpoints (
    container_id TEXT NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks(id),
    address TEXT NOT NULL,
    mac TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    ord INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (container_id, network_id),
    UNIQUE (network_id, address)
  )`,
  // held only while the container runs
  `CREATE TABLE IF NOT EXISTS port_bindings (
    container_id TEXT NOT NULL,
    protocol TEXT NOT NULL,
    host_ip TEXT NOT NULL,
    host_port INTEGER NOT NULL,
    container_ip TEXT NOT NULL,
    container_port INTEGER NOT NULL,
    UNIQUE (protocol, host_ip, host_port)
  )`,
];
