// How the web server reaches its agent: base URL and bearer token (env, else the token file the
// agent writes under its data root, re-read so an agent restart with a new token is picked up).
// An https:// agent URL with BERTH_AGENT_FINGERPRINT pins the agent's certificate (as the CLI does).
import fs from 'node:fs';
import path from 'node:path';
import { agentTransport } from '@berth/agent/pinned-tls';
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

let cached: { key: string; t: ReturnType<typeof agentTransport> } | undefined;
function transport() {
  const url = loadConfig().agentUrl;
  const fp = process.env.BERTH_AGENT_FINGERPRINT || undefined;
  const key = `${url}|${fp ?? ''}`;
  if (cached?.key !== key) cached = { key, t: agentTransport(url, fp) };
  return cached.t;
}

/** fetch to the agent: pinned by BERTH_AGENT_FINGERPRINT when set (refuses another certificate) */
export const agentFetch: typeof fetch = (input, init) => transport().fetch(input, init);

/** the https.Agent for WebSockets to the agent (undefined: the platform's) */
export function agentWsAgent() {
  return transport().agent;
}
