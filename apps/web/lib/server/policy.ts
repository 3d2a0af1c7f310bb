// What each role may ask of the agent, beyond "viewers cannot mutate": operators cannot run
// containers that reach past Docker's default confinement — privileged, extra capabilities,
// devices, host bind mounts, seccomp/no-new-privileges lifted, the host's namespaces. Admins may.
// Pure: the tRPC proxy calls it with each mutation's procedure and input.
import type { Role } from './db';

const CONTAINER_CREATORS = new Set(['containers.run', 'containers.create']);

/** Why `role` may not open a terminal with this first frame (the exec's parameters), or null. */
export function terminalDenial(role: Role, hello: unknown): string | null {
  if (role === 'admin') return null;
  return (hello as { privileged?: unknown } | null)?.privileged === true ? 'operators cannot exec with --privileged (an admin can)' : null;
}

/** Why `role` may not call `procedure` with `input`, or null when it may. */
export function policyDenial(role: Role, procedure: string, input: unknown): string | null {
  if (role === 'admin') return null;
  if (role === 'viewer') return `the viewer role cannot ${procedure}`;
  if (procedure === 'containers.execDetached' && (input as { spec?: { privileged?: unknown } } | null)?.spec?.privileged === true)
    return 'operators cannot exec with --privileged (an admin can)';
  if (!CONTAINER_CREATORS.has(procedure)) return null;
  const spec = (input ?? {}) as {
    privileged?: unknown;
    capAdd?: unknown;
    devices?: unknown;
    mounts?: { type?: unknown; source?: unknown }[];
    securityOpt?: unknown;
    network?: unknown;
    userns?: unknown;
    sysctls?: unknown;
  };
  if (spec.privileged === true) return 'operators cannot run privileged containers (an admin can)';
  if (Array.isArray(spec.capAdd) && spec.capAdd.length > 0) return 'operators cannot add capabilities (an admin can)';
  if (Array.isArray(spec.devices) && spec.devices.length > 0) return 'operators cannot give containers host devices (an admin can)';
  if (Array.isArray(spec.mounts) && spec.mounts.some((m) => m?.type === 'bind' || (typeof m?.source === 'string' && m.source.startsWith('/'))))
    return 'operators cannot bind-mount host paths (use a volume, or ask an admin)';
  if (Array.isArray(spec.securityOpt) && spec.securityOpt.some((o) => typeof o === 'string' && /^seccomp[=:]unconfined$|^no-new-privileges[=:]false$/.test(o)))
    return 'operators cannot lift seccomp or no-new-privileges (an admin can)';
  if (spec.network === 'host') return "operators cannot use the host's network namespace (an admin can)";
  return null;
}
