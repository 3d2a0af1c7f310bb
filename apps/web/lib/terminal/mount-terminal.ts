// Browser wiring for a TerminalSession: creates xterm.js with the fit addon inside an element,
// follows the element's size, and opens the proxied terminal socket. Returns one dispose().
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { TerminalSession, type SessionStatus, type SocketLike } from './terminal-session';

export interface MountOptions {
  containerId: string;
  mode: 'exec' | 'attach';
  cmd?: string[];
  user?: string;
  keep?: boolean;
  resume?: string;
  onSession?: (id: string) => void;
  onStatus?: (s: SessionStatus) => void;
}

export interface MountedTerminal {
  dispose(): void;
  /** copies the selection to the clipboard; false when nothing is selected */
  copy(): Promise<boolean>;
  /** pastes the clipboard as typed input (bracketed paste when the program asked for it) */
  paste(): Promise<void>;
}

export function terminalSocketUrl(loc: { protocol: string; host: string }, containerId: string, mode: 'exec' | 'attach'): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/ws/containers/${encodeURIComponent(containerId)}/${mode}`;
}

export function mountTerminal(el: HTMLElement, opts: MountOptions): MountedTerminal {
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
    user: opts.user,
    keep: opts.keep,
    resume: opts.resume,
    onSession: opts.onSession,
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

  const copy = async () => {
    const text = term.getSelection();
    if (!text) return false;
    await navigator.clipboard.writeText(text);
    return true;
  };
  const paste = async () => {
    const text = await navigator.clipboard.readText();
    if (text) term.paste(text); // xterm turns newlines into CR and brackets the paste when asked
  };
  // ctrl+shift+c copies, as terminal emulators do (plain ctrl+c stays an interrupt); pasting with
  // ctrl+v / ctrl+shift+v / the menu arrives as the browser's paste event, which xterm takes
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyC') {
      void copy();
      return false;
    }
    return true;
  });

  return {
    copy,
    paste,
    dispose() {
      cancelAnimationFrame(frame);
      observer.disconnect();
      window.removeEventListener('resize', refit);
      session.dispose();
      term.dispose();
    },
  };
}
