// `berth logs CTR > /dev/null` for a container that wrote 1,000,000 lines (~100 MB of output,
// ~168 MB of json-file log), against dd of the same file. Wall time moves with the machine's
// load, so the CPU seconds of the CLI and of the agent are printed too.
//   node --import tsx bench/logs-readback.mts        (as root; LINES=, PAD= to change the shape)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestAgent, repoRoot } from '../apps/agent/test/helpers/test-agent.ts';

const LINES = Number(process.env.LINES ?? 1_000_000);
const PAD = 'x'.repeat(Number(process.env.PAD ?? 90));
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const cpuOf = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 10 ms
};

const agent = new TestAgent();
await agent.start();
try {
  agent.loadBundledImages(['musl']);
  const name = agent.name('bench');
  agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sh', '-c', `seq 1 ${LINES} | sed 's/$/ ${PAD}/'`]);
  agent.ok(['wait', name], { timeoutMs: 600_000 });
  const id = agent.ok(['inspect', '-f', '{{.Id}}', name]).trim();
  const log = path.join(agent.root, 'containers', id, 'container.log');
  const logMB = fs.statSync(log).size / 1e6;
  console.log(`log file: ${logMB.toFixed(1)} MB, ${LINES} records; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  for (const flag of [[], ['iflag=direct']]) {
    const d = spawnSync('dd', [`if=${log}`, 'of=/dev/null', 'bs=1M', ...flag], { encoding: 'utf8' });
    console.log(`dd ${flag.join(' ') || '(page cache)'}: ${d.stderr.trim().split('\n').at(-1)}`);
  }
  for (const args of [['logs', name], ['logs', '-t', name], ['logs', '--tail', '5', name]]) {
    for (let i = 0; i < ROUNDS; i++) {
      const out = '/tmp/berth-bench-logs.out';
      const fd = fs.openSync(out, 'w');
      const agentCpu = cpuOf(agent.proc.pid!);
      const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', '/tmp/berth-bench-logs.time', path.join(repoRoot, 'apps/agent/bin/berth'), ...args], { env: agent.env, stdio: ['ignore', fd, 'pipe'] });
      fs.closeSync(fd);
      const [wall, u, s] = fs.readFileSync('/tmp/berth-bench-logs.time', 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      const outMB = fs.statSync(out).size / 1e6;
      console.log(
        `${args.join(' ').replace(name, 'CTR').padEnd(18)} rc=${r.status} ${wall.toFixed(2)} s wall = ${(logMB / wall).toFixed(0)} MB/s of log (${(outMB / wall).toFixed(0)} MB/s of its ${outMB.toFixed(1)} MB output); CPU: cli ${(u + s).toFixed(2)} s, agent ${(cpuOf(agent.proc.pid!) - agentCpu).toFixed(2)} s`,
      );
    }
  }
} finally {
  await agent.dispose();
}
