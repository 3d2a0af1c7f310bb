// Registry answers as BerthErrors: the distribution API's `{"errors":[{code,message}]}` body and
// the HTTP status become one of our codes with a message naming the registry and the thing asked.
import type { ErrorCode } from '@berth/shared';
import { BerthError } from '../errors';

export async function registryError(res: Response, what: string, domain: string): Promise<BerthError> {
  let detail = '';
  try {
    const text = (await res.text()).slice(0, 4000);
    try {
      const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      if (Array.isArray(j.errors) && j.errors.length) {
        detail = j.errors.map((e) => [e.code?.toLowerCase().replace(/_/g, ' '), e.message].filter(Boolean).join(': ')).join('; ');
      }
    } catch {
      detail = text.trim().split('\n')[0]!.slice(0, 200);
    }
  } catch {
    /* body unreadable: the status says enough */
  }
  const code: ErrorCode =
    res.status === 401
      ? 'unauthenticated'
      : res.status === 403
        ? 'permission_denied'
        : res.status === 404
          ? 'not_found'
          : res.status === 400 || res.status === 405 || res.status === 413 || res.status === 416
            ? 'invalid_argument'
            : 'unavailable';
  const err = new BerthError(code, `${what}: registry ${domain} answered ${res.status}${detail ? ` (${detail})` : ''}`);
  if (res.status === 429 || res.status >= 500) (err as BerthError & { retryable?: boolean }).retryable = true;
  return err;
}

export function networkError(e: unknown, domain: string, what: string): BerthError {
  if (e instanceof BerthError) return e;
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
  const err = new BerthError('unavailable', `${what}: cannot reach registry ${domain}: ${why}`, { cause: e });
  (err as BerthError & { retryable?: boolean }).retryable = true;
  return err;
}
