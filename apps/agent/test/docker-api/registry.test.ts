// docker push / pull / search / run-with-auto-pull against a real local registry, through Berth's
// Docker API: the streamed JSON progress the CLI draws, and the 404 that drives run's pull.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestAgent, requireRoot } from '../helpers/test-agent';
import { TestRegistry, requireTools } from '../helpers/registry';
import { DOCKER_CLIENTS, DockerCli, requireClient } from './docker-cli';

describe('docker push/pull/search via the Docker API (real registry, as root)', () => {
  const agent = new TestAgent();
  const registry = new TestRegistry();
  before(async () => {
    requireRoot();
    requireTools();
    await registry.start();
    await agent.start();
    agent.loadBundledImages(['musl']);
  });
  after(async () => {
    await agent.dispose();
    await registry.stop();
  });

  for (const [client, bin] of Object.entries(DOCKER_CLIENTS)) test(`${client} client (${bin}): push, rmi, pull back, search, and run pulls a missing image`, () => {
    requireClient(bin);
    const docker = new DockerCli(agent, bin);
    try {
      const ref = `${registry.host}/dbox-${client}:1`;
      docker.ok(['tag', 'busybox:1.37.0-musl', ref]);
      const push = docker.ok(['push', ref]);
      assert.match(push, /digest: sha256:[0-9a-f]{64}/);
      docker.ok(['rmi', ref]);
      const pull = docker.ok(['pull', ref]);
      assert.match(pull, /Downloaded newer image for|Digest: sha256/);
      assert.match(docker.ok(['images']), new RegExp(`dbox-${client}\\s+1`));
      assert.match(docker.ok(['search', `${registry.host}/dbox-${client}`]), new RegExp(`dbox-${client}`));
      docker.ok(['rmi', ref]);
      const r = docker.run(['run', '--rm', ref, 'echo', 'pulled']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'pulled\n');
      assert.match(r.stderr, /Unable to find image/);
      docker.ok(['rmi', ref]);
      const missing = docker.run(['pull', `${registry.host}/nope:1`]);
      assert.notEqual(missing.code, 0);
    } finally {
      docker.dispose();
    }
  });
});
