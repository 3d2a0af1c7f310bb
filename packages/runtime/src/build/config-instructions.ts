// The Dockerfile instructions that only change the image config (ENV, WORKDIR, USER, CMD,
// ENTRYPOINT, LABEL, EXPOSE, VOLUME, STOPSIGNAL, SHELL, MAINTAINER, HEALTHCHECK, ONBUILD): shared by
// `berth build` and `berth commit --change`.
import path from 'node:path';
import { parseDurationMs } from '@berth/shared';
import { invalid } from '../errors';
import { parseKeyValues, splitWords, type Instruction } from './parse-dockerfile';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** The instructions `commit --change` accepts, as Docker's does. */
export const COMMIT_CHANGE_INSTRUCTIONS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

export interface ConfigTarget {
  config: Record<string, unknown>;
  author?: string;
}

/**
 * Applies one config-only instruction to `raw` (its `config` is changed in place); `sub`
 * substitutes build variables and ENV values land in `vars`. Returns false for any other instruction.
 */
export function applyConfigInstruction(raw: ConfigTarget, ins: Instruction, sub: (s: string) => string = (s) => s, vars: Map<string, string> = new Map()): boolean {
  const c = raw.config;
  switch (ins.cmd) {
    case 'ENV': {
      const list = (Array.isArray(c.Env) ? (c.Env as string[]) : []).slice();
      for (const [k, v] of parseKeyValues(ins.args, 'ENV')) {
        const val = sub(v);
        vars.set(k, val);
        const i = list.findIndex((e) => e.startsWith(`${k}=`));
        if (i >= 0) list[i] = `${k}=${val}`;
        else list.push(`${k}=${val}`);
      }
      c.Env = list;
      break;
    }
    case 'WORKDIR': {
      const w = sub(ins.args.trim());
      c.WorkingDir = path.posix.normalize(w.startsWith('/') ? w : path.posix.join(typeof c.WorkingDir === 'string' && c.WorkingDir ? c.WorkingDir : '/', w));
      break;
    }
    case 'USER':
      c.User = sub(ins.args.trim());
      break;
    case 'CMD':
    case 'ENTRYPOINT': {
      const shell = Array.isArray(c.Shell) ? (c.Shell as string[]) : DEFAULT_SHELL;
      const v = ins.json ?? (ins.args.trim() === '' ? [] : [...shell, ins.args]);
      if (ins.cmd === 'CMD') c.Cmd = v;
      else {
        c.Entrypoint = v;
        delete c.Cmd; // Docker resets an inherited Cmd when the Entrypoint changes
      }
      break;
    }
    case 'LABEL': {
      const labels = { ...((c.Labels as Record<string, string> | undefined) ?? {}) };
      for (const [k, v] of parseKeyValues(ins.args, 'LABEL')) labels[sub(k)] = sub(v);
      c.Labels = labels;
      break;
    }
    case 'EXPOSE': {
      const ports = { ...((c.ExposedPorts as Record<string, object> | undefined) ?? {}) };
      for (const p of splitWords(sub(ins.args))) {
        if (!/^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalid(`invalid port ${p}`);
        ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      c.ExposedPorts = ports;
      break;
    }
    case 'VOLUME': {
      const vols = { ...((c.Volumes as Record<string, object> | undefined) ?? {}) };
      for (const v of ins.json ?? splitWords(ins.args)) vols[sub(v)] = {};
      c.Volumes = vols;
      break;
    }
    case 'STOPSIGNAL':
      c.StopSignal = sub(ins.args.trim());
      break;
    case 'SHELL':
      if (!ins.json || ins.json.length === 0) throw invalid('SHELL requires the arguments to be a JSON array');
      c.Shell = ins.json;
      break;
    case 'MAINTAINER':
      raw.author = ins.args;
      break;
    case 'HEALTHCHECK': {
      // HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D] [--retries=N] CMD ... | NONE
      let rest = ins.args.trim();
      const opts: Record<string, number> = {};
      for (let o: RegExpExecArray | null; (o = /^--([a-z-]+)=(\S+)\s+/i.exec(rest)); rest = rest.slice(o[0].length)) {
        const key = o[1]!.toLowerCase();
        const val = sub(o[2]!);
        if (key === 'retries') {
          if (!/^\d+$/.test(val)) throw invalid(`HEALTHCHECK --retries: "${val}" is not a number`);
          opts.Retries = Number(val);
          continue;
        }
        const field = { interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod', 'start-interval': 'StartInterval' }[key];
        if (!field) throw invalid(`HEALTHCHECK: unknown flag --${key}`);
        try {
          opts[field] = parseDurationMs(val) * 1e6; // image configs keep nanoseconds
        } catch (e) {
          throw invalid(`HEALTHCHECK --${key}: ${(e as Error).message}`);
        }
      }
      const m = /^(NONE|CMD)\b\s*([\s\S]*)$/i.exec(rest);
      if (!m) throw invalid('HEALTHCHECK expects NONE or CMD ...');
      if (m[1]!.toUpperCase() === 'NONE') c.Healthcheck = { Test: ['NONE'] };
      else {
        let v: unknown = null;
        try {
          v = JSON.parse(m[2]!);
        } catch {
          v = null;
        }
        if (!m[2]!.trim()) throw invalid('HEALTHCHECK CMD needs a command');
        c.Healthcheck = { Test: Array.isArray(v) ? ['CMD', ...(v as string[])] : ['CMD-SHELL', m[2]!], ...opts };
      }
      break;
    }
    case 'ONBUILD':
      c.OnBuild = [...((c.OnBuild as string[] | undefined) ?? []), ins.args];
      break;
    default:
      return false;
  }
  return true;
}
