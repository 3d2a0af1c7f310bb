'use client';
// Home: every host's health and counts, then for the selected host what runs now (CPU and memory
// summed over its containers), what its images, containers and volumes take on disk (berth system
// df), and its recent engine events.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { formatBytes, formatPercent } from '@/lib/parse/units';
import { useHosts } from './hosts';

interface EventRow {
  time: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
}

export function HomeView() {
  const trpc = useTRPC();
  const hosts = useHosts();
  const df = useQuery(trpc.system.df.queryOptions(undefined, { refetchInterval: 15_000 }));
  const stats = useQuery(trpc.containers.statsAll.queryOptions(undefined, { refetchInterval: 3000 }));
  const [events, setEvents] = useState<EventRow[]>([]);
  // fixed once: a new input would resubscribe and replay the hour again
  const [sinceMs] = useState(() => Date.now() - 3600_000);
  useSubscription(
    trpc.containers.events.subscriptionOptions(
      { sinceMs },
      {
        onData: (e) =>
          setEvents((prev) => {
            const ev = e as EventRow;
            // a reconnect replays the kept events: show each once
            if (prev.some((p) => p.time === ev.time && p.action === ev.action && p.id === ev.id)) return prev;
            return [ev, ...prev].slice(0, 30);
          }),
      },
    ),
  );
  const samples = Object.values(stats.data ?? {});
  const cpu = samples.reduce((n, s) => n + s.cpuPercent, 0);
  const mem = samples.reduce((n, s) => n + s.memoryBytes, 0);
  const rows = df.data
    ? ([
        ['Images', df.data.images],
        ['Containers', df.data.containers],
        ['Local volumes', df.data.volumes],
      ] as const)
    : [];
  return (
    <div>
      <div className="page-head">
        <h1>Home</h1>
      </div>
      <div className="cards" data-testid="home-hosts">
        {hosts.data?.map((h) => (
          <div key={h.id} className="card host-card" data-testid="home-host" data-name={h.name} data-up={h.up ? 'yes' : 'no'}>
            <strong>{h.name}</strong> <span className={h.up ? 'ok small' : 'error small'}>{h.up ? 'up' : 'down'}</span>
            <div className="muted small mono">{h.url}</div>
            {h.up ? (
              <div className="small">
                {h.running} running / {h.containers} containers · {h.images} images
              </div>
            ) : (
              <div className="error small">{h.error}</div>
            )}
          </div>
        ))}
      </div>
      <div className="cards">
        <div className="card" data-testid="home-usage">
          <strong>Running now</strong>
          <div className="small">
            {samples.length} containers · CPU {formatPercent(cpu)} · memory {formatBytes(mem)}
          </div>
        </div>
      </div>
      <h2>Disk</h2>
      {df.error && <p className="error">{errorMessage(df.error)}</p>}
      <table className="table" data-testid="home-df">
        <thead>
          <tr>
            <th>Type</th>
            <th className="num">Total</th>
            <th className="num">Active</th>
            <th className="num">Size</th>
            <th className="num">Reclaimable</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, r]) => (
            <tr key={name} data-testid="home-df-row" data-type={name}>
              <td>{name}</td>
              <td className="num">{r.total}</td>
              <td className="num">{r.active}</td>
              <td className="num">{formatBytes(r.size)}</td>
              <td className="num">
                {formatBytes(r.reclaimable)}
                {r.size > 0 ? ` (${Math.round((r.reclaimable / r.size) * 100)}%)` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Recent events</h2>
      <table className="table" data-testid="home-events">
        <tbody>
          {events.map((e, i) => (
            <tr key={`${e.time}-${i}`} data-testid="home-event">
              <td className="small">{new Date(e.time).toLocaleTimeString()}</td>
              <td className="mono">{e.action}</td>
              <td className="mono">{e.attributes.name ?? e.id.slice(0, 12)}</td>
              <td className="muted small mono">{e.attributes.image ?? ''}</td>
            </tr>
          ))}
          {events.length === 0 && (
            <tr>
              <td className="muted empty">No events in the last hour.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
