'use client';
// The in-browser terminal: a shell (sh, bash, ash or any command) as any user, kept by the agent
// when the page goes away, so a reload takes the same session over (its id lives in this tab's
// sessionStorage). Copy with ctrl+shift+c or the button; paste with ctrl+v or the button.
// StrictMode runs the effect twice in dev: each run builds a complete session and its cleanup
// disposes it, and the async import is guarded so a cancelled run never mounts.
import { useEffect, useRef, useState } from 'react';
import '@xterm/xterm/css/xterm.css';
import type { SessionStatus } from '@/lib/terminal/terminal-session';
import type { MountedTerminal } from '@/lib/terminal/mount-terminal';
import { splitCommand } from '@/lib/parse/split-command';

const SHELLS = ['sh', 'bash', 'ash'] as const;
const storageKey = (id: string) => `berth.terminal.${id}`;

interface Stored {
  session: string;
  label: string;
}

function readStored(id: string): Stored | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(storageKey(id)) ?? 'null') as Stored | null;
    return v && typeof v.session === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function TerminalPanel({ id, running }: { id: string; running: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const mounted = useRef<MountedTerminal | null>(null);
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState<SessionStatus>({ kind: 'connecting' });
  const [shell, setShell] = useState<string>('sh');
  const [custom, setCustom] = useState('');
  const [user, setUser] = useState('');
  const [label, setLabel] = useState('');
  const [note, setNote] = useState('');
  /** what the next new session runs (set when the user presses Open) */
  const [request, setRequest] = useState<{ cmd: string[]; user: string; label: string }>({ cmd: ['sh'], user: '', label: 'sh' });

  useEffect(() => {
    if (!running) return;
    let cancelled = false;
    const stored = readStored(id);
    void import('@/lib/terminal/mount-terminal').then(({ mountTerminal }) => {
      if (cancelled || !ref.current) return;
      setLabel(stored ? stored.label : request.label);
      mounted.current = mountTerminal(ref.current, {
        containerId: id,
        mode: 'exec',
        ...(stored ? { resume: stored.session } : { cmd: request.cmd, user: request.user || undefined, keep: true }),
        onSession: (session) => sessionStorage.setItem(storageKey(id), JSON.stringify({ session, label: request.label })),
        onStatus: (s) => {
          setStatus(s);
          if (s.kind === 'exited') sessionStorage.removeItem(storageKey(id));
          if (s.kind === 'error' && stored) {
            // the kept session is gone (exited, timed out, agent restarted): start a fresh one
            sessionStorage.removeItem(storageKey(id));
            setNote('the previous session had ended: this is a new one');
            setGeneration((g) => g + 1);
          }
        },
      });
    });
    return () => {
      cancelled = true;
      mounted.current?.dispose();
      mounted.current = null;
    };
  }, [id, running, generation, request]);

  const open = () => {
    let cmd: string[];
    try {
      cmd = shell === 'custom' ? splitCommand(custom) : [shell];
    } catch (e) {
      setNote((e as Error).message);
      return;
    }
    if (cmd.length === 0) {
      setNote('type the command to run');
      return;
    }
    setNote('');
    sessionStorage.removeItem(storageKey(id));
    setRequest({ cmd, user: user.trim(), label: `${cmd.join(' ')}${user.trim() ? ` as ${user.trim()}` : ''}` });
    setGeneration((g) => g + 1);
  };

  const ended = status.kind === 'exited' || status.kind === 'error' || status.kind === 'closed';
  return (
    <div className="terminal-panel">
      <div className="toolbar">
        <label className="toggle">
          Shell
          <select value={shell} onChange={(e) => setShell(e.target.value)} data-testid="terminal-shell">
            {SHELLS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            <option value="custom">custom…</option>
          </select>
        </label>
        {shell === 'custom' && <input value={custom} onChange={(e) => setCustom(e.target.value)} placeholder="command, e.g. top" data-testid="terminal-command" />}
        <label className="toggle">
          User
          <input value={user} onChange={(e) => setUser(e.target.value)} placeholder="(image default)" size={12} data-testid="terminal-user" />
        </label>
        <button className="btn btn-small" onClick={open} disabled={!running} data-testid="terminal-open">
          {ended ? 'New session' : 'Open new session'}
        </button>
        <span className="spacer" />
        <button className="btn btn-small" onClick={() => void mounted.current?.copy().then((ok) => setNote(ok ? 'copied' : 'select text to copy'))} data-testid="terminal-copy">
          Copy
        </button>
        <button className="btn btn-small" onClick={() => void mounted.current?.paste().catch((e: Error) => setNote(`paste: ${e.message}`))} data-testid="terminal-paste">
          Paste
        </button>
        <span className="muted small" data-testid="terminal-status">
          {!running
            ? 'container not running'
            : status.kind === 'exited'
              ? `exited (${status.exitCode})`
              : status.kind === 'error'
                ? `error: ${status.message}`
                : status.kind === 'closed'
                  ? 'disconnected'
                  : `${status.kind}${label ? ` · ${label}` : ''}`}
        </span>
      </div>
      {note && (
        <p className="muted small" data-testid="terminal-note">
          {note}
        </p>
      )}
      <div className="terminal" ref={ref} data-testid="terminal" key={generation} />
    </div>
  );
}
