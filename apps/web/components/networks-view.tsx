'use client';
// Networks: list, create (name, subnet, gateway), inspect (which containers use each), remove.
import Link from 'next/link';
import { Fragment, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, errorMessage } from '@/lib/client/trpc';

export function NetworksView({ canMutate }: { canMutate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const networks = useQuery(trpc.networks.list.queryOptions(undefined, { refetchInterval: 5000 }));
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState('');
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.networks.pathKey() });
  const create = useMutation(
    trpc.networks.create.mutationOptions({
      onSuccess: () => {
        setError('');
        refresh();
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const remove = useMutation(
    trpc.networks.remove.mutationOptions({
      onSuccess: () => {
        setError('');
        refresh();
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const get = (k: string) => String(fd.get(k) ?? '').trim();
    create.mutate({ name: get('name'), ...(get('subnet') ? { subnet: get('subnet') } : {}), ...(get('gateway') ? { gateway: get('gateway') } : {}) });
  }

  return (
    <div>
      <div className="page-head">
        <h1>Networks</h1>
      </div>
      {canMutate && (
        <form className="card row" onSubmit={submit} data-testid="network-create-form">
          <strong>Create network</strong>
          <input name="name" placeholder="name" required aria-label="Network name" data-testid="network-name" />
          <input name="subnet" placeholder="subnet (optional, e.g. 10.89.5.0/24)" aria-label="Subnet" className="mono" data-testid="network-subnet" />
          <input name="gateway" placeholder="gateway (optional)" aria-label="Gateway" className="mono" data-testid="network-gateway" />
          <button className="btn btn-primary" type="submit" disabled={create.isPending} data-testid="network-create">
            {create.isPending ? 'Creating…' : 'Create'}
          </button>
        </form>
      )}
      {(error || networks.error) && (
        <p className="error" role="alert" data-testid="networks-error">
          {error || errorMessage(networks.error)}
        </p>
      )}
      <table className="table" data-testid="networks-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>ID</th>
            <th>Driver</th>
            <th>Subnet</th>
            <th>Gateway</th>
            <th>Bridge</th>
            <th className="num">Containers</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {networks.data?.map((n) => (
            <Fragment key={n.id}>
              <tr data-testid="network-row" data-name={n.name}>
                <td>{n.name}</td>
                <td className="mono">{n.id.slice(0, 12)}</td>
                <td>{n.driver}</td>
                <td className="mono">{n.subnet ?? '—'}</td>
                <td className="mono">{n.gateway ?? '—'}</td>
                <td className="mono">{n.bridge ?? '—'}</td>
                <td className="num">{n.containers}</td>
                <td className="row">
                  <button className="btn btn-small" onClick={() => setOpen(open === n.id ? null : n.id)} data-testid="network-inspect">
                    {open === n.id ? 'Hide' : 'Inspect'}
                  </button>
                  {canMutate && !n.builtin && (
                    <button className="btn btn-small btn-danger" disabled={remove.isPending} onClick={() => remove.mutate({ id: n.id })} data-testid="network-remove">
                      Remove
                    </button>
                  )}
                </td>
              </tr>
              {open === n.id && (
                <tr>
                  <td colSpan={8}>
                    <NetworkDetail id={n.id} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NetworkDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const n = useQuery(trpc.networks.inspect.queryOptions({ id }, { refetchInterval: 5000 }));
  if (n.error) return <p className="error">{errorMessage(n.error)}</p>;
  if (!n.data) return <p className="muted">Loading…</p>;
  return (
    <div data-testid="network-detail">
      {n.data.endpoints.length === 0 ? (
        <p className="muted">No containers use this network.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Container</th>
              <th>Address</th>
              <th>MAC</th>
              <th>Aliases</th>
            </tr>
          </thead>
          <tbody>
            {n.data.endpoints.map((e) => (
              <tr key={e.containerId} data-testid="network-endpoint">
                <td>
                  <Link href={`/containers/${e.containerId}`}>{e.containerName || e.containerId.slice(0, 12)}</Link>
                </td>
                <td className="mono">{e.ipAddress}</td>
                <td className="mono">{e.macAddress}</td>
                <td>{e.aliases.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <pre className="json small">{JSON.stringify(n.data, null, 2)}</pre>
    </div>
  );
}
