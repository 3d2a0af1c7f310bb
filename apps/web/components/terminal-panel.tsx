'use client';
// Mounts a terminal session (xterm.js + the exec socket) and disposes it; nothing else.
// StrictMode runs the effect twice in dev: each run builds a complete session and its cleanup
// disposes it, and the async import is guarded so a cancelled run never mounts.
import { useEffect, useRef, useState } from 'react';
import '@xterm/xterm/css/xterm.css';
import type { SessionStatus } from '@/lib/terminal/terminal-session';

export function TerminalPanel({ id, running }: { id: string; running: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState<SessionStatus>({ kind: 'connecting' });

  useEffect(() => {
    if (!running) return;
    let cancelled = false;
    let dispose: (() => void) | undefined;
    void import('@/lib/terminal/mount-terminal').then(({ mountTerminal }) => {
      if (cancelled || !ref.current) return;
      dispose = mountTerminal(ref.current, { containerId: id, mode: 'exec', cmd: ['sh'], onStatus: setStatus });
    });
    return () => {
      cancelled = true;
      dispose?.();
    };
  }, [id, running, generation]);

  const ended = status.kind === 'exited' || status.kind === 'error' || status.kind === 'closed';
  return (
    <div className="terminal-panel">
      <div className="toolbar">
        <span className="muted small" data-testid="terminal-status">
          {!running
            ? 'container not running'
            : status.kind === 'exited'
              ? `exited (${status.exitCode})`
              : status.kind === 'error'
                ? `error: ${status.message}`
                : status.kind === 'closed'
                  ? 'disconnected'
                  : status.kind}
        </span>
        {running && ended && (
          <button className="btn btn-small" onClick={() => setGeneration((g) => g + 1)} data-testid="terminal-reconnect">
            New session
          </button>
        )}
      </div>
      <div className="terminal" ref={ref} data-testid="terminal" key={generation} />
    </div>
  );
}
