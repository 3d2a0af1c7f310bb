// IPv4 arithmetic for subnets and addresses: parse, format, overlap, the nth host.
import { invalid } from '../errors';

export interface Subnet {
  base: number; // network address as an unsigned 32-bit number
  prefix: number;
}

export function ipToInt(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw invalid(`invalid IPv4 address "${ip}"`);
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function parseCidr(s: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  if (!m || Number(m[2]) > 32) throw invalid(`invalid subnet "${s}": want a.b.c.d/N`);
  const ip = ipToInt(m[1]);
  const prefix = Number(m[2]);
  const base = (ip & mask(prefix)) >>> 0;
  if (base !== ip) throw invalid(`invalid subnet "${s}": host bits are set (did you mean ${intToIp(base)}/${prefix}?)`);
  return { base, prefix };
}

export function formatCidr(s: Subnet): string {
  return `${intToIp(s.base)}/${s.prefix}`;
}

export function size(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

export function contains(s: Subnet, ip: number): boolean {
  return ((ip & mask(s.prefix)) >>> 0) === s.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** The nth address of the subnet (0 = network address). */
export function nth(s: Subnet, n: number): string {
  return intToIp((s.base + n) >>> 0);
}

/** Usable host addresses: the network and broadcast addresses are excluded. */
export function hostRange(s: Subnet): [number, number] {
  return [s.base + 1, s.base + size(s) - 2];
}
