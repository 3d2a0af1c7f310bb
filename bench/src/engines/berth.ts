// Berth: a private agent on its own data root and port, driven through the real `berth` CLI.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Daemon } from './daemon';
import type { Engine } from './engine';
import { sh } from '../lib/proc';

export const repoRoot = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../..');
export const imagesDir = process.env.BERTH_IMAGES ?? path.resolve(repoRoot, '../shared/images');
export const helperBin = path.join(repoRoot, 'packages/runtime/native/build/berth-helper');
const berthBin = path.join(repoRoot, 'apps/agent/bin/berth');
const tsxLoader = path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs');

export async function startBerth(tmp: string, suffix: string): Promise<Engine & { agent: Daemon; runDir: string }> {
  const base = path.join(tmp, 'berth');
  fs.mkdirSync(base, { recursive: true });
  const token = crypto.randomBytes(24).toString('hex');
  const root = path.join(base, 'root');
  const runDir = path.join(base, 'run');
  const log = path.join(base, 'agent.log');
  // BERTH_NET_TAG names this agent's bridge and chains (berthb<suffix>, BERTH-B<SUFFIX>-*) so they
  // cannot collide with another agent's, and cleanUp can find them.
  const agentEnv = { ...process.env, BERTH_ROOT: root, BERTH_RUN: runDir, BERTH_TOKEN: token, BERTH_AGENT_ADDR: '127.0.0.1:0', BERTH_NET_TAG: `b${suffix}` };
  const agent = new Daemon('berth agent', [process.execPath, '--import', tsxLoader, path.join(repoRoot, 'apps/agent/src/main.ts')], log, agentEnv);
  let url = '';
  await agent.waitReady(() => {
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(fs.readFileSync(log, 'utf8'));
    if (m) url = m[1];
    return !!m;
  });
  const env = { ...process.env, BERTH_AGENT_URL: url, BERTH_TOKEN: token };
  const engine = {
    name: 'berth',
    image: 'busybox:1.37.0-musl',
    agent,
    runDir,
    url,
    token,
    env,
    cli: (args: string[]) => [berthBin, ...args],
    bridge: { flags: ['--network', 'bridge'] } as Engine['bridge'],
    monitorPids(): number[] {
      const dir = path.join(runDir, 'containers');
      const out: number[] = [];
      for (const id of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        try {
          out.push(Number(fs.readFileSync(path.join(dir, id, 'monitor.pid'), 'utf8').trim()));
        } catch {
          /* exited */
        }
      }
      return out;
    },
    daemonPids: () => [agent.pid],
    async stop() {
      const ids = sh(engine.cli(['ps', '-aq']), { env }).stdout.split('\n').filter(Boolean);
      if (ids.length) sh(engine.cli(['rm', '-f', ...ids]), { env });
      await agent.stop();
    },
  };
  const load = sh(engine.cli(['load', '-i', path.join(imagesDir, 'busybox-musl')]), { env });
  if (load.code !== 0) throw new Error(`berth load: ${load.stderr}`);
  // Bridge networking is issue 5: probe it instead of assuming, so the table updates itself when it lands.
  const probe = sh(engine.cli(['run', '--rm', '--network', 'bridge', engine.image, 'true']), { env, timeout: 60_000 });
  if (probe.code !== 0) engine.bridge = { unavailable: `not yet (issue 5): ${probe.stderr.trim().split('\n').pop()?.slice(0, 160)}` };
  return engine;
}
