// Layer streams: sniff the compression (gzip, zstd or plain) from the magic bytes, decompress,
// hash the uncompressed bytes (the diff id) while handing them to the unpacker, and check the
// result against the config's diff_ids. The unpacker may stop reading at the tar end marker; the
// hash still covers every byte, so trailing padding cannot hide content.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Duplex, PassThrough, Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { BerthError, invalid, wrap } from '../errors';

export type UnpackFn = (targetDir: string, input: NodeJS.ReadableStream) => Promise<{ files: number; bytes: number }>;

export type Compression = 'gzip' | 'zstd' | 'none';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Reads at least `n` bytes (or all, when shorter) and returns them with a stream of everything. */
export async function sniff(input: NodeJS.ReadableStream, n = 512): Promise<{ head: Buffer; stream: Readable }> {
  const it = (input as Readable)[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const parts: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    parts.push(b);
    len += b.length;
  }
  const head = Buffer.concat(parts);
  const stream = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      }
    })(),
    { objectMode: false },
  );
  return { head, stream };
}

function zstdDecompressor(): Duplex {
  const z = zlib as unknown as { createZstdDecompress?: () => Transform };
  if (typeof z.createZstdDecompress === 'function') return z.createZstdDecompress();
  // Node < 22.15 has no zstd: Debian's zstd binary does it, fed through a pipe.
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString();
  });
  child.on('error', (e) => duplex.destroy(e));
  child.on('close', (code) => {
    if (code !== 0) duplex.destroy(new Error(`zstd exited with ${code}: ${stderr.trim()}`));
  });
  return duplex;
}

export function decompressor(c: Compression): Duplex | null {
  if (c === 'gzip') return zlib.createGunzip();
  if (c === 'zstd') return zstdDecompressor();
  return null;
}

/** True when `block` (512 bytes) is a valid tar header or an all-zero end block. */
export function looksLikeTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  let zero = true;
  for (let i = 0; i < 512; i++) {
    if (block[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return true;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const stored = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

export interface LayerDigest {
  diffId: string;
  uncompressedSize: number;
  compression: Compression;
}

/**
 * Decompresses `input`, hashes it, and (when `unpack` is given) feeds it to the unpacker at
 * the same time. Fails with invalid_argument when the data is not a (compressed) tar or its
 * diff id differs from `expectedDiffId`. `label` names the layer in errors.
 */
export async function processLayer(
  input: NodeJS.ReadableStream,
  label: string,
  expectedDiffId: string | null,
  unpack?: { fn: UnpackFn; dir: string },
): Promise<LayerDigest> {
  const { head, stream } = await sniff(input, 8);
  const compression = detectCompression(head);
  const dec = decompressor(compression);
  const hash = createHash('sha256');
  let total = 0;
  let first = Buffer.alloc(0);
  let checked = false;

  const out = unpack ? new PassThrough({ highWaterMark: 1 << 20 }) : null;
  let consumerDone = false;
  let consumerFailed = false;
  let waiter: (() => void) | null = null;
  const wake = () => {
    const w = waiter;
    waiter = null;
    w?.();
  };
  let unpackP: Promise<unknown> = Promise.resolve();
  if (unpack && out) {
    out.on('drain', wake);
    out.on('close', wake);
    out.on('error', () => {}); // the reason reaches us through pump or unpack
    unpackP = Promise.resolve()
      .then(() => unpack.fn(unpack.dir, out))
      .then(
        () => {
          consumerDone = true;
          wake();
        },
        (e) => {
          consumerDone = true;
          consumerFailed = true;
          wake();
          throw e;
        },
      );
  }

  const sink = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      hash.update(chunk);
      total += chunk.length;
      if (!checked) {
        first = Buffer.concat([first, chunk]);
        if (first.length >= 512) {
          if (!looksLikeTarHeader(first.subarray(0, 512))) throw invalid(`${label} is not a tar archive`);
          checked = true;
          first = Buffer.alloc(0);
        }
      }
      if (consumerFailed) throw new Error('unpacking stopped');
      if (out && !consumerDone && !out.destroyed) {
        if (!out.write(chunk)) await new Promise<void>((r) => (waiter = r));
      }
    }
    if (!checked && total > 0) throw invalid(`${label} is not a tar archive`);
    if (out && !consumerDone && !out.destroyed) out.end();
  };

  const pumpP = (dec ? pipeline(stream, dec, sink) : pipeline(stream, sink)).catch((e) => {
    out?.destroy(e instanceof Error ? e : new Error(String(e)));
    throw e;
  });
  const [pump, unpacked] = await Promise.allSettled([pumpP, unpackP]);
  if (unpacked.status === 'rejected') {
    const reason = unpacked.reason;
    // A broken input makes the unpacker fail too; report the input's problem, it is the cause.
    if (pump.status === 'rejected' && !(pump.reason instanceof Error && pump.reason.message === 'unpacking stopped')) {
      throw layerError(pump.reason, label);
    }
    throw wrap(reason, `unpacking ${label}`);
  }
  if (pump.status === 'rejected') throw layerError(pump.reason, label);
  const diffId = `sha256:${hash.digest('hex')}`;
  if (expectedDiffId && diffId !== expectedDiffId) {
    throw invalid(`${label} diff id mismatch: expected ${expectedDiffId}, got ${diffId}`);
  }
  return { diffId, uncompressedSize: total, compression };
}

function layerError(e: unknown, label: string): BerthError {
  if (e instanceof BerthError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new BerthError('invalid_argument', `${label} is corrupt: ${msg}`, { cause: e });
}
