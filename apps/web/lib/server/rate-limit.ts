// Login rate limiting: failed attempts are counted per client address and per username within a
// window; past the limit, logins from that address (or for that name) wait until the oldest
// failure leaves the window. A success clears the username's count. In memory, per process.

export interface RateLimitOptions {
  max: number;
  windowMs: number;
  now?: () => number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly opts: RateLimitOptions = { max: 5, windowMs: 15 * 60_000 }) {
    this.now = opts.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.opts.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds to wait before another try, or 0 when one is allowed. */
  retryAfter(ip: string, username: string): number {
    let wait = 0;
    for (const key of [`ip:${ip}`, `user:${username.toLowerCase()}`]) {
      const list = this.recent(key);
      if (list.length >= this.opts.max) wait = Math.max(wait, Math.ceil((list[0]! + this.opts.windowMs - this.now()) / 1000));
    }
    return wait;
  }

  failed(ip: string, username: string): void {
    for (const key of [`ip:${ip}`, `user:${username.toLowerCase()}`]) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  succeeded(username: string): void {
    this.failures.delete(`user:${username.toLowerCase()}`);
  }
}

const g = globalThis as typeof globalThis & { __berthLoginLimiter?: LoginLimiter };
/** The process-wide limiter (route handlers may load this module more than once). */
export function loginLimiter(): LoginLimiter {
  return (g.__berthLoginLimiter ??= new LoginLimiter());
}
