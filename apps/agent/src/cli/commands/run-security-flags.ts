// run/create flags for confinement: --privileged, --cap-add, --cap-drop, --security-opt,
// --read-only. Like Docker's CLI, `--security-opt seccomp=PATH` reads the profile here and sends
// its content, so the agent never opens a path the caller named.
import fs from 'node:fs';
import type { RunSpec } from '@berth/shared';
import { UsageError, type FlagDef } from '../args';

export const securityFlags: FlagDef[] = [
  { long: 'privileged', type: 'bool' },
  { long: 'cap-add', type: 'list' },
  { long: 'cap-drop', type: 'list' },
  { long: 'security-opt', type: 'list' },
  { long: 'read-only', type: 'bool' },
];

export function securitySpecFromFlags(flags: Record<string, unknown>): Partial<RunSpec> {
  const securityOpt = ((flags['security-opt'] as string[] | undefined) ?? []).map((opt) => {
    const m = /^seccomp[=:](.*)$/s.exec(opt);
    if (!m || m[1] === 'unconfined' || m[1] === 'builtin' || m[1].trimStart().startsWith('{')) return opt;
    try {
      return `seccomp=${fs.readFileSync(m[1], 'utf8')}`;
    } catch (e) {
      throw new UsageError(`opening seccomp profile (${m[1]}) failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  });
  return {
    privileged: flags.privileged === true,
    capAdd: (flags['cap-add'] as string[] | undefined) ?? [],
    capDrop: (flags['cap-drop'] as string[] | undefined) ?? [],
    securityOpt,
    readOnly: flags['read-only'] === true,
  };
}
