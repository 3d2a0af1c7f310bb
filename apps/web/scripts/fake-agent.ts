// Development agent: the REAL appRouter over tRPC's standalone adapter, the terminal sockets and
// the image upload endpoint, all over an in-memory FakeBackend. Not for production.
//   BERTH_TOKEN=dev node --import tsx scripts/fake-agent.ts   (listens on BERTH_AGENT_ADDR)
import http from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { WebSocketServer } from 'ws';
import { appRouter } from '@berth/agent/router';
import { TerminalOp, frame } from '@berth/shared';
import { BerthError } from '@berth/runtime/errors';
import { FakeBackend } from './fake-backend';

export function startFakeAgent(opts: { token: string; port: number; host?: string; backend?: FakeBackend }) {
  const backend = opts.backend ?? new FakeBackend();
  const authorized = (h: string | undefined) => h === `Bearer ${opts.token}`;
  const trpc = createHTTPHandler({ router: appRouter, basePath: '/trpc/', createContext: () => ({ backend }) });

  const server = http.createServer(async (req, res) => {
    if (!authorized(req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'unauthenticated', message: 'missing or wrong agent token' }));
      return;
    }
    if (req.url?.startsWith('/trpc/')) return trpc(req, res);
    if (req.method === 'POST' && req.url === '/v1/images/load') {
      try {
        const result = await backend.loadImages(req);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (e) {
        const code = e instanceof BerthError ? e.code : 'internal';
        res.writeHead(code === 'internal' ? 500 : 400, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message: (e as Error).message }));
      }
      return;
    }
    res.writeHead(404).end();
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const m = /^\/v1\/containers\/([^/]+)\/(exec|attach)$/.exec(req.url ?? '');
    if (!m || !authorized(req.headers.authorization)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    const id = decodeURIComponent(m[1]!);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('message', async (first) => {
        let proc;
        try {
          const hello = JSON.parse(first.toString()) as { cmd?: string[]; rows?: number; cols?: number };
          proc = m[2] === 'exec' ? await backend.exec(id, { cmd: hello.cmd ?? ['sh'], tty: true, rows: hello.rows, cols: hello.cols }) : await backend.attach(id, hello);
        } catch (e) {
          ws.send(frame(TerminalOp.error, JSON.stringify({ code: e instanceof BerthError ? e.code : 'internal', message: (e as Error).message })));
          ws.close();
          return;
        }
        proc.onOutput((_s, d) => ws.send(frame(TerminalOp.output, d)));
        ws.on('message', (data: Buffer) => {
          const op = data[0];
          const body = data.subarray(1);
          if (op === TerminalOp.input) proc.write(body);
          else if (op === TerminalOp.pause) proc.pause();
          else if (op === TerminalOp.resume) proc.resume();
          else if (op === TerminalOp.resize) {
            const { rows, cols } = JSON.parse(body.toString()) as { rows: number; cols: number };
            proc.resize(rows, cols);
          }
        });
        ws.on('close', () => proc.close());
        void proc.exited.then((exitCode) => {
          ws.send(frame(TerminalOp.exit, JSON.stringify({ exitCode })));
          ws.close();
        });
      });
    });
  });

  return new Promise<{ server: http.Server; backend: FakeBackend; port: number }>((resolve) => {
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, backend, port: typeof addr === 'object' && addr ? addr.port : opts.port });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [host, port] = (process.env.BERTH_AGENT_ADDR ?? '127.0.0.1:7471').split(':');
  const token = process.env.BERTH_TOKEN ?? 'dev-token';
  const { port: p } = await startFakeAgent({ token, host, port: Number(port) });
  console.log(`fake agent on http://${host}:${p} (token ${token})`);
}
