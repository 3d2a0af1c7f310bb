// GET /v1/containers/:id/logs?follow=&tail=&timestamps=&since=&until= — a container's log as one
// HTTP stream in Docker's multiplexed format (8-byte header: stream, 0, 0, 0, length u32 BE; then
// the bytes), one write per read batch and with backpressure, so reading back a large log runs
// at disk speed instead of one message per line.
import type http from 'node:http';
import type { Backend } from '../backend';
import { frameRecords } from './log-frames';
import { logQueryFromParams } from './log-query';

export async function streamLogs(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend, id: string, q: URLSearchParams) {
  const timestamps = q.get('timestamps') === '1' || q.get('timestamps') === 'true';
  const query = logQueryFromParams(q, (m) => Object.assign(new Error(m), { code: 'invalid_argument' }));
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  // fails here (before any byte) for an unknown container, so the caller gets a JSON error
  const batches = backend.logBatches(id, query, abort.signal)[Symbol.asyncIterator]();
  let next = await batches.next();
  res.writeHead(200, { 'content-type': 'application/vnd.berth.multiplexed-stream' });
  res.flushHeaders();
  while (!next.done && !abort.signal.aborted) {
    const ok = res.write(frameRecords(next.value, { timestamps, merge: true }));
    if (!ok && !abort.signal.aborted) await new Promise((r) => res.once('drain', r).once('close', r));
    next = await batches.next();
  }
  res.end();
  void req;
}
