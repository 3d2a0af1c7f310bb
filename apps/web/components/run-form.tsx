'use client';
// The Run form: builds a RunSpec from what the user typed and calls containers.run (detached).
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { parsePublish, parseVolumeFlag, type RunSpec } from '@berth/shared';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import { useRole } from '@/lib/client/role';
import { splitCommand } from '@/lib/parse/split-command';
import { parseCpus, parseEnvLines, parseMemory } from '@/lib/parse/units';

export function buildRunSpec(f: { image: string; name: string; command: string; env: string; memory: string; cpus: string; network: string; ports?: string; volumes?: string }): RunSpec {
  const spec: RunSpec = { image: f.image.trim() };
  if (!spec.image) throw new Error('choose an image');
  if (f.name.trim()) spec.name = f.name.trim();
  if (f.command.trim()) spec.cmd = splitCommand(f.command);
  const env = parseEnvLines(f.env);
  if (env.length) spec.env = env;
  if (f.memory.trim()) spec.memoryBytes = parseMemory(f.memory);
  if (f.cpus.trim()) spec.nanoCpus = parseCpus(f.cpus);
  if (f.network.trim()) spec.network = f.network.trim();
  // -p and -v syntax, one or more separated by spaces, commas or new lines
  const ports = (f.ports ?? '').split(/[\s,]+/).filter(Boolean);
  if (ports.length) spec.publish = ports.flatMap((p) => parsePublish(p));
  const volumes = (f.volumes ?? '').split(/\n+/).map((v) => v.trim()).filter(Boolean);
  if (volumes.length) spec.mounts = volumes.map((v) => parseVolumeFlag(v));
  return spec;
}

export function RunForm() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  // the host's network and paths are for admins (lib/server/policy.ts): operators are not offered them
  const admin = useRole() === 'admin';
  const images = useQuery(trpc.images.list.queryOptions());
  const networks = useQuery(trpc.networks.list.queryOptions());
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const run = useMutation(
    trpc.containers.run.mutationOptions({
      onSuccess: (r) => {
        setDone(`started ${r.name} (${r.id.slice(0, 12)})${r.warnings.length ? ` — ${r.warnings.join('; ')}` : ''}`);
        void qc.invalidateQueries({ queryKey: trpc.containers.pathKey() });
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError('');
    setDone('');
    const fd = new FormData(e.currentTarget);
    const get = (k: string) => String(fd.get(k) ?? '');
    let spec: RunSpec;
    try {
      spec = buildRunSpec({
        image: get('image'),
        name: get('name'),
        command: get('command'),
        env: get('env'),
        memory: get('memory'),
        cpus: get('cpus'),
        network: get('network'),
        ports: get('ports'),
        volumes: get('volumes'),
      });
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    run.mutate(spec);
  }

  const tags = (images.data ?? []).flatMap((i) => (i.repoTags.length ? i.repoTags : [i.id]));
  return (
    <details className="card run-card" open>
      <summary>Run a container</summary>
      <form className="run-form" onSubmit={submit} data-testid="run-form">
        <label>
          Image
          <select name="image" required data-testid="run-image" defaultValue="">
            <option value="" disabled>
              {images.isPending ? 'loading images…' : tags.length ? 'choose an image' : 'no images — load one first'}
            </option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input name="name" placeholder="optional" data-testid="run-name" />
        </label>
        <label className="wide">
          Command
          <input name="command" placeholder={`e.g. sh -c 'echo hello'`} className="mono" data-testid="run-command" />
        </label>
        <label className="wide">
          Environment (KEY=VALUE per line)
          <textarea name="env" rows={2} className="mono" data-testid="run-env" />
        </label>
        <label>
          Memory limit
          <input name="memory" placeholder="e.g. 64m" data-testid="run-memory" />
        </label>
        <label>
          CPUs
          <input name="cpus" placeholder="e.g. 0.5" data-testid="run-cpus" />
        </label>
        <label>
          Network
          <select name="network" defaultValue="bridge" data-testid="run-network">
            <option value="bridge">bridge</option>
            <option value="none">none</option>
            {admin && <option value="host">host</option>}
            {(networks.data ?? [])
              .filter((n) => !n.builtin)
              .map((n) => (
                <option key={n.id} value={n.name}>
                  {n.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Publish ports
          <input name="ports" placeholder="e.g. 8080:80 53:53/udp" className="mono" data-testid="run-ports" />
        </label>
        <label className="wide">
          Volumes (one per line: NAME:/path[:ro]{admin ? ' or /host/path:/path[:ro]' : ''})
          <textarea name="volumes" rows={2} className="mono" data-testid="run-volumes" />
        </label>
        <div className="wide row">
          <button type="submit" className="btn btn-primary" disabled={run.isPending} data-testid="run-submit">
            {run.isPending ? 'Starting…' : 'Run'}
          </button>
          {error && (
            <span className="error" role="alert" data-testid="run-error">
              {error}
            </span>
          )}
          {done && (
            <span className="ok" data-testid="run-done">
              {done}
            </span>
          )}
        </div>
      </form>
    </details>
  );
}
