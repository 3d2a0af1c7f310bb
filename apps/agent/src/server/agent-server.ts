// The agent's network face: one HTTP server carrying tRPC (HTTP + SSE), tRPC over WebSocket,
// the raw terminal WebSockets and the binary image upload. Authentication happens here, once,
// before anything is routed — WebSocket upgrades included.
import http from 'node:http';
import https from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { TerminalOp, frame, type ErrorCode } from '@berth/shared';
import { appRouter } from '../api/router';
import type { Backend, ExecSpec, TerminalProcess } from '../backend';
import { bridgeTerminal, sendError } from '../terminal/bridge';
import { KeptSessions } from '../terminal/kept-sessions';
import { checkBearer } from './token';
import { httpStatus } from './http-status';
import { streamLogs } from './logs-stream';
import { handleBuildRoutes } from './build-endpoints';
import { ARCHIVE_PATH, EXPORT_PATH, handleArchive, handleExport } from './archive-endpoint';

export interface AgentServer {
  server: http.Server | https.Server;
  url: string;
  close(): Promise<void>;
}

const TERMINAL_PATH = /^\/v1\/containers\/([a-zA-Z0-9_.-]{1,128})\/(exec|attach)$/;

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendFailure(res: http.ServerResponse, err: unknown) {
  if (res.headersSent) {
    // mid-stream: the only honest signal left is a cut connection
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  const code = ((err as { code?: string }).code as ErrorCode) ?? 'internal';
  const status = httpStatus[code] ?? 500;
  sendJson(res, status, { code: status === 500 ? 'internal' : code, message: err instanceof Error ? err.message : String(err) });
}

export async function startAgentServer(opts: { backend: Backend; token: string; host: string; port: number; tls?: { cert: Buffer; key: Buffer } }): Promise<AgentServer> {
  const { backend, token } = opts;
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    createContext: () => ({ backend }),
  });

  const handler: http.RequestListener = async (req, res) => {
    if (!checkBearer(req.headers.authorization, token)) {
      return sendJson(res, 401, { code: 'unauthenticated', message: 'missing or wrong agent token' });
    }
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname.startsWith('/trpc/')) return trpcHandler(req, res);
    try {
      if (await handleBuildRoutes(req, res, url, backend)) return;
      if (req.method === 'POST' && url.pathname === '/v1/images/load') {
        return sendJson(res, 200, await backend.loadImages(req));
      }
      if (req.method === 'GET' && url.pathname === '/v1/images/save') {
        // a tar stream; errors before the first byte are JSON, after it the connection is cut
        const format = (url.searchParams.get('format') ?? 'docker-archive') as 'docker-archive' | 'oci-archive';
        const saver = await backend.saveImages(url.searchParams.getAll('names'), format);
        res.writeHead(200, { 'content-type': 'application/x-tar' });
        await saver.write(res).catch((e) => {
          res.destroy(e instanceof Error ? e : new Error(String(e)));
        });
        return;
      }
      const logsPath = /^\/v1\/containers\/([a-zA-Z0-9_.-]{1,128})\/logs$/.exec(url.pathname);
      if (req.method === 'GET' && logsPath) return await streamLogs(req, res, backend, logsPath[1], url.searchParams);
      const archivePath = ARCHIVE_PATH.exec(url.pathname);
      if (archivePath) return await handleArchive(req, res, backend, archivePath[1], url.searchParams);
      const exportPath = EXPORT_PATH.exec(url.pathname);
      if (exportPath) return await handleExport(req, res, backend, exportPath[1]);
      if (req.method === 'POST' && url.pathname === '/v1/images/import') {
        const ref = url.searchParams.get('ref');
        if (!ref) return sendJson(res, 400, { code: 'invalid_argument', message: 'import needs a ref query parameter' });
        const cmdParam = url.searchParams.get('cmd');
        let cmd: string[] | undefined;
        if (cmdParam) {
          const parsed: unknown = JSON.parse(cmdParam);
          if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string'))
            return sendJson(res, 400, { code: 'invalid_argument', message: 'cmd must be a JSON array of strings' });
          cmd = parsed;
        }
        return sendJson(res, 200, await backend.importImage(req, ref, cmd));
      }
      sendJson(res, 404, { code: 'not_found', message: `no such endpoint: ${req.method} ${url.pathname}` });
    } catch (err) {
      req.resume();
      sendFailure(res, err);
    }
  };
  // TLS for remote agents (server/tls.ts): the same routes, token still required
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handler) : http.createServer(handler);

  const trpcWss = new WebSocketServer({ noServer: true });
  const wsHandler = applyWSSHandler({ wss: trpcWss, router: appRouter, createContext: () => ({ backend }), keepAlive: { enabled: true, pingMs: 30000, pongWaitMs: 5000 } });
  const termWss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const kept = new KeptSessions();

  server.on('upgrade', (req, socket, head) => {
    if (!checkBearer(req.headers.authorization, token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname === '/trpc' || url.pathname === '/trpc/') {
      trpcWss.handleUpgrade(req, socket, head, (ws) => trpcWss.emit('connection', ws, req));
      return;
    }
    const m = TERMINAL_PATH.exec(url.pathname);
    if (!m) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    termWss.handleUpgrade(req, socket, head, (ws) => onTerminal(ws, m[1], m[2] as 'exec' | 'attach'));
  });

  function onTerminal(ws: WebSocket, id: string, kind: 'exec' | 'attach') {
    // The first message is a text frame with the session's parameters.
    ws.once('message', async (raw, isBinary) => {
      // input sent right after the parameters (piped stdin) arrives before the bridge listens: hold it
      const early: [unknown, boolean][] = [];
      const hold = (d: unknown, b: boolean) => early.push([d, b]);
      ws.on('message', hold);
      try {
        if (isBinary) throw Object.assign(new Error('the first terminal message must be a JSON text frame'), { code: 'invalid_argument' });
        const params = JSON.parse(raw.toString()) as Record<string, unknown>;
        let proc: TerminalProcess;
        let sessionId: string | undefined;
        if (kind === 'exec' && typeof params.resume === 'string') {
          // a kept exec session, taken over by this socket (after a page reload)
          const resumed = kept.resume(id, params.resume);
          if (!resumed) throw Object.assign(new Error('the terminal session has ended'), { code: 'not_found' });
          proc = resumed;
          sessionId = params.resume;
        } else if (kind === 'exec') {
          proc = await backend.exec(id, parseExecSpec(params));
          if (params.keep === true) {
            const k = kept.keep(id, proc);
            proc = k.view;
            sessionId = k.id;
          }
        } else {
          proc = await backend.attach(id, {
            start: params.start === true,
            rows: typeof params.rows === 'number' ? params.rows : undefined,
            cols: typeof params.cols === 'number' ? params.cols : undefined,
          });
        }
        if (sessionId && ws.readyState === ws.OPEN) ws.send(frame(TerminalOp.session, JSON.stringify({ session: sessionId })));
        if (sessionId && typeof params.rows === 'number' && typeof params.cols === 'number') proc.resize(params.rows, params.cols);
        ws.off('message', hold);
        if (ws.readyState !== ws.OPEN) {
          // the client already left (a quick detach): its input still goes in
          for (const [d, b] of early) if (b && Buffer.isBuffer(d) && d[0] === TerminalOp.input) proc.write(d.subarray(1));
          return proc.close();
        }
        bridgeTerminal(ws, proc);
        for (const [d, b] of early) ws.emit('message', d, b);
      } catch (err) {
        ws.off('message', hold);
        sendError(ws, err);
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as import('node:net').AddressInfo;
  return {
    server,
    url: `${opts.tls ? 'https' : 'http'}://${opts.host}:${addr.port}`,
    async close() {
      wsHandler.broadcastReconnectNotification();
      for (const c of [...trpcWss.clients, ...termWss.clients]) c.terminate();
      kept.closeAll();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}

function parseExecSpec(p: Record<string, unknown>): ExecSpec {
  const bad = (m: string) => Object.assign(new Error(m), { code: 'invalid_argument' });
  if (!Array.isArray(p.cmd) || p.cmd.length === 0 || !p.cmd.every((s) => typeof s === 'string'))
    throw bad('exec needs cmd: a non-empty array of strings');
  const strArr = (v: unknown, name: string) => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(`${name} must be an array of strings`);
    return v as string[];
  };
  const str = (v: unknown, name: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw bad(`${name} must be a string`);
    return v;
  };
  const dim = (v: unknown, name: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 10000) throw bad(`${name} must be a positive integer`);
    return v;
  };
  return {
    cmd: p.cmd as string[],
    tty: p.tty === true,
    env: strArr(p.env, 'env'),
    workingDir: str(p.workingDir, 'workingDir'),
    user: str(p.user, 'user'),
    rows: dim(p.rows, 'rows'),
    cols: dim(p.cols, 'cols'),
    privileged: p.privileged === true,
  };
}
