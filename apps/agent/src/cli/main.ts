// The `berth` command line: Docker's everyday commands, each a thin call to the local agent.
// Errors print one line naming the problem; exit codes follow Docker (125 for engine errors
// before a container ran, the container's own code otherwise).
import { TRPCClientError } from '@trpc/client';
import { HelpRequest, UsageError } from './args';
import type { CliContext } from './context';
import { AgentError } from '../client';
import * as C from './commands/containers';
import * as I from './commands/images';
import * as R from './commands/run';
import * as G from './commands/registry';
import * as A from './commands/image-archive';
import * as B from './commands/build';
import { networkCommands } from './commands/network';
import { volumeCommands } from './commands/volume';
import { cp } from './commands/cp';
import * as L from './commands/lifecycle';
import { events } from './commands/events';
import { diff, exportCmd } from './commands/container-fs';
import { systemCommands } from './commands/system';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  images: I.images,
  load: I.load,
  import: I.importCmd,
  rmi: I.rmi,
  pull: G.pull,
  push: G.push,
  login: G.login,
  logout: G.logout,
  search: G.search,
  tag: A.tag,
  history: A.history,
  save: A.save,
  ps: C.ps,
  start: C.start,
  stop: C.stop,
  restart: C.restart,
  kill: C.kill,
  rm: C.rm,
  wait: C.wait,
  inspect: C.inspect,
  logs: C.logs,
  run: R.run,
  build: B.build,
  commit: B.commit,
  create: R.create,
  exec: R.exec,
  cp,
  pause: L.pause,
  unpause: L.unpause,
  rename: L.rename,
  top: L.top,
  stats: L.stats,
  attach: L.attach,
  update: L.update,
  diff,
  export: exportCmd,
  events,
  info: async (ctx) => {
    ctx.out(JSON.stringify(await ctx.client().trpc.system.info.query(), null, 2) + '\n');
    return 0;
  },
};
// `berth image ls`, `berth container ls` and friends
const groups: Record<string, Record<string, Command>> = {
  image: { ls: I.images, list: I.images, rm: I.rmi, load: I.load, import: I.importCmd, inspect: (c, a) => C.inspect(c, ['--type', 'image', ...a]), pull: G.pull, push: G.push, tag: A.tag, history: A.history, save: A.save, prune: A.prune, build: B.build },
  network: networkCommands,
  system: systemCommands,
  volume: volumeCommands,
  container: { ls: C.ps, list: C.ps, rm: C.rm, start: C.start, stop: C.stop, restart: C.restart, kill: C.kill, inspect: (c, a) => C.inspect(c, ['--type', 'container', ...a]), logs: C.logs, run: R.run, create: R.create, exec: R.exec, prune: L.containerPrune, cp, pause: L.pause, unpause: L.unpause, rename: L.rename, top: L.top, stats: L.stats, attach: L.attach, update: L.update, diff, export: exportCmd },
};

const usage = `usage: berth COMMAND [OPTIONS]

Containers:  run, create, start, stop, restart, kill, rm, ps, logs, exec, inspect, wait, cp,
             pause, unpause, rename, top, stats, attach, update, diff, export, container prune
Images:      images, build, commit, load, import, rmi, inspect, pull, push, tag, history, save, search, image prune
Registries:  login, logout
Networks:    network create|ls|inspect|rm|prune|connect|disconnect
Volumes:     volume create|ls|inspect|rm|prune
Other:       info, events, system df

Run 'berth COMMAND --help' for a command's flags (they follow Docker's).
`;

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(usage);
    return name ? 0 : 1;
  }
  let cmd = commands[name];
  let args = rest;
  if (!cmd && groups[name]) {
    cmd = groups[name][rest[0] ?? ''];
    args = rest.slice(1);
    if (!cmd) {
      ctx.err(`berth: unknown ${name} command: ${JSON.stringify(rest[0] ?? '')}\n`);
      return 1;
    }
  }
  if (!cmd) {
    ctx.err(`berth: unknown command: ${JSON.stringify(name)}\nSee 'berth --help'.\n`);
    return 1;
  }
  try {
    return await cmd(ctx, args);
  } catch (e) {
    if (e instanceof HelpRequest) {
      ctx.out(`berth ${name}${cmd === commands[name] ? '' : ' ' + rest[0]}: ${e.message}\n`);
      return 0;
    }
    ctx.err(`berth ${name}: ${describe(e)}\n`);
    if (name !== 'run' && name !== 'create' && name !== 'exec') return 1;
    // Docker's codes: 127 when the command is not there, 126 when it cannot be run, 125 otherwise
    const msg = describe(e);
    if (/executable file not found|no such file or directory/.test(msg)) return 127;
    if (/exec: .*permission denied/.test(msg)) return 126;
    return 125;
  }
}

function describe(e: unknown): string {
  if (e instanceof UsageError) return e.message;
  if (e instanceof AgentError) return e.message;
  if (e instanceof TRPCClientError) {
    const cause = (e as TRPCClientError<never>).cause as { code?: string } | undefined;
    // https to an agent whose certificate no CA vouches for (the self-signed one): say how to pin it
    const tlsCode = ((cause as { cause?: { code?: string } } | undefined)?.cause?.code ?? cause?.code) || '';
    if (/SELF_SIGNED|UNABLE_TO_VERIFY|CERT_/.test(tlsCode))
      return `the agent's TLS certificate is not trusted (${tlsCode}): pin it with BERTH_AGENT_FINGERPRINT=<the sha256 fingerprint the agent logs at start>`;
    if (['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(cause?.code ?? ''))
      return `cannot reach the berth agent (${cause!.code}): is it running? (scripts/up.sh starts it)`;
    // the agent answers 401 before tRPC sees the request, so the body is not tRPC's
    const status = ((e as TRPCClientError<never>).meta as { response?: { status?: number } } | undefined)?.response?.status;
    // (a procedure's own UNAUTHORIZED, e.g. a registry refusing a login, is tRPC-shaped and has data)
    if (status === 401 && !(e as TRPCClientError<never>).data) return 'the agent refused the request: missing or wrong agent token (set BERTH_TOKEN, or read it from the agent\'s agent.token)';
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
