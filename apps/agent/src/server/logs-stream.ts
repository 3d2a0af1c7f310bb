// GET /v1/containers/:id/logs — a container's log as one HTTP stream in Docker's multiplexed
// format (8-byte header: stream, 0, 0, 0, length u32 BE; then the bytes), batched and with
// backpressure, so reading back a large log runs at disk speed instead of one message per line.
import type http from 'node:http';
import type { Backend } from '../backend';

const BATCH = 256 * 1024;

export async function streamLogs(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend, id: string, q: URLSearchParams) {
  const follow = q.get('follow') === '1' || q.get('follow') === 'true';
  const timestamps = q.get('timestamps') === '1' || q.get('timestamps') === 'true';
  const tailRaw = q.get('tail');
  let tail: number | undefined;
  if (tailRaw !== null && tailRaw !== 'all') {
    if (!/^\d+$/.test(tailRaw)) throw Object.assign(new Error(`invalid tail value: ${tailRaw}`), { code: 'invalid_argument' });
    tail = Number(tailRaw);
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  // fails here (before any byte) for an unknown container, so the caller gets a JSON error
  const lines = backend.logs(id, { follow, tail }, abort.signal)[Symbol.asyncIterator]();
  let first = await lines.next();
  res.writeHead(200, { 'content-type': 'application/vnd.berth.multiplexed-stream' });
  res.flushHeaders();
  let parts: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (size === 0) return;
    const ok = res.write(Buffer.concat(parts, size));
    parts = [];
    size = 0;
    if (!ok && !abort.signal.aborted) await new Promise((r) => res.once('drain', r).once('close', r));
  };
  try {
    while (!first.done && !abort.signal.aborted) {
      const line = first.value;
      const body = Buffer.from(timestamps ? `${line.time} ${line.text}` : line.text);
      const head = Buffer.alloc(8);
      head[0] = line.stream === 'stderr' ? 2 : 1;
      head.writeUInt32BE(body.length, 4);
      parts.push(head, body);
      size += 8 + body.length;
      if (size >= BATCH) await flush();
      // while following, a quiet log still reaches the reader within 50 ms
      else timer ??= setTimeout(() => void flush(), 50);
      first = await lines.next();
    }
    await flush();
  } finally {
    if (timer) clearTimeout(timer);
  }
  res.end();
  void req;
}
