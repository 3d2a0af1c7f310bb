// The fixed set of error codes every layer speaks. Each edge (tRPC, HTTP, CLI) maps them once.
import { z } from 'zod';

export const errorCodes = [
  'not_found',
  'already_exists',
  'invalid_argument',
  'failed_precondition',
  'conflict',
  'unavailable',
  'not_implemented',
  'unauthenticated',
  'permission_denied',
  'internal',
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** CLI exit statuses, chosen like Docker's: 125 for engine errors, 1 for plain failures. */
export const cliExitCode: Record<ErrorCode, number> = {
  not_found: 125,
  already_exists: 125,
  invalid_argument: 125,
  failed_precondition: 125,
  conflict: 125,
  unavailable: 125,
  not_implemented: 125,
  unauthenticated: 125,
  permission_denied: 125,
  internal: 125,
};
