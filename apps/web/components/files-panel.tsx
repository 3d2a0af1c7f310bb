'use client';
// The container's files, running or stopped: browse directories (entries are never followed),
// see what changed against the image (A/C/D), download a file as itself or a folder as a tar, and
// upload by dropping files or folders here. Every path is resolved inside the container by the agent.
import { useMemo, useState, type DragEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ContainerChange, ContainerDirEntry } from '@berth/shared';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { formatBytes } from '@/lib/parse/units';
import { makeTar, type TarFile } from '@/lib/build/tar';
import { childPath, modeString, parentPath, pathCrumbs } from '@/lib/files/paths';

/** Files from a drop, folders walked (webkitGetAsEntry), named relative to the drop. */
async function droppedFiles(dt: DataTransfer): Promise<TarFile[]> {
  const items = dt.items;
  const out: TarFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ name: prefix + entry.name, data: new Uint8Array(await file.arrayBuffer()) });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
      }
    }
  };
  const entries = Array.from(items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  for (const e of entries) await walk(e, '');
  // no entries (a drop some browsers or scripts make without them): the plain file list
  if (entries.length === 0) for (const f of Array.from(dt.files)) out.push({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) });
  return out;
}

export function FilesPanel({ id, canMutate }: { id: string; canMutate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [dir, setDir] = useState('/');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const listing = useQuery(trpc.containers.listDir.queryOptions({ id, path: dir }, { retry: false }));
  const changes = useQuery(trpc.containers.changes.queryOptions({ id }, { refetchInterval: 5000 }));

  const changed = useMemo(() => new Map((changes.data ?? []).map((c: ContainerChange) => [c.path, c.kind])), [changes.data]);
  // deletions cannot be listed (they are gone): show them in their directory, struck through
  const deleted = useMemo(() => (changes.data ?? []).filter((c) => c.kind === 'D' && parentPath(c.path) === dir).map((c) => c.path), [changes.data, dir]);

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.containers.listDir.queryKey({ id, path: dir }) });
    void qc.invalidateQueries({ queryKey: trpc.containers.changes.queryKey({ id }) });
  };

  async function upload(files: TarFile[]) {
    if (files.length === 0) return;
    setBusy(true);
    setMessage(null);
    try {
      const body = makeTar(files);
      const res = await fetch(`/api/containers/${encodeURIComponent(id)}/files?${new URLSearchParams({ path: dir })}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/x-tar' },
        body: new Blob([body as BlobPart]),
      });
      const j = (await res.json().catch(() => ({}))) as { message?: string; files?: number; bytes?: number };
      if (!res.ok) setMessage({ ok: false, text: j.message ?? `upload failed (http ${res.status})` });
      else setMessage({ ok: true, text: `uploaded ${j.files ?? files.length} file(s), ${formatBytes(j.bytes ?? 0)} to ${dir}` });
      refresh();
    } catch (e) {
      setMessage({ ok: false, text: `upload failed: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!canMutate) return;
    try {
      await upload(await droppedFiles(e.dataTransfer));
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  };

  const href = (p: string) => `/api/containers/${encodeURIComponent(id)}/files?${new URLSearchParams({ path: p })}`;
  const entries: ContainerDirEntry[] = listing.data?.entries ?? [];
  return (
    <div
      className={dragging ? 'files dropping' : 'files'}
      onDragOver={(e) => {
        if (!canMutate) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => void onDrop(e)}
      data-testid="files"
    >
      <div className="toolbar">
        <nav className="crumbs mono" aria-label="Path" data-testid="files-path">
          {pathCrumbs(dir).map((c) => (
            <button key={c.path} className="link" onClick={() => setDir(c.path)}>
              {c.label}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        <a className="btn btn-small" href={href(dir)} download data-testid="files-download-dir">
          Download folder (.tar)
        </a>
        {canMutate && (
          <label className="btn btn-small">
            Upload files
            <input
              type="file"
              multiple
              hidden
              disabled={busy}
              data-testid="files-upload"
              onChange={async (e) => {
                const picked = await Promise.all(Array.from(e.target.files ?? []).map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) })));
                e.target.value = '';
                await upload(picked);
              }}
            />
          </label>
        )}
        <button className="btn btn-small" onClick={refresh}>
          Refresh
        </button>
      </div>
      {canMutate && <p className="muted small">Drop files or folders here to upload them into {dir}.</p>}
      {message && (
        <p className={message.ok ? 'ok small' : 'error small'} role={message.ok ? 'status' : 'alert'} data-testid="files-message">
          {message.text}
        </p>
      )}
      {listing.error && (
        <p className="error" role="alert" data-testid="files-error">
          {errorMessage(listing.error)}
        </p>
      )}
      <table className="table files-table" data-testid="files-table">
        <thead>
          <tr>
            <th></th>
            <th>Name</th>
            <th className="num">Size</th>
            <th>Mode</th>
            <th>Owner</th>
            <th>Modified</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {dir !== '/' && (
            <tr>
              <td></td>
              <td colSpan={6}>
                <button className="link mono" onClick={() => setDir(parentPath(dir))} data-testid="files-up">
                  ..
                </button>
              </td>
            </tr>
          )}
          {entries.map((e) => {
            const p = childPath(dir, e.name);
            const kind = changed.get(p);
            return (
              <tr key={e.name} data-testid="file-row" data-name={e.name} data-change={kind ?? ''}>
                <td>{kind && <span className={`change change-${kind}`} title={{ A: 'added', C: 'changed', D: 'deleted' }[kind]}>{kind}</span>}</td>
                <td className="mono">
                  {e.type === 'dir' ? (
                    <button className="link" onClick={() => setDir(p)} data-testid="file-open">
                      {e.name}/
                    </button>
                  ) : (
                    <span>
                      {e.name}
                      {e.type === 'symlink' && <span className="muted"> → {e.linkTarget}</span>}
                    </span>
                  )}
                </td>
                <td className="num">{e.type === 'file' ? formatBytes(e.size) : ''}</td>
                <td className="mono small">{modeString(e.type, e.mode)}</td>
                <td className="mono small">
                  {e.uid}:{e.gid}
                </td>
                <td className="small">{new Date(e.mtime * 1000).toLocaleString()}</td>
                <td>
                  {(e.type === 'file' || e.type === 'dir') && (
                    <a className="btn btn-small" href={href(p)} download data-testid="file-download">
                      {e.type === 'dir' ? 'Download .tar' : 'Download'}
                    </a>
                  )}
                </td>
              </tr>
            );
          })}
          {deleted.map((p) => (
            <tr key={`deleted:${p}`} className="muted" data-testid="file-row" data-name={p.split('/').pop()} data-change="D">
              <td>
                <span className="change change-D" title="deleted">
                  D
                </span>
              </td>
              <td className="mono">
                <s>{p.split('/').pop()}</s>
              </td>
              <td colSpan={5} className="small">
                deleted from the image
              </td>
            </tr>
          ))}
          {listing.data && entries.length === 0 && deleted.length === 0 && (
            <tr>
              <td colSpan={7} className="muted empty">
                Empty directory.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {listing.data?.truncated && <p className="muted small">Only the first 5000 entries are shown.</p>}
    </div>
  );
}
