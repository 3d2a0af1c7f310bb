// Starts a REAL agent (a child process, as root) on a private data root and port for one test
// file, with the bundled images loaded, and runs the real `berth` CLI against it.
import { after, before } from 'node:test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetworkService, networkTag } from '@berth/runtime/network/network-service';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../../..');
export const imagesDir = process.env.BERTH_IMAGES ?? path.resolve(repoRoot, '../shared/images');
const tsxLoader = path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs');
const berthBin = path.join(repoRoot, 'apps/agent/bin/berth');

export function requireRoot() {
  if (process.getuid?.() !== 0) throw new Error('this test needs root: it runs real namespaces, mounts and cgroups (run scripts/test.sh as root)');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TestAgent {
  proc!: ChildProcess;
  url = '';
  readonly token = crypto.randomBytes(24).toString('hex');
  readonly root: string;
  readonly run: string;
  readonly suffix = crypto.randomBytes(3).toString('hex');
  private logTail = '';

  /** extra environment for the agent process (BERTH_TLS=1, ...) */
  private readonly agentEnv: Record<string, string | undefined>;

  constructor(opts: { agentEnv?: Record<string, string | undefined> } = {}) {
    this.agentEnv = opts.agentEnv ?? {};
    const base = fs.mkdtempSync(path.join('/var/tmp', 'berth-test-'));
    this.root = path.join(base, 'root');
    this.run = path.join(base, 'run');
  }

  /** the agent's Docker Engine API socket (issue 8): DOCKER_HOST=unix://<this> */
  get dockerSocket(): string {
    return path.join(this.run, 'docker.sock');
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, BERTH_ROOT: this.root, BERTH_RUN: this.run, BERTH_TOKEN: this.token, BERTH_AGENT_URL: this.url };
  }

  /** Starts the agent process and waits until it listens. */
  async start(): Promise<void> {
    const port = this.url ? new URL(this.url).port : '0';
    this.proc = spawn(process.execPath, ['--import', tsxLoader, path.join(repoRoot, 'apps/agent/src/main.ts')], {
      env: { ...process.env, BERTH_ROOT: this.root, BERTH_RUN: this.run, BERTH_TOKEN: this.token, BERTH_AGENT_ADDR: `127.0.0.1:${port}`, BERTH_DOCKER_SOCKET: this.dockerSocket, ...this.agentEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.url = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        this.logTail = (this.logTail + d.toString()).slice(-4000);
        const m = /listening on (https?:\/\/[\d.]+:\d+)/.exec(this.logTail);
        if (m) resolve(m[1]);
      };
      this.proc.stderr!.on('data', onData);
      this.proc.once('exit', (code) => reject(new Error(`agent exited with ${code} before listening:\n${this.logTail}`)));
      setTimeout(() => reject(new Error(`agent did not start in 30s:\n${this.logTail}`)), 30_000).unref();
    });
  }

  /** SIGKILL the agent, as a crash would. Containers keep running under their monitors. */
  async crash(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }

  /** Runs the real CLI. `input` is piped to its stdin. */
  cli(args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string | undefined> } = {}): CliResult {
    const r = spawnSync(berthBin, args, {
      env: { ...this.env, ...opts.env },
      input: opts.input ?? '',
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 60_000,
    });
    return { code: r.status ?? (r.signal ? 128 : 1), stdout: r.stdout, stderr: r.stderr };
  }

  /** The CLI, failing the test with its output when it exits non-zero. */
  ok(args: string[], opts?: { input?: string; timeoutMs?: number; env?: Record<string, string | undefined> }): string {
    const r = this.cli(args, opts);
    if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  name(prefix: string): string {
    return `${prefix}-${this.suffix}-${crypto.randomBytes(2).toString('hex')}`;
  }

  loadBundledImages(which: ('musl' | 'glibc' | 'alpine')[] = ['musl', 'alpine']): void {
    if (which.includes('musl')) this.ok(['load', '-i', path.join(imagesDir, 'busybox-musl')]);
    if (which.includes('glibc')) this.ok(['load', '-i', path.join(imagesDir, 'busybox-glibc')]);
    if (which.includes('alpine'))
      this.ok(['import', '-c', 'CMD ["/bin/sh"]', path.join(imagesDir, 'alpine-minirootfs-3.20.3-x86_64.tar.gz'), 'alpine:3.20']);
  }

  /** Removes every container, stops the agent, deletes the data root. */
  async dispose(): Promise<void> {
    try {
      if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
        const ids = this.cli(['ps', '-aq']).stdout.split('\n').filter(Boolean);
        if (ids.length) this.cli(['rm', '-f', ...ids]);
      }
    } finally {
      await this.stop().catch(() => {});
      // the agent's bridges, chains and namespaces (named after its data root) go with it
      await NetworkService.purgeHost(this.netTag, this.run).catch(() => {});
      fs.rmSync(path.dirname(this.root), { recursive: true, force: true });
    }
  }

  /** the tag in this agent's bridge and chain names (derived from its data root) */
  get netTag(): string {
    return networkTag(this.root);
  }

  get logs(): string {
    return this.logTail;
  }
}

export function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or `ms` passes (then throws with `what`). */
export async function eventually<T>(what: string, fn: () => T | Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(200);
  }
}

export const osTmp = os.tmpdir();

/**
 * The usual agent of a describe(): started (as root; without root the suite fails, it never
 * skips) with these bundled images loaded before its tests, disposed after them.
 */
export function suiteAgent(images: ('musl' | 'glibc' | 'alpine')[] = ['musl']): TestAgent {
  const agent = new TestAgent();
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(images);
  });
  after(() => agent.dispose());
  return agent;
}
