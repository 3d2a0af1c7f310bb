// Debian's docker-compose (1.29, docker-py) brings a two-service project up against Berth's
// Docker API — a web server and a client reaching it by service name — and takes it down again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestAgent, eventually, requireRoot } from '../helpers/test-agent';
import { DockerCli } from './docker-cli';

const COMPOSE = '/usr/bin/docker-compose';

const composeFile = `version: "3"
services:
  web:
    image: busybox:1.37.0-musl
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www"]
  client:
    image: busybox:1.37.0-musl
    command: ["sh", "-c", "until wget -qO- http://web/; do sleep 0.3; done; exec sleep 300"]
    depends_on: [web]
`;

describe('docker-compose 1.29 against the Docker API socket (as root)', () => {
  const agent = new TestAgent();
  const docker = new DockerCli(agent);
  let dir = '';
  before(async () => {
    requireRoot();
    if (!fs.existsSync(COMPOSE)) throw new Error(`${COMPOSE} is not installed: apt-get install --no-install-recommends docker-compose`);
    await agent.start();
    agent.loadBundledImages(['musl']);
    dir = fs.mkdtempSync(path.join(agent.run, 'compose-'));
    fs.writeFileSync(path.join(dir, 'docker-compose.yml'), composeFile);
  });
  after(async () => {
    docker.dispose();
    await agent.dispose();
  });

  const compose = (args: string[]) => {
    const r = spawnSync(COMPOSE, ['-p', `p${agent.suffix}`, ...args], { cwd: dir, env: docker.env, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout + r.stderr;
  };

  test('up -d: client reaches web by name; down removes containers and network', async () => {
    compose(['up', '-d']);
    const project = `p${agent.suffix}`;
    await eventually('the client to fetch the page from web', () => /hello-from-web/.test(compose(['logs', 'client'])), 30_000);
    assert.match(compose(['ps']), /Up/);
    // httpd and sleep as PID 1 ignore SIGTERM (as under Docker): a short stop timeout
    compose(['down', '-t', '1']);
    assert.equal(docker.ok(['ps', '-aq']).trim(), '');
    assert.doesNotMatch(docker.ok(['network', 'ls']), new RegExp(project));
  });
});
