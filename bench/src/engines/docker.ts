// Docker: its own containerd and dockerd on private roots and sockets under the bench's temp dir.
// No default bridge, no iptables, no ip_forward: the host stays as it was. The bridge case uses a
// user-defined bridge network (named with the run's suffix) that is removed at the end.
import fs from 'node:fs';
import path from 'node:path';
import { Daemon } from './daemon';
import type { Engine } from './engine';
import { pidsMatching, sh } from '../lib/proc';

export async function startDocker(tmp: string, suffix: string, archive: string): Promise<Engine> {
  const base = path.join(tmp, 'docker');
  const ctrd = path.join(base, 'containerd');
  fs.mkdirSync(ctrd, { recursive: true });
  const ctrdSock = path.join(ctrd, 'containerd.sock');
  fs.writeFileSync(
    path.join(ctrd, 'config.toml'),
    `version = 2
root = "${ctrd}/root"
state = "${ctrd}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${ctrdSock}"
[ttrpc]
  address = "${ctrdSock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${ctrd}/opt"
`,
  );
  const containerd = new Daemon('containerd', ['containerd', '--config', path.join(ctrd, 'config.toml')], path.join(base, 'containerd.log'));
  const daemons: Daemon[] = [containerd];
  const stopAll = async () => {
    for (const d of daemons.reverse()) await d.stop();
  };
  try {
    await containerd.waitReady(() => fs.existsSync(ctrdSock));
    const sock = path.join(base, 'docker.sock');
    fs.writeFileSync(path.join(base, 'daemon.json'), '{}');
    const dockerd = new Daemon(
      'dockerd',
      [
        'dockerd', '--data-root', path.join(base, 'data'), '--exec-root', path.join(base, 'exec'), '--pidfile', path.join(base, 'docker.pid'),
        '-H', `unix://${sock}`, '--containerd', ctrdSock, '--config-file', path.join(base, 'daemon.json'),
        '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false', '--userland-proxy=false',
      ],
      path.join(base, 'dockerd.log'),
    );
    daemons.push(dockerd);
    const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(base, 'cli') };
    await dockerd.waitReady(() => sh(['docker', 'version'], { env }).code === 0, 60_000);
    const cli = (args: string[]) => ['docker', ...args];
    const load = sh(cli(['load', '-i', archive]), { env });
    if (load.code !== 0) throw new Error(`docker load: ${load.stderr.trim()}`);
    const net = `bbr${suffix}`;
    const mk = sh(cli(['network', 'create', '--driver', 'bridge', '-o', `com.docker.network.bridge.name=${net}`, net]), { env });
    const bridge: Engine['bridge'] = mk.code === 0 ? { flags: ['--network', net] } : { unavailable: `docker network create: ${mk.stderr.trim().slice(0, 160)}` };
    return {
      name: 'docker',
      image: 'busybox:1.37.0-musl',
      cli,
      env,
      bridge,
      monitorPids: () => pidsMatching('containerd-shim', ctrdSock),
      daemonPids: () => [dockerd.pid, containerd.pid, ...pidsMatching('containerd-shim', ctrdSock)],
      async stop() {
        const ids = sh(cli(['ps', '-aq']), { env }).stdout.split('\n').filter(Boolean);
        if (ids.length) sh(cli(['rm', '-f', ...ids]), { env });
        sh(cli(['network', 'rm', net]), { env });
        await stopAll();
        // shims outlive containerd by design; the containers are gone, so end any that remain
        for (const pid of pidsMatching('containerd-shim', ctrdSock)) process.kill(pid, 'SIGKILL');
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
