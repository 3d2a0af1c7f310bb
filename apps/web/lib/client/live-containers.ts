'use client';
// Container lists kept current by the agents' pushed events instead of polling. A list is fetched
// once; after that each container event refetches just the rows it names (containers.summaries,
// batched, one refresh at a time per host so an older answer never overwrites a newer one) and
// a destroyed container's row is dropped. Nothing is lost around a fetch:
// - events that arrive while a list fetch is on its way are re-applied to its answer;
// - a fetch that began before the event stream was live is followed by one more fetch, since
//   what happened between the two is in neither;
// - a stream that fails or ends (agent restart, proxy error) is reopened with backoff, and the
//   lists are fetched again when it is live (an error in the meantime shows on the list).
// Used for the selected host's list and, per host, for the combined list of every host.
import { useEffect } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ContainerSummary } from '@berth/shared';
import { hostClient, useTRPCClient, type BerthClient } from './trpc';

/** How long events are gathered before their rows are refetched together. */
const BATCH_MS = 150;
/** the selected host (the berth_host cookie), as opposed to a host named by id */
const SELECTED = ':selected';

/** What one host's event stream has seen, shared by its lists' fetches. */
interface Feed {
  /** bumped for every container event */
  seq: number;
  /** container id → the seq of its last event */
  changed: Map<string, number>;
  /** the stream is open and delivering */
  live: boolean;
  /** list fetches on their way, and whether one began before the stream went live */
  inFlight: number;
  resyncWhenLanded: boolean;
  /** row refreshes run one after another */
  chain: Promise<void>;
}

const feeds = new Map<string, Feed>();
function feedOf(host: string): Feed {
  let f = feeds.get(host);
  if (!f) feeds.set(host, (f = { seq: 0, changed: new Map(), live: false, inFlight: 0, resyncWhenLanded: false, chain: Promise.resolve() }));
  return f;
}

export function liveListKey(host: string, all: boolean) {
  return ['live-containers', host, all] as const;
}

const resync = (qc: QueryClient, host: string) => void qc.invalidateQueries({ queryKey: ['live-containers', host] });

/** A list fetch that takes the events seen meanwhile into account. */
async function fetchList(qc: QueryClient, host: string, client: BerthClient, all: boolean): Promise<ContainerSummary[]> {
  const f = feedOf(host);
  const mark = f.seq;
  const wasLive = f.live;
  f.inFlight++;
  try {
    const list = await client.containers.list.query({ all });
    const changed = [...f.changed].filter(([, s]) => s > mark).map(([id]) => id);
    if (f.changed.size > 10_000) for (const [id, s] of f.changed) if (s <= mark) f.changed.delete(id);
    return changed.length ? patch(list, await summaries(client, changed), changed, all) : list;
  } finally {
    f.inFlight--;
    if (!wasLive && f.resyncWhenLanded && f.inFlight === 0) {
      f.resyncWhenLanded = false;
      setTimeout(() => resync(qc, host), 0);
    }
  }
}

/** The selected host's containers (all, or running only). */
export function useLiveContainers(all: boolean) {
  const client = useTRPCClient();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: liveListKey(SELECTED, all), queryFn: () => fetchList(qc, SELECTED, client, all), staleTime: Infinity });
  useContainerEvents(SELECTED, client);
  return list;
}

/** useQueries options for one named host's list (the combined list); `pollMs` instead of events. */
export function hostListQuery(qc: QueryClient, hostId: string, all: boolean, pollMs?: number) {
  return {
    queryKey: liveListKey(hostId, all),
    queryFn: () => fetchList(qc, hostId, hostClient(hostId), all),
    staleTime: pollMs ? 0 : Infinity,
    ...(pollMs ? { refetchInterval: pollMs } : {}),
  };
}

/** Keeps one named host's cached lists current; renders nothing. */
export function HostContainerEvents({ hostId }: { hostId: string }) {
  useContainerEvents(hostId, hostClient(hostId));
  return null;
}

function useContainerEvents(host: string, client: BerthClient) {
  const qc = useQueryClient();
  useEffect(() => {
    const f = feedOf(host);
    const pending = new Set<string>();
    let batch: ReturnType<typeof setTimeout> | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let backoffMs = 1000;
    let closed = false;
    let sub: { unsubscribe(): void } | null = null;

    const onLive = () => {
      f.live = true;
      backoffMs = 1000;
      // what happened while the stream was not there is in no event: fetch the lists again (one
      // on its way began before the stream was live: fetch again once it has landed)
      if (f.inFlight > 0) f.resyncWhenLanded = true;
      else resync(qc, host);
    };
    const onDown = () => {
      f.live = false;
      sub?.unsubscribe();
      sub = null;
      if (closed || retry) return;
      resync(qc, host); // shows the error (agent down, session ended) on the list meanwhile
      retry = setTimeout(() => {
        retry = null;
        connect();
      }, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 30_000);
    };
    const connect = () => {
      if (closed) return;
      let last = 'idle';
      sub = client.containers.events.subscribe(
        {},
        {
          onStarted: onLive,
          onConnectionStateChange: (st) => {
            if (st.state === 'connecting') f.live = false;
            else if (st.state === 'pending' && last === 'connecting') onLive();
            last = st.state;
          },
          onData: (e) => {
            const ev = e as { type?: string; id?: string };
            if (ev.type !== 'container' || !ev.id) return;
            f.changed.set(ev.id, ++f.seq);
            pending.add(ev.id);
            batch ??= setTimeout(() => {
              batch = null;
              const ids = [...pending];
              pending.clear();
              f.chain = f.chain.then(() => refreshRows(qc, host, client, ids));
            }, BATCH_MS);
          },
          onError: onDown,
          onComplete: onDown,
        },
      );
    };
    connect();
    return () => {
      closed = true;
      f.live = false;
      sub?.unsubscribe();
      if (batch) clearTimeout(batch);
      if (retry) clearTimeout(retry);
    };
  }, [host, client, qc]);
}

async function summaries(client: BerthClient, ids: string[]): Promise<ContainerSummary[]> {
  const rows: ContainerSummary[] = [];
  for (let i = 0; i < ids.length; i += 200) rows.push(...(await client.containers.summaries.query({ ids: ids.slice(i, i + 200) })));
  return rows;
}

/** `list` with the rows of `ids` replaced by `rows` (absent from `rows`: removed), newest first. */
function patch(list: ContainerSummary[], rows: ContainerSummary[], ids: string[], all: boolean): ContainerSummary[] {
  const changed = new Set(ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const keep = (c: ContainerSummary) => all || c.state === 'running';
  const seen = new Set<string>();
  const next: ContainerSummary[] = [];
  for (const c of list) {
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
}

async function refreshRows(qc: QueryClient, host: string, client: BerthClient, ids: string[]): Promise<void> {
  let rows: ContainerSummary[];
  try {
    rows = await summaries(client, ids);
  } catch {
    // the agent is unreachable or the session ended: the lists' own fetch says so
    resync(qc, host);
    return;
  }
  for (const all of [true, false]) {
    qc.setQueryData(liveListKey(host, all), (old: ContainerSummary[] | undefined) => (old ? patch(old, rows, ids, all) : old));
  }
}
