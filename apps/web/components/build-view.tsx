'use client';
// "Build from a Dockerfile": the Dockerfile typed here plus picked files (or a whole folder) as the
// context, built by the agent with its live output streamed into the page, like `docker build`.
import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '@/lib/client/trpc';
import { buildRequest } from '@/lib/build/build-request';
import { eventText, readEvents } from '@/lib/build/build-events';
import type { TarFile } from '@/lib/build/tar';

const EXAMPLE = `FROM busybox:1.37.0-musl
RUN echo "built by Berth" > /hello.txt
CMD ["cat", "/hello.txt"]
`;

type Status = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; id: string; tags: string[] } | { kind: 'failed'; message: string };

async function readPicked(list: FileList | null, folder: boolean): Promise<TarFile[]> {
  const out: TarFile[] = [];
  for (const f of Array.from(list ?? [])) {
    // a picked folder's files are named "folder/…": the folder itself is the context
    const rel = folder && f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1).join('/') : f.name;
    out.push({ name: rel, data: new Uint8Array(await f.arrayBuffer()) });
  }
  return out;
}

export function BuildView({ canMutate }: { canMutate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [dockerfile, setDockerfile] = useState(EXAMPLE);
  const [tags, setTags] = useState('');
  const [buildArgs, setBuildArgs] = useState('');
  const [target, setTarget] = useState('');
  const [noCache, setNoCache] = useState(false);
  const [output, setOutput] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const pane = useRef<HTMLPreElement>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    // webkitdirectory is not a React prop: set it on the element
    folder.current?.setAttribute('webkitdirectory', '');
  }, []);
  useEffect(() => {
    const el = pane.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [output]);
  useEffect(() => () => abort.current?.abort(), []);

  async function build() {
    setOutput('');
    let req;
    try {
      const picked = [...(await readPicked(files.current?.files ?? null, false)), ...(await readPicked(folder.current?.files ?? null, true))];
      req = buildRequest({ dockerfile, tags, buildArgs, noCache, target, files: picked });
    } catch (e) {
      setStatus({ kind: 'failed', message: (e as Error).message });
      return;
    }
    setStatus({ kind: 'running' });
    abort.current = new AbortController();
    let result: Status = { kind: 'failed', message: 'the build ended without a result' };
    try {
      const res = await fetch(`/api/images/build?${req.query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-tar' },
        body: new Blob([req.body as BlobPart]),
        signal: abort.current.signal,
      });
      if (!res.ok || !res.body) {
        const j = (await res.json().catch(() => ({}))) as { message?: string };
        setStatus({ kind: 'failed', message: j.message ?? `build failed (http ${res.status})` });
        return;
      }
      for await (const e of readEvents(res.body)) {
        const text = eventText(e);
        if (text) setOutput((o) => o + text);
        if (e.type === 'done') result = { kind: 'done', id: String(e.id), tags: (e.tags as string[]) ?? [] };
        if (e.type === 'error') result = { kind: 'failed', message: String(e.message) };
      }
    } catch (e) {
      result = { kind: 'failed', message: (e as Error).name === 'AbortError' ? 'cancelled' : (e as Error).message };
    } finally {
      abort.current = null;
    }
    setStatus(result);
    if (result.kind === 'done') void qc.invalidateQueries({ queryKey: trpc.images.pathKey() });
  }

  const running = status.kind === 'running';
  const head = (
    <div className="page-head">
      <h1>Build an image</h1>
      <Link href="/images" className="btn btn-small">
        Back to images
      </Link>
    </div>
  );
  if (!canMutate)
    return (
      <div>
        {head}
        <p className="muted" data-testid="build-read-only">
          Your role can only look: building images needs the operator or admin role.
        </p>
      </div>
    );
  return (
    <div>
      {head}
      <div className="card">
        <label>
          Dockerfile
          <textarea className="mono" rows={10} value={dockerfile} onChange={(e) => setDockerfile(e.target.value)} spellCheck={false} data-testid="build-dockerfile" />
        </label>
        <div className="row" style={{ marginTop: '0.6rem' }}>
          <label>
            Tags (name:tag, several separated by spaces)
            <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="myapp:1" data-testid="build-tags" />
          </label>
          <label>
            Target stage
            <input value={target} onChange={(e) => setTarget(e.target.value)} placeholder="(last)" data-testid="build-target" />
          </label>
          <label>
            Build args (KEY=VALUE per line)
            <textarea rows={2} value={buildArgs} onChange={(e) => setBuildArgs(e.target.value)} data-testid="build-args" />
          </label>
          <label className="toggle">
            <input type="checkbox" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} data-testid="build-nocache" /> no cache
          </label>
        </div>
        <div className="row" style={{ marginTop: '0.6rem' }}>
          <label>
            Context files (optional)
            <input ref={files} type="file" multiple data-testid="build-files" />
          </label>
          <label>
            or a context folder (its .dockerignore is honoured)
            <input ref={folder} type="file" multiple data-testid="build-folder" />
          </label>
        </div>
        <div className="row" style={{ marginTop: '0.6rem' }}>
          <button className="btn btn-primary" onClick={() => void build()} disabled={running} data-testid="build-submit">
            {running ? 'Building…' : 'Build'}
          </button>
          {running && (
            <button className="btn" onClick={() => abort.current?.abort()} data-testid="build-cancel">
              Cancel
            </button>
          )}
          {status.kind === 'done' && (
            <span className="ok" role="status" data-testid="build-result">
              built {status.id.replace(/^sha256:/, '').slice(0, 12)}
              {status.tags.length ? ` as ${status.tags.join(', ')}` : ''}
            </span>
          )}
          {status.kind === 'failed' && (
            <span className="error" role="alert" data-testid="build-error">
              {status.message}
            </span>
          )}
        </div>
      </div>
      <pre ref={pane} className="log-view log-line" data-testid="build-output" aria-live="polite">
        {output || (running ? 'sending the context…\n' : 'The build output appears here.')}
      </pre>
    </div>
  );
}
