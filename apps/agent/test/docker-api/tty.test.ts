// `docker run -it` and `docker exec -it` against Berth's Docker API under a real pseudo-terminal
// (tmux), as a person types them: hijacked raw streams, resize, exit codes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';
import { DOCKER_CLIENTS, DockerCli, requireClient } from './docker-cli';

describe('docker -it under a real pty (tmux, as root)', () => {
  const agent = new TestAgent();
  const docker = new DockerCli(agent);
  const session = `berth-dtty-${agent.suffix}`;
  const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(async () => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      /* already gone */
    }
    docker.dispose();
    await agent.dispose();
  });

  const env = () => `DOCKER_HOST=unix://${agent.dockerSocket} DOCKER_CONFIG=${docker.config}`;

  for (const [client, bin] of Object.entries(DOCKER_CLIENTS)) test(`${client} client (${bin}): run -it types, resizes, returns the exit code; exec -it too`, async () => {
    requireClient(bin);
    const name = agent.name('it');
    try {
      tmux('kill-session', '-t', session); // the previous client's
    } catch {
      /* none yet */
    }
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', `env ${env()} ${bin} run -it --name ${name} busybox:1.37.0-musl sh; echo CLI-EXIT=$?; sleep 60`);
    await eventually('the shell prompt', () => /[#$]\s*$/m.test(screen()));
    tmux('send-keys', '-t', session, 'echo h""i', 'Enter');
    await eventually('hi to be printed', () => /^hi\s*$/m.test(screen()));
    tmux('send-keys', '-t', session, 'stty size', 'Enter');
    await eventually('the window size', () => /^40 120\s*$/m.test(screen()));
    tmux('resize-window', '-t', session, '-x', '100', '-y', '30');
    // the client sends the resize when it sees SIGWINCH, racing the keys typed right after it
    // (as under Docker): ask again, as a person would, until the shell reports the new size
    let asked = 0;
    await eventually('the new window size', () => {
      if (asked++ % 5 === 0) tmux('send-keys', '-t', session, 'stty size', 'Enter');
      return /^30 100\s*$/m.test(screen());
    });
    tmux('send-keys', '-t', session, 'exit 4', 'Enter');
    await eventually('the CLI to exit with the shell status', () => /CLI-EXIT=4/.test(screen()));

    // exec -it into a running container
    docker.ok(['start', name]);
    tmux('respawn-pane', '-k', '-t', session, `env ${env()} ${bin} exec -it ${name} sh; echo EXEC-EXIT=$?; sleep 60`);
    await eventually('the exec prompt', () => /[#$]\s*$/m.test(screen()));
    tmux('send-keys', '-t', session, 'tty; echo e""x', 'Enter');
    await eventually('ex to be printed', () => /^ex\s*$/m.test(screen()) && /\/dev\/pts\//.test(screen()));
    tmux('send-keys', '-t', session, 'exit 5', 'Enter');
    await eventually('the exec CLI to exit with the shell status', () => /EXEC-EXIT=5/.test(screen()));
    assert.match(screen(), /EXEC-EXIT=5/);
    docker.ok(['rm', '-f', name]);
  });
});
