'use client';
// Stats since the container started: the agent's kept history (2 s apart, coarser for long runs)
// followed by the live containers.stats subscription. CPU with CFS throttling, memory against its
// limit line, OOM kills, pids against the pids limit, network and block I/O.
import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { StatsSample } from '@berth/shared';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { formatBytes, formatPercent } from '@/lib/parse/units';
import { throttledShare } from '@/lib/stats/series';

const MAX_POINTS = 2000;

export function StatsPanel({ id, running }: { id: string; running: boolean }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.containers.statsHistory.queryOptions({ id }, { enabled: running, staleTime: Infinity, refetchOnWindowFocus: false }));
  const [live, setLive] = useState<StatsSample[]>([]);
  const sub = useSubscription(
    trpc.containers.stats.subscriptionOptions(
      { id },
      {
        enabled: running,
        onData: (s) => setLive((prev) => [...prev.slice(-(MAX_POINTS - 1)), s]),
      },
    ),
  );
  // a new run (restart) starts a new history
  useEffect(() => setLive([]), [history.data?.startedAt]);

  const samples = useMemo(() => {
    const past = history.data?.samples ?? [];
    const lastPast = past.at(-1)?.time ?? '';
    return [...past, ...live.filter((s) => s.time > lastPast)].slice(-MAX_POINTS);
  }, [history.data, live]);
  const last = samples.at(-1);
  const first = samples[0];
  const t0 = first ? Date.parse(history.data?.startedAt ?? first.time) : 0;
  const t1 = last ? Date.parse(last.time) : 0;
  const x = (s: StatsSample) => (t1 > t0 ? (Date.parse(s.time) - t0) / (t1 - t0) : 1);

  const cpuMax = Math.max(100, ...samples.map((s) => s.cpuPercent));
  const memLimit = last?.memoryLimitBytes ?? null;
  const memMax = Math.max(memLimit ?? 0, ...samples.map((s) => s.memoryBytes), 1);
  const pidsMax = Math.max(last?.pidsLimit ?? 0, ...samples.map((s) => s.pids), 1);
  const throttled = throttledShare(samples);
  const since = history.data?.startedAt ? new Date(history.data.startedAt).toLocaleString() : null;

  return (
    <div className="stats" data-testid="stats-panel">
      {!running && <p className="muted">The container is not running.</p>}
      {(sub.error || history.error) && (
        <p className="error small" role="alert">
          {errorMessage(sub.error ?? history.error)}
        </p>
      )}
      {running && since && (
        <p className="muted small" data-testid="stats-since">
          since the container started ({since}) · {samples.length} samples
        </p>
      )}
      <div className="charts">
        <Chart
          title="CPU"
          value={last ? `${formatPercent(last.cpuPercent)}${throttled > 0 ? ` · throttled ${formatPercent(throttled * 100)} of periods` : ''}` : '—'}
          points={samples.map((s) => [x(s), s.cpuPercent / cpuMax])}
          scale={`max ${formatPercent(cpuMax)}`}
          color="#3b82f6"
        />
        <Chart
          title="Memory"
          value={last ? `${formatBytes(last.memoryBytes)}${memLimit ? ` / ${formatBytes(memLimit)}` : ''}${last.oomKills ? ` · ${last.oomKills} OOM kill${last.oomKills > 1 ? 's' : ''}` : ''}` : '—'}
          points={samples.map((s) => [x(s), s.memoryBytes / memMax])}
          limit={memLimit ? memLimit / memMax : undefined}
          scale={`max ${formatBytes(memMax)}`}
          color="#10b981"
          alert={!!last?.oomKills}
        />
        <Chart
          title="PIDs"
          value={last ? `${last.pids}${last.pidsLimit ? ` / ${last.pidsLimit}` : ''}` : '—'}
          points={samples.map((s) => [x(s), s.pids / pidsMax])}
          limit={last?.pidsLimit ? last.pidsLimit / pidsMax : undefined}
          scale={`max ${pidsMax}`}
          color="#a855f7"
        />
      </div>
      {last && (
        <p className="muted small" data-testid="stats-io">
          net {last.netRxBytes !== undefined ? `${formatBytes(last.netRxBytes)} in / ${formatBytes(last.netTxBytes ?? 0)} out` : '—'} · block{' '}
          {last.blockReadBytes !== undefined ? `${formatBytes(last.blockReadBytes)} read / ${formatBytes(last.blockWriteBytes ?? 0)} written` : '—'} · sampled{' '}
          {new Date(last.time).toLocaleTimeString()}
        </p>
      )}
    </div>
  );
}

function Chart(props: { title: string; value: string; points: [number, number][]; scale: string; color: string; limit?: number; alert?: boolean }) {
  const { title, value, points, scale, color, limit, alert } = props;
  const W = 600;
  const H = 160;
  const y = (v: number) => (H - Math.min(1, Math.max(0, v)) * (H - 4) - 2).toFixed(1);
  const coords = points.map(([px, py]) => `${(px * W).toFixed(1)},${y(py)}`);
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong>{' '}
        <span data-testid={`stat-${title.toLowerCase()}`} className={alert ? 'error' : undefined}>
          {value}
        </span>
        <span className="muted small"> ({scale})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${title} since the container started`}>
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1={0} x2={W} y1={H * f} y2={H * f} className="grid" />
        ))}
        {limit !== undefined && <line x1={0} x2={W} y1={y(limit)} y2={y(limit)} stroke="#dc2626" strokeDasharray="6 4" vectorEffect="non-scaling-stroke" data-testid={`limit-${title.toLowerCase()}`} />}
        {coords.length > 1 && (
          <>
            <polygon points={`${coords[0]!.split(',')[0]},${H} ${coords.join(' ')} ${coords.at(-1)!.split(',')[0]},${H}`} fill={color} fillOpacity={0.15} />
            <polyline points={coords.join(' ')} fill="none" stroke={color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
          </>
        )}
      </svg>
    </figure>
  );
}
