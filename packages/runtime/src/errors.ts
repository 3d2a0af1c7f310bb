// One error type for the whole runtime: a code from the fixed set plus a lowercase message
// that names the thing at fault. Edges (agent, CLI) map the code; nobody parses messages.
import type { ErrorCode } from '@berth/shared';

export class BerthError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'BerthError';
  }
}

export const notFound = (m: string) => new BerthError('not_found', m);
export const invalid = (m: string) => new BerthError('invalid_argument', m);
export const conflict = (m: string) => new BerthError('conflict', m);
export const alreadyExists = (m: string) => new BerthError('already_exists', m);
export const precondition = (m: string) => new BerthError('failed_precondition', m);
export const internal = (m: string, cause?: unknown) => new BerthError('internal', m, { cause });

export function isBerthError(e: unknown): e is BerthError {
  return e instanceof BerthError;
}

/** Adds context to an error while keeping its code ("loading image x: digest mismatch ..."). */
export function wrap(e: unknown, context: string): BerthError {
  if (e instanceof BerthError) return new BerthError(e.code, `${context}: ${e.message}`, { cause: e });
  const msg = e instanceof Error ? e.message : String(e);
  return new BerthError('internal', `${context}: ${msg}`, { cause: e });
}
