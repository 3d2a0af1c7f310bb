// A local registry (Debian's docker-registry) holding one ~200 MB single-layer gzip image, built
// here from random text so gzip has real work to do, and pushed with skopeo.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Daemon } from './daemon';
import { busyboxLayer } from './bare';
import { helperBin } from './berth';
import { must, sh } from '../lib/proc';
import { freePort } from '../../../apps/agent/test/helpers/free-port';

export interface Registry {
  addr: string;
  ref: string;
  blobUrl: string;
  layerBytes: number;
  daemon: Daemon;
}

export async function startRegistry(tmp: string, mib: number): Promise<Registry> {
  const base = path.join(tmp, 'registry');
  fs.mkdirSync(base, { recursive: true });
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  fs.writeFileSync(
    path.join(base, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${base}/data\n  delete:\n    enabled: true\nhttp:\n  addr: ${addr}\n`,
  );
  const daemon = new Daemon('docker-registry', ['docker-registry', 'serve', path.join(base, 'config.yml')], path.join(base, 'registry.log'));
  await daemon.waitReady(() => sh(['curl', '-sf', `http://${addr}/v2/`]).code === 0);

  // The image: busybox plus about `mib` MiB (gzipped) of base64 text in 8 MiB files, one gzip layer.
  const tree = path.join(base, 'tree');
  fs.mkdirSync(path.join(tree, 'data'), { recursive: true });
  must(['sh', '-c', `"$0" unpack "$1" < "$2"`, helperBin, tree, busyboxLayer()]);
  const files = Math.ceil(mib / 6); // 6 MiB of random bytes is ~8 MiB of base64, ~6 MiB gzipped
  must(['sh', '-c', `for i in $(seq 1 ${files}); do head -c ${6 << 20} /dev/urandom | base64 -w 76 > "$0/data/f$i.txt"; done`, tree]);
  const layout = path.join(base, 'oci');
  const blobs = path.join(layout, 'blobs/sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const tarGz = path.join(base, 'layer.tar.gz');
  const tar = path.join(base, 'layer.tar');
  must(['tar', '-C', tree, '-cf', tar, '.']);
  const diffId = must(['sha256sum', tar]).stdout.split(' ')[0];
  must(['sh', '-c', 'gzip -1 < "$0" > "$1" && rm -f "$0"', tar, tarGz]);
  fs.rmSync(tree, { recursive: true, force: true });
  const put = (bytes: Buffer | string) => {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    const d = crypto.createHash('sha256').update(b).digest('hex');
    fs.writeFileSync(path.join(blobs, d), b);
    return { digest: `sha256:${d}`, size: b.length };
  };
  const layerDigest = must(['sha256sum', tarGz]).stdout.split(' ')[0];
  const layerBytes = fs.statSync(tarGz).size;
  fs.renameSync(tarGz, path.join(blobs, layerDigest));
  const config = put(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] } }));
  const manifest = put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${layerDigest}`, size: layerBytes }],
    }),
  );
  fs.writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }] }));
  const ref = `${addr}/bench/big:1`;
  must(['skopeo', 'copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}`, `docker://${ref}`]);
  fs.rmSync(layout, { recursive: true, force: true });
  return { addr, ref, blobUrl: `http://${addr}/v2/bench/big/blobs/sha256:${layerDigest}`, layerBytes, daemon };
}
