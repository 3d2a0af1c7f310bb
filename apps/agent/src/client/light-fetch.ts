// The CLI's HTTP calls to the agent over node:http / node:https: just the part of fetch() the
// client and tRPC's httpLink use (status, headers.get, json, text, the body as a stream).
// Node 20's global fetch is undici, whose WebAssembly HTTP parser is compiled on first use and
// waited for at exit: about 130 ms of every CLI command that made one request, more than the
// rest of a short command together. Request bodies are strings, bytes or Node streams.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

export interface LightInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | Readable | null;
  signal?: AbortSignal | null;
}

export interface LightResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  text(): Promise<string>;
  /** the body as a Node stream (read it once, by this or json/text) */
  stream(): Readable;
}

export type LightFetch = (url: string, init?: LightInit) => Promise<LightResponse>;

/** A fetch over `agent` (a pinned https.Agent, or Node's default agents when absent). */
export function lightFetch(agent?: http.Agent): LightFetch {
  return (url, init = {}) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const method = (init.method ?? 'GET').toUpperCase();
    return new Promise<LightResponse>((resolve, reject) => {
      const req = mod.request(u, { method, headers: init.headers ?? {}, ...(agent ? { agent } : {}), signal: init.signal ?? undefined }, (res) => {
        const status = res.statusCode ?? 500;
        if (method === 'HEAD') res.resume();
        const text = async () => {
          let s = '';
          res.setEncoding('utf8');
          for await (const c of res) s += c;
          return s;
        };
        resolve({
          ok: status >= 200 && status <= 299,
          status,
          statusText: res.statusMessage ?? '',
          headers: {
            get: (name) => {
              const v = res.headers[name.toLowerCase()];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
          },
          text,
          json: async () => JSON.parse(await text()) as unknown,
          stream: () => res,
        });
      });
      req.on('error', reject);
      const body = init.body;
      if (body === undefined || body === null) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else if (body instanceof Readable) body.on('error', (e) => req.destroy(e)).pipe(req);
      else {
        req.destroy();
        reject(new Error('lightFetch: unsupported request body'));
      }
    });
  };
}
