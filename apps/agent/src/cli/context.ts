// What every command gets: the agent client, and stdout/stderr writers (tests capture them).
import { createAgentClient, localEndpoint, type AgentClient } from '../client';

export interface CliContext {
  client(): AgentClient;
  out(s: string | Uint8Array): void;
  err(s: string | Uint8Array): void;
}

export function defaultContext(): CliContext & { dispose(): void } {
  let c: AgentClient | undefined;
  return {
    client: () => (c ??= createAgentClient(localEndpoint())),
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    dispose: () => c?.close(),
  };
}
