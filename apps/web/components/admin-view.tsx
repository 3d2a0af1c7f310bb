'use client';
// Admins manage users (roles: admin, operator, viewer) and read the audit log of every mutating
// action, filtered and exported as CSV.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useHosts } from './hosts';

interface UserRow {
  id: number;
  username: string;
  role: 'admin' | 'operator' | 'viewer';
  createdAt: string;
}
interface AuditRow {
  id: number;
  time: string;
  username: string;
  action: string;
  target: string;
  detail: string;
  outcome: string;
}

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new Error(body.message ?? `http ${res.status}`);
  return body as T;
}

const ROLES = ['viewer', 'operator', 'admin'] as const;
const ROLE_HELP: Record<string, string> = {
  viewer: 'sees everything, changes nothing',
  operator: 'runs and manages containers and images within the default confinement',
  admin: 'everything, plus privileged containers, host paths, users and the audit log',
};

export function AdminView({ self }: { self: number }) {
  const [tab, setTab] = useState<'Users' | 'Hosts' | 'Audit log'>('Users');
  return (
    <div>
      <div className="page-head">
        <h1>Admin</h1>
      </div>
      <div className="tabs" role="tablist">
        {(['Users', 'Hosts', 'Audit log'] as const).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)} data-testid={`admin-tab-${t === 'Audit log' ? 'audit' : t.toLowerCase()}`}>
            {t}
          </button>
        ))}
      </div>
      {tab === 'Users' ? <Users self={self} /> : tab === 'Hosts' ? <Hosts /> : <Audit />}
    </div>
  );
}

function Users({ self }: { self: number }) {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => api<UserRow[]>('/api/admin/users') });
  const [error, setError] = useState('');
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['admin', 'users'] });
  const create = useMutation({
    mutationFn: () => api<UserRow>('/api/admin/users', { method: 'POST', body: JSON.stringify(form) }),
    onSuccess: () => {
      setError('');
      setForm({ username: '', password: '', role: 'viewer' });
      refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const update = useMutation({
    mutationFn: (v: { id: number; role?: string; password?: string }) => api<UserRow>(`/api/admin/users/${v.id}`, { method: 'PATCH', body: JSON.stringify({ role: v.role, password: v.password }) }),
    onSuccess: () => {
      setError('');
      refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const remove = useMutation({
    mutationFn: (id: number) => api<void>(`/api/admin/users/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setError('');
      refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div>
      <form className="card row" onSubmit={submit} data-testid="user-create">
        <strong>New user</strong>
        <input placeholder="username" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" data-testid="user-name" />
        <input type="password" placeholder="password (10+ characters)" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" data-testid="user-password" />
        <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })} data-testid="user-role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button className="btn btn-primary" disabled={create.isPending} data-testid="user-submit">
          Create
        </button>
        <span className="muted small">{ROLE_HELP[form.role]}</span>
      </form>
      {(error || users.error) && (
        <p className="error" role="alert" data-testid="users-error">
          {error || (users.error as Error).message}
        </p>
      )}
      <table className="table" data-testid="users-table">
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Created</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.data?.map((u) => (
            <tr key={u.id} data-testid="user-row" data-name={u.username}>
              <td className="mono">
                {u.username}
                {u.id === self && <span className="muted"> (you)</span>}
              </td>
              <td>
                <select value={u.role} onChange={(e) => update.mutate({ id: u.id, role: e.target.value })} aria-label={`role of ${u.username}`} data-testid="user-row-role">
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td className="small">{new Date(u.createdAt).toLocaleString()}</td>
              <td className="row">
                <button
                  className="btn btn-small"
                  onClick={() => {
                    const pw = window.prompt(`New password for ${u.username} (10+ characters)`);
                    if (pw) update.mutate({ id: u.id, password: pw });
                  }}
                >
                  Set password
                </button>
                {u.id !== self && (
                  <button
                    className="btn btn-small btn-danger"
                    onClick={() => {
                      if (window.confirm(`Remove ${u.username}? Their open terminals and streams close now.`)) remove.mutate(u.id);
                    }}
                    data-testid="user-remove"
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Audit() {
  const [filters, setFilters] = useState({ user: '', action: '', outcome: '', q: '' });
  const [applied, setApplied] = useState(filters);
  const [pages, setPages] = useState<AuditRow[][]>([]);
  const query = new URLSearchParams(Object.entries(applied).filter(([, v]) => v.trim() !== ''));
  const first = useQuery({ queryKey: ['admin', 'audit', query.toString()], queryFn: () => api<AuditRow[]>(`/api/admin/audit?${query}&limit=200`) });
  const rows = [...(first.data ?? []), ...pages.flat()];
  const more = async () => {
    const last = rows.at(-1);
    if (!last) return;
    const next = await api<AuditRow[]>(`/api/admin/audit?${query}&limit=200&before=${last.id}`);
    setPages((p) => [...p, next]);
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setPages([]);
    setApplied(filters);
  };
  return (
    <div>
      <form className="card row" onSubmit={apply} data-testid="audit-filters">
        {(['user', 'action', 'outcome', 'q'] as const).map((k) => (
          <input key={k} placeholder={k === 'q' ? 'target or detail' : k} value={filters[k]} onChange={(e) => setFilters({ ...filters, [k]: e.target.value })} data-testid={`audit-${k}`} />
        ))}
        <button className="btn btn-primary" data-testid="audit-apply">
          Filter
        </button>
        <a className="btn" href={`/api/admin/audit?${query}&format=csv`} download data-testid="audit-csv">
          Export CSV
        </a>
      </form>
      {first.error && (
        <p className="error" role="alert">
          {(first.error as Error).message}
        </p>
      )}
      <table className="table" data-testid="audit-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>User</th>
            <th>Action</th>
            <th>Target</th>
            <th>Outcome</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="audit-row">
              <td className="small">{new Date(r.time).toLocaleString()}</td>
              <td className="mono">{r.username}</td>
              <td className="mono">{r.action}</td>
              <td className="mono">{r.target}</td>
              <td className={r.outcome === 'ok' ? 'ok' : r.outcome.startsWith('denied') || r.outcome.startsWith('failed') ? 'error' : undefined}>{r.outcome}</td>
              <td className="mono small audit-detail" title={r.detail}>
                {r.detail.length > 120 ? `${r.detail.slice(0, 120)}…` : r.detail}
              </td>
            </tr>
          ))}
          {first.data && rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted empty">
                Nothing matches.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {rows.length > 0 && rows.length % 200 === 0 && (
        <button className="btn" onClick={() => void more()}>
          Older entries
        </button>
      )}
    </div>
  );
}

function Hosts() {
  const qc = useQueryClient();
  const hosts = useHosts();
  const [form, setForm] = useState({ name: '', url: '', token: '', fingerprint: '' });
  const [error, setError] = useState('');
  const refresh = () => void qc.invalidateQueries({ queryKey: ['hosts'] });
  const add = useMutation({
    mutationFn: () => api<{ id: number }>('/api/admin/hosts', { method: 'POST', body: JSON.stringify(form) }),
    onSuccess: () => {
      setError('');
      setForm({ name: '', url: '', token: '', fingerprint: '' });
      refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>(`/api/admin/hosts/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
    onError: (e: Error) => setError(e.message),
  });
  return (
    <div>
      <form
        className="card row"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
        data-testid="host-add"
      >
        <strong>Add an agent</strong>
        <input placeholder="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="host-name" />
        <input placeholder="https://host:7471" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} data-testid="host-url" />
        <input type="password" placeholder="agent token" value={form.token} onChange={(e) => setForm({ ...form, token: e.target.value })} autoComplete="off" data-testid="host-token" />
        <input placeholder="sha256 fingerprint (https)" value={form.fingerprint} onChange={(e) => setForm({ ...form, fingerprint: e.target.value })} size={30} data-testid="host-fingerprint" />
        <button className="btn btn-primary" disabled={add.isPending} data-testid="host-submit">
          {add.isPending ? 'Checking…' : 'Add'}
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="hosts-error">
          {error}
        </p>
      )}
      <table className="table" data-testid="hosts-table">
        <thead>
          <tr>
            <th>Host</th>
            <th>Address</th>
            <th>Health</th>
            <th className="num">Containers</th>
            <th className="num">Images</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {hosts.data?.map((h) => (
            <tr key={h.id} data-testid="host-row" data-name={h.name} data-up={h.up ? 'yes' : 'no'}>
              <td className="mono">{h.name}</td>
              <td className="mono small">{h.url}</td>
              <td className={h.up ? 'ok' : 'error'}>{h.up ? `up · berth ${h.version}` : `down: ${h.error}`}</td>
              <td className="num">{h.up ? `${h.running} / ${h.containers}` : '—'}</td>
              <td className="num">{h.up ? h.images : '—'}</td>
              <td>
                {h.id !== 'local' && (
                  <button className="btn btn-small btn-danger" onClick={() => window.confirm(`Forget host ${h.name}? Its agent and containers keep running.`) && remove.mutate(h.id)} data-testid="host-remove">
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
