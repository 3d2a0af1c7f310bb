// Talking to a remote agent over TLS with its certificate pinned by SHA-256 fingerprint
// (BERTH_AGENT_FINGERPRINT, printed by the agent at start). The pin replaces CA verification: the
// TLS handshake completes, the peer certificate's fingerprint is compared, and only then is the
// socket handed to HTTP, so no request (and no bearer token) is ever written to a server with
// another certificate. Used by the CLI and the dashboard's server side.
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import tls from 'node:tls';

export class FingerprintMismatchError extends Error {
  readonly code = 'BERTH_FINGERPRINT_MISMATCH';
}

/** "sha256:AB:CD:..." / "AB:CD:..." / "abcd..." -> "AB:CD:..." (Node's fingerprint256 form). */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.trim().replace(/^sha256[:=]/i, '').replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error(`BERTH_AGENT_FINGERPRINT must be a SHA-256 fingerprint (64 hex digits, colons optional), not "${fp}"`);
  return hex.match(/../g)!.join(':');
}

/** An https.Agent whose sockets are verified against the pinned fingerprint before use. */
export class PinnedAgent extends https.Agent {
  readonly fingerprint: string;
  constructor(fingerprint: string) {
    super({ keepAlive: false });
    this.fingerprint = normalizeFingerprint(fingerprint);
  }

  // http.Agent calls createConnection(options, callback) and waits for the callback when it
  // returns nothing: the socket is given to HTTP only after the check
  override createConnection(reqOptions: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const options = reqOptions as tls.ConnectionOptions;
    const cb = callback!;
    const servername = options.servername && !net.isIP(options.servername) ? options.servername : undefined;
    const socket = tls.connect({ ...options, servername, rejectUnauthorized: false });
    const fail = (err: Error) => {
      socket.destroy();
      cb(err, socket);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.off('error', fail);
      const got = socket.getPeerCertificate()?.fingerprint256;
      if (got !== this.fingerprint) {
        return fail(
          new FingerprintMismatchError(
            `the agent at ${options.host}:${options.port} presented a TLS certificate with sha256 fingerprint ${got ?? '(none)'}, ` +
              `but BERTH_AGENT_FINGERPRINT is ${this.fingerprint}: refusing to talk to it (a different agent, or someone in between)`,
          ),
        );
      }
      cb(null, socket);
    });
    return undefined;
  }
}

type FetchInit = RequestInit & { duplex?: 'half' };

/** fetch() over a PinnedAgent (Node's fetch cannot take an https.Agent): enough of fetch for the
 * agent's endpoints, bodies as strings, bytes, web or Node streams. */
export function pinnedFetch(agent: PinnedAgent): typeof fetch {
  return (async (input: string | URL | Request, init: FetchInit = {}) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol !== 'https:') throw new Error(`BERTH_AGENT_FINGERPRINT is set but the agent URL ${url.origin} is not https`);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const method = (init.method ?? 'GET').toUpperCase();
    return await new Promise<Response>((resolve, reject) => {
      const req = https.request(url, { method, headers, agent, signal: init.signal ?? undefined }, (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) for (const x of ([] as string[]).concat(v)) h.append(k, x);
        const status = res.statusCode ?? 500;
        const noBody = method === 'HEAD' || [204, 205, 304].includes(status);
        if (noBody) res.resume();
        resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream), { status, statusText: res.statusMessage, headers: h }));
      });
      req.on('error', reject);
      const body = init.body as unknown;
      if (body === undefined || body === null) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else if (body instanceof URLSearchParams) req.end(body.toString());
      else if (body instanceof ArrayBuffer) req.end(Buffer.from(body));
      else if (body instanceof ReadableStream) Readable.fromWeb(body as import('node:stream/web').ReadableStream).on('error', (e) => req.destroy(e)).pipe(req);
      else if (body instanceof Readable) body.on('error', (e) => req.destroy(e)).pipe(req);
      else reject(new Error('pinnedFetch: unsupported request body'));
    });
  }) as typeof fetch;
}

/** The fetch and (for WebSockets) the https.Agent to reach an agent: pinned when a fingerprint is
 * given, the platform's otherwise (https then verifies the certificate against the CAs). */
export function agentTransport(url: string, fingerprint: string | undefined): { fetch: typeof fetch; agent?: https.Agent } {
  if (!fingerprint) return { fetch: globalThis.fetch };
  if (!url.startsWith('https://')) throw new Error(`BERTH_AGENT_FINGERPRINT is set but BERTH_AGENT_URL (${url}) is not https://`);
  const agent = new PinnedAgent(fingerprint);
  return { fetch: pinnedFetch(agent), agent };
}
