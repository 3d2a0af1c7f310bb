// Shared setup for the root integration tests of berth-helper: the busybox layer, bundles with
// an overlay rootfs, cleanup of containers and temp dirs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultSpec } from '../../src/oci/default-spec';
import type { OciSpec } from '../../src/oci/types';
import { unpackLayer } from '../../src/helper/unpack';
import { startContainer } from '../../src/helper/start';

export const IMAGES = '/work/shared/images';

/** Fails (never skips) when not root: these tests exist to run the real thing. */
export function requireRoot() {
  assert.equal(process.getuid?.(), 0, 'this test needs root (namespaces, mounts, chroot): run it as root');
}

export function layerBlob(image: string): string {
  const dir = path.join(IMAGES, image);
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const blob = (d: string) => path.join(dir, 'blobs', 'sha256', d.split(':')[1]);
  const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0].digest), 'utf8'));
  return blob(manifest.layers[0].digest);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `berth-test-${prefix}-`));
}

export async function unpackedBusybox(): Promise<string> {
  const dir = tempDir('lower');
  await unpackLayer(dir, fs.createReadStream(layerBlob('busybox-musl')));
  return dir;
}

export interface TestContainer {
  dir: string;
  bundle: string;
  state: string;
  logPath: string;
  pid: number;
  monitorPid: number;
}

export function makeBundle(lower: string, args: string[], edit?: (s: OciSpec) => void): Omit<TestContainer, 'pid' | 'monitorPid'> {
  const dir = tempDir('ctr');
  for (const d of ['rootfs', 'upper', 'work', 'state']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, 'hostname'), 'testhost\n');
  const logPath = path.join(dir, 'container.log');
  const spec = defaultSpec({
    rootPath: path.join(dir, 'rootfs'),
    args,
    env: ['HOSTNAME=testhost'],
    cwd: '/',
    hostname: 'testhost',
    terminal: false,
    hostNetwork: false,
    hostnamePath: path.join(dir, 'hostname'),
    berth: {
      rootfsMount: {
        type: 'overlay',
        source: 'overlay',
        options: [`lowerdir=${lower}`, `upperdir=${path.join(dir, 'upper')}`, `workdir=${path.join(dir, 'work')}`],
      },
      cgroupProcs: [],
      logPath,
    },
  });
  edit?.(spec);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2));
  return { dir, bundle: dir, state: path.join(dir, 'state'), logPath };
}

export async function runContainer(lower: string, args: string[], edit?: (s: OciSpec) => void): Promise<TestContainer> {
  const b = makeBundle(lower, args, edit);
  try {
    const r = await startContainer(b.bundle, b.state);
    return { ...b, ...r };
  } catch (e) {
    fs.rmSync(b.dir, { recursive: true, force: true });
    throw e;
  }
}

export async function waitFor<T>(fn: () => T | undefined | null | false, what: string, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface ExitJson {
  exitCode: number;
  signal: number | null;
  finishedAt: string;
}

export function waitExit(c: { state: string }, ms = 10000): Promise<ExitJson> {
  const f = path.join(c.state, 'exit.json');
  return waitFor(() => (fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as ExitJson) : null), `exit.json in ${c.state}`, ms);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function logRecords(c: { logPath: string }): { log: string; stream: string; time: string }[] {
  if (!fs.existsSync(c.logPath)) return [];
  return fs
    .readFileSync(c.logPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export function logText(c: { logPath: string }): string {
  return logRecords(c)
    .map((r) => r.log)
    .join('');
}

/** SIGKILLs the init, waits for exit.json and the monitor to go, removes the temp dir. */
export async function destroy(c: TestContainer | undefined) {
  if (!c) return;
  if (alive(c.pid)) process.kill(c.pid, 'SIGKILL');
  await waitExit(c).catch(() => undefined);
  await waitFor(() => !alive(c.monitorPid), `monitor ${c.monitorPid} to exit`, 5000).catch(() => undefined);
  fs.rmSync(c.dir, { recursive: true, force: true });
}

export function noMountsUnder(prefix: string) {
  // only this suite's own temp dirs: agents of other suites (or other runs) live elsewhere
  if (!prefix.startsWith('/')) prefix = path.join(os.tmpdir(), prefix);
  // a mount point field starts with the prefix (not /var/tmp/berth-test-…, a TestAgent's netns)
  const left = fs.readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[1]?.startsWith(prefix));
  assert.deepEqual(left, [], `mounts left under ${prefix}`);
}
