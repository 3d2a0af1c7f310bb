// How the web server reaches its agent: base URL and bearer token (env, else the token file the
// agent writes under its data root, re-read so an agent restart with a new token is picked up).
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config';

export function agentToken(): string {
  const cfg = loadConfig();
  if (cfg.agentToken) return cfg.agentToken;
  const file = path.join(cfg.berthRoot, 'agent.token');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new Error(`agent token unavailable: set BERTH_TOKEN or create ${file} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

export function agentHttpUrl(p: string): string {
  return loadConfig().agentUrl + p;
}

export function agentWsUrl(p: string): string {
  return loadConfig().agentUrl.replace(/^http/, 'ws') + p;
}
