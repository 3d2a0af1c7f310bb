'use client';
// Hosts in the browser: the list with health (/api/hosts), the selector that scopes every page to
// one host (the berth_host cookie, read by every server route), and the combined container list.
import Link from 'next/link';
import { useQueries, useQuery } from '@tanstack/react-query';
import type { ContainerSummary } from '@berth/shared';
import type { HostHealth } from '@/lib/server/hosts';

export type { HostHealth } from '@/lib/server/hosts';

export function useHosts() {
  return useQuery({
    queryKey: ['hosts'],
    queryFn: async () => {
      const r = await fetch('/api/hosts');
      if (!r.ok) throw new Error(`hosts: http ${r.status}`);
      return (await r.json()) as HostHealth[];
    },
    refetchInterval: 15_000,
  });
}

/** Scopes the dashboard to `id` and reloads the page there. */
export function selectHost(id: string, then?: string) {
  document.cookie = `berth_host=${encodeURIComponent(id)}; path=/; SameSite=Strict; max-age=31536000`;
  if (then) window.location.assign(then);
  else window.location.reload();
}

export function HostSelector({ current }: { current: string }) {
  const hosts = useHosts();
  const list = hosts.data ?? [{ id: 'local', name: 'local', url: '', up: true }];
  if (list.length <= 1 && current === 'local') return null;
  const known = list.some((h) => h.id === current);
  return (
    <label className="host-select" title="the host every page shows">
      <span className="muted small">host</span>
      <select value={known ? current : ''} onChange={(e) => selectHost(e.target.value)} data-testid="host-select">
        {!known && <option value="">(removed host)</option>}
        {list.map((h) => (
          <option key={h.id} value={h.id}>
            {h.up ? '●' : '○'} {h.name}
          </option>
        ))}
      </select>
    </label>
  );
}

interface Row extends ContainerSummary {
  host: HostHealth;
}

/** Every host's containers in one table, filtered by text; a click opens it on its host. */
export function CombinedContainers({ all, search }: { all: boolean; search: string }) {
  const hosts = useHosts();
  const up = (hosts.data ?? []).filter((h) => h.up);
  const lists = useQueries({
    queries: up.map((h) => ({
      queryKey: ['hosts', h.id, 'containers', all],
      queryFn: async (): Promise<Row[]> => {
        const r = await fetch(`/api/hosts/${encodeURIComponent(h.id)}/trpc/containers.list?input=${encodeURIComponent(JSON.stringify({ all }))}`);
        const body = (await r.json()) as { result?: { data: ContainerSummary[] }; error?: { message: string } };
        if (!body.result) throw new Error(`${h.name}: ${body.error?.message ?? r.status}`);
        return body.result.data.map((c) => ({ ...c, host: h }));
      },
      refetchInterval: 3000,
    })),
  });
  const q = search.trim().toLowerCase();
  const rows = lists
    .flatMap((l) => l.data ?? [])
    .filter((c) => !q || [c.name, c.image, c.host.name, c.state, c.id.slice(0, 12)].some((v) => v.toLowerCase().includes(q)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const down = (hosts.data ?? []).filter((h) => !h.up);
  return (
    <div>
      {down.map((h) => (
        <p key={h.id} className="error small" role="alert">
          host {h.name} is unreachable: {h.error}
        </p>
      ))}
      {lists
        .filter((l) => l.error)
        .map((l, i) => (
          <p key={i} className="error small" role="alert">
            {(l.error as Error).message}
          </p>
        ))}
      <table className="table" data-testid="combined-table">
        <thead>
          <tr>
            <th>Host</th>
            <th>Name</th>
            <th>State</th>
            <th>Image</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={`${c.host.id}/${c.id}`} data-testid="combined-row" data-host={c.host.name} data-name={c.name}>
              <td className="mono">{c.host.name}</td>
              <td>
                <Link
                  href={`/containers/${encodeURIComponent(c.id)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    selectHost(c.host.id, `/containers/${encodeURIComponent(c.id)}`);
                  }}
                >
                  {c.name}
                </Link>
              </td>
              <td>
                <span className={`badge state-${c.state}`}>{c.state}</span>
              </td>
              <td className="mono">{c.image}</td>
              <td>{c.status}</td>
            </tr>
          ))}
          {rows.length === 0 && !lists.some((l) => l.isPending) && (
            <tr>
              <td colSpan={5} className="muted empty">
                No containers{q ? ' match' : ''}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
