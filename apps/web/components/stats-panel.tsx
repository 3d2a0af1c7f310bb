'use client';
// Live CPU and memory charts (SVG) from the containers.stats subscription.
import { useState } from 'react';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { StatsSample } from '@berth/shared';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { formatBytes, formatPercent } from '@/lib/parse/units';

const WINDOW = 60;

export function StatsPanel({ id, running }: { id: string; running: boolean }) {
  const trpc = useTRPC();
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const sub = useSubscription(
    trpc.containers.stats.subscriptionOptions(
      { id },
      {
        enabled: running,
        onData: (s) => setSamples((prev) => [...prev.slice(-(WINDOW - 1)), s]),
      },
    ),
  );
  const last = samples.at(-1);
  const memMax = Math.max(last?.memoryLimitBytes ?? 0, ...samples.map((s) => s.memoryBytes), 1);
  const cpuMax = Math.max(100, ...samples.map((s) => s.cpuPercent));
  return (
    <div className="stats" data-testid="stats-panel">
      {!running && <p className="muted">The container is not running.</p>}
      {sub.error && (
        <p className="error small" role="alert">
          {errorMessage(sub.error)}
        </p>
      )}
      <div className="charts">
        <Chart
          title="CPU"
          value={last ? formatPercent(last.cpuPercent) : '—'}
          points={samples.map((s) => s.cpuPercent / cpuMax)}
          scale={`max ${formatPercent(cpuMax)}`}
          color="#3b82f6"
        />
        <Chart
          title="Memory"
          value={last ? `${formatBytes(last.memoryBytes)}${last.memoryLimitBytes ? ` / ${formatBytes(last.memoryLimitBytes)}` : ''}` : '—'}
          points={samples.map((s) => s.memoryBytes / memMax)}
          scale={`max ${formatBytes(memMax)}`}
          color="#10b981"
        />
      </div>
      {last && (
        <p className="muted small">
          pids {last.pids}
          {last.pidsLimit ? ` / ${last.pidsLimit}` : ''} · sampled {new Date(last.time).toLocaleTimeString()}
        </p>
      )}
    </div>
  );
}

function Chart({ title, value, points, scale, color }: { title: string; value: string; points: number[]; scale: string; color: string }) {
  const W = 600;
  const H = 160;
  const step = W / (WINDOW - 1);
  const offset = WINDOW - points.length;
  const coords = points.map((p, i) => `${((offset + i) * step).toFixed(1)},${(H - Math.min(1, Math.max(0, p)) * (H - 4) - 2).toFixed(1)}`);
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong> <span data-testid={`stat-${title.toLowerCase()}`}>{value}</span>
        <span className="muted small"> ({scale})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${title} over the last minute`}>
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1={0} x2={W} y1={H * f} y2={H * f} className="grid" />
        ))}
        {coords.length > 1 && (
          <>
            <polygon points={`${coords[0]!.split(',')[0]},${H} ${coords.join(' ')} ${W},${H}`} fill={color} fillOpacity={0.15} />
            <polyline points={coords.join(' ')} fill="none" stroke={color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
          </>
        )}
      </svg>
    </figure>
  );
}
