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
import { nativeHelper } from './helper/port';

export interface RuntimeOptions {
  root?: string;
  run?: string;
  cgroups?: CgroupDriver;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

export interface Runtime {
  paths: RuntimePaths;
  db: MetadataDb;
  images: ImageService;
  containers: ContainerService;
  stats: StatsService;
  cgroups: CgroupDriver;
  close(): void;
}

export async function createRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const paths = runtimePaths(opts.root, opts.run);
  for (const d of [paths.root, paths.contentBlobs, paths.contentIngest, paths.snapshots, paths.containers, paths.tmp, path.join(paths.run, 'containers')]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o711 });
  }
  const db = openMetadata(paths.db);
  const content = new ContentStore(paths.contentBlobs, paths.contentIngest);
  const snapshots = new SnapshotStore(paths.snapshots);
  const cgroups = opts.cgroups ?? detectCgroups();
  const store = new ContainerStore(db);
  const helper = nativeHelper();
  const images = new ImageService({
    db,
    content,
    snapshots,
    unpack: helper.unpack,
    tmpDir: paths.tmp,
    isImageInUse: (id) => store.imageInUse(id),
  });
  const containers = new ContainerService({ paths, store, images, rootfs: snapshots, cgroups, helper, log: opts.log });
  await containers.reconcile();
  return {
    paths,
    db,
    images,
    containers,
    stats: new StatsService(cgroups),
    cgroups,
    close() {
      containers.stopWatching();
      db.$client.close();
    },
  };
}
