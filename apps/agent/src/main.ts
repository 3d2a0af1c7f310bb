// The agent daemon: one per host, as root. Containers outlive it (their monitors hold them);
// on start it re-adopts whatever is still running.
import { createRuntime } from '@berth/runtime';
import { loadConfig } from './config';
import { runtimeBackend } from './runtime-backend';
import { startAgentServer } from './server/agent-server';
import { startDockerApiServer } from './docker-api/server';
import { ensureToken } from './server/token';
import { loadTls } from './server/tls';

function log(level: 'info' | 'warn' | 'error', msg: string) {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg }) + '\n');
}

async function main() {
  if (process.getuid?.() !== 0) {
    log('error', 'the berth agent must run as root: it creates namespaces, mounts and cgroups');
    process.exit(1);
  }
  const cfg = loadConfig();
  const token = ensureToken(cfg.root, cfg.token);
  const tls = loadTls({ root: cfg.root, host: cfg.host, ...cfg.tls });
  const rt = await createRuntime({ root: cfg.root, run: cfg.run, log, networkTag: cfg.networkTag, bridgeSubnet: cfg.bridgeSubnet });
  const backend = runtimeBackend(rt, { insecureRegistries: cfg.insecureRegistries });
  const server = await startAgentServer({ backend, token, host: cfg.host, port: cfg.port, tls });
  // the Docker Engine API: the same backend behind a root-only unix socket (docs/docker-api.md)
  // a socket that cannot be bound (path too long, read-only dir) costs the Docker API, not the agent
  const dockerApi = await startDockerApiServer({ backend, socketPath: cfg.dockerSocket }).catch((e: Error) => {
    log('error', `docker API socket ${cfg.dockerSocket}: ${e.message}`);
    return undefined;
  });
  if (dockerApi) log('info', `docker API on unix://${dockerApi.socketPath}`);
  rt.statsHistory.start();
  if (tls) log('info', `TLS certificate ${tls.certFile}, sha256 fingerprint ${tls.fingerprint} (clients: BERTH_AGENT_FINGERPRINT=${tls.fingerprint})`);
  log('info', `berth agent listening on ${server.url} (data root ${cfg.root}, cgroup v${rt.cgroups.version})`);

  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${sig}: shutting down; containers keep running`);
    await server.close();
    await dockerApi?.close().catch(() => {});
    rt.close();
    process.exit(0);
  };
  // one failed request must never take the daemon (and every terminal) down with it
  process.on('unhandledRejection', (e) => log('error', `unhandled rejection: ${e instanceof Error ? e.stack : String(e)}`));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  log('error', e instanceof Error ? e.message : String(e));
  process.exit(1);
});
