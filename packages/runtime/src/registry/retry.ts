// Retries for idempotent registry requests: network errors and 429/5xx answers get a few more
// tries with backoff; everything else is the caller's to handle. A cancelled request is never
// retried.

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  signal?: AbortSignal;
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 502 || status === 503 || status === 504;
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 3;
  const base = opts.baseDelayMs ?? 200;
  let last: unknown;
  for (let a = 0; a < attempts; a++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    try {
      return await fn(a);
    } catch (e) {
      last = e;
      if (opts.signal?.aborted || !isTransient(e) || a === attempts - 1) throw e;
      await new Promise((r) => setTimeout(r, base * 2 ** a));
    }
  }
  throw last;
}

/** Transient: a network failure (fetch's TypeError), or an error marked `retryable`. */
export function isTransient(e: unknown): boolean {
  if (e && typeof e === 'object' && (e as { retryable?: boolean }).retryable === true) return true;
  return e instanceof TypeError && /fetch failed|terminated|socket|ECONN/i.test(`${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`);
}
