// What every Docker API handler gets: the request, its path parameters and query, the Backend,
// and the adapter's in-memory state (exec instances, attaches waiting for a start).
import type http from 'node:http';
import type { Backend, TerminalProcess } from '../backend';
import type { StdioConn } from './stdio';

export interface ExecInstance {
  id: string;
  containerId: string;
  cmd: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  env?: string[];
  workingDir?: string;
  user?: string;
  privileged?: boolean;
  running: boolean;
  exitCode: number | null;
  proc?: TerminalProcess;
  rows?: number;
  cols?: number;
}

export interface PendingAttach {
  conn: StdioConn;
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  rows?: number;
  cols?: number;
}

export interface AdapterState {
  execs: Map<string, ExecInstance>;
  /** attaches to a created container: the start that follows runs it attached (as dockerd) */
  pendingAttach: Map<string, PendingAttach[]>;
  /** live attach processes per container, for resize */
  attached: Map<string, TerminalProcess>;
  /** the exit code an attach saw, for a wait that outlives an auto-removed container */
  lastExit: Map<string, number>;
}

export interface Ctx {
  req: http.IncomingMessage;
  /** absent for hijacked (Upgrade: tcp) requests */
  res?: http.ServerResponse;
  /** hijacked connection: the socket and any bytes that came after the headers */
  hijack?: { socket: import('node:net').Socket; head: Buffer };
  params: string[];
  q: URLSearchParams;
  backend: Backend;
  state: AdapterState;
}

export type Handler = (ctx: Ctx) => Promise<void>;
