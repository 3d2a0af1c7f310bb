// The web server: Next.js plus the terminal WebSocket proxy, on one port.
// Dev: `node --import tsx server.ts`; production: `next build` then NODE_ENV=production.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { createTerminalProxy } from './lib/server/terminal-proxy';
import { getStore } from './lib/server/db';
import { ensureFirstAdmin } from './lib/server/auth';
import { loadConfig } from './lib/server/config';
import { CLIENT_IP_HEADER } from './lib/server/client-address';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const dev = process.env.NODE_ENV !== 'production';
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOST || '0.0.0.0';
const dir = path.dirname(fileURLToPath(import.meta.url));

async function main() {
  const cfg = loadConfig();
  const store = await getStore();
  await ensureFirstAdmin(store, { berthRoot: cfg.berthRoot, password: cfg.adminPassword });

  const app = next({ dev, dir, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();

  const terminals = createTerminalProxy();
  const server = http.createServer((req, res) => {
    // the peer address, for login rate limiting; a client-sent header of that name is replaced
    req.headers[CLIENT_IP_HEADER] = req.socket.remoteAddress ?? 'unknown';
    void handle(req, res);
  });
  // Ours are handled; anything else (Next dev's hot reload) is left to the other listeners.
  server.on('upgrade', (req, socket, head) => {
    terminals.handleUpgrade(req, socket, head);
  });
  server.listen(port, hostname, () => {
    console.log(`berth web ${dev ? '(dev) ' : ''}listening on http://${hostname}:${port} (agent ${cfg.agentUrl})`);
  });

  const shutdown = () => {
    terminals.close();
    server.close();
    void store.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
