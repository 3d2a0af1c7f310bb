// What every plain route handler to an agent checks first (the tRPC and terminal proxies check
// the same): a session, the host the berth_host cookie selects, and for a change a same-origin
// request from a role that may change things — a refusal is audited. Its audit() names the host.
import { userFromRequest } from './session';
import { canMutate, originAllowed } from './auth';
import { agentOrError, type AgentTarget } from './agent';
import { audit, onHost } from './audit';
import type { User } from './db';

export interface AgentRoute {
  user: User;
  agent: AgentTarget;
  /** one audit entry for `object` on this request's host */
  audit(action: string, object: string, detail: unknown, outcome: string): Promise<void>;
}

export const routeError = (status: number, code: string, message: string) => Response.json({ code, message }, { status });

/** The user and host of `req`, or the response to send instead. With `change`, the request must
 * come from this site and from an operator or admin; a viewer's attempt is audited as denied. */
export async function agentRoute(req: Request, change?: { action: string; object?: string }): Promise<AgentRoute | Response> {
  const user = await userFromRequest(req);
  if (!user) return routeError(401, 'unauthenticated', 'not logged in');
  const agent = await agentOrError(req);
  if (agent instanceof Response) return agent;
  const route: AgentRoute = { user, agent, audit: (action, object, detail, outcome) => audit(user, action, onHost(agent, object), detail, outcome) };
  if (change) {
    if (!originAllowed(req.headers.get('origin'), req.headers.get('host'))) return routeError(403, 'permission_denied', 'cross-origin request refused');
    if (!canMutate(user.role)) {
      await route.audit(change.action, change.object ?? '', '', 'denied: read-only role');
      return routeError(403, 'permission_denied', `user ${user.username} has the read-only role ${user.role}`);
    }
  }
  return route;
}
