// tRPC setup for the agent: one context (the backend; authentication happened at the socket),
// and the single place where BerthError codes become tRPC codes.
import { initTRPC, TRPCError } from '@trpc/server';
import type { ErrorCode } from '@berth/shared';
import type { Backend } from '../backend';
import { BerthError } from '@berth/runtime/errors';

export interface AgentContext {
  backend: Backend;
}

const toTrpc: Record<ErrorCode, TRPCError['code']> = {
  not_found: 'NOT_FOUND',
  already_exists: 'CONFLICT',
  invalid_argument: 'BAD_REQUEST',
  failed_precondition: 'PRECONDITION_FAILED',
  conflict: 'CONFLICT',
  unavailable: 'SERVICE_UNAVAILABLE',
  not_implemented: 'NOT_IMPLEMENTED',
  unauthenticated: 'UNAUTHORIZED',
  permission_denied: 'FORBIDDEN',
  internal: 'INTERNAL_SERVER_ERROR',
};

const t = initTRPC.context<AgentContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const berthCode =
      cause instanceof BerthError
        ? cause.code
        : error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR'
          ? 'invalid_argument'
          : error.code === 'NOT_FOUND'
            ? 'not_found'
            : 'internal';
    let message = shape.message;
    // zod input errors: one readable line naming the field instead of a JSON dump
    const issues = (cause as { issues?: { path: PropertyKey[]; message: string }[] } | undefined)?.issues;
    if (Array.isArray(issues) && issues.length > 0) {
      message = issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    }
    return { ...shape, message, data: { ...shape.data, berthCode, stack: undefined } };
  },
});

/** Runs a backend call and turns its BerthError into the matching TRPCError. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof BerthError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: toTrpc[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const procedure = t.procedure.use(mapErrors);
export const createCallerFactory = t.createCallerFactory;
