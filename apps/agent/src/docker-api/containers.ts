// /containers/* and /exec/*: the container lifecycle, logs, wait, attach and exec over the Backend.
import crypto from 'node:crypto';
import os from 'node:os';
import type http from 'node:http';
import type net from 'node:net';
import type { Ctx, ExecInstance, Handler, PendingAttach } from './context';
import { DockerApiError, errorStatus, filters, flag, noContent, parseJson, readJson, sendJson } from './http-util';
import { frameRecords } from '../server/log-frames';
import { logQueryFromParams } from '../server/log-query';
import { bridgeStdio, hijackedConn, responseConn, type StdioConn } from './stdio';
import { containerInspect, containerSummary, createBodyToRunSpec, updateBodyToSpec } from './translate';

export function resOf(ctx: Ctx): http.ServerResponse {
  if (!ctx.res) throw new DockerApiError(400, 'this endpoint cannot be used with Upgrade: tcp');
  return ctx.res;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const listContainers: Handler = async (ctx) => {
  const f = filters(ctx.q);
  let list = await ctx.backend.listContainers(flag(ctx.q, 'all'));
  const any = (vals: string[] | undefined, ok: (v: string) => boolean) => !vals || vals.some(ok);
  list = list.filter(
    (c) =>
      any(f.name, (v) => c.name.includes(v.replace(/^\//, ''))) &&
      any(f.id, (v) => c.id.startsWith(v)) &&
      any(f.status, (v) => v === c.state) &&
      any(f.ancestor, (v) => v === c.image || v === c.imageId) &&
      any(f.health, (v) => v === (c.healthStatus ?? 'none')),
  );
  // labels are in inspect only; compose and friends select their containers by label
  const withLabels = [];
  for (const c of list) {
    let labels: Record<string, string> = {};
    let networkMode = 'bridge';
    try {
      const full = await ctx.backend.inspectContainer(c.id);
      labels = full.config.labels;
      networkMode = full.hostConfig.networkMode;
    } catch {
      continue; // removed meanwhile
    }
    const labelOk = (f.label ?? []).every((want) => {
      const i = want.indexOf('=');
      return i < 0 ? want in labels : labels[want.slice(0, i)] === want.slice(i + 1);
    });
    if (labelOk) withLabels.push({ ...containerSummary(c, networkMode), Labels: labels });
  }
  const limit = Number(ctx.q.get('limit') ?? -1);
  sendJson(resOf(ctx), 200, limit > 0 ? withLabels.slice(0, limit) : withLabels);
};

export const createContainer: Handler = async (ctx) => {
  const body = await readJson(ctx.req);
  const spec = createBodyToRunSpec(body, ctx.q.get('name') || undefined);
  const r = await ctx.backend.createContainer(spec);
  sendJson(resOf(ctx), 201, { Id: r.id, Warnings: r.warnings });
};

export const inspectContainer: Handler = async (ctx) => {
  sendJson(resOf(ctx), 200, containerInspect(await ctx.backend.inspectContainer(ctx.params[0])));
};

export const startContainer: Handler = async (ctx) => {
  const c = await ctx.backend.inspectContainer(ctx.params[0]);
  if (c.state === 'running') return noContent(resOf(ctx), 304);
  const pending = ctx.state.pendingAttach.get(c.id)?.filter((p) => !p.conn.closed) ?? [];
  ctx.state.pendingAttach.delete(c.id);
  if (pending.length === 0) {
    await ctx.backend.startContainer(c.id);
    return noContent(resOf(ctx));
  }
  // the first waiting attach starts it attached; more attaches join once it runs
  const [first, ...more] = pending;
  const proc = await ctx.backend.attach(c.id, { start: true, rows: first.rows, cols: first.cols });
  runAttach(ctx, c.id, first, proc);
  for (const p of more) {
    ctx.backend.attach(c.id, {}).then(
      (pr) => runAttach(ctx, c.id, p, pr),
      (e) => p.conn.fail(e),
    );
  }
  noContent(resOf(ctx));
};

function runAttach(ctx: Ctx, id: string, p: PendingAttach, proc: import('../backend').TerminalProcess) {
  ctx.state.attached.set(id, proc);
  p.conn.begin(p.tty);
  bridgeStdio(p.conn, proc, {
    tty: p.tty,
    stdin: p.stdin,
    stdout: p.stdout,
    stderr: p.stderr,
    onExit: (code) => {
      ctx.state.lastExit.set(id, code);
      if (ctx.state.attached.get(id) === proc) ctx.state.attached.delete(id);
    },
    onClientClose: () => {
      if (ctx.state.attached.get(id) === proc) ctx.state.attached.delete(id);
      proc.close();
    },
  });
}

export const stopContainer: Handler = async (ctx) => {
  const c = await ctx.backend.inspectContainer(ctx.params[0]);
  if (c.state !== 'running') return noContent(resOf(ctx), 304);
  const t = ctx.q.get('t');
  await ctx.backend.stopContainer(c.id, t !== null && t !== '' ? Number(t) : undefined);
  noContent(resOf(ctx));
};

export const restartContainer: Handler = async (ctx) => {
  const t = ctx.q.get('t');
  await ctx.backend.restartContainer(ctx.params[0], t !== null && t !== '' ? Number(t) : undefined);
  noContent(resOf(ctx));
};

export const killContainer: Handler = async (ctx) => {
  const c = await ctx.backend.inspectContainer(ctx.params[0]);
  if (c.state !== 'running') throw new DockerApiError(409, `container ${c.id} is not running`);
  await ctx.backend.killContainer(c.id, ctx.q.get('signal') || undefined);
  noContent(resOf(ctx));
};

export const removeContainer: Handler = async (ctx) => {
  await ctx.backend.removeContainer(ctx.params[0], flag(ctx.q, 'force'), { volumes: flag(ctx.q, 'v') });
  noContent(resOf(ctx));
};

/** Docker's wait: headers at once, then the body when the condition holds. */
export const waitContainer: Handler = async (ctx) => {
  const res = resOf(ctx);
  const condition = ctx.q.get('condition') || 'not-running';
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new DockerApiError(400, `invalid condition: ${condition}`);
  const first = await ctx.backend.inspectContainer(ctx.params[0]);
  const id = first.id;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
  let exitCode = first.exitCode ?? 0;
  let gone = false;
  try {
    if (condition === 'not-running' && first.state !== 'running') {
      // already not running
    } else {
      // next-exit / removed on a stopped container: wait for it to start (or to have run) first
      for (;;) {
        if (abort.signal.aborted) return;
        let cur;
        try {
          cur = await ctx.backend.inspectContainer(id);
        } catch (e) {
          if (errorStatus(e) !== 404) throw e;
          gone = true;
          exitCode = ctx.state.lastExit.get(id) ?? exitCode;
          break;
        }
        if (cur.state === 'running') {
          try {
            exitCode = (await ctx.backend.waitContainer(id, abort.signal)).exitCode;
          } catch (e) {
            if (errorStatus(e) !== 404) throw e;
            gone = true;
            exitCode = ctx.state.lastExit.get(id) ?? exitCode;
          }
          break;
        }
        if (cur.finishedAt && cur.finishedAt !== first.finishedAt) {
          exitCode = cur.exitCode ?? 0;
          break;
        }
        await sleep(100);
      }
    }
    if (condition === 'removed' && !gone) {
      for (;;) {
        if (abort.signal.aborted) return;
        try {
          await ctx.backend.inspectContainer(id);
        } catch (e) {
          if (errorStatus(e) === 404) break;
          throw e;
        }
        await sleep(100);
      }
    }
    res.end(JSON.stringify({ StatusCode: exitCode, Error: null }));
  } catch (e) {
    if (abort.signal.aborted) return;
    res.end(JSON.stringify({ StatusCode: -1, Error: { Message: e instanceof Error ? e.message : String(e) } }));
  }
};

export const containerLogs: Handler = async (ctx) => {
  const res = resOf(ctx);
  const c = await ctx.backend.inspectContainer(ctx.params[0]);
  const timestamps = flag(ctx.q, 'timestamps');
  const query = logQueryFromParams(ctx.q, (m) => new DockerApiError(400, m));
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const it = ctx.backend.logBatches(c.id, query, abort.signal)[Symbol.asyncIterator]();
  let next = await it.next();
  res.writeHead(200, { 'content-type': c.config.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
  res.flushHeaders();
  const frame = { timestamps, raw: c.config.tty, stdout: flag(ctx.q, 'stdout'), stderr: flag(ctx.q, 'stderr') };
  while (!next.done && !abort.signal.aborted) {
    const bytes = frameRecords(next.value, frame);
    if (bytes.length && !res.write(bytes)) await new Promise((r) => res.once('drain', r).once('close', r));
    next = await it.next();
  }
  res.end();
};

export const resizeContainer: Handler = async (ctx) => {
  const c = await ctx.backend.inspectContainer(ctx.params[0]);
  const rows = Number(ctx.q.get('h'));
  const cols = Number(ctx.q.get('w'));
  if (rows > 0 && cols > 0) {
    ctx.state.attached.get(c.id)?.resize(rows, cols);
    for (const p of ctx.state.pendingAttach.get(c.id) ?? []) Object.assign(p, { rows, cols });
  }
  noContent(resOf(ctx), 200);
};

/** Reads a hijacked request's body (Content-Length bytes) off the socket; the rest is stdin. */
async function hijackBody(req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<{ body: Buffer; rest: Buffer }> {
  const len = Number(req.headers['content-length'] ?? 0);
  let buf = head;
  if (buf.length < len) {
    buf = await new Promise<Buffer>((resolve, reject) => {
      let acc = buf;
      const onData = (d: Buffer) => {
        acc = Buffer.concat([acc, d]);
        if (acc.length >= len) {
          socket.off('data', onData);
          socket.pause();
          resolve(acc);
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  }
  return { body: buf.subarray(0, len), rest: buf.subarray(len) };
}

async function connOf(ctx: Ctx): Promise<{ conn: StdioConn; body: Buffer }> {
  if (ctx.hijack) {
    const { body, rest } = await hijackBody(ctx.req, ctx.hijack.socket, ctx.hijack.head);
    return { conn: hijackedConn(ctx.hijack.socket, rest), body };
  }
  const res = resOf(ctx);
  return { conn: responseConn(ctx.req, res), body: Buffer.alloc(0) };
}

export const attachContainer: Handler = async (ctx) => {
  const { conn } = await connOf(ctx);
  try {
    const c = await ctx.backend.inspectContainer(ctx.params[0]);
    const p: PendingAttach = {
      conn,
      tty: c.config.tty,
      stdin: flag(ctx.q, 'stdin'),
      stdout: flag(ctx.q, 'stdout'),
      stderr: flag(ctx.q, 'stderr'),
    };
    if (!flag(ctx.q, 'stream') && !flag(ctx.q, 'logs')) throw new DockerApiError(400, 'attach needs stream=1 (or logs=1)');
    if (c.state === 'running') {
      runAttach(ctx, c.id, p, await ctx.backend.attach(c.id, {}));
      return;
    }
    // dockerd answers now and streams once the container starts
    conn.begin(p.tty);
    const list = ctx.state.pendingAttach.get(c.id) ?? [];
    list.push(p);
    ctx.state.pendingAttach.set(c.id, list);
    p.conn = { ...conn, begin: () => {} , get closed() { return conn.closed; } };
  } catch (e) {
    conn.fail(e);
  }
};

// ---- exec ---------------------------------------------------------------------------------

export const createExec: Handler = async (ctx) => {
  const c = await ctx.backend.inspectContainer(ctx.params[0]);
  if (c.state !== 'running') throw new DockerApiError(409, `container ${c.id} is not running`);
  const b = await readJson<{ Cmd?: string[]; Tty?: boolean; AttachStdin?: boolean; AttachStdout?: boolean; AttachStderr?: boolean; Env?: string[]; WorkingDir?: string; User?: string; ConsoleSize?: [number, number]; Privileged?: boolean }>(ctx.req);
  if (!Array.isArray(b.Cmd) || b.Cmd.length === 0) throw new DockerApiError(400, 'no exec command specified');
  const ex: ExecInstance = {
    id: crypto.randomBytes(32).toString('hex'),
    containerId: c.id,
    cmd: b.Cmd,
    tty: b.Tty ?? false,
    attachStdin: b.AttachStdin ?? false,
    attachStdout: b.AttachStdout ?? true,
    attachStderr: b.AttachStderr ?? true,
    env: b.Env ?? undefined,
    workingDir: b.WorkingDir || undefined,
    user: b.User || undefined,
    privileged: b.Privileged === true,
    running: false,
    exitCode: null,
    rows: b.ConsoleSize?.[0] || undefined,
    cols: b.ConsoleSize?.[1] || undefined,
  };
  ctx.state.execs.set(ex.id, ex);
  sendJson(resOf(ctx), 201, { Id: ex.id });
};

function execOf(ctx: Ctx): ExecInstance {
  const ex = ctx.state.execs.get(ctx.params[0]);
  if (!ex) throw new DockerApiError(404, `no such exec instance: ${ctx.params[0]}`);
  return ex;
}

export const startExec: Handler = async (ctx) => {
  const ex = execOf(ctx);
  const { conn, body: hijackedBody } = await connOf(ctx);
  try {
    const body = parseJson<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>(ctx.hijack ? hijackedBody : await readBodySafe(ctx));
    if (ex.running || ex.exitCode !== null) throw new DockerApiError(409, `exec ${ex.id} has already been started`);
    if (body.ConsoleSize?.[0]) [ex.rows, ex.cols] = body.ConsoleSize;
    ex.running = true;
    const proc = await ctx.backend.exec(ex.containerId, { cmd: ex.cmd, tty: ex.tty, env: ex.env, workingDir: ex.workingDir, user: ex.user, rows: ex.rows, cols: ex.cols, privileged: ex.privileged });
    ex.proc = proc;
    const finish = (code: number) => {
      ex.exitCode = code;
      ex.running = false;
      ex.proc = undefined;
    };
    if (body.Detach) {
      proc.onOutput(() => {});
      proc.closeStdin();
      proc.exited.then(finish, () => finish(-1));
      conn.begin(true);
      return conn.end();
    }
    conn.begin(ex.tty);
    bridgeStdio(conn, proc, { tty: ex.tty, stdin: ex.attachStdin, stdout: ex.attachStdout, stderr: ex.attachStderr, onExit: finish });
    if (!ex.attachStdin) proc.closeStdin();
  } catch (e) {
    ex.running = false;
    conn.fail(e);
  }
};

async function readBodySafe(ctx: Ctx): Promise<Buffer> {
  // a plain (non-hijacked) start: the body is the JSON, stdin is not available
  const parts: Buffer[] = [];
  for await (const c of ctx.req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export const resizeExec: Handler = async (ctx) => {
  const ex = execOf(ctx);
  const rows = Number(ctx.q.get('h'));
  const cols = Number(ctx.q.get('w'));
  if (rows > 0 && cols > 0) {
    ex.rows = rows;
    ex.cols = cols;
    ex.proc?.resize(rows, cols);
  }
  noContent(resOf(ctx), 200);
};

export const inspectExec: Handler = async (ctx) => {
  const ex = execOf(ctx);
  sendJson(resOf(ctx), 200, {
    ID: ex.id,
    Running: ex.running,
    ExitCode: ex.exitCode,
    ProcessConfig: { tty: ex.tty, entrypoint: ex.cmd[0], arguments: ex.cmd.slice(1), privileged: false, user: ex.user ?? '' },
    OpenStdin: ex.attachStdin,
    OpenStderr: ex.attachStderr,
    OpenStdout: ex.attachStdout,
    CanRemove: false,
    ContainerID: ex.containerId,
    DetachKeys: '',
    Pid: 0,
  });
};



// ---- stats ----------------------------------------------------------------------------------

/** One Berth sample in Docker's stats shape; the CPU deltas are chosen so the CLI's formula
 *  (cpuDelta / systemDelta * online_cpus * 100) yields Berth's own percentage. */
function dockerStats(c: { id: string; name: string }, s: import('@berth/shared').StatsSample, prevUsage: number) {
  const cpus = os.cpus().length || 1;
  const systemDelta = 1e9 * cpus;
  const cpuDelta = Math.round((s.cpuPercent / 100) * 1e9);
  return {
    read: s.time,
    preread: s.time,
    name: `/${c.name}`,
    id: c.id,
    pids_stats: { current: s.pids, limit: s.pidsLimit ?? undefined },
    cpu_stats: { cpu_usage: { total_usage: prevUsage + cpuDelta, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: systemDelta * 2, online_cpus: cpus, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    precpu_stats: { cpu_usage: { total_usage: prevUsage, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: systemDelta, online_cpus: cpus, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    memory_stats: { usage: s.memoryBytes, limit: s.memoryLimitBytes ?? os.totalmem(), stats: {} },
    blkio_stats: {},
    networks: {},
  };
}

export const containerStats: Handler = async (ctx) => {
  const res = resOf(ctx);
  const c = await ctx.backend.inspectContainer(ctx.params[0]);
  const stream = flag(ctx.q, 'stream', true);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const it = ctx.backend.stats(c.id, abort.signal)[Symbol.asyncIterator]();
  let next = await it.next();
  res.writeHead(200, { 'content-type': 'application/json' });
  let prev = 0;
  while (!next.done && !abort.signal.aborted) {
    const body = dockerStats(c, next.value, prev);
    prev = body.cpu_stats.cpu_usage.total_usage;
    res.write(JSON.stringify(body) + '\n');
    if (!stream) break;
    next = await it.next();
  }
  abort.abort();
  res.end();
};

export const pruneContainers: Handler = async (ctx) => {
  const r = await ctx.backend.pruneContainers();
  sendJson(resOf(ctx), 200, { ContainersDeleted: r.deleted, SpaceReclaimed: 0 });
};

// ---- lifecycle extras and archives (Backend issue 6) ---------------------------------------

export const pauseContainer: Handler = async (ctx) => {
  await ctx.backend.pauseContainer(ctx.params[0]);
  noContent(resOf(ctx));
};

export const unpauseContainer: Handler = async (ctx) => {
  await ctx.backend.unpauseContainer(ctx.params[0]);
  noContent(resOf(ctx));
};

export const renameContainer: Handler = async (ctx) => {
  const name = ctx.q.get('name');
  if (!name) throw new DockerApiError(400, 'rename needs name');
  await ctx.backend.renameContainer(ctx.params[0], name.replace(/^\//, ''));
  noContent(resOf(ctx));
};

export const topContainer: Handler = async (ctx) => {
  const t = await ctx.backend.topContainer(ctx.params[0]);
  sendJson(resOf(ctx), 200, { Titles: t.titles, Processes: t.processes });
};

/** Docker's X-Docker-Container-Path-Stat: base64 JSON with a Go os.FileMode */
function pathStatHeader(st: { name: string; size: number; mode: number; type: string; linkTarget: string }): string {
  const typeBits = st.type === 'dir' ? 2 ** 31 : st.type === 'symlink' ? 2 ** 27 : 0;
  const special = (st.mode & 0o4000 ? 2 ** 23 : 0) + (st.mode & 0o2000 ? 2 ** 22 : 0) + (st.mode & 0o1000 ? 2 ** 20 : 0);
  const mode = typeBits + special + (st.mode & 0o777);
  const json = { name: st.name, size: st.size, mode, mtime: new Date().toISOString(), linkTarget: st.linkTarget };
  return Buffer.from(JSON.stringify(json)).toString('base64');
}

function archivePath(ctx: Ctx): string {
  const p = ctx.q.get('path');
  if (!p) throw new DockerApiError(400, 'archive needs path');
  return p;
}

export const statArchive: Handler = async (ctx) => {
  const st = await ctx.backend.archiveStat(ctx.params[0], archivePath(ctx));
  const res = resOf(ctx);
  res.writeHead(200, { 'x-docker-container-path-stat': pathStatHeader(st) });
  res.end();
};

export const getArchive: Handler = async (ctx) => {
  const res = resOf(ctx);
  const a = await ctx.backend.archiveGet(ctx.params[0], archivePath(ctx));
  res.on('close', () => {
    if (!res.writableFinished) a.kill();
  });
  res.writeHead(200, { 'content-type': 'application/x-tar', 'x-docker-container-path-stat': pathStatHeader(a.stat) });
  a.stream.pipe(res);
  await a.done.catch((e) => res.destroy(e instanceof Error ? e : new Error(String(e))));
};

export const putArchive: Handler = async (ctx) => {
  await ctx.backend.archivePut(ctx.params[0], archivePath(ctx), ctx.req, { keepOwner: flag(ctx.q, 'copyUIDGID') });
  noContent(resOf(ctx), 200);
};

// ---- filesystem changes, export, update, commit -----------------------------------------------

const KIND = { C: 0, A: 1, D: 2 } as const;

export const containerChanges: Handler = async (ctx) => {
  const changes = await ctx.backend.containerChanges(ctx.params[0]);
  sendJson(resOf(ctx), 200, changes.map((c) => ({ Path: c.path, Kind: KIND[c.kind] })));
};

export const exportContainer: Handler = async (ctx) => {
  const res = resOf(ctx);
  const a = await ctx.backend.exportContainer(ctx.params[0]);
  res.on('close', () => {
    if (!res.writableFinished) a.kill();
  });
  res.writeHead(200, { 'content-type': 'application/x-tar' });
  a.stream.pipe(res);
  await a.done.catch((e) => res.destroy(e instanceof Error ? e : new Error(String(e))));
};

export const updateContainer: Handler = async (ctx) => {
  const body = (await readJson(ctx.req)) as Parameters<typeof updateBodyToSpec>[0];
  const r = await ctx.backend.updateContainer(ctx.params[0], updateBodyToSpec(body ?? {}));
  sendJson(resOf(ctx), 200, { Warnings: r.warnings });
};

/** POST /commit?container=&repo=&tag=&comment=&author=&changes= (the body's config is not applied) */
export const commitContainer: Handler = async (ctx) => {
  const container = ctx.q.get('container');
  if (!container) throw new DockerApiError(400, 'commit needs container');
  if (!ctx.backend.commitContainer) throw new DockerApiError(501, 'berth does not implement POST /commit on this agent');
  ctx.req.resume();
  const repo = ctx.q.get('repo') ?? '';
  const tag = ctx.q.get('tag') ?? '';
  const r = await ctx.backend.commitContainer(container, {
    ref: repo ? `${repo}${tag ? `:${tag}` : ''}` : undefined,
    message: ctx.q.get('comment') || undefined,
    author: ctx.q.get('author') || undefined,
    // the docker CLI sends each --change as its own `changes` value (newline-joined in old clients)
    changes: ctx.q.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim() !== ''),
  });
  sendJson(resOf(ctx), 201, { Id: r.id });
};
