// Where everything lives under the data root and the run root. Only this module builds these
// paths; ids and digests are validated before they reach it.
import path from 'node:path';

export interface RuntimePaths {
  root: string; // persistent: /var/lib/berth
  run: string; // volatile: /run/berth
  contentBlobs: string;
  contentIngest: string;
  snapshots: string;
  containers: string;
  db: string;
  tmp: string;
}

export function runtimePaths(root = '/var/lib/berth', run = '/run/berth'): RuntimePaths {
  return {
    root,
    run,
    contentBlobs: path.join(root, 'content', 'blobs', 'sha256'),
    contentIngest: path.join(root, 'content', 'ingest'),
    snapshots: path.join(root, 'snapshots'),
    containers: path.join(root, 'containers'),
    db: path.join(root, 'berth.db'),
    tmp: path.join(root, 'tmp'),
  };
}
