'use client';
// start / stop / restart / remove buttons for one container, with the agent's error inline.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC, errorMessage } from '@/lib/client/trpc';
import type { ContainerState } from '@berth/shared';

export function ContainerActions({
  id,
  state,
  onRemoved,
  onError,
}: {
  id: string;
  state: ContainerState;
  onRemoved?: () => void;
  onError: (message: string) => void;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const opts = {
    onSuccess: () => {
      onError('');
      // (the containers list itself follows the agent's events: lib/client/live-containers.ts)
      void qc.invalidateQueries({ queryKey: trpc.containers.pathKey() });
    },
    onError: (e: unknown) => onError(errorMessage(e)),
  };
  const start = useMutation(trpc.containers.start.mutationOptions(opts));
  const stop = useMutation(trpc.containers.stop.mutationOptions(opts));
  const restart = useMutation(trpc.containers.restart.mutationOptions(opts));
  const remove = useMutation(
    trpc.containers.remove.mutationOptions({
      ...opts,
      onSuccess: () => {
        opts.onSuccess();
        onRemoved?.();
      },
    }),
  );
  const busy = start.isPending || stop.isPending || restart.isPending || remove.isPending;
  const running = state === 'running';
  return (
    <span className="actions">
      <button className="btn btn-small" disabled={busy || running} onClick={() => start.mutate({ id })} data-testid="action-start">
        Start
      </button>
      <button className="btn btn-small" disabled={busy || !running} onClick={() => stop.mutate({ id })} data-testid="action-stop">
        {stop.isPending ? 'Stopping…' : 'Stop'}
      </button>
      <button className="btn btn-small" disabled={busy} onClick={() => restart.mutate({ id })} data-testid="action-restart">
        Restart
      </button>
      <button
        className="btn btn-small btn-danger"
        disabled={busy}
        onClick={() => {
          // like `docker rm -f`, a running container is killed first — but only when the user says so
          const ok = window.confirm(running ? 'The container is running. Kill it and remove it?' : 'Remove this container and its files?');
          if (ok) remove.mutate({ id, force: running });
        }}
        title={running ? 'kill and remove the container' : 'remove the container'}
        data-testid="action-remove"
      >
        Remove
      </button>
    </span>
  );
}
