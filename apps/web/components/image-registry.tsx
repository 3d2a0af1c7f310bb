'use client';
// Registry parts of the images page: pull with live per-layer progress (the agent's
// images.pull subscription), and search. Pulls use the agent's own registry credentials.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { ImageProgress } from '@berth/shared';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { formatBytes } from '@/lib/parse/units';

interface LayerRow {
  digest: string;
  status: string;
  current: number;
  total: number;
  resumedFrom?: number;
}

export function PullPanel({ onPulled, initialRef = '' }: { onPulled: () => void; initialRef?: string }) {
  const trpc = useTRPC();
  const [ref, setRef] = useState(initialRef);
  const [platform, setPlatform] = useState('');
  const [active, setActive] = useState<{ ref: string; platform?: string; n: number } | null>(null);
  const [layers, setLayers] = useState<LayerRow[]>([]);
  const [messages, setMessages] = useState<string[]>([]);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  useSubscription(
    trpc.images.pull.subscriptionOptions(active ? { ref: active.ref, platform: active.platform } : { ref: '' }, {
      enabled: active !== null,
      onData: (e: ImageProgress) => {
        if (e.type === 'status') setMessages((m) => [...m.slice(-5), e.message]);
        else if (e.type === 'resolved') setLayers(e.layers.map((l) => ({ digest: l.digest, status: 'waiting', current: 0, total: l.size })));
        else if (e.type === 'layer')
          setLayers((prev) => {
            const next = prev.some((l) => l.digest === e.digest) ? prev.slice() : [...prev, { digest: e.digest, status: e.status, current: 0, total: e.total }];
            return next.map((l) => (l.digest === e.digest ? { ...l, status: e.status, current: e.current, total: e.total, resumedFrom: e.resumedFrom ?? l.resumedFrom } : l));
          });
        else if (e.type === 'done') {
          setResult({ ok: true, text: `pulled ${e.ref} (${e.id.slice(7, 19)})` });
          setActive(null);
          onPulled();
        }
      },
      onError: (err) => {
        setResult({ ok: false, text: errorMessage(err) });
        setActive(null);
      },
    }),
  );

  function start() {
    const r = ref.trim();
    if (!r) {
      setResult({ ok: false, text: 'enter an image reference, e.g. busybox:latest or 127.0.0.1:5000/app:1' });
      return;
    }
    setLayers([]);
    setMessages([]);
    setResult(null);
    setActive({ ref: r, platform: platform.trim() || undefined, n: Date.now() });
  }

  return (
    <div className="card" data-testid="pull-panel">
      <div className="row">
        <strong>Pull image</strong>
        <input value={ref} onChange={(e) => setRef(e.target.value)} placeholder="registry/repository:tag" aria-label="Image reference" data-testid="pull-ref" onKeyDown={(e) => e.key === 'Enter' && start()} />
        <input value={platform} onChange={(e) => setPlatform(e.target.value)} placeholder="linux/amd64" aria-label="Platform" style={{ width: '9em' }} data-testid="pull-platform" />
        <button className="btn btn-primary" onClick={start} disabled={active !== null} data-testid="pull-start">
          {active ? 'Pulling…' : 'Pull'}
        </button>
        {active && (
          <button className="btn btn-small" onClick={() => setActive(null)} data-testid="pull-cancel">
            Cancel
          </button>
        )}
        {result && (
          <span className={result.ok ? 'ok' : 'error'} role="status" data-testid="pull-result">
            {result.text}
          </span>
        )}
      </div>
      {messages.length > 0 && <div className="muted mono small">{messages.at(-1)}</div>}
      {layers.length > 0 && (
        <table className="table" data-testid="pull-layers">
          <tbody>
            {layers.map((l) => (
              <tr key={l.digest} data-testid="pull-layer">
                <td className="mono">{l.digest.slice(7, 19)}</td>
                <td>{l.status}{l.resumedFrom ? ` (resumed at ${formatBytes(l.resumedFrom)})` : ''}</td>
                <td style={{ width: '40%' }}>
                  <progress max={l.total || 1} value={l.status === 'exists' || l.status === 'done' ? l.total || 1 : l.current} style={{ width: '100%' }} />
                </td>
                <td className="num">
                  {formatBytes(l.current)} / {formatBytes(l.total)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Registry search; `onPick` (a Pull… button per result) only for roles that may pull. */
export function SearchPanel({ onPick }: { onPick?: (name: string) => void }) {
  const trpc = useTRPC();
  const [term, setTerm] = useState('');
  const [query, setQuery] = useState('');
  const results = useQuery(trpc.images.search.queryOptions({ term: query }, { enabled: query !== '', retry: false }));
  return (
    <div className="card" data-testid="search-panel">
      <div className="row">
        <strong>Search</strong>
        <input value={term} onChange={(e) => setTerm(e.target.value)} placeholder="term, or registry:port/term" aria-label="Search term" data-testid="search-term" onKeyDown={(e) => e.key === 'Enter' && setQuery(term.trim())} />
        <button className="btn" onClick={() => setQuery(term.trim())} data-testid="search-go">
          Search
        </button>
        {results.error && <span className="error">{errorMessage(results.error)}</span>}
      </div>
      {results.data && (
        <table className="table" data-testid="search-results">
          <tbody>
            {results.data.map((r) => (
              <tr key={r.name}>
                <td className="mono">{r.name}</td>
                <td>{r.description}</td>
                <td className="num">{r.stars ? `★ ${r.stars}` : ''}</td>
                <td>
                  {onPick && (
                    <button className="btn btn-small" onClick={() => onPick(r.name)} data-testid="search-pick">
                      Pull…
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {results.data.length === 0 && (
              <tr>
                <td className="muted">no matches</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Layers (with sharing), history, tag and save for one image. */
export function ImageDetail({ imageRef, canMutate, onChanged }: { imageRef: string; canMutate: boolean; onChanged: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const layers = useQuery(trpc.images.layers.queryOptions({ ref: imageRef }));
  const history = useQuery(trpc.images.history.queryOptions({ ref: imageRef }));
  const [target, setTarget] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const tagMut = useMutation(
    trpc.images.tag.mutationOptions({
      onSuccess: (r) => {
        setMsg({ ok: true, text: `tagged ${r.tag}` });
        void qc.invalidateQueries({ queryKey: trpc.images.pathKey() });
        onChanged();
      },
      onError: (e) => setMsg({ ok: false, text: errorMessage(e) }),
    }),
  );
  const tag = () => tagMut.mutate({ source: imageRef, target: target.trim() });
  const q = (format: string) => `/api/images/save?${new URLSearchParams({ names: imageRef, format })}`;
  return (
    <div className="card" data-testid="image-detail">
      <div className="row">
        <strong className="mono">{imageRef}</strong>
        <a className="btn btn-small" href={q('docker-archive')} data-testid="image-save-docker">
          Save (docker-archive)
        </a>
        <a className="btn btn-small" href={q('oci-archive')} data-testid="image-save-oci">
          Save (OCI)
        </a>
        {canMutate && (
          <>
            <input value={target} onChange={(e) => setTarget(e.target.value)} placeholder="new repository:tag" aria-label="New tag" data-testid="image-tag-target" />
            <button className="btn btn-small" onClick={tag} disabled={!target.trim()} data-testid="image-tag">
              Tag
            </button>
          </>
        )}
        {msg && <span className={msg.ok ? 'ok' : 'error'}>{msg.text}</span>}
      </div>
      <h3>Layers</h3>
      {layers.error && <p className="error">{errorMessage(layers.error)}</p>}
      <table className="table" data-testid="image-layers">
        <thead>
          <tr>
            <th>#</th>
            <th>Digest</th>
            <th className="num">Compressed</th>
            <th className="num">Unpacked</th>
            <th>Shared with</th>
          </tr>
        </thead>
        <tbody>
          {layers.data?.map((l, i) => (
            <tr key={l.chainId}>
              <td>{i + 1}</td>
              <td className="mono" title={l.digest}>
                {l.digest.slice(7, 19)}
              </td>
              <td className="num">{formatBytes(l.size)}</td>
              <td className="num">{formatBytes(l.unpackedSize)}</td>
              <td>{l.sharedWith.length ? l.sharedWith.join(', ') : <span className="muted">only this image</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>History</h3>
      <table className="table" data-testid="image-history">
        <thead>
          <tr>
            <th>Created</th>
            <th>Created by</th>
            <th className="num">Size</th>
          </tr>
        </thead>
        <tbody>
          {history.data?.map((h, i) => (
            <tr key={i}>
              <td>{h.created ? new Date(h.created).toLocaleString() : '—'}</td>
              <td className="mono">{h.createdBy}</td>
              <td className="num">{h.emptyLayer ? '0 B' : formatBytes(h.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
