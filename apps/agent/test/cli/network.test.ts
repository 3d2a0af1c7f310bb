// Networking end to end (as root, real veth/iptables/netns): published ports from 127.0.0.1 and
// from a second "host" (a network namespace this test makes), user networks with name resolution
// and isolation, the none/host/container modes, exact cleanup and reconcile after an agent crash,
// UDP publishing, and bad input that leaves nothing behind.
// Traffic goes only to loopback, to containers' addresses, and to the addresses of the test's own
// namespace link.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TestAgent, eventually, requireRoot, sleep } from '../helpers/test-agent';
import { freePort } from '../helpers/free-port';

const IMG = 'busybox:1.37.0-musl';

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

/** Our share of the host: every iptables line naming this agent's chains, and its links. */
function hostState(agent: TestAgent): { rules: string[]; links: string[] } {
  const tag = agent.netTag.toUpperCase();
  const rules = sh('iptables-save', [])
    .split('\n')
    .filter((l) => l.includes(`BERTH-${tag}-`))
    .map((l) => l.replace(/\[\d+:\d+\]/, ''))
    .sort();
  const links = (JSON.parse(sh('ip', ['-d', '-j', 'link', 'show'])) as { ifname: string; master?: string }[]);
  const bridges = new Set(links.filter((l) => l.ifname === `berth${agent.netTag}` || l.ifname.startsWith(`br${agent.netTag}-`)).map((l) => l.ifname));
  return { rules, links: links.filter((l) => bridges.has(l.ifname) || (l.master && bridges.has(l.master))).map((l) => l.ifname).sort() };
}

function containerIp(agent: TestAgent, name: string, network?: string): string {
  const nets = JSON.parse(agent.ok(['inspect', name]))[0].networkSettings.networks as Record<string, { ipAddress: string }>;
  return (network ? nets[network] : Object.values(nets)[0]).ipAddress;
}

describe('networking (real bridge, veth, iptables; as root)', () => {
  const agent = new TestAgent();
  // the "second host": a namespace on its own veth link, addresses this test chooses
  const peerNs = `bpeer-${crypto.randomBytes(3).toString('hex')}`;
  const peerVeth = `bpv${crypto.randomBytes(3).toString('hex')}`;
  const sub = 200 + crypto.randomInt(50);
  const hostSide = `10.254.${sub}.1`;
  const peerSide = `10.254.${sub}.2`;

  before(async () => {
    requireRoot();
    await agent.start();
    agent.loadBundledImages(['musl']);
  });

  after(async () => {
    spawnSync('ip', ['netns', 'del', peerNs]);
    spawnSync('ip', ['link', 'del', peerVeth]);
    await agent.dispose();
    // nothing of ours is left on the host
    const now = sh('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0]).filter(Boolean);
    const tag = agent.netTag;
    assert.deepEqual(now.filter((n) => n === `berth${tag}` || n.startsWith(`br${tag}-`) || n === peerVeth), [], 'links left behind');
    assert.equal(sh('iptables-save', []).includes(`BERTH-${tag.toUpperCase()}-`), false, 'iptables rules left behind');
    assert.equal(sh('ip', ['netns', 'list']).includes(peerNs), false, 'test namespace left behind');
    assert.equal(fs.existsSync(agent.run), false);
  });

  test('-p 18080:80 with a volume: reachable on 127.0.0.1 and from a second host', async () => {
    const name = agent.name('web');
    const vol = agent.name('site');
    agent.ok(['volume', 'create', vol]);
    const data = JSON.parse(agent.ok(['volume', 'inspect', vol]))[0].mountpoint as string;
    fs.writeFileSync(path.join(data, 'hello.txt'), 'hello from the volume\n');
    agent.ok(['run', '-d', '--name', name, '-p', '18080:80', '-v', `${vol}:/www`, IMG, 'httpd', '-f', '-p', '80', '-h', '/www']);
    assert.match(agent.ok(['ps']), /0\.0\.0\.0:18080->80\/tcp/);
    const body = await eventually('httpd answers on 127.0.0.1:18080', () => {
      const r = spawnSync('wget', ['-qO-', '-T', '3', 'http://127.0.0.1:18080/hello.txt'], { encoding: 'utf8' });
      return r.status === 0 ? r.stdout : '';
    });
    assert.equal(body, 'hello from the volume\n');

    // a second host: namespace + veth, the host's address on that link is the target
    sh('ip', ['netns', 'add', peerNs]);
    sh('ip', ['link', 'add', peerVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peerNs]);
    sh('ip', ['addr', 'add', `${hostSide}/30`, 'dev', peerVeth]);
    sh('ip', ['link', 'set', peerVeth, 'up']);
    sh('ip', ['netns', 'exec', peerNs, 'ip', 'addr', 'add', `${peerSide}/30`, 'dev', 'eth0']);
    sh('ip', ['netns', 'exec', peerNs, 'ip', 'link', 'set', 'eth0', 'up']);
    sh('ip', ['netns', 'exec', peerNs, 'ip', 'link', 'set', 'lo', 'up']);
    const remote = spawnSync('ip', ['netns', 'exec', peerNs, 'wget', '-qO-', '-T', '5', `http://${hostSide}:18080/hello.txt`], { encoding: 'utf8' });
    assert.equal(remote.stdout, 'hello from the volume\n', remote.stderr);
    sh('ip', ['netns', 'del', peerNs]);

    agent.ok(['rm', '-f', name]);
    agent.ok(['volume', 'rm', vol]);
    assert.equal(spawnSync('wget', ['-qO-', '-T', '2', 'http://127.0.0.1:18080/hello.txt']).status !== 0, true, 'the port is closed after rm');
  });

  test('user networks: a container reaches http://web/ by name; one on another network cannot', () => {
    const netA = agent.name('neta');
    const netB = agent.name('netb');
    agent.ok(['network', 'create', netA]);
    agent.ok(['network', 'create', netB]);
    const web = agent.name('websrv');
    agent.ok(['run', '-d', '--name', web, '--network', netA, '--network-alias', 'web', IMG, 'sh', '-c', 'mkdir /w && echo it-is-web > /w/index.html && httpd -f -p 80 -h /w']);
    const ok = agent.cli(['run', '--rm', '--network', netA, IMG, 'sh', '-c', 'for i in 1 2 3 4 5; do wget -qO- -T 2 http://web/ && exit 0; sleep 0.3; done; exit 1']);
    assert.equal(ok.stdout, 'it-is-web\n', ok.stderr);
    assert.equal(agent.ok(['run', '--rm', '--network', netA, IMG, 'wget', '-qO-', '-T', '2', `http://${web}/`]), 'it-is-web\n');
    // another network: no name, and no route through the address either
    const byName = agent.cli(['run', '--rm', '--network', netB, IMG, 'wget', '-qO-', '-T', '2', 'http://web/']);
    assert.notEqual(byName.code, 0);
    const ip = containerIp(agent, web);
    const byIp = agent.cli(['run', '--rm', '--network', netB, IMG, 'wget', '-qO-', '-T', '2', `http://${ip}/`]);
    assert.notEqual(byIp.code, 0, 'networks are isolated');
    const fromDefault = agent.cli(['run', '--rm', IMG, 'wget', '-qO-', '-T', '2', `http://${ip}/`]);
    assert.notEqual(fromDefault.code, 0, 'the default bridge is isolated too');
    // connect brings it in; disconnect takes it out again
    const client = agent.name('client');
    agent.ok(['run', '-d', '--name', client, '--network', netB, IMG, 'sleep', '60']);
    agent.ok(['network', 'connect', netA, client]);
    assert.equal(agent.ok(['exec', client, 'wget', '-qO-', '-T', '2', 'http://web/']), 'it-is-web\n');
    agent.ok(['network', 'disconnect', netA, client]);
    assert.notEqual(agent.cli(['exec', client, 'wget', '-qO-', '-T', '2', 'http://web/']).code, 0);

    const inUse = agent.cli(['network', 'rm', netA]);
    assert.notEqual(inUse.code, 0);
    assert.match(inUse.stderr, /has active endpoints/);
    agent.ok(['rm', '-f', web, client]);
    const listed = agent.ok(['network', 'ls']);
    assert.match(listed, new RegExp(netA));
    agent.ok(['network', 'rm', netA]);
    assert.match(agent.ok(['network', 'prune', '-f']), new RegExp(netB));
    assert.doesNotMatch(agent.ok(['network', 'ls']), new RegExp(`${netA}|${netB}`));
  });

  test('--network none shows only lo; host sees the host interfaces; container:A has A\'s address', () => {
    assert.equal(agent.ok(['run', '--rm', '--network', 'none', IMG, 'ls', '/sys/class/net']), 'lo\n');
    const hostIfs = agent.ok(['run', '--rm', '--network', 'host', IMG, 'ls', '/sys/class/net']).split('\n');
    assert.ok(hostIfs.includes('eth0') && hostIfs.includes(`berth${agent.netTag}`), hostIfs.join(' '));
    const a = agent.name('a');
    agent.ok(['run', '-d', '--name', a, IMG, 'sleep', '60']);
    const ip = containerIp(agent, a);
    const out = agent.ok(['run', '--rm', '--network', `container:${a}`, IMG, 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
    assert.match(out, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
    // the default bridge: an address from its subnet, a default route, the host's resolvers
    const inside = agent.ok(['run', '--rm', IMG, 'sh', '-c', 'ip -4 route; cat /etc/resolv.conf']);
    assert.match(inside, /default via \d+\.\d+\.\d+\.1 dev eth0/);
    assert.match(inside, /nameserver /);
    agent.ok(['rm', '-f', a]);
  });

  test('20 containers with published ports leave the rules and links exactly as they were', async () => {
    const before = hostState(agent);
    assert.ok(before.rules.length > 0 && before.links.includes(`berth${agent.netTag}`));
    const names: string[] = [];
    for (let i = 0; i < 20; i++) {
      const n = agent.name(`many${i}`);
      names.push(n);
      agent.ok(['run', '-d', '--name', n, '-p', '80', '-p', `${19100 + i}:8080/udp`, IMG, 'sleep', '300']);
    }
    const during = hostState(agent);
    assert.equal(during.rules.filter((r) => / DNAT --to-destination/.test(r)).length, 40);
    assert.equal(during.links.length, before.links.length + 20);
    agent.ok(['rm', '-f', ...names]);
    assert.deepEqual(hostState(agent), before);
  });

  test('after SIGKILL of the agent and a restart the rules are exactly what running containers need', async () => {
    const keep = agent.name('keep');
    const gone = agent.name('gone');
    agent.ok(['run', '-d', '--name', keep, '-p', '18081:80', IMG, 'httpd', '-f', '-p', '80', '-h', '/etc']);
    const baseline = hostState(agent);
    agent.ok(['run', '-d', '--name', gone, '-p', '18082:80', IMG, 'sleep', '300']);
    const gonePid = JSON.parse(agent.ok(['inspect', gone]))[0].pid as number;
    await agent.crash();
    // while the agent is down: a container dies, a rule is lost, a stranger rule appears
    process.kill(gonePid, 'SIGKILL');
    const dnat = `BERTH-${agent.netTag.toUpperCase()}-DNAT`;
    const keepRule = sh('iptables', ['-t', 'nat', '-S', dnat]).split('\n').find((l) => l.includes('--dport 18081'))!;
    sh('iptables', ['-t', 'nat', ...keepRule.replace(/^-A /, '-D ').split(' ')]);
    sh('iptables', ['-t', 'nat', '-A', dnat, '-p', 'tcp', '--dport', '18999', '-j', 'DNAT', '--to-destination', '10.254.0.9:1']);
    await sleep(500);
    await agent.start();
    assert.deepEqual(hostState(agent), baseline);
    assert.match(agent.ok(['ps', '-a']), new RegExp(`Exited \\(137\\).*${gone}`));
    assert.equal(fs.readdirSync(path.join(agent.run, 'netns')).length, 1, 'only the running container has a namespace');
    const r = await eventually('the restored rule works', () => {
      const x = spawnSync('wget', ['-qO-', '-T', '2', 'http://127.0.0.1:18081/hostname'], { encoding: 'utf8' });
      return x.status === 0 ? x.stdout : '';
    });
    assert.ok(r.length > 0);
    agent.ok(['rm', '-f', keep, gone]);
  });

  test('UDP publishing works with nc -u', async () => {
    const name = agent.name('udp');
    const port = await freePort();
    agent.ok(['run', '-d', '--name', name, '-p', `${port}:5353/udp`, IMG, 'nc', '-u', '-l', '-p', '5353']);
    await eventually('the datagram arrives', async () => {
      await new Promise<void>((resolve) => {
        const s = dgram.createSocket('udp4');
        s.send('ping over udp\n', port, '127.0.0.1', () => s.close(() => resolve()));
      });
      await sleep(200);
      return agent.ok(['logs', name]).includes('ping over udp');
    });
    agent.ok(['rm', '-f', name]);
  });

  test('bad input fails clearly and leaves no network, rule or container', async () => {
    const before = hostState(agent);
    const containersBefore = agent.ok(['ps', '-aq']);
    const networksBefore = agent.ok(['network', 'ls', '-q']);
    const n1 = agent.name('ov1');
    agent.ok(['network', 'create', '--subnet', '10.253.16.0/24', n1]);
    const overlap = agent.cli(['network', 'create', '--subnet', '10.253.16.128/25', agent.name('ov2')]);
    assert.notEqual(overlap.code, 0);
    assert.match(overlap.stderr, /overlaps network/);
    agent.ok(['network', 'rm', n1]);

    // a port some other process holds
    const srv = net.createServer();
    const held = await new Promise<number>((resolve) => srv.listen(0, '0.0.0.0', () => resolve((srv.address() as net.AddressInfo).port)));
    const busy = agent.cli(['run', '-d', '-p', `${held}:80`, IMG, 'sleep', '5']);
    srv.close();
    assert.equal(busy.code, 125);
    assert.match(busy.stderr, /already in use/);

    // a port another container holds
    const owner = agent.name('owner');
    agent.ok(['run', '-d', '--name', owner, '-p', '18090:80', IMG, 'sleep', '60']);
    const taken = agent.cli(['run', '-d', '-p', '18090:80', IMG, 'sleep', '5']);
    assert.equal(taken.code, 125);
    assert.match(taken.stderr, new RegExp(`already allocated.*${owner}`));
    agent.ok(['rm', '-f', owner]);

    const unknown = agent.cli(['run', '--rm', '--network', 'no-such-net', IMG, 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /network no-such-net not found/);
    for (const [flag, value, msg] of [
      ['-p', '80:abc', /invalid publish spec "80:abc"/],
      ['-p', '1.2.3:80:80', /invalid publish spec/],
      ['-p', '70000:80', /invalid host port "70000"/],
      ['-v', 'relative/path:/x', /invalid volume spec/],
      ['-v', 'vol:relative', /container path must be absolute/],
      ['-v', 'a:/b:c:d', /invalid volume spec/],
      ['--mount', 'type=bind,target=/x', /needs an absolute source/],
      ['-v', '/no/such/host/dir:/x', /bind source path does not exist/],
    ] as const) {
      const r = agent.cli(['run', '--rm', flag, value, IMG, 'true']);
      assert.equal(r.code, 125, `${flag} ${value}: ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
    assert.equal(agent.ok(['ps', '-aq']), containersBefore);
    assert.equal(agent.ok(['network', 'ls', '-q']), networksBefore);
    assert.deepEqual(hostState(agent), before);
  });
});
