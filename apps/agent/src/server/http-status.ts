// BerthError codes as HTTP statuses, for the agent's plain HTTP endpoints (image load/import).
import type { ErrorCode } from '@berth/shared';

export const httpStatus: Record<ErrorCode, number> = {
  not_found: 404,
  already_exists: 409,
  invalid_argument: 400,
  failed_precondition: 412,
  conflict: 409,
  unavailable: 503,
  not_implemented: 501,
  unauthenticated: 401,
  permission_denied: 403,
  internal: 500,
};
