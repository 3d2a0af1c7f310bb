'use client';
// Volumes: list (with the containers using each), create, inspect, remove.
import Link from 'next/link';
import { Fragment, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, errorMessage } from '@/lib/client/trpc';

export function VolumesView({ canMutate }: { canMutate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const volumes = useQuery(trpc.volumes.list.queryOptions(undefined, { refetchInterval: 5000 }));
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState('');
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.volumes.pathKey() });
  const opts = {
    onSuccess: () => {
      setError('');
      refresh();
    },
    onError: (e: unknown) => setError(errorMessage(e)),
  };
  const create = useMutation(trpc.volumes.create.mutationOptions(opts));
  const remove = useMutation(trpc.volumes.remove.mutationOptions(opts));

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '').trim();
    create.mutate(name ? { name } : {});
  }

  return (
    <div>
      <div className="page-head">
        <h1>Volumes</h1>
      </div>
      {canMutate && (
        <form className="card row" onSubmit={submit} data-testid="volume-create-form">
          <strong>Create volume</strong>
          <input name="name" placeholder="name (optional)" aria-label="Volume name" data-testid="volume-name" />
          <button className="btn btn-primary" type="submit" disabled={create.isPending} data-testid="volume-create">
            {create.isPending ? 'Creating…' : 'Create'}
          </button>
        </form>
      )}
      {(error || volumes.error) && (
        <p className="error" role="alert" data-testid="volumes-error">
          {error || errorMessage(volumes.error)}
        </p>
      )}
      <table className="table" data-testid="volumes-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Driver</th>
            <th>Used by</th>
            <th>Created</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {volumes.data?.map((v) => (
            <Fragment key={v.name}>
              <tr data-testid="volume-row" data-name={v.name}>
                <td className="mono">
                  {v.anonymous ? v.name.slice(0, 12) : v.name}
                  {v.anonymous && <span className="muted"> (anonymous)</span>}
                </td>
                <td>{v.driver}</td>
                <td>
                  {v.usedBy.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    v.usedBy.map((u, i) => (
                      <Fragment key={u.id}>
                        {i > 0 && ', '}
                        <Link href={`/containers/${u.id}`}>{u.name}</Link>
                      </Fragment>
                    ))
                  )}
                </td>
                <td>{new Date(v.createdAt).toLocaleString()}</td>
                <td className="row">
                  <button className="btn btn-small" onClick={() => setOpen(open === v.name ? null : v.name)} data-testid="volume-inspect">
                    {open === v.name ? 'Hide' : 'Inspect'}
                  </button>
                  {canMutate && (
                    <button
                      className="btn btn-small btn-danger"
                      disabled={remove.isPending || v.usedBy.length > 0}
                      title={v.usedBy.length ? 'in use by a container' : undefined}
                      onClick={() => remove.mutate({ name: v.name, force: false })}
                      data-testid="volume-remove"
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
              {open === v.name && (
                <tr>
                  <td colSpan={5}>
                    <pre className="json small" data-testid="volume-detail">
                      {JSON.stringify(v, null, 2)}
                    </pre>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
          {volumes.data?.length === 0 && (
            <tr>
              <td colSpan={5} className="muted empty">
                No volumes. Create one here, or run a container with <code>-v NAME:/path</code>.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
