// `npm run bench` (via bench/run.sh): Berth side by side with crun, runc, podman and Docker, as
// ratios. Starts every peer on private roots under one temp dir, measures interleaved, stops what
// it started, proves the host is as it was, and writes bench/results/<stamp>-<mode>.{md,json}.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBerth, imagesDir, repoRoot } from './engines/berth';
import { startDocker } from './engines/docker';
import type { Engine } from './engines/engine';
import { CRUN_HYBRID_NOTE, startPodman } from './engines/podman';
import { startRegistry, type Registry } from './engines/registry';
import { cleanUp, diff, isClean, snapshot } from './lib/host-state';
import { sh, which } from './lib/proc';
import { renderTable, renderTargets, type Row } from './lib/report';
import * as S from './scenarios';

const quick = process.argv.includes('--quick');
// --quick --with-peers: quick sizes but every peer (to try the peer setup without a full run)
const withPeers = !quick || process.argv.includes('--with-peers');
const P = quick
  ? { rounds: 3, many: 5, manyReps: 1, bare: 5, logBytes: 14_000_000, logRounds: 2, statsN: 10, statsWindowS: 3, statsWindows: 1 }
  : { rounds: 20, many: 50, manyReps: 1, bare: 50, pullRounds: 10, pullMiB: 200, logBytes: 140_000_000, logRounds: 2, statsN: 100, statsWindowS: 8, statsWindows: 2 };

const t0 = Date.now();
const log = (m: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

function machine() {
  const v = (argv: string[]) => sh(argv).stdout.split('\n')[0].trim() || 'not installed';
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  const cg = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'cgroup v2' : fs.existsSync('/sys/fs/cgroup/unified') ? 'cgroup v1 hybrid (cgroup2 at /sys/fs/cgroup/unified)' : 'cgroup v1';
  return {
    kernel: os.release(),
    cpu: `${cpu} × ${os.cpus().length}`,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: /PRETTY_NAME="(.*)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1],
    cgroups: cg,
    node: process.version,
    versions: {
      crun: v(['crun', '--version']), runc: v(['runc', '--version']), podman: v(['podman', '--version']), conmon: v(['conmon', '--version']),
      docker: v(['dockerd', '--version']), containerd: v(['containerd', '--version']),
    },
  };
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root (it runs namespaces, mounts and daemons)');
    return 1;
  }
  const before = snapshot();
  const suffix = crypto.randomBytes(2).toString('hex');
  const tmp = fs.mkdtempSync('/var/tmp/bb-');
  const engines: Engine[] = [];
  const missing: Record<string, string> = {};
  let registry: Registry | undefined;
  const rows: Row[] = [];
  const notes: string[] = [];
  // Ctrl-C or a kill: stop what was started before leaving (the daemons would outlive us).
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      log(`${sig}: cleaning up`);
      void teardown().finally(() => process.exit(130));
    });
  const teardown = async () => {
    log('stopping everything the bench started');
    for (const e of engines.splice(0).reverse()) await e.stop().catch((err) => log(`stop ${e.name}: ${err}`));
    await registry?.daemon.stop();
    cleanUp(before, tmp, suffix);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    log(`mode ${quick ? 'quick' : 'full'}, temp ${tmp}`);
    engines.push(await startBerth(tmp, suffix));
    if (!withPeers) {
      missing.docker = missing.podman = 'skipped in --quick (needs a daemon / storage setup)';
    } else {
      const archive = path.join(tmp, 'busybox.tar');
      const copy = which('skopeo') ? sh(['skopeo', 'copy', '--quiet', `oci:${path.join(imagesDir, 'busybox-musl')}`, `docker-archive:${archive}:busybox:1.37.0-musl`]) : undefined;
      if (!copy || copy.code !== 0) missing.docker = missing.podman = `no image archive: ${copy ? copy.stderr.trim() : 'skopeo not installed'}`;
      else {
        for (const [name, start] of [
          ['podman+crun', () => startPodman(tmp, suffix, 'crun', archive)],
          ['podman+runc', () => startPodman(tmp, suffix, 'runc', archive)],
          ['docker', () => startDocker(tmp, suffix, archive)],
        ] as const) {
          const bin = name === 'docker' ? 'dockerd' : 'podman';
          if (!which(bin)) {
            missing[name] = `${bin} not installed`;
            continue;
          }
          try {
            log(`starting ${name}`);
            engines.push(await start());
          } catch (e) {
            missing[name] = `cannot start: ${(e as Error).message.slice(0, 300)}`;
            log(`  ${name}: ${missing[name]}`);
          }
        }
        if (engines.some((e) => e.name === 'podman+crun')) notes.push(`podman+crun: ${CRUN_HYBRID_NOTE}.`);
      }
    }
    const ctx: S.Ctx = { engines, missing, tmp, quick, log };
    S.memoryIdle(ctx);
    rows.push(...(await S.runRm(ctx, P.rounds)));
    rows.push(...(await S.execTrue(ctx, P.rounds)));
    rows.push(...(await S.bareRuntime(ctx, P.bare)));
    rows.push(...(await S.manyContainers(ctx, P.many, P.manyReps)));
    rows.push(...(await S.logs(ctx, P.logBytes, P.logRounds)));
    if (withPeers) {
      let reg: Registry | string;
      try {
        log(`building a ~${P.pullMiB ?? 20} MB image in a local registry`);
        reg = which('docker-registry') && which('skopeo') ? (registry = await startRegistry(tmp, P.pullMiB ?? 20)) : 'docker-registry or skopeo not installed';
      } catch (e) {
        reg = `registry: ${(e as Error).message.slice(0, 300)}`;
      }
      rows.push(...(await S.pull(ctx, reg, P.pullRounds ?? 2)));
    } else rows.push({ id: '6', title: 'pull + unpack from a local registry', unit: 'ms', cells: [{ side: 'all', reason: 'skipped in --quick (needs a registry daemon)' }] });
    rows.push(...(await S.stats(ctx, P.statsN, P.statsWindowS, P.statsWindows)));
  } finally {
    if (!stopping) await teardown();
  }
  rows.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const leftovers = diff(before, snapshot());
  // Only what carries the bench's temp dir or suffix is the bench's; other changes during a long run
  // come from whatever else runs on the machine (tests creating their own bridges, say).
  const ours = (x: string) => x.includes(tmp) || x.toLowerCase().includes(suffix);
  const mine = { ...leftovers, mounts: leftovers.mounts.filter(ours), links: leftovers.links.filter(ours), netns: [], iptables: leftovers.iptables.filter(ours) };
  const others = [...leftovers.mounts, ...leftovers.links, ...leftovers.netns, ...leftovers.iptables].filter((x) => !ours(x)).length;
  const clean = isClean(mine);
  const m = machine();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const mode = quick ? (withPeers ? 'quick-peers' : 'quick') : 'full';
  const md = [
    `## Berth bench, ${mode} mode, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    '',
    `Machine: ${m.os}, kernel ${m.kernel}, ${m.cpu}, ${m.memoryGiB} GiB, ${m.cgroups}, node ${m.node}.`,
    `Peers: ${Object.values(m.versions).join('; ')}.`,
    '',
    renderTable(rows),
    '',
    ...notes.map((n) => `- ${n}`),
    ...Object.entries(missing).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '### Targets (issue 3)',
    '',
    renderTargets(rows),
    '',
    `Host after the run: ${clean ? 'nothing of the bench left (mounts, links, iptables, ip_forward, engine dirs)' : 'LEFTOVERS: ' + JSON.stringify(mine)}${others ? `; ${others} mounts/links/netns/iptables lines appeared meanwhile without the bench's marks (other processes on the machine; listed in the JSON)` : ''}.`,
    '',
  ].join('\n');
  const outDir = path.join(repoRoot, 'bench/results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${stamp}-${mode}.md`), md);
  fs.writeFileSync(path.join(outDir, `${stamp}-${mode}.json`), JSON.stringify({ mode, startedAt: new Date(t0).toISOString(), seconds: (Date.now() - t0) / 1000, machine: m, params: P, rows, missing, notes, leftovers }, null, 2));
  if (!quick) fs.writeFileSync(path.join(outDir, 'latest.md'), md);
  process.stdout.write(md);
  const numbers = rows.some((r) => r.cells.some((c) => c.summary));
  log(`wrote bench/results/${stamp}-${mode}.{md,json}${quick ? '' : ' and bench/results/latest.md'}`);
  if (!numbers) {
    console.error('bench: produced no numbers');
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`bench: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
