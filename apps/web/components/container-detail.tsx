'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { ContainerActions } from './container-actions';
import { LogsPanel } from './logs-panel';
import { StatsPanel } from './stats-panel';
import { TerminalPanel } from './terminal-panel';
import { PublishedPorts } from './published-ports';
import { FilesPanel } from './files-panel';

const tabs = ['Logs', 'Stats', 'Files', 'Inspect', 'Terminal'] as const;
type Tab = (typeof tabs)[number];

export function ContainerDetail({ id, canMutate }: { id: string; canMutate: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [tab, setTab] = useState<Tab>('Logs');
  const [visited, setVisited] = useState<Set<Tab>>(() => new Set(['Logs']));
  const [actionError, setActionError] = useState('');
  const [removed, setRemoved] = useState(false);
  const inspect = useQuery(trpc.containers.inspect.queryOptions({ id }, { refetchInterval: 2000, enabled: !removed }));
  const c = inspect.data;

  const select = (t: Tab) => {
    setTab(t);
    setVisited((v) => new Set(v).add(t));
  };

  if (inspect.error && !c) {
    return (
      <div>
        <p>
          <Link href="/containers">← Containers</Link>
        </p>
        <p className="error" role="alert">
          {errorMessage(inspect.error)}
        </p>
      </div>
    );
  }

  const available = canMutate ? tabs : tabs.filter((t) => t !== 'Terminal');
  return (
    <div className="detail">
      <p>
        <Link href="/containers">← Containers</Link>
      </p>
      <div className="page-head">
        <h1 data-testid="container-name">{c?.name ?? id}</h1>
        {c && (
          <span className={`badge state-${c.state}`} data-testid="container-state">
            {c.state}
          </span>
        )}
        {c && <span className="muted">{c.status}</span>}
        <span className="spacer" />
        {c && canMutate && (
          <ContainerActions
            id={c.id}
            state={c.state}
            onError={setActionError}
            onRemoved={() => {
              setRemoved(true);
              router.push('/containers');
            }}
          />
        )}
      </div>
      {actionError && (
        <p className="error" role="alert" data-testid="action-error">
          {actionError}
        </p>
      )}
      {c && (
        <p className="muted mono small">
          {c.id} · {c.image} · {c.command}
        </p>
      )}
      {c && c.state === 'running' && <PublishedPorts ports={c.networkSettings?.ports ?? []} />}
      {c && (Object.keys(c.networkSettings?.networks ?? {}).length > 0 || (c.mounts ?? []).length > 0) && (
        <p className="muted small" data-testid="container-net-mounts">
          {Object.entries(c.networkSettings?.networks ?? {})
            .map(([name, n]) => `${name}: ${n.ipAddress}`)
            .join(' · ')}
          {(c.mounts ?? []).length > 0 && ` · mounts: ${(c.mounts ?? []).map((m) => `${m.name ? m.name.slice(0, 24) : m.source} → ${m.destination}${m.rw ? '' : ' (ro)'}`).join(', ')}`}
        </p>
      )}
      <div className="tabs" role="tablist">
        {available.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'tab active' : 'tab'}
            onClick={() => select(t)}
            data-testid={`tab-${t.toLowerCase()}`}
          >
            {t}
          </button>
        ))}
      </div>
      <div className="tab-body">
        {visited.has('Logs') && (
          <div hidden={tab !== 'Logs'}>
            <LogsPanel id={id} running={c?.state === 'running'} />
          </div>
        )}
        {visited.has('Stats') && (
          <div hidden={tab !== 'Stats'}>
            <StatsPanel id={id} running={c?.state === 'running'} />
          </div>
        )}
        {tab === 'Files' && <FilesPanel id={id} canMutate={canMutate} />}
        {tab === 'Inspect' && (
          <pre className="json" data-testid="inspect-json">
            {c ? JSON.stringify(c, null, 2) : 'Loading…'}
          </pre>
        )}
        {canMutate && visited.has('Terminal') && (
          <div hidden={tab !== 'Terminal'}>
            <TerminalPanel id={id} running={c?.state === 'running'} />
          </div>
        )}
      </div>
    </div>
  );
}
