'use client';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ContainerSummary } from '@berth/shared';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { useLiveContainers } from '@/lib/client/live-containers';
import { summaryStatus, useNow } from '@/lib/client/use-now';
import { formatBytes, formatPercent } from '@/lib/parse/units';
import { ContainerActions } from './container-actions';
import { RunForm } from './run-form';
import { CombinedContainers, useHosts } from './hosts';
import { ContainersTable, type Column } from './containers-table';

export function ContainersView({ canMutate }: { canMutate: boolean }) {
  const [all, setAll] = useState(true);
  const [everyHost, setEveryHost] = useState(false);
  const [search, setSearch] = useState('');
  const hosts = useHosts();
  const several = (hosts.data?.length ?? 1) > 1;

  return (
    <div>
      <div className="page-head">
        <h1>Containers</h1>
        <label className="toggle">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="show-all" /> Show all
        </label>
        {several && (
          <label className="toggle">
            <input type="checkbox" checked={everyHost} onChange={(e) => setEveryHost(e.target.checked)} data-testid="all-hosts" /> All hosts
          </label>
        )}
        <input type="search" placeholder="Filter by name, image, state" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Filter containers" data-testid="containers-search" id="containers-search" />
      </div>
      {everyHost ? <CombinedContainers all={all} search={search} /> : <HostContainers all={all} search={search} canMutate={canMutate} />}
    </div>
  );
}

function HostContainers({ all, search, canMutate }: { all: boolean; search: string; canMutate: boolean }) {
  const trpc = useTRPC();
  const [actionError, setActionError] = useState<{ id: string; name: string; message: string } | null>(null);
  const list = useLiveContainers(all);
  const anyRunning = list.data?.some((c) => c.state === 'running') ?? false;
  // CPU and memory are samples, not list rows: polled, and only while something runs
  const stats = useQuery(trpc.containers.statsAll.queryOptions(undefined, { refetchInterval: 2000, enabled: anyRunning }));
  const now = useNow(5000);
  const q = search.trim().toLowerCase();
  const shown = useMemo(
    () => list.data?.filter((c) => !q || [c.name, c.image, c.state, c.id.slice(0, 12)].some((v) => v.toLowerCase().includes(q))),
    [list.data, q],
  );
  const columns: Column<ContainerSummary>[] = [
    {
      title: 'Name',
      cell: (c) => (
        <>
          <Link href={`/containers/${encodeURIComponent(c.id)}`} data-testid="container-link" tabIndex={-1}>
            {c.name}
          </Link>
          <div className="muted mono small">{c.id.slice(0, 12)}</div>
        </>
      ),
    },
    { title: 'State', cell: (c) => <span className={`badge state-${c.state}`}>{c.state}</span> },
    { title: 'Image', className: 'mono truncate', cell: (c) => <span title={c.image}>{c.image}</span> },
    { title: 'Command', className: 'mono truncate', cell: (c) => <span title={c.command}>{c.command}</span> },
    { title: 'Status', cell: (c) => summaryStatus(c, now) },
    {
      title: 'Ports',
      className: 'mono small truncate',
      cell: (c) => <span data-testid="container-row-ports">{(c.ports ?? []).map((p) => `${p.hostPort}→${p.containerPort}/${p.protocol}`).join(', ')}</span>,
    },
    { title: 'CPU', className: 'num', cell: (c) => (stats.data?.[c.id] && c.state === 'running' ? formatPercent(stats.data[c.id]!.cpuPercent) : '—') },
    {
      title: 'Memory',
      className: 'num',
      cell: (c) => {
        const s = stats.data?.[c.id];
        return s && c.state === 'running' ? `${formatBytes(s.memoryBytes)}${s.memoryLimitBytes ? ` / ${formatBytes(s.memoryLimitBytes)}` : ''}` : '—';
      },
    },
  ];
  if (canMutate)
    columns.push({
      title: 'Actions',
      cell: (c) => <ContainerActions id={c.id} state={c.state} onError={(message) => setActionError(message ? { id: c.id, name: c.name, message } : null)} />,
    });
  return (
    <div>
      {canMutate && <RunForm />}
      {list.error && (
        <p className="error" role="alert">
          {errorMessage(list.error)}
        </p>
      )}
      {actionError && (
        <p className="error" role="alert" data-testid="container-action-error">
          {actionError.name}: {actionError.message}
        </p>
      )}
      <p className="muted small" data-testid="containers-count">
        {list.data ? `${shown?.length ?? 0}${q ? ` of ${list.data.length}` : ''} container${list.data.length === 1 ? '' : 's'}` : ''}
        <span className="kbd-hint"> · press / to filter, ↑ ↓ to move, Enter to open</span>
      </p>
      <ContainersTable
        rows={shown}
        columns={columns}
        rowKey={(c) => c.id}
        rowHref={(c) => `/containers/${encodeURIComponent(c.id)}`}
        rowProps={(c) => ({ 'data-testid': 'container-row', 'data-name': c.name, 'data-state': c.state })}
        empty={list.isPending ? 'Loading…' : `No containers${q ? ' match' : all ? '' : ' running'}.`}
        testId="containers-table"
        searchId="containers-search"
      />
    </div>
  );
}

