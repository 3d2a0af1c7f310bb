// A real agent and the real (production-built) dashboard on private ports and data roots, for
// the end-to-end test when no running stack is given with BERTH_WEB_URL.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestAgent, repoRoot, requireRoot } from '../../../agent/test/helpers/test-agent';
import { startPostgres, type TestPostgres } from './postgres';
import { freePort } from '../../../agent/test/helpers/free-port';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Stack {
  webUrl: string;
  /** the PostgreSQL the dashboard uses (BERTH_E2E_POSTGRES=1), else undefined: SQLite */
  databaseUrl?: string;
  password: string;
  agent: TestAgent;
  dispose(): Promise<void>;
}

/** With BERTH_E2E_POSTGRES=1 the dashboard keeps its users, sessions, hosts and audit log in a
 * PostgreSQL server started for the run (DATABASE_URL), instead of SQLite. */
export const withPostgres = process.env.BERTH_E2E_POSTGRES === '1';

export async function startStack(): Promise<Stack> {
  const agent = new TestAgent();
  await agent.start();
  agent.loadBundledImages(['musl']);
  let pg: TestPostgres | undefined;
  try {
    if (withPostgres) pg = await startPostgres();
  } catch (e) {
    await agent.dispose();
    throw e;
  }
  const port = await freePort();
  const password = crypto.randomBytes(12).toString('hex');
  let web: ChildProcess | undefined;
  let out = '';
  try {
    web = spawn(process.execPath, ['--import', path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs'), 'server.ts'], {
      cwd: webDir,
      env: {
        ...agent.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        BERTH_ADMIN_PASSWORD: password,
        BERTH_WEB_DB: path.join(agent.root, 'web.db'),
        ...(pg ? { DATABASE_URL: pg.url } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    web.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
    web.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (web.exitCode !== null) throw new Error(`the dashboard exited with ${web.exitCode}:\n${out}`);
      try {
        const res = await fetch(`${url}/login`);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`the dashboard did not start in 60s (is it built? scripts/setup.sh builds it):\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return {
      webUrl: url,
      databaseUrl: pg?.url,
      password,
      agent,
      async dispose() {
        if (web && web.exitCode === null) {
          const exited = new Promise((r) => web!.once('exit', r));
          web.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
          if (web.exitCode === null) web.kill('SIGKILL');
        }
        await agent.dispose();
        await pg?.dispose();
      },
    };
  } catch (e) {
    web?.kill('SIGKILL');
    await agent.dispose();
    await pg?.dispose();
    throw e;
  }
}

/**
 * The dashboard an end-to-end file drives: the running one named by BERTH_WEB_URL (with
 * BERTH_ADMIN_PASSWORD) when set, else a stack started here (as root). Dispose `stack` after.
 */
export async function webUnderTest(): Promise<{ web: string; password: string; stack?: Stack }> {
  const url = (process.env.BERTH_WEB_URL ?? '').replace(/\/+$/, '');
  if (url) {
    const password = process.env.BERTH_ADMIN_PASSWORD ?? '';
    if (!password) throw new Error('set BERTH_ADMIN_PASSWORD to the admin password of the running web server');
    return { web: url, password };
  }
  requireRoot();
  const stack = await startStack();
  return { web: stack.webUrl, password: stack.password, stack };
}
