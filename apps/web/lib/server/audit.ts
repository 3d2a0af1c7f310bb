// The audit log: one row per mutating action (tRPC mutations, image loads and builds, file
// transfers, terminal sessions). Every row about an agent names its host the same way: onHost().
import { getStore, type User } from './db';
import { LOCAL_HOST, type AgentTarget } from './agent';

export async function audit(user: User | undefined, action: string, target: string, detail: unknown, outcome: string): Promise<void> {
  try {
    let d = typeof detail === 'string' ? detail : JSON.stringify(detail ?? null);
    if (d.length > 4000) d = d.slice(0, 4000) + '…';
    await (await getStore()).addAudit({
      time: new Date().toISOString(),
      userId: user?.id ?? null,
      username: user?.username ?? '-',
      action,
      target,
      detail: d,
      outcome,
    });
  } catch (e) {
    console.error(`audit log write failed: ${(e as Error).message}`);
  }
}

/** An audit target on `host`: the object alone on this machine's agent, "<host>: <object>" on a
 * host an admin added, so the log says which agent every action touched. */
export function onHost(host: Pick<AgentTarget, 'id' | 'name'>, object: string): string {
  if (host.id === LOCAL_HOST) return object;
  return object ? `${host.name}: ${object}` : `${host.name}:`;
}
