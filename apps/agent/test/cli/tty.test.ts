// `run -it` and `exec -it` under a real pseudo-terminal (tmux), as a person types them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TestAgent, eventually, repoRoot, requireRoot } from '../helpers/test-agent';

describe('interactive terminals (real pty via tmux, as root)', () => {
  const agent = new TestAgent();
  const session = `berth-tty-${agent.suffix}`;
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
    await agent.dispose();
  });

  test('run -it busybox sh: typing echo hi prints hi, and the window size matches', async () => {
    const berth = path.join(repoRoot, 'apps/agent/bin/berth');
    const env = `BERTH_AGENT_URL=${agent.url} BERTH_TOKEN=${agent.token}`;
    const name = agent.name('it');
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', `env ${env} ${berth} run -it --rm --name ${name} busybox:1.37.0-musl sh; echo CLI-EXIT=$?; sleep 30`);
    await eventually('the shell prompt', () => /[#$]\s*$/m.test(screen()));
    tmux('send-keys', '-t', session, 'echo h""i', 'Enter');
    await eventually('hi to be printed', () => /^hi$/m.test(screen()));
    tmux('send-keys', '-t', session, 'stty size', 'Enter');
    await eventually('the window size', () => /^40 120$/m.test(screen()));
    tmux('resize-window', '-t', session, '-x', '100', '-y', '30');
    // SIGWINCH reaches the CLI while the keys typed after it are on their way: ask again, as a
    // person would, until the shell reports the new size
    let asked = 0;
    await eventually('the new window size', () => {
      if (asked++ % 5 === 0) tmux('send-keys', '-t', session, 'stty size', 'Enter');
      return /^30 100$/m.test(screen());
    });
    tmux('send-keys', '-t', session, 'exit 4', 'Enter');
    await eventually('the CLI to exit with the shell status', () => /CLI-EXIT=4/.test(screen()));
    assert.match(screen(), /CLI-EXIT=4/);
  });

  test('exec -it: the outer terminal size inside, a resize seen, the exit code returned', async () => {
    const berth = path.join(repoRoot, 'apps/agent/bin/berth');
    const env = `BERTH_AGENT_URL=${agent.url} BERTH_TOKEN=${agent.token}`;
    const name = agent.name('exit');
    agent.ok(['run', '-d', '--name', name, 'busybox:1.37.0-musl', 'sleep', '300']);
    const s2 = `${session}-exec`;
    try {
      tmux('new-session', '-d', '-s', s2, '-x', '110', '-y', '35', `env ${env} ${berth} exec -it ${name} sh; echo EXEC-EXIT=$?; sleep 30`);
      const scr = () => tmux('capture-pane', '-p', '-t', s2);
      await eventually('the exec prompt', () => /[#$]\s*$/m.test(scr()));
      tmux('send-keys', '-t', s2, 'stty size', 'Enter');
      await eventually('the window size', () => /^35 110$/m.test(scr()));
      tmux('resize-window', '-t', s2, '-x', '90', '-y', '25');
      let asked = 0;
      await eventually('the new window size', () => {
        if (asked++ % 5 === 0) tmux('send-keys', '-t', s2, 'stty size', 'Enter');
        return /^25 90$/m.test(scr());
      });
      tmux('send-keys', '-t', s2, 'exit 6', 'Enter');
      await eventually('the exec CLI to exit with the shell status', () => /EXEC-EXIT=6/.test(scr()));
      assert.match(scr(), /EXEC-EXIT=6/);
    } finally {
      try {
        tmux('kill-session', '-t', s2);
      } catch {
        /* gone */
      }
      agent.ok(['rm', '-f', name]);
    }
  });
});
