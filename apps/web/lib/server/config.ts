// Web server configuration, read from the environment once.
import path from 'node:path';

export interface WebConfig {
  /** the agent's data root: its token file lives here, and the first admin password file */
  berthRoot: string;
  /** base URL of the agent, e.g. http://127.0.0.1:7471 */
  agentUrl: string;
  /** explicit agent token; otherwise read from $BERTH_ROOT/agent.token */
  agentToken: string | undefined;
  sqlitePath: string;
  databaseUrl: string | undefined;
  adminPassword: string | undefined;
  secureCookies: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  const berthRoot = env.BERTH_ROOT || '/var/lib/berth';
  let agentUrl = env.BERTH_AGENT_URL || `http://${env.BERTH_AGENT_ADDR || '127.0.0.1:7471'}`;
  agentUrl = agentUrl.replace(/\/+$/, '');
  return {
    berthRoot,
    agentUrl,
    agentToken: env.BERTH_TOKEN || undefined,
    sqlitePath: env.BERTH_WEB_DB || path.join(berthRoot, 'web.db'),
    databaseUrl: env.DATABASE_URL || undefined,
    adminPassword: env.BERTH_ADMIN_PASSWORD || undefined,
    secureCookies: env.BERTH_SECURE_COOKIES === '1',
  };
}
