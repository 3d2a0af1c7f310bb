// "Up 3 minutes", "Exited (0) 2 seconds ago": the STATUS column people know from `docker ps`.
// Shared so the agent's answers and the dashboard's list (which ages the text itself between
// pushed events) say the same thing.

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`;
  const d = Math.round(h / 24);
  if (d < 14) return `${d} days`;
  return `${Math.round(d / 7)} weeks`;
}

export interface StatusInput {
  status: 'created' | 'running' | 'exited' | 'dead';
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  paused?: boolean;
}

export function statusText(st: StatusInput, now = Date.now(), health?: 'starting' | 'healthy' | 'unhealthy'): string {
  switch (st.status) {
    case 'created':
      return 'Created';
    case 'running':
      // Docker's: (Paused) wins over the health status
      return `Up ${humanDuration(now - Date.parse(st.startedAt ?? new Date(now).toISOString()))}${st.paused ? ' (Paused)' : health ? ` (${health === 'starting' ? 'health: starting' : health})` : ''}`;
    case 'exited':
      return `Exited (${st.exitCode ?? 0}) ${humanDuration(now - Date.parse(st.finishedAt ?? new Date(now).toISOString()))} ago`;
    case 'dead':
      return 'Dead';
  }
}
