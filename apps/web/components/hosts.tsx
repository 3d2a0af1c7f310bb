'use client';
// Hosts in the browser: the list with health (/api/hosts), the selector that scopes every page to
// one host (the berth_host cookie, read by every server route), and the combined container list.
import Link from 'next/link';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { HostContainerEvents, hostListQuery } from '@/lib/client/live-containers';
import { summaryStatus, useNow } from '@/lib/client/use-now';
import { ContainersTable, type Column } from './containers-table';
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

const STREAMED_HOSTS = 3;

interface Row extends ContainerSummary {
  host: HostHealth;
}

/** Every host's containers in one table, filtered by text; a click opens it on its host. With up
 * to STREAMED_HOSTS hosts each list is fetched once and then follows that host's events; with more,
 * the lists are polled instead (every stream holds one of the browser's six HTTP/1.1 connections
 * to this server, which the page's other requests need). */
export function CombinedContainers({ all, search }: { all: boolean; search: string }) {
  const hosts = useHosts();
  const now = useNow(5000);
  const up = (hosts.data ?? []).filter((h) => h.up);
  const qc = useQueryClient();
  const streamed = up.length <= STREAMED_HOSTS;
  const lists = useQueries({ queries: up.map((h) => hostListQuery(qc, h.id, all, streamed ? undefined : 5000)) });
  const q = search.trim().toLowerCase();
  const rows: Row[] = lists
    .flatMap((l, i) => (l.data ?? []).map((c) => ({ ...c, host: up[i]! })))
    .filter((c) => !q || [c.name, c.image, c.host.name, c.state, c.id.slice(0, 12)].some((v) => v.toLowerCase().includes(q)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const down = (hosts.data ?? []).filter((h) => !h.up);
  const open = (c: Row) => `/containers/${encodeURIComponent(c.id)}`;
  const columns: Column<Row>[] = [
    { title: 'Host', className: 'mono', cell: (c) => c.host.name },
    {
      title: 'Name',
      cell: (c) => (
        <Link
          href={open(c)}
          tabIndex={-1}
          onClick={(e) => {
            e.preventDefault();
            selectHost(c.host.id, open(c));
          }}
        >
          {c.name}
        </Link>
      ),
    },
    { title: 'State', cell: (c) => <span className={`badge state-${c.state}`}>{c.state}</span> },
    { title: 'Image', className: 'mono truncate', cell: (c) => c.image },
    { title: 'Status', cell: (c) => summaryStatus(c, now) },
  ];
  return (
    <div>
      {streamed && up.map((h) => <HostContainerEvents key={h.id} hostId={h.id} />)}
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
      <ContainersTable
        rows={rows}
        columns={columns}
        rowKey={(c) => `${c.host.id}/${c.id}`}
        rowHref={open}
        onOpen={(c) => selectHost(c.host.id, open(c))}
        rowProps={(c) => ({ 'data-testid': 'combined-row', 'data-host': c.host.name, 'data-name': c.name })}
        empty={lists.some((l) => l.isPending) ? 'Loading…' : `No containers${q ? ' match' : ''}.`}
        testId="combined-table"
        searchId="containers-search"
      />
    </div>
  );
}
