// --userns=remap: Docker's userns-remap, per container. The container's uids and gids 0..N-1 map to
// the `berth` range of /etc/subuid and /etc/subgid (scripts/setup.sh adds berth:100000:65536), so a
// process that leaves the container is an unprivileged id on the host. The helper creates the user
// namespace, writes these maps and idmaps the rootfs layers (docs/native-helper.md).
import fs from 'node:fs';
import { precondition } from '../errors';
import type { OciSpec } from './types';

export const SUBID_NAME = 'berth';

export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}
export interface UsernsRemap {
  uid: IdMapping;
  gid: IdMapping;
}

export interface SubIdFiles {
  subuid: string;
  subgid: string;
}
/** /etc/subuid and /etc/subgid, or the agent's BERTH_SUBUID_FILE / BERTH_SUBGID_FILE. */
export function subIdFiles(env: NodeJS.ProcessEnv = process.env): SubIdFiles {
  return { subuid: env.BERTH_SUBUID_FILE || '/etc/subuid', subgid: env.BERTH_SUBGID_FILE || '/etc/subgid' };
}

const howToAdd = (f: SubIdFiles) =>
  `add one with: echo ${SUBID_NAME}:100000:65536 >> ${f.subuid} && echo ${SUBID_NAME}:100000:65536 >> ${f.subgid} ` +
  '(scripts/setup.sh does this)';

/** The first `berth:START:COUNT` line of a subordinate-id file (shadow-utils' format), or undefined. */
export function parseSubIds(text: string, name = SUBID_NAME): { start: number; count: number } | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [who, start, count] = line.split(':');
    if (who !== name || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    const s = Number(start);
    const c = Number(count);
    // a range that includes host root, or one that overflows 32 bits, would defeat the point
    if (s === 0 || c === 0 || s + c > 2 ** 32 - 1) continue;
    return { start: s, count: c };
  }
  return undefined;
}

function readRange(file: string, files: SubIdFiles): { start: number; count: number } {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const r = parseSubIds(text);
  if (!r) throw precondition(`--userns=remap needs a "${SUBID_NAME}" entry in ${file}: ${howToAdd(files)}`);
  return r;
}

/** Reads the `berth` ranges; fails with how to add them when either file has none. */
export function resolveRemap(files: SubIdFiles = subIdFiles()): UsernsRemap {
  const u = readRange(files.subuid, files);
  const g = readRange(files.subgid, files);
  return { uid: { containerId: 0, hostId: u.start, size: u.count }, gid: { containerId: 0, hostId: g.start, size: g.count } };
}

/** A user namespace with these maps; the rootfs is idmapped by the helper (berth.rootfsMount). */
export function applyUserns(spec: OciSpec, remap: UsernsRemap): OciSpec {
  spec.linux.namespaces.push({ type: 'user' });
  spec.linux.uidMappings = [{ containerID: remap.uid.containerId, hostID: remap.uid.hostId, size: remap.uid.size }];
  spec.linux.gidMappings = [{ containerID: remap.gid.containerId, hostID: remap.gid.hostId, size: remap.gid.size }];
  return spec;
}
