// Runs a real docker CLI against a TestAgent's Docker API socket. A missing client fails the test
// with a message instead of being skipped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliResult, TestAgent } from '../helpers/test-agent';

/** the current docker CLI and Debian's docker.io (20.10) client */
export const DOCKER_CLIENTS = { current: '/usr/local/bin/docker', debian: '/usr/bin/docker' } as const;

export function requireClient(bin: string): void {
  if (!fs.existsSync(bin)) throw new Error(`the docker client ${bin} is not installed: these tests drive Berth with the real docker CLI (install docker-ce-cli / docker.io)`);
}

export class DockerCli {
  readonly config = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-docker-config-'));
  constructor(
    readonly agent: TestAgent,
    readonly bin: string = DOCKER_CLIENTS.current,
  ) {}

  get env(): NodeJS.ProcessEnv {
    // DOCKER_CONFIG apart: no user contexts, credentials or plugins leak in
    return { ...process.env, DOCKER_HOST: `unix://${this.agent.dockerSocket}`, DOCKER_CONFIG: this.config, DOCKER_CLI_HINTS: 'false' };
  }

  run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): CliResult {
    requireClient(this.bin);
    const r = spawnSync(this.bin, args, { env: this.env, input: opts.input ?? '', encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
    return { code: r.status ?? (r.signal ? 128 : 1), stdout: r.stdout, stderr: r.stderr };
  }

  ok(args: string[], opts?: { input?: string; timeoutMs?: number }): string {
    const r = this.run(args, opts);
    if (r.code !== 0) throw new Error(`${this.bin} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  dispose() {
    fs.rmSync(this.config, { recursive: true, force: true });
  }
}
