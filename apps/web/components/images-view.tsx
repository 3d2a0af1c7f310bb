'use client';
import { useRef, useState } from 'react';
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { formatBytes } from '@/lib/parse/units';
import { ImageDetail, PullPanel, SearchPanel } from './image-registry';

export function ImagesView({ canMutate }: { canMutate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const images = useQuery(trpc.images.list.queryOptions(undefined, { refetchInterval: 10_000 }));
  const [error, setError] = useState('');
  const [picked, setPicked] = useState('');
  const [detail, setDetail] = useState<string | null>(null);
  const remove = useMutation(
    trpc.images.remove.mutationOptions({
      onSuccess: () => {
        setError('');
        void qc.invalidateQueries({ queryKey: trpc.images.pathKey() });
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );

  return (
    <div>
      <div className="page-head">
        <h1>Images</h1>
        {canMutate && (
          <Link href="/images/build" className="btn btn-primary" data-testid="images-build">
            Build from a Dockerfile
          </Link>
        )}
      </div>
      {canMutate && <LoadImage onLoaded={() => void qc.invalidateQueries({ queryKey: trpc.images.pathKey() })} />}
      {canMutate && <PullPanel key={picked} initialRef={picked} onPulled={() => void qc.invalidateQueries({ queryKey: trpc.images.pathKey() })} />}
      <SearchPanel onPick={canMutate ? setPicked : undefined} />
      {(error || images.error) && (
        <p className="error" role="alert" data-testid="images-error">
          {error || errorMessage(images.error)}
        </p>
      )}
      <table className="table" data-testid="images-table">
        <thead>
          <tr>
            <th>Tags</th>
            <th>ID</th>
            <th className="num">Size</th>
            <th>Created</th>
            <th>Layers</th>
            {canMutate && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {images.data?.map((img) => (
            <tr key={img.id} data-testid="image-row">
              <td className="mono">{img.repoTags.length ? img.repoTags.join(', ') : <span className="muted">&lt;none&gt;</span>}</td>
              <td className="mono">{img.id.replace(/^sha256:/, '').slice(0, 12)}</td>
              <td className="num">{formatBytes(img.size)}</td>
              <td>{img.created ? new Date(img.created).toLocaleString() : '—'}</td>
              <td>
                <button className="btn btn-small" onClick={() => setDetail(detail === (img.repoTags[0] ?? img.id) ? null : (img.repoTags[0] ?? img.id))} data-testid="image-details">
                  Details
                </button>
              </td>
              {canMutate && (
                <td>
                  <button
                    className="btn btn-small btn-danger"
                    disabled={remove.isPending}
                    onClick={() => {
                      // one image may carry several tags: say which one goes, and ask first
                      const ref = img.repoTags[0] ?? img.id;
                      const what = img.repoTags.length > 1 ? `Untag ${ref}? (the image keeps its other tags: ${img.repoTags.slice(1).join(', ')})` : `Remove ${ref}?`;
                      if (window.confirm(what)) remove.mutate({ ref, force: false });
                    }}
                    data-testid="image-remove"
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
          {images.data?.length === 0 && (
            <tr>
              <td colSpan={6} className="muted empty">
                No images. Load a tar exported with <code>docker save</code> or an OCI layout tar.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {detail && <ImageDetail key={detail} imageRef={detail} canMutate={canMutate} onChanged={() => void qc.invalidateQueries({ queryKey: trpc.images.pathKey() })} />}
    </div>
  );
}

function LoadImage({ onLoaded }: { onLoaded: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function upload() {
    const file = input.current?.files?.[0];
    if (!file) {
      setMessage({ ok: false, text: 'choose a .tar file first' });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch('/api/images/load', {
        method: 'POST',
        headers: { 'content-type': 'application/x-tar', 'x-file-name': encodeURIComponent(file.name) },
        body: file,
      });
      const body = (await res.json().catch(() => ({}))) as { loaded?: { id: string; tags: string[] }[]; message?: string };
      if (!res.ok) {
        setMessage({ ok: false, text: body.message ?? `load failed (http ${res.status})` });
        return;
      }
      const names = (body.loaded ?? []).map((l) => (l.tags.length ? l.tags.join(', ') : l.id.slice(7, 19)));
      setMessage({ ok: true, text: `loaded ${names.join('; ') || 'nothing'}` });
      if (input.current) input.current.value = '';
      onLoaded();
    } catch (e) {
      setMessage({ ok: false, text: `load failed: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card row">
      <strong>Load image</strong>
      <input ref={input} type="file" accept=".tar,application/x-tar" aria-label="Image tar file" data-testid="image-file" />
      <button className="btn btn-primary" onClick={upload} disabled={busy} data-testid="image-load">
        {busy ? 'Loading…' : 'Load'}
      </button>
      {message && (
        <span className={message.ok ? 'ok' : 'error'} role="status" data-testid="image-load-result">
          {message.text}
        </span>
      )}
    </div>
  );
}
