// What the agent's adapters (tRPC routers, terminal sockets, the CLI through them, later the
// Docker API) need from the engine. The runtime implements it; adapters never reach past it.
import type {
  ContainerInspect,
  ContainerSummary,
  ImageInspect,
  ImageSummary,
  LoadResult,
  LogLine,
  HistoryEntry,
  ImageLayer,
  ImageProgress,
  PruneResult,
  RegistryAuth,
  SearchResult,
  RunSpec,
  StatsSample,
  StatsHistory,
  LogPage,
  ContainerChange,
  ContainerDirListing,
  UpdateSpec,
  ExecDetachedSpec,
} from '@berth/shared';
import type { NetworkVolumeBackend } from './network-backend';
import type { BuildBackend } from './build-backend';
import type { ArchivePathStat as PathStat } from '@berth/runtime/containers/ports';
import type { BerthEvent } from '@berth/runtime/events/event-bus';
import type { LogRecord } from '@berth/runtime/logs/log-record';

export interface ExecSpec {
  cmd: string[];
  tty: boolean;
  env?: string[];
  workingDir?: string;
  user?: string;
  rows?: number;
  cols?: number;
  /** every capability, no seccomp (exec --privileged) */
  privileged?: boolean;
}

/** A running process the terminal socket bridges: output as chunks, input, resize, exit. */
export interface TerminalProcess {
  onOutput(fn: (stream: 'stdout' | 'stderr', data: Buffer) => void): void;
  write(data: Buffer): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  /** stop reading output (flow control); resume() starts again */
  pause(): void;
  resume(): void;
  readonly exited: Promise<number>;
  /** detach without stopping the process (attach) or kill it (exec) */
  close(): void;
}

export interface LogQuery {
  follow: boolean;
  tail?: number; // last N lines (after since/until, as Docker); absent = all
  after?: number; // cursor: resume after this record ...
  afterFile?: number; // ... in this file of a rotated log (its inode)
  since?: string; // inclusive bounds, in the log's time form (formatLogTime in @berth/shared)
  until?: string;
}

export interface Backend extends NetworkVolumeBackend, Partial<BuildBackend> {
  info(): Promise<{ version: string; hostname: string; cgroupVersion: 1 | 2; containers: number; running: number; images: number; dataRoot: string }>;

  listImages(): Promise<ImageSummary[]>;
  inspectImage(ref: string): Promise<ImageInspect>;
  removeImage(ref: string, force: boolean): Promise<{ untagged: string[]; deleted: string[] }>;
  loadImages(source: string | NodeJS.ReadableStream): Promise<LoadResult>;
  importImage(source: string | NodeJS.ReadableStream, ref: string, cmd?: string[]): Promise<{ id: string }>;
  // registries and archives (issue 4): see image-registry-backend.ts
  pullImage(req: { ref: string; platform?: string; auth?: RegistryAuth }, signal?: AbortSignal): AsyncIterable<ImageProgress>;
  pushImage(req: { ref: string; auth?: RegistryAuth }, signal?: AbortSignal): AsyncIterable<ImageProgress>;
  tagImage(source: string, target: string): Promise<{ id: string; tag: string }>;
  imageHistory(ref: string): Promise<HistoryEntry[]>;
  imageLayers(ref: string): Promise<ImageLayer[]>;
  pruneImages(all: boolean): Promise<PruneResult>;
  searchImages(term: string, limit?: number, auth?: RegistryAuth): Promise<SearchResult[]>;
  registryLogin(server: string, auth: RegistryAuth): Promise<{ server: string }>;
  /** resolves the images (failing before any byte) and returns a writer for the archive */
  saveImages(refs: string[], format: 'docker-archive' | 'oci-archive'): Promise<{ write(out: NodeJS.WritableStream): Promise<void> }>;

  listContainers(all: boolean): Promise<ContainerSummary[]>;
  /** the summaries of these full ids, in any state (missing ones left out) */
  containerSummaries(ids: string[]): Promise<ContainerSummary[]>;
  inspectContainer(idOrName: string): Promise<ContainerInspect>;
  createContainer(spec: RunSpec): Promise<{ id: string; name: string; warnings: string[] }>;
  startContainer(idOrName: string): Promise<void>;
  stopContainer(idOrName: string, timeoutSeconds?: number): Promise<void>;
  restartContainer(idOrName: string, timeoutSeconds?: number): Promise<void>;
  killContainer(idOrName: string, signal?: string): Promise<void>;
  removeContainer(idOrName: string, force: boolean, opts?: { volumes?: boolean }): Promise<void>;
  waitContainer(idOrName: string, signal?: AbortSignal): Promise<{ exitCode: number }>;

  logs(idOrName: string, query: LogQuery, signal?: AbortSignal): AsyncIterable<LogLine>;
  /** the same records in batches, pointing into the read buffers: for byte streams of big logs */
  /** a page of the log for the dashboard's viewer: head/tail, before/after a record, grep, since/until */
  logPage(idOrName: string, q: { from: 'head' | 'tail' | 'before' | 'after'; anchor?: { file: number; cursor: number }; limit: number; grep?: string; since?: string; until?: string }): Promise<LogPage>;
  logBatches(idOrName: string, query: LogQuery, signal?: AbortSignal): AsyncIterable<LogRecord[]>;
  stats(idOrName: string, signal?: AbortSignal): AsyncIterable<StatsSample>;
  statsOnce(): Promise<Record<string, StatsSample>>;
  /** samples since the container started (2 s apart, coarser as it runs longer) */
  statsHistory(idOrName: string): Promise<StatsHistory>;

  exec(idOrName: string, spec: ExecSpec): Promise<TerminalProcess>;
  /** exec -d: returns once the process runs in the container; nobody holds its stdio */
  execDetached(idOrName: string, spec: ExecDetachedSpec): Promise<void>;
  /** attach to the container's own stdio (its pty for -t); start it first when `start` is set */
  attach(idOrName: string, opts: { start?: boolean; rows?: number; cols?: number }): Promise<TerminalProcess>;

  // lifecycle extras (issue 6)
  pauseContainer(idOrName: string): Promise<void>;
  unpauseContainer(idOrName: string): Promise<void>;
  renameContainer(idOrName: string, name: string): Promise<void>;
  pruneContainers(): Promise<{ deleted: string[] }>;
  /** new limits / restart policy, applied to a running container's cgroup at once */
  updateContainer(idOrName: string, spec: UpdateSpec): Promise<{ warnings: string[] }>;
  /** `berth system df`: bytes in each container's writable layer and in each volume */
  diskUsage(): Promise<{ containers: Record<string, number>; volumes: Record<string, number> }>;
  /** `berth diff`: what the container changed against its image */
  containerChanges(idOrName: string): Promise<ContainerChange[]>;
  /** `ps` of the container's cgroup pids, like docker top */
  topContainer(idOrName: string): Promise<{ titles: string[]; processes: string[][] }>;
  /** engine events (`berth events`): recent ones since `sinceMs`, then live until `untilMs` or abort */
  events(opts: { sinceMs?: number; untilMs?: number }, signal?: AbortSignal): AsyncIterable<BerthEvent>;
  // `berth cp` (issue 6): paths resolved inside the container's root by the native helper
  archiveStat(idOrName: string, path: string, follow?: boolean): Promise<PathStat>;
  archiveGet(idOrName: string, path: string, opts?: { rebase?: string; follow?: boolean }): Promise<{ stat: PathStat; stream: import('node:stream').Readable; done: Promise<void>; kill(): void }>;
  /** the dashboard's file download: a regular file's bytes (not a tar around them) */
  readFile(idOrName: string, path: string): Promise<{ size: number; stream: import('node:stream').Readable; kill(): void }>;
  /** the dashboard's file browser: a directory's entries, not followed */
  listDir(idOrName: string, path: string): Promise<ContainerDirListing>;
  /** `berth export`: the root filesystem as a tar (volumes, /proc, /sys, /dev left out) */
  exportContainer(idOrName: string): Promise<{ stream: import('node:stream').Readable; done: Promise<void>; kill(): void }>;
  archivePut(idOrName: string, path: string, body: NodeJS.ReadableStream, opts?: { rebase?: string; keepOwner?: boolean }): Promise<{ files: number; bytes: number }>;
}
