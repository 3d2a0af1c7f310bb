'use client';
// Live logs: follows the containers.logs subscription, sticks to the bottom until the user
// scrolls up, filters, and resumes from the last tracked cursor after a reconnect.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { LogLine } from '@berth/shared';
import { useTRPC, errorMessage } from '@/lib/client/trpc';

const MAX_LINES = 10_000;
const TAIL = 1000;

export function LogsPanel({ id, running }: { id: string; running: boolean }) {
  const trpc = useTRPC();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [filter, setFilter] = useState('');
  const [timestamps, setTimestamps] = useState(false);
  const [stick, setStick] = useState(true);
  // resubscribing with a cursor (after a manual reconnect or a restart) resumes after it
  const [resumeFrom, setResumeFrom] = useState<string | null>(null);
  const lastCursor = useRef<string | null>(null);
  const boxRef = useRef<HTMLDivElement>(null);

  const sub = useSubscription(
    trpc.containers.logs.subscriptionOptions(
      { id, follow: true, tail: TAIL, lastEventId: resumeFrom },
      {
        onData: (env) => {
          lastCursor.current = env.id;
          setLines((prev) => {
            const next = prev.length >= MAX_LINES ? prev.slice(prev.length - MAX_LINES + 1) : prev.slice();
            next.push(env.data);
            return next;
          });
        },
      },
    ),
  );

  // the log stream ends when the container stops; when it runs again, pick up where we were
  const wasRunning = useRef(running);
  useEffect(() => {
    if (running && !wasRunning.current) setResumeFrom(lastCursor.current);
    wasRunning.current = running;
  }, [running]);

  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? lines.filter((l) => l.text.toLowerCase().includes(f)) : lines;
  }, [lines, filter]);

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (el && stick) el.scrollTop = el.scrollHeight;
  }, [shown, stick, timestamps]);

  const onScroll = () => {
    const el = boxRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== stick) setStick(atBottom);
  };

  const status =
    sub.status === 'pending' ? 'live' : sub.status === 'connecting' ? (sub.error ? 'reconnecting…' : 'connecting…') : sub.status === 'error' ? 'disconnected' : 'ended';

  return (
    <div className="logs">
      <div className="toolbar">
        <input
          type="search"
          placeholder="Filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter log lines"
          data-testid="log-filter"
        />
        <label className="toggle">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} data-testid="log-timestamps" />{' '}
          Timestamps
        </label>
        <label className="toggle">
          <input type="checkbox" checked={stick} onChange={(e) => setStick(e.target.checked)} data-testid="log-follow" /> Follow
        </label>
        <span className={`muted small status-${sub.status}`} data-testid="log-status">
          {status}
        </span>
        {(sub.status === 'error' || sub.status === 'idle') && (
          <button
            className="btn btn-small"
            onClick={() => {
              setResumeFrom(lastCursor.current);
              sub.reset();
            }}
          >
            Reconnect
          </button>
        )}
        <span className="spacer" />
        <span className="muted small">
          {shown.length}
          {filter ? ` of ${lines.length}` : ''} lines
        </span>
      </div>
      {sub.error && (
        <p className="error small" role="alert">
          {errorMessage(sub.error)}
        </p>
      )}
      <div className="log-view mono" ref={boxRef} onScroll={onScroll} data-testid="log-view" role="log">
        {shown.map((l) => (
          <div key={l.cursor} className={l.stream === 'stderr' ? 'log-line stderr' : 'log-line'}>
            {timestamps && <span className="log-time">{l.time} </span>}
            {l.text}
          </div>
        ))}
        {lines.length === 0 && <div className="muted">No log output yet.</div>}
      </div>
      {!stick && (
        <button className="btn btn-small jump" onClick={() => setStick(true)} data-testid="log-jump">
          ↓ Paused — jump to latest
        </button>
      )}
    </div>
  );
}
