// Browser wiring for a TerminalSession: creates xterm.js with the fit addon inside an element,
// follows the element's size, and opens the proxied terminal socket. Returns one dispose().
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { TerminalSession, type SessionStatus, type SocketLike } from './terminal-session';

export interface MountOptions {
  containerId: string;
  mode: 'exec' | 'attach';
  cmd?: string[];
  onStatus?: (s: SessionStatus) => void;
}

export function terminalSocketUrl(loc: { protocol: string; host: string }, containerId: string, mode: 'exec' | 'attach'): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/ws/containers/${encodeURIComponent(containerId)}/${mode}`;
}

export function mountTerminal(el: HTMLElement, opts: MountOptions): () => void {
  const term = new Terminal({
    cursorBlink: true,
    convertEol: false,
    scrollback: 5000,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: 13,
    theme: { background: '#0f1419', foreground: '#e6e6e6' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  const refit = () => {
    try {
      if (el.clientWidth > 0 && el.clientHeight > 0) fit.fit();
    } catch {
      /* element detached */
    }
  };
  refit();

  const session = new TerminalSession({
    term,
    mode: opts.mode,
    cmd: opts.cmd,
    onStatus: opts.onStatus,
    connect: () => new WebSocket(terminalSocketUrl(window.location, opts.containerId, opts.mode)) as unknown as SocketLike,
  });

  let frame = 0;
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(refit);
  });
  observer.observe(el);
  window.addEventListener('resize', refit);
  term.focus();

  return () => {
    cancelAnimationFrame(frame);
    observer.disconnect();
    window.removeEventListener('resize', refit);
    session.dispose();
    term.dispose();
  };
}
