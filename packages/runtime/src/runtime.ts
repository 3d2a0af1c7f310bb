// The composition root: wires the leaves (content, snapshots, images, cgroups, helper, logs,
// stats) into the services the agent uses. Nothing else constructs them.
import fs from 'node:fs';
import path from 'node:path';
import { runtimePaths, type RuntimePaths } from './paths';
import { openMetadata, type MetadataDb } from './metadata/db';
import { ContentStore } from './content/store';
import { SnapshotStore } from './snapshots/store';
import { ImageService } from './images/image-store';
import { detectCgroups } from './cgroups/detect';
import type { CgroupDriver } from './cgroups/driver';
import { ContainerStore } from './containers/container-store';
import { ContainerService } from './containers/container-service';
import { StatsService } from './stats/stats-service';
import { StatsHistory } from './stats/stats-history';
import { nativeHelper } from './helper/port';
import { NetworkService, networkTag } from './network/network-service';
import { VolumeService } from './volumes/volume-service';
import { copyUp } from './helper/copyup';
import { ImageBuilder } from './build/builder';

export interface RuntimeOptions {
  root?: string;
  run?: string;
  cgroups?: CgroupDriver;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
  /** keeps this agent's bridges and chains apart from other agents' (default: derived from the root) */
  networkTag?: string;
  /** the default bridge's subnet (default: 10.88.0.0/16 when free, else a free /24) */
  bridgeSubnet?: string;
}

export interface Runtime {
  paths: RuntimePaths;
  db: MetadataDb;
  images: ImageService;
  containers: ContainerService;
  stats: StatsService;
  /** samples of every running container since it started (the dashboard's charts); start() it */
  statsHistory: StatsHistory;
  cgroups: CgroupDriver;
  networks: NetworkService;
  volumes: VolumeService;
  /** `berth build` and `berth commit` (build/) */
  builder: ImageBuilder;
  close(): void;
}

export async function createRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const paths = runtimePaths(opts.root, opts.run);
  for (const d of [paths.root, paths.contentBlobs, paths.contentIngest, paths.snapshots, paths.containers, paths.tmp, path.join(paths.run, 'containers')]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o711 });
  }
  // the data root holds the token, the metadata (env values included) and every rootfs: root
  // only, as Docker's /var/lib/docker (0710 root:root) and /run/docker are
  for (const d of [paths.root, paths.run]) fs.chmodSync(d, 0o700);
  const db = openMetadata(paths.db);
  const content = new ContentStore(paths.contentBlobs, paths.contentIngest);
  const snapshots = new SnapshotStore(paths.snapshots);
  const cgroups = opts.cgroups ?? detectCgroups();
  const store = new ContainerStore(db);
  // build containers (RUN steps) are recorded in memory, never in `ps`; the network service sees
  // them too, so RUN gets the default bridge like any container
  const buildStore = new ContainerStore(openMetadata(':memory:'));
  const helper = nativeHelper();
  const images = new ImageService({
    db,
    content,
    snapshots,
    unpack: helper.unpack,
    tmpDir: paths.tmp,
    isImageInUse: (id) => store.imageInUse(id),
  });
  const containerView = (r: ReturnType<ContainerStore['all']>[number]) => ({
    id: r.id,
    name: r.name,
    running: r.state.status === 'running',
    pid: r.state.pid,
    hostname: r.config.hostname,
    network: r.spec.network ?? 'none',
    dir: path.join(paths.containers, r.id),
    mounts: r.mounts ?? [],
  });
  const networks = new NetworkService({
    db,
    runDir: paths.run,
    tag: networkTag(paths.root, opts.networkTag),
    defaultSubnet: opts.bridgeSubnet,
    log: opts.log,
    containers: {
      all: () => [...store.all(), ...buildStore.all()].map(containerView),
      find: (idOrName) => containerView(store.find(idOrName)),
    },
  });
  const volumes = new VolumeService({ db, root: path.join(paths.root, 'volumes'), users: { all: () => store.all().map(containerView) }, copyUp, log: opts.log });
  const containers = new ContainerService({ paths, store, images, rootfs: snapshots, cgroups, helper, network: networks, volumes, log: opts.log });
  // bridges first (exits folded in by the containers' reconcile tear their networks down), then
  // make the host's links and rules match exactly what the running containers need
  await networks.init();
  await containers.reconcile();
  await networks.reconcile();
  const stats = new StatsService(cgroups);
  const statsHistory = new StatsHistory(stats, () => containers.list(false).map((c) => ({ id: c.id, startedAt: c.startedAt })));
  return {
    paths,
    db,
    images,
    containers,
    stats,
    statsHistory,
    cgroups,
    networks,
    volumes,
    builder: new ImageBuilder({ paths, images, content, snapshots, unpack: helper.unpack, cgroups, helper, network: networks, store: buildStore, log: opts.log }),
    close() {
      statsHistory.stop();
      containers.stopWatching();
      db.$client.close();
    },
  };
}
