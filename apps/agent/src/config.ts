// The agent's settings, parsed once from the environment.
import { z } from 'zod';

const Env = z.object({
  BERTH_ROOT: z.string().default('/var/lib/berth'),
  BERTH_RUN: z.string().default('/run/berth'),
  BERTH_AGENT_ADDR: z
    .string()
    .regex(/^[^:]+:\d+$/, 'BERTH_AGENT_ADDR must be host:port')
    .default('127.0.0.1:7471'),
  BERTH_TOKEN: z.string().min(16, 'BERTH_TOKEN must be at least 16 characters').optional(),
  /** comma-separated registries (host or host:port) reachable over plain http; loopback always is */
  BERTH_INSECURE_REGISTRIES: z.string().optional(),
  /** keeps this agent's bridges and iptables chains apart from other agents' on the host */
  BERTH_NET_TAG: z.string().regex(/^[a-z0-9]{0,5}$/, 'BERTH_NET_TAG must be up to 5 characters a-z0-9').optional(),
  /** the default bridge network's subnet */
  BERTH_BRIDGE_SUBNET: z.string().optional(),
  /** the Docker Engine API's unix socket (docs/docker-api.md); default $BERTH_RUN/docker.sock */
  BERTH_DOCKER_SOCKET: z.string().optional(),
  /** TLS for remote agents: the operator's PEM certificate and key ... */
  BERTH_TLS_CERT: z.string().optional(),
  BERTH_TLS_KEY: z.string().optional(),
  /** ... or BERTH_TLS=1: a self-signed pair generated under $BERTH_ROOT/tls on first start */
  BERTH_TLS: z.enum(['', '0', '1', 'true', 'false']).optional(),
});

export interface AgentConfig {
  root: string;
  run: string;
  host: string;
  port: number;
  token?: string;
  insecureRegistries: string[];
  networkTag?: string;
  bridgeSubnet?: string;
  dockerSocket: string;
  tls: { certFile?: string; keyFile?: string; generate: boolean };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const e = Env.parse(env);
  const i = e.BERTH_AGENT_ADDR.lastIndexOf(':');
  return {
    root: e.BERTH_ROOT,
    run: e.BERTH_RUN,
    host: e.BERTH_AGENT_ADDR.slice(0, i),
    port: Number(e.BERTH_AGENT_ADDR.slice(i + 1)),
    token: e.BERTH_TOKEN,
    insecureRegistries: (e.BERTH_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    networkTag: e.BERTH_NET_TAG,
    bridgeSubnet: e.BERTH_BRIDGE_SUBNET,
    dockerSocket: e.BERTH_DOCKER_SOCKET || `${e.BERTH_RUN}/docker.sock`,
    tls: { certFile: e.BERTH_TLS_CERT || undefined, keyFile: e.BERTH_TLS_KEY || undefined, generate: e.BERTH_TLS === '1' || e.BERTH_TLS === 'true' },
  };
}
