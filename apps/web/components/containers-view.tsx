'use client';
import Link from 'next/link';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { formatBytes, formatPercent } from '@/lib/parse/units';
import { ContainerActions } from './container-actions';
import { RunForm } from './run-form';
import { CombinedContainers, useHosts } from './hosts';

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
        <input type="search" placeholder="Filter by name, image, state" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Filter containers" data-testid="containers-search" />
      </div>
      {everyHost ? <CombinedContainers all={all} search={search} /> : <HostContainers all={all} search={search} canMutate={canMutate} />}
    </div>
  );
}

function HostContainers({ all, search, canMutate }: { all: boolean; search: string; canMutate: boolean }) {
  const trpc = useTRPC();
  const [actionError, setActionError] = useState<{ id: string; message: string } | null>(null);
  const list = useQuery(trpc.containers.list.queryOptions({ all }, { refetchInterval: 2000 }));
  const stats = useQuery(trpc.containers.statsAll.queryOptions(undefined, { refetchInterval: 2000 }));
  const q = search.trim().toLowerCase();
  const shown = list.data?.filter((c) => !q || [c.name, c.image, c.state, c.id.slice(0, 12)].some((v) => v.toLowerCase().includes(q)));
  return (
    <div>
      {canMutate && <RunForm />}
      {list.error && (
        <p className="error" role="alert">
          {errorMessage(list.error)}
        </p>
      )}
      <table className="table" data-testid="containers-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>State</th>
            <th>Image</th>
            <th>Command</th>
            <th>Status</th>
            <th>Ports</th>
            <th className="num">CPU</th>
            <th className="num">Memory</th>
            {canMutate && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {shown?.map((c) => {
            const s = stats.data?.[c.id];
            return (
              <tr key={c.id} data-testid="container-row" data-name={c.name} data-state={c.state}>
                <td>
                  <Link href={`/containers/${encodeURIComponent(c.id)}`} data-testid="container-link">
                    {c.name}
                  </Link>
                  <div className="muted mono small">{c.id.slice(0, 12)}</div>
                </td>
                <td>
                  <span className={`badge state-${c.state}`}>{c.state}</span>
                </td>
                <td className="mono">{c.image}</td>
                <td className="mono truncate" title={c.command}>
                  {c.command}
                </td>
                <td>{c.status}</td>
                <td className="mono small" data-testid="container-row-ports">
                  {(c.ports ?? []).map((p) => `${p.hostPort}→${p.containerPort}/${p.protocol}`).join(', ')}
                </td>
                <td className="num">{s && c.state === 'running' ? formatPercent(s.cpuPercent) : '—'}</td>
                <td className="num">
                  {s && c.state === 'running'
                    ? `${formatBytes(s.memoryBytes)}${s.memoryLimitBytes ? ` / ${formatBytes(s.memoryLimitBytes)}` : ''}`
                    : '—'}
                </td>
                {canMutate && (
                  <td>
                    <ContainerActions
                      id={c.id}
                      state={c.state}
                      onError={(message) => setActionError(message ? { id: c.id, message } : null)}
                    />
                    {actionError?.id === c.id && (
                      <div className="error small" role="alert">
                        {actionError.message}
                      </div>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
          {shown?.length === 0 && (
            <tr>
              <td colSpan={9} className="muted empty">
                No containers{q ? ' match' : all ? '' : ' running'}.
              </td>
            </tr>
          )}
          {list.isPending && (
            <tr>
              <td colSpan={9} className="muted empty">
                Loading…
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
