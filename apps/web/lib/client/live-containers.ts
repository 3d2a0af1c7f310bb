'use client';
// Container lists kept current by the agents' pushed events instead of polling: a list is
// fetched once (and again only when its event stream (re)starts, so nothing that happened while
// the stream was down is missed); after that each container event refetches just the rows it
// names (containers.summaries, batched) and a destroyed container's row is dropped. Used for the
// selected host's list and, per host, for the combined list of every host.
import { useEffect } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ContainerSummary } from '@berth/shared';
import { hostClient, useTRPCClient, type BerthClient } from './trpc';

/** How long events are gathered before their rows are refetched together. */
const BATCH_MS = 150;
/** the selected host (the berth_host cookie), as opposed to a host named by id */
const SELECTED = ':selected';

export function liveListKey(host: string, all: boolean) {
  return ['live-containers', host, all] as const;
}

/** The selected host's containers (all, or running only). */
export function useLiveContainers(all: boolean) {
  const client = useTRPCClient();
  const list = useQuery({ queryKey: liveListKey(SELECTED, all), queryFn: () => client.containers.list.query({ all }), staleTime: Infinity });
  useContainerEvents(SELECTED, client);
  return list;
}

/** useQueries options for one named host's list (the combined list). */
export function hostListQuery(hostId: string, all: boolean) {
  return { queryKey: liveListKey(hostId, all), queryFn: () => hostClient(hostId).containers.list.query({ all }), staleTime: Infinity };
}

/** Keeps one named host's cached lists current; renders nothing. */
export function HostContainerEvents({ hostId }: { hostId: string }) {
  useContainerEvents(hostId, hostClient(hostId));
  return null;
}

function useContainerEvents(host: string, client: BerthClient) {
  const qc = useQueryClient();
  useEffect(() => {
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastState = 'idle';
    // a (re)start of the stream may follow a gap in which events were lost: fetch the lists once
    // more (a fetch already on its way, the page's first, is reused rather than repeated)
    const resync = () => void qc.refetchQueries({ queryKey: ['live-containers', host], type: 'active' }, { cancelRefetch: false });
    const flush = () => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      void refreshRows(qc, host, client, ids);
    };
    const sub = client.containers.events.subscribe(
      {},
      {
        onStarted: resync,
        onConnectionStateChange: (st) => {
          if (st.state === 'pending' && lastState === 'connecting') resync();
          lastState = st.state;
        },
        onData: (e) => {
          const ev = e as { type?: string; id?: string };
          if (ev.type !== 'container' || !ev.id) return;
          pending.add(ev.id);
          timer ??= setTimeout(flush, BATCH_MS);
        },
      },
    );
    return () => {
      sub.unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [host, client, qc]);
}

async function refreshRows(qc: QueryClient, host: string, client: BerthClient, ids: string[]) {
  if (ids.length === 0) return;
  const rows: ContainerSummary[] = [];
  try {
    for (let i = 0; i < ids.length; i += 200) rows.push(...(await client.containers.summaries.query({ ids: ids.slice(i, i + 200) })));
  } catch {
    // the agent is unreachable or the session ended: let the lists' own fetch say so
    void qc.invalidateQueries({ queryKey: ['live-containers', host] });
    return;
  }
  const changed = new Set(ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const all of [true, false]) {
    qc.setQueryData(liveListKey(host, all), (old: ContainerSummary[] | undefined) => {
      if (!old) return old;
      const keep = (c: ContainerSummary) => all || c.state === 'running';
      const seen = new Set<string>();
      const next: ContainerSummary[] = [];
      for (const c of old) {
        if (!changed.has(c.id)) next.push(c);
        else {
          seen.add(c.id);
          const now = byId.get(c.id);
          if (now && keep(now)) next.push(now);
        }
      }
      // new ones (or newly running ones in a running-only list), newest first like the agent's list
      const added = rows.filter((r) => !seen.has(r.id) && keep(r));
      return added.length ? [...added, ...next].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) : next;
    });
  }
}
