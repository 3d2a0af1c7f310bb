// The audit log: one row per mutating action (tRPC mutations, image loads, terminal sessions).
import { getStore, type User } from './db';

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
