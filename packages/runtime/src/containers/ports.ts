// What the container service needs from its neighbours, as small interfaces, so it can be wired
// by createRuntime and exercised with fakes in unit tests.
import type { ImageConfig } from '@berth/shared';
import type { Readable, Writable } from 'node:stream';

export interface ImagePort {
  resolve(refOrId: string): Promise<{ id: string; config: ImageConfig; chainIds: string[]; name: string }> | { id: string; config: ImageConfig; chainIds: string[]; name: string };
}

export interface RootfsPort {
  /** the overlay mount (a description, not performed) for these layers plus an upper/work pair */
  mounts(chainIds: string[], upper: string, work: string): { type: string; source: string; options: string[] };
}

export interface ExecHandle {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  resize(rows: number, cols: number): void;
  signal(n: number): void;
  kill(): void;
  exited: Promise<number>;
  /** exec -d: resolves once the process runs */
  started?: Promise<void>;
}

export interface AttachHandle {
  onData(fn: (stream: 'stdout' | 'stderr', data: Buffer) => void): void;
  write(data: Buffer): void;
  resize(rows: number, cols: number): void;
  closeStdin(): void;
  pause(): void;
  resume(): void;
  close(): void;
  /** resolves with the exit code when the container exits while attached; rejects if the socket fails */
  exited: Promise<number>;
  /** resolves once connected (the monitor releases a parked init then) */
  connected: Promise<void>;
}

export interface HelperPort {
  startContainer(bundleDir: string, stateDir: string): Promise<{ pid: number; monitorPid: number }>;
  exec(o: { pid: number; process: object; cgroupProcs: string[]; tty: boolean; detach?: boolean }): ExecHandle;
  attach(stateDir: string): AttachHandle;
  /** the static berth-init binary for `run --init` (absent: --init is not available) */
  initPath?: string;
  /** `berth cp`: tar in and out of a container's root, every path resolved inside it */
  archive?: ArchivePort;
}

export type ArchiveRootDesc = { pid: number } | { mount: { type: string; source: string; options: string[] }; at: string };
export interface ArchivePathStat {
  name: string;
  size: number;
  mode: number;
  type: 'dir' | 'file' | 'symlink' | 'other';
  linkTarget: string;
}
export interface ArchivePort {
  stat(root: ArchiveRootDesc, path: string, follow: boolean): Promise<ArchivePathStat>;
  list(root: ArchiveRootDesc, path: string): Promise<{ entries: (ArchivePathStat & { uid: number; gid: number; mtime: number })[]; truncated: boolean }>;
  out(root: ArchiveRootDesc, path: string, opts: { rebase?: string; follow?: boolean; oneFileSystem?: boolean }): { stream: Readable; done: Promise<void>; kill(): void };
  in(root: ArchiveRootDesc, path: string, body: NodeJS.ReadableStream, opts: { rebase?: string; keepOwner?: boolean }): Promise<{ files: number; bytes: number }>;
}
