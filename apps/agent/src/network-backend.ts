// The networks and volumes part of the Backend (issue 5), implemented over the runtime.
import type { NetworkCreate, NetworkInspect, NetworkSummary, VolumeCreate, VolumeSummary } from '@berth/shared';
import type { Runtime } from '@berth/runtime';

export interface NetworkVolumeBackend {
  listNetworks(): Promise<NetworkSummary[]>;
  inspectNetwork(idOrName: string): Promise<NetworkInspect>;
  createNetwork(req: NetworkCreate): Promise<NetworkInspect>;
  removeNetwork(idOrName: string): Promise<void>;
  pruneNetworks(): Promise<{ removed: string[] }>;
  connectNetwork(network: string, container: string, aliases?: string[]): Promise<void>;
  disconnectNetwork(network: string, container: string): Promise<void>;

  listVolumes(): Promise<VolumeSummary[]>;
  inspectVolume(name: string): Promise<VolumeSummary>;
  createVolume(req: VolumeCreate): Promise<VolumeSummary>;
  removeVolume(name: string, force: boolean): Promise<void>;
  pruneVolumes(all: boolean): Promise<{ removed: string[]; reclaimedBytes: number }>;
}

export function networkVolumeBackend(rt: Runtime): NetworkVolumeBackend {
  const n = rt.networks;
  const v = rt.volumes;
  return {
    listNetworks: async () => n.list(),
    inspectNetwork: async (id) => n.inspect(id),
    createNetwork: (req) => n.create(req),
    removeNetwork: (id) => n.remove(id),
    pruneNetworks: async () => ({ removed: await n.prune() }),
    connectNetwork: (net, c, aliases) => n.connect(net, c, aliases ?? []),
    disconnectNetwork: (net, c) => n.disconnect(net, c),

    listVolumes: async () => v.list(),
    inspectVolume: async (name) => v.inspect(name),
    createVolume: async (req) => v.create(req).summary,
    removeVolume: async (name, force) => v.remove(name, force),
    pruneVolumes: async (all) => v.prune(all),
  };
}
