// The measurements of issue 3, each one function that runs its sides interleaved and returns rows.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createAgentClient } from '../../apps/agent/src/client/index';
import type { Engine } from './engines/engine';
import type { Registry } from './engines/registry';
import { prepareBare } from './engines/bare';
import { cpuMs, lastLines, rssKiB, sh, sleep } from './lib/proc';
import { cell, type Cell, type Row } from './lib/report';
import { interleave, nowMs, summarize } from './lib/sample';

export interface Ctx {
  engines: Engine[];
  /** Peers that could not start at all, with the reason: they get a cell in every row. */
  missing: Record<string, string>;
  tmp: string;
  quick: boolean;
  log: (msg: string) => void;
}

const uniq = () => crypto.randomBytes(4).toString('hex');

function call(e: Engine, args: string[], timeout = 120_000) {
  return sh(e.cli(args), { env: e.env, timeout });
}

/** A timed CLI call that must succeed; a failure throws with the engine's stderr. */
function timed(e: Engine, args: string[]): number {
  const r = call(e, args);
  if (r.code !== 0) throw new Error(`${e.name} ${args.join(' ')} exited ${r.code}: ${lastLines(r.stderr)}`);
  return r.ms;
}

function missingCells(ctx: Ctx): Cell[] {
  return Object.entries(ctx.missing).map(([side, reason]) => ({ side, reason }));
}

/** Runs `fn` for each engine; an engine whose first call fails gets its error as the reason. */
async function perEngine(ctx: Ctx, rounds: number, engines: Engine[], fn: (e: Engine) => number | Promise<number>): Promise<Cell[]> {
  const errors: Record<string, string> = {};
  const sides = Object.fromEntries(
    engines.map((e) => [
      e.name,
      async () => {
        if (errors[e.name]) return undefined;
        try {
          return await fn(e);
        } catch (err) {
          errors[e.name] = (err as Error).message.slice(0, 300);
          ctx.log(`  ${e.name}: ${errors[e.name]}`);
          return undefined;
        }
      },
    ]),
  );
  const samples = await interleave(rounds, sides);
  return engines.map((e) => (samples[e.name].length ? cell(e.name, samples[e.name]) : { side: e.name, reason: `failed: ${errors[e.name] ?? 'no samples'}` }));
}

export async function runRm(ctx: Ctx, rounds: number): Promise<Row[]> {
  ctx.log('1a run --rm true, --network none');
  const none = await perEngine(ctx, rounds, ctx.engines, (e) => timed(e, ['run', '--rm', '--network', 'none', e.image, 'true']));
  ctx.log('1b run --rm true, bridge');
  const withBridge = ctx.engines.filter((e) => 'flags' in e.bridge);
  const bridged = await perEngine(ctx, rounds, withBridge, (e) => timed(e, ['run', '--rm', ...(e.bridge as { flags: string[] }).flags, e.image, 'true']));
  const noBridge = ctx.engines.filter((e) => 'unavailable' in e.bridge).map((e) => ({ side: e.name, reason: (e.bridge as { unavailable: string }).unavailable }));
  return [
    { id: '1a', title: '`run --rm busybox true`, no network', unit: 'ms', cells: [...none, ...missingCells(ctx)] },
    { id: '1b', title: '`run --rm busybox true`, bridge network', unit: 'ms', cells: [...noBridge, ...bridged, ...missingCells(ctx)] },
  ];
}

export async function execTrue(ctx: Ctx, rounds: number): Promise<Row[]> {
  ctx.log('2 exec CTR true');
  const names = new Map<string, string>();
  for (const e of ctx.engines) {
    const name = `bx${uniq()}`;
    const r = call(e, ['run', '-d', '--name', name, '--network', 'none', e.image, 'sleep', '3600']);
    if (r.code === 0) names.set(e.name, name);
    else ctx.log(`  ${e.name}: run -d failed: ${lastLines(r.stderr)}`);
  }
  const cells = await perEngine(ctx, rounds, ctx.engines.filter((e) => names.has(e.name)), (e) => timed(e, ['exec', names.get(e.name)!, 'true']));
  for (const e of ctx.engines) if (names.has(e.name)) call(e, ['rm', '-f', names.get(e.name)!]);
  for (const e of ctx.engines) if (!names.has(e.name)) cells.push({ side: e.name, reason: 'could not start the container to exec into' });
  return [{ id: '2', title: '`exec CTR true` into a running container', unit: 'ms', cells: [...cells, ...missingCells(ctx)] }];
}

/**
 * N detached starts per engine, interleaved one container at a time (A1, B1, A2, B2 …); memory is
 * read while the first batch runs; then each engine removes its N with one `rm -f`.
 */
export async function manyContainers(ctx: Ctx, n: number, reps: number): Promise<Row[]> {
  ctx.log(`3 ${n} detached starts × ${reps}, then rm -f of all ${n}`);
  const perStart: Record<string, number[]> = {};
  const totals: Record<string, number[]> = {};
  const removal: Record<string, number[]> = {};
  const errors: Record<string, string> = {};
  const mem: Row[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const ids: Record<string, string[]> = Object.fromEntries(ctx.engines.map((e) => [e.name, []]));
    const total: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < ctx.engines.length; k++) {
        const e = ctx.engines[(k + i + rep) % ctx.engines.length];
        if (errors[e.name]) continue;
        const r = call(e, ['run', '-d', '--network', 'none', e.image, 'sleep', '3600']);
        if (r.code !== 0) {
          errors[e.name] = `run -d #${i + 1}: ${lastLines(r.stderr)}`;
          continue;
        }
        ids[e.name].push(r.stdout.trim().split('\n').pop()!);
        (perStart[e.name] ??= []).push(r.ms);
        total[e.name] = (total[e.name] ?? 0) + r.ms;
      }
    }
    for (const e of ctx.engines) if (!errors[e.name]) (totals[e.name] ??= []).push(total[e.name]);
    if (rep === 0) mem.push(...memoryWith(ctx, n));
    await interleave(1, Object.fromEntries(ctx.engines.map((e) => [e.name, () => {
      if (!ids[e.name].length) return undefined;
      const r = call(e, ['rm', '-f', ...ids[e.name]], 300_000);
      if (r.code !== 0) errors[e.name] ??= `rm -f: ${lastLines(r.stderr)}`;
      else (removal[e.name] ??= []).push(r.ms);
      return r.ms;
    }])));
  }
  const cells = (m: Record<string, number[]>, unit: string) =>
    ctx.engines.map((e) => (m[e.name]?.length ? cell(e.name, m[e.name], unit) : { side: e.name, reason: `failed: ${errors[e.name] ?? 'no samples'}` }));
  return [
    { id: '3a', title: `one detached start, within ${n} in a row (per start)`, unit: 'ms', cells: [...cells(perStart, ''), ...missingCells(ctx)].map(dropEmptyNote) },
    { id: '3b', title: `${n} detached starts, total`, unit: 'ms', cells: [...cells(totals, ''), ...missingCells(ctx)].map(dropEmptyNote) },
    { id: '3c', title: `removal of all ${n} (\`rm -f\` with ${n} ids)`, unit: 'ms', cells: [...cells(removal, ''), ...missingCells(ctx)].map(dropEmptyNote) },
    ...mem,
  ];
}

const dropEmptyNote = (c: Cell): Cell => (c.note ? c : { side: c.side, summary: c.summary, reason: c.reason });

let agentIdleKiB: number | undefined;
/** Call once before any container exists. */
export function memoryIdle(ctx: Ctx): void {
  const berth = ctx.engines.find((e) => e.name === 'berth');
  agentIdleKiB = berth ? rssKiB(berth.daemonPids()[0]) : undefined;
}

function memoryWith(ctx: Ctx, n: number): Row[] {
  const mib = (k: number[]) => k.map((x) => x / 1024);
  const rows: Row[] = [];
  const berth = ctx.engines.find((e) => e.name === 'berth');
  const agentCells: Cell[] = [];
  if (berth && agentIdleKiB !== undefined) rows.push({ id: '5a', title: 'agent RSS, idle (image loaded, no containers)', unit: 'MiB', cells: [cell('berth', mib([agentIdleKiB]))] });
  if (berth) agentCells.push(cell('berth', mib([rssKiB(berth.daemonPids()[0]) ?? 0])));
  const docker = ctx.engines.find((e) => e.name === 'docker');
  if (docker) {
    const [dockerd, containerd] = docker.daemonPids();
    agentCells.push(cell('docker', mib([(rssKiB(dockerd) ?? 0) + (rssKiB(containerd) ?? 0)]), 'dockerd + containerd'));
  }
  for (const e of ctx.engines.filter((x) => x.name.startsWith('podman'))) agentCells.push({ side: e.name, reason: 'no daemon' });
  rows.push({ id: '5b', title: `engine daemon RSS with ${n} containers running`, unit: 'MiB', cells: [...agentCells, ...missingCells(ctx)] });
  const monCells: Cell[] = ctx.engines.map((e) => {
    const rss = e.monitorPids().map(rssKiB).filter((x): x is number => x !== undefined);
    const what = e.name === 'berth' ? 'berth-helper monitor' : e.name === 'docker' ? 'containerd-shim-runc-v2' : 'conmon';
    return rss.length ? cell(e.name, mib(rss), what) : { side: e.name, reason: `no ${what} processes found` };
  });
  rows.push({ id: '5c', title: 'per-container monitor RSS (over all running)', unit: 'MiB', cells: [...monCells, ...missingCells(ctx)] });
  return rows;
}

export async function bareRuntime(ctx: Ctx, rounds: number): Promise<Row[]> {
  ctx.log('4 bare runtime on one OCI bundle');
  const bare = prepareBare(ctx.tmp);
  const errors: Record<string, string> = {};
  const sides = Object.fromEntries(
    Object.entries(bare.sides).map(([name, fn]) => [
      name,
      async () => {
        if (errors[name]) return undefined;
        try {
          return await fn();
        } catch (e) {
          errors[name] = (e as Error).message.slice(0, 300);
          return undefined;
        }
      },
    ]),
  );
  const samples = await interleave(rounds, sides);
  const cells: Cell[] = Object.keys(bare.sides).map((s) => (samples[s].length ? cell(s, samples[s]) : { side: s, reason: `failed: ${errors[s]}` }));
  for (const [side, reason] of Object.entries(bare.unavailable)) cells.push({ side, reason });
  return [{ id: '4', title: 'bare runtime: start `true` on one OCI bundle until exit', unit: 'ms', cells }];
}

export async function pull(ctx: Ctx, reg: Registry | string, rounds: number): Promise<Row[]> {
  ctx.log('6 pull + unpack');
  const title = typeof reg === 'string' ? 'pull + unpack of a ~200 MB gzip layer from a local registry' : `pull + unpack of a ${(reg.layerBytes / 1e6).toFixed(0)} MB gzip layer from a local registry`;
  if (typeof reg === 'string') return [{ id: '6', title, unit: 'ms', cells: [{ side: 'all', reason: reg }] }];
  const cells: Cell[] = [];
  const berth = ctx.engines.find((e) => e.name === 'berth');
  // `berth pull` is issue 4: probe it, and measure it as soon as it works.
  let berthPulls = false;
  if (berth) {
    const probe = call(berth, ['pull', reg.ref], 300_000);
    berthPulls = probe.code === 0;
    if (berthPulls) call(berth, ['rmi', reg.ref]);
    else cells.push({ side: 'berth', reason: `not yet (issue 4): ${probe.stderr.trim().split('\n')[0].slice(0, 120)}` });
  }
  const peers = ctx.engines.filter((e) => e.name === 'docker' || e.name === 'podman+crun');
  const dest = path.join(ctx.tmp, 'floor');
  const sides: Record<string, () => number | undefined> = {
    'curl|gunzip|tar': () => {
      fs.rmSync(dest, { recursive: true, force: true });
      fs.mkdirSync(dest);
      const r = sh(['sh', '-c', 'curl -sf "$0" | gunzip | tar -x -C "$1"', reg.blobUrl, dest]);
      fs.rmSync(dest, { recursive: true, force: true });
      return r.code === 0 ? r.ms : undefined;
    },
  };
  const errors: Record<string, string> = {};
  if (berth && berthPulls)
    sides.berth = () => {
      if (errors.berth) return undefined;
      const r = call(berth, ['pull', reg.ref], 300_000);
      call(berth, ['rmi', reg.ref]);
      if (r.code !== 0) errors.berth = lastLines(r.stderr);
      return r.code === 0 ? r.ms : undefined;
    };
  for (const e of peers) {
    const name = e.name === 'docker' ? 'docker' : 'podman';
    sides[name] = () => {
      if (errors[name]) return undefined;
      const r = call(e, ['pull', ...(name === 'podman' ? ['--tls-verify=false', '-q'] : ['-q']), reg.ref], 300_000);
      call(e, ['rmi', '-f', reg.ref]);
      if (r.code !== 0) {
        errors[name] = lastLines(r.stderr);
        return undefined;
      }
      return r.ms;
    };
  }
  const samples = await interleave(rounds, sides);
  for (const [side, xs] of Object.entries(samples)) cells.push(xs.length ? cell(side, xs) : { side, reason: `failed: ${errors[side] ?? 'no samples'}` });
  return [{ id: '6', title, unit: 'ms', cells: [...cells, ...missingCells(ctx)] }];
}

export async function logs(ctx: Ctx, bytes: number, rounds: number): Promise<Row[]> {
  ctx.log(`7 logs: ${(bytes / 1e6).toFixed(0)} MB to stdout, then read back`);
  const exit: Record<string, number[]> = {};
  const read: Record<string, number[]> = {};
  const errors: Record<string, string> = {};
  const line = '0123456789012345678901234567890123456789012345678901234567890123456789';
  const devnull = fs.openSync('/dev/null', 'w');
  await interleave(rounds, Object.fromEntries(ctx.engines.map((e) => [e.name, () => {
    if (errors[e.name]) return undefined;
    const name = `lg${uniq()}`;
    try {
      const t0 = nowMs();
      const r = call(e, ['run', '-d', '--name', name, '--network', 'none', e.image, 'sh', '-c', `yes ${line} | head -c ${bytes}`]);
      if (r.code !== 0) throw new Error(`run: ${lastLines(r.stderr)}`);
      const w = call(e, ['wait', name], 600_000);
      if (w.code !== 0) throw new Error(`wait: ${lastLines(w.stderr)}`);
      (exit[e.name] ??= []).push(nowMs() - t0);
      const l = sh(e.cli(['logs', name]), { env: e.env, stdio: ['ignore', devnull, 'pipe'], timeout: 600_000 });
      if (l.code !== 0) throw new Error(`logs: ${lastLines(l.stderr)}`);
      (read[e.name] ??= []).push(l.ms);
      return l.ms;
    } catch (err) {
      errors[e.name] = (err as Error).message.slice(0, 300);
      return undefined;
    } finally {
      call(e, ['rm', '-f', name]);
    }
  }])));
  fs.closeSync(devnull);
  const cells = (m: Record<string, number[]>) => ctx.engines.map((e) => (m[e.name]?.length ? cell(e.name, m[e.name]) : { side: e.name, reason: `failed: ${errors[e.name] ?? 'no samples'}` }));
  const mb = (bytes / 1e6).toFixed(0);
  return [
    { id: '7a', title: `logs: container writing ${mb} MB to stdout, \`run -d\` until \`wait\` returns`, unit: 'ms', cells: [...cells(exit), ...missingCells(ctx)] },
    { id: '7b', title: `logs: \`logs CTR > /dev/null\` of those ${mb} MB`, unit: 'ms', cells: [...cells(read), ...missingCells(ctx)] },
  ];
}

/**
 * Stats: `n` running containers, a client asking for stats once a second; the collector's CPU time
 * per wall second over `windowS`-second windows. Berth: the agent (one WebSocket, `n` stats
 * subscriptions; and separately `statsAll` polled each second). Docker: dockerd + containerd +
 * shims while `docker stats` streams. Podman (no daemon): the `podman stats --interval 1` process.
 */
export async function stats(ctx: Ctx, n: number, windowS: number, windows: number): Promise<Row[]> {
  ctx.log(`8 stats: ${n} containers, ${windows} × ${windowS}s windows`);
  const started: Record<string, string[]> = {};
  const errors: Record<string, string> = {};
  const engines = ctx.engines.filter((e) => e.name !== 'podman+runc'); // podman stats does not depend on the runtime
  for (let i = 0; i < n; i++)
    for (const e of engines) {
      if (errors[e.name]) continue;
      const r = call(e, ['run', '-d', '--network', 'none', e.image, 'sleep', '3600']);
      if (r.code !== 0) errors[e.name] = `run -d #${i + 1}: ${lastLines(r.stderr)}`;
      else (started[e.name] ??= []).push(r.stdout.trim().split('\n').pop()!);
    }
  const subs: Record<string, number[]> = {};
  const polled: number[] = [];
  const cpuOf = (pids: number[]) => pids.reduce((s, p) => s + (cpuMs(p) ?? 0), 0);
  const measure = async (pids: () => number[]) => {
    const c0 = cpuOf(pids());
    const t0 = nowMs();
    await sleep(windowS * 1000);
    return ((cpuOf(pids()) - c0) / (nowMs() - t0)) * 1000;
  };
  let received = 0;
  for (let w = 0; w < windows; w++) {
    for (const e of engines) {
      if (errors[e.name] || !started[e.name]?.length) continue;
      if (e.name === 'berth') {
        const { url, token } = e as unknown as { url: string; token: string };
        const client = createAgentClient({ url, token });
        const unsubs = started.berth.map((id) => client.trpc.containers.stats.subscribe({ id }, { onData: () => received++, onError: (err) => (errors.berth ??= `stats: ${err.message}`) }).unsubscribe);
        await sleep(2000); // let every subscription reach its steady 1 s cadence
        (subs.berth ??= []).push(await measure(() => e.daemonPids()));
        for (const u of unsubs) u();
        const agent = e.daemonPids()[0];
        const c0 = cpuMs(agent) ?? 0;
        const t0 = nowMs();
        for (let s = 0; s < windowS; s++) {
          const tick = nowMs();
          await client.trpc.containers.statsAll.query();
          await sleep(Math.max(0, 1000 - (nowMs() - tick)));
        }
        polled.push((((cpuMs(agent) ?? 0) - c0) / (nowMs() - t0)) * 1000);
        client.close();
      } else if (e.name === 'docker') {
        const { spawn } = await import('node:child_process');
        const p = spawn('docker', ['stats'], { env: e.env, stdio: ['ignore', 'ignore', 'ignore'] });
        await sleep(2000);
        (subs.docker ??= []).push(await measure(() => e.daemonPids()));
        p.kill('SIGTERM');
      } else {
        const { spawn } = await import('node:child_process');
        const argv = e.cli(['stats', '--interval', '1']);
        const p = spawn(argv[0], argv.slice(1), { env: e.env, stdio: ['ignore', 'ignore', 'ignore'] });
        await sleep(2000);
        (subs[e.name] ??= []).push(await measure(() => (p.pid ? [p.pid] : [])));
        p.kill('SIGTERM');
      }
    }
  }
  for (const e of engines) if (started[e.name]?.length) call(e, ['rm', '-f', ...started[e.name]], 300_000);
  const cells: Cell[] = engines.map((e) =>
    subs[e.name]?.length ? cell(e.name, subs[e.name], e.name === 'berth' ? `${n} \`containers.stats\` subscriptions` : e.name === 'docker' ? 'dockerd+containerd+shims, `docker stats`' : '`podman stats --interval 1`') : { side: e.name, reason: `failed: ${errors[e.name] ?? 'no samples'}` },
  );
  if (polled.length) cells.splice(1, 0, cell('berth (statsAll)', polled, '`containers.statsAll` once a second'));
  ctx.log(`  berth stats samples received: ${received}`);
  return [{ id: '8', title: `stats of ${n} running containers once a second: collector CPU`, unit: 'CPU ms/s', cells: [...cells, ...missingCells(ctx)], note: `${summarize(subs.berth ?? [])?.n ?? 0} windows of ${windowS}s` }];
}
