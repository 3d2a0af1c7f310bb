'use client';
// The log viewer, built for logs of millions of lines: it holds a window of pages (never the whole
// log), renders only the rows on screen, and moves the window as you scroll — older pages load at
// the top, newer ones at the bottom, "Start" and "End" jump. At the end it follows the container
// live, and pauses following while you read further up. Search (case-insensitive) and since/until
// run on the agent over the whole log; ANSI colours show, every other escape is dropped; the
// filtered range downloads as text.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { LogLine } from '@berth/shared';
import { useTRPC, useTRPCClient, errorMessage } from '@/lib/client/trpc';
import { ansiSegments } from '@/lib/logs/ansi';
import { append, emptyWindow, lineKey, matches, prepend, type LogWindow } from '@/lib/logs/log-window';

const ROW = 18;
const PAGE = 5000;
const MAX_LINES = 200_000;
const OVERSCAN = 30;

interface Filter {
  grep: string;
  since: string;
  until: string;
}

/** datetime-local text ("2026-12-04T08:30") as an RFC 3339 time in the browser's zone, or undefined */
function toTime(v: string): string | undefined {
  if (!v.trim()) return undefined;
  const t = new Date(v);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

export function LogsPanel({ id, running }: { id: string; running: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [win, setWin] = useState<LogWindow>(emptyWindow);
  const [draft, setDraft] = useState<Filter>({ grep: '', since: '', until: '' });
  const [filter, setFilter] = useState<Filter>({ grep: '', since: '', until: '' });
  const [timestamps, setTimestamps] = useState(false);
  const [stick, setStick] = useState(true);
  const [loading, setLoading] = useState<string | null>('loading…');
  const [error, setError] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const boxRef = useRef<HTMLDivElement>(null);
  const winRef = useRef(win);
  winRef.current = win;
  const busy = useRef(false);
  const pendingScroll = useRef<number | null>(null);
  const generation = useRef(0);

  const bounds = useMemo(() => ({ since: toTime(filter.since), until: toTime(filter.until) }), [filter]);
  const page = useCallback(
    (from: 'head' | 'tail' | 'before' | 'after', anchor?: LogLine) =>
      client.containers.logPage.query({
        id,
        page: { from, limit: PAGE, ...(anchor ? { anchor: { file: anchor.file ?? 0, cursor: anchor.cursor } } : {}), ...(filter.grep ? { grep: filter.grep } : {}) },
        ...(bounds.since ? { since: bounds.since } : {}),
        ...(bounds.until ? { until: bounds.until } : {}),
      }),
    [client, id, filter.grep, bounds],
  );

  /** Loads the head or the tail as the new window. */
  const jump = useCallback(
    async (to: 'head' | 'tail') => {
      const gen = ++generation.current;
      busy.current = true;
      setLoading(to === 'head' ? 'loading the start…' : 'loading the end…');
      try {
        const p = await page(to);
        if (gen !== generation.current) return;
        const w = to === 'head' ? { lines: p.lines, moreBefore: false, moreAfter: p.more } : { lines: p.lines, moreBefore: p.more, moreAfter: false };
        setWin(w);
        setError('');
        setStick(to === 'tail');
        pendingScroll.current = to === 'head' ? 0 : Number.MAX_SAFE_INTEGER;
      } catch (e) {
        if (gen === generation.current) setError(errorMessage(e));
      } finally {
        if (gen === generation.current) {
          busy.current = false;
          setLoading(null);
        }
      }
    },
    [page],
  );

  // a new search or time range: start again at the end
  useEffect(() => {
    void jump('tail');
  }, [jump]);

  // live lines, while the window reaches the end (they are appended, filtered like the search)
  const following = !win.moreAfter && !bounds.until;
  const last = win.lines[win.lines.length - 1];
  const [liveFrom, setLiveFrom] = useState<string | null>(null);
  useEffect(() => {
    // (re)subscribe after the last line we hold whenever a new window was loaded at the end
    if (!loading && following) setLiveFrom(last ? `${last.file ?? 0}:${last.cursor}` : null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loading, following, running]);
  const sub = useSubscription(
    trpc.containers.logs.subscriptionOptions(
      { id, follow: true, ...(liveFrom ? { lastEventId: liveFrom } : { tail: 0 }), ...(bounds.since ? { since: bounds.since } : {}) },
      {
        enabled: following && !loading,
        onData: (env) => {
          const l = env.data;
          if (!matches(l, filter.grep)) return;
          setWin((w) => (w.moreAfter ? w : append(w, { lines: [l], more: false }, MAX_LINES).window));
        },
      },
    ),
  );

  // grow the window when the user scrolls near one of its ends
  const onScroll = async () => {
    const el = boxRef.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW * 2;
    if (atBottom !== stick) setStick(atBottom && !winRef.current.moreAfter);
    if (busy.current) return;
    const w = winRef.current;
    // one page at a time; a page that arrives after the view was reset (new search) is dropped
    type Page = Awaited<ReturnType<typeof page>>;
    const grow = async (label: string, fetchPage: () => Promise<Page>, apply: (p: Page) => void) => {
      busy.current = true;
      setLoading(label);
      const gen = generation.current;
      try {
        const p = await fetchPage();
        if (gen === generation.current) apply(p);
      } catch (e) {
        setError(errorMessage(e));
      } finally {
        busy.current = false;
        setLoading(null);
      }
    };
    if (el.scrollTop < ROW * 50 && w.moreBefore && w.lines[0]) {
      await grow('loading older lines…', () => page('before', w.lines[0]), (p) => {
        const r = prepend(winRef.current, p, MAX_LINES);
        pendingScroll.current = (boxRef.current?.scrollTop ?? 0) + r.added * ROW;
        setWin(r.window);
      });
    } else if (el.scrollHeight - el.scrollTop - el.clientHeight < ROW * 50 && w.moreAfter && w.lines.length) {
      await grow('loading newer lines…', () => page('after', w.lines[w.lines.length - 1]), (p) => {
        const r = append(winRef.current, p, MAX_LINES);
        pendingScroll.current = Math.max(0, (boxRef.current?.scrollTop ?? 0) - r.dropped * ROW);
        setWin(r.window);
      });
    }
  };

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    if (pendingScroll.current !== null) {
      el.scrollTop = Math.min(pendingScroll.current, el.scrollHeight);
      pendingScroll.current = null;
    } else if (stick && !win.moreAfter) el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [win, stick]);

  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const lastRow = Math.min(win.lines.length, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const visible = win.lines.slice(first, lastRow);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft });
  };
  const download = `/api/containers/${encodeURIComponent(id)}/logs?${new URLSearchParams({
    ...(filter.grep ? { grep: filter.grep } : {}),
    ...(bounds.since ? { since: bounds.since } : {}),
    ...(bounds.until ? { until: bounds.until } : {}),
    ...(timestamps ? { timestamps: '1' } : {}),
  })}`;
  const status = loading ?? (!following ? 'paused: not at the end' : sub.status === 'pending' ? 'live' : sub.status === 'connecting' ? 'connecting…' : sub.status === 'error' ? 'disconnected' : 'ended');

  return (
    <div className="logs">
      <form className="toolbar" onSubmit={apply}>
        <input type="search" placeholder="Search the whole log" value={draft.grep} onChange={(e) => setDraft({ ...draft, grep: e.target.value })} aria-label="Search log lines" data-testid="log-filter" />
        <label className="toggle small">
          since <input type="datetime-local" step="1" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} data-testid="log-since" />
        </label>
        <label className="toggle small">
          until <input type="datetime-local" step="1" value={draft.until} onChange={(e) => setDraft({ ...draft, until: e.target.value })} data-testid="log-until" />
        </label>
        <button className="btn btn-small" data-testid="log-search">
          Search
        </button>
        <label className="toggle">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} data-testid="log-timestamps" /> Timestamps
        </label>
        <label className="toggle">
          <input
            type="checkbox"
            checked={stick && following}
            onChange={(e) => (e.target.checked ? (win.moreAfter ? void jump('tail') : setStick(true)) : setStick(false))}
            data-testid="log-follow"
          />{' '}
          Follow
        </label>
        <span className={`muted small status-${sub.status}`} data-testid="log-status">
          {status}
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={() => void jump('head')} data-testid="log-start">
          Start
        </button>
        <button type="button" className="btn btn-small" onClick={() => void jump('tail')} data-testid="log-end">
          End
        </button>
        <a className="btn btn-small" href={download} download data-testid="log-download">
          Download
        </a>
        <span className="muted small" data-testid="log-count">
          {win.lines.length.toLocaleString()} lines{win.moreBefore ? ' · more above' : ''}
          {win.moreAfter ? ' · more below' : ''}
        </span>
      </form>
      {(error || sub.error) && (
        <p className="error small" role="alert">
          {error || errorMessage(sub.error)}
        </p>
      )}
      <div className="log-view mono" ref={boxRef} onScroll={() => void onScroll()} data-testid="log-view" role="log" tabIndex={0}>
        <div style={{ height: win.lines.length * ROW, position: 'relative' }}>
          <div style={{ position: 'absolute', top: first * ROW, left: 0, right: 0 }}>
            {visible.map((l) => (
              <div key={lineKey(l)} className={l.stream === 'stderr' ? 'log-line stderr' : 'log-line'} style={{ height: ROW }} data-cursor={lineKey(l)}>
                {timestamps && <span className="log-time">{l.time} </span>}
                {ansiSegments(l.text.replace(/\r?\n$/, '')).map((s, i) =>
                  s.fg || s.bg || s.bold || s.dim || s.underline ? (
                    <span key={i} style={{ color: s.fg, background: s.bg, fontWeight: s.bold ? 700 : undefined, opacity: s.dim ? 0.7 : undefined, textDecoration: s.underline ? 'underline' : undefined }}>
                      {s.text}
                    </span>
                  ) : (
                    s.text
                  ),
                )}
              </div>
            ))}
          </div>
        </div>
        {win.lines.length === 0 && !loading && <div className="muted">{filter.grep || filter.since || filter.until ? 'No line matches.' : 'No log output yet.'}</div>}
      </div>
      {!stick && following && (
        <button className="btn btn-small jump" onClick={() => setStick(true)} data-testid="log-jump">
          ↓ Paused — jump to latest
        </button>
      )}
    </div>
  );
}
