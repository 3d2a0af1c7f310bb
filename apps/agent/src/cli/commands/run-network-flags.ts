// `run`/`create` flags for networks and storage: -p, -P, --network-alias, -v, --mount, --tmpfs.
import { parseMountFlag, parsePublish, parseTmpfsFlag, parseVolumeFlag, type MountSpec, type PortSpec } from '@berth/shared';
import { UsageError, type FlagDef } from '../args';

export const networkFlags: FlagDef[] = [
  { long: 'publish', short: 'p', type: 'list' },
  { long: 'publish-all', short: 'P', type: 'bool' },
  { long: 'network-alias', type: 'list' },
  { long: 'volume', short: 'v', type: 'list' },
  { long: 'mount', type: 'list' },
  { long: 'tmpfs', type: 'list' },
];

export function networkSpecFromFlags(flags: Record<string, unknown>): {
  publish: PortSpec[];
  publishAll: boolean;
  networkAliases: string[];
  mounts: MountSpec[];
} {
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  };
  const list = (k: string) => (flags[k] as string[] | undefined) ?? [];
  return {
    publish: list('publish').flatMap((p) => wrap(() => parsePublish(p))),
    publishAll: flags['publish-all'] === true,
    networkAliases: list('network-alias'),
    mounts: [
      ...list('volume').map((v) => wrap(() => parseVolumeFlag(v))),
      ...list('mount').map((m) => wrap(() => parseMountFlag(m))),
      ...list('tmpfs').map((t) => wrap(() => parseTmpfsFlag(t))),
    ],
  };
}
