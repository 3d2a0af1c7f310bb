// Pure parts of the network driver: subnet arithmetic, names, the iptables rule set, DNS files,
// and Docker's -p/-v/--mount syntax.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMountFlag, parsePublish, parseTmpfsFlag, parseVolumeFlag } from '@berth/shared';
import { renderRules } from '../../src/network/iptables';
import { netNames } from '../../src/network/names';
import { renderHosts, renderResolvConf } from '../../src/network/dns-files';
import { contains, formatCidr, hostRange, intToIp, overlaps, parseCidr } from '../../src/network/subnet';
import { macFor } from '../../src/network/links';

test('subnets: parse, overlap, host range', () => {
  const a = parseCidr('10.88.0.0/16');
  assert.equal(formatCidr(a), '10.88.0.0/16');
  assert.ok(overlaps(a, parseCidr('10.88.3.0/24')));
  assert.ok(!overlaps(a, parseCidr('10.89.0.0/24')));
  assert.ok(contains(a, parseCidr('10.88.255.254/32').base));
  const [lo, hi] = hostRange(parseCidr('10.89.1.0/24'));
  assert.equal(intToIp(lo), '10.89.1.1');
  assert.equal(intToIp(hi), '10.89.1.254');
  assert.throws(() => parseCidr('10.88.0.1/16'), /host bits are set/);
  assert.throws(() => parseCidr('10.88.0.0/33'), /invalid subnet/);
});

test('names: a tag keeps bridges and chains apart; interface names fit in 15 bytes', () => {
  const plain = netNames('');
  assert.equal(plain.defaultBridge, 'berth0');
  assert.equal(plain.chains.dnat, 'BERTH-DNAT');
  const t = netNames('ab12c');
  assert.equal(t.defaultBridge, 'berthab12c');
  assert.equal(t.chains.forward, 'BERTH-AB12C-FORWARD');
  const id = 'f'.repeat(64);
  assert.ok(t.bridgeFor(id).length <= 15 && t.isOurBridge(t.bridgeFor(id)));
  assert.ok(!t.isOurBridge(plain.bridgeFor(id)));
  assert.ok(plain.veth(id, 3).length <= 15);
  assert.throws(() => netNames('TOO-LONG'), /invalid network tag/);
});

test('rules: per-network isolation before outbound, DNAT and hairpin per binding', () => {
  const text = renderRules(
    netNames(''),
    [
      { bridge: 'berth0', subnet: '10.88.0.0/16' },
      { bridge: 'br-aaaa', subnet: '10.89.0.0/24' },
    ],
    [{ protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerIp: '10.88.0.2', containerPort: 53 }],
  );
  const lines = text.split('\n');
  const drop = lines.indexOf('-A BERTH-FORWARD -o br-aaaa -j DROP');
  const out = lines.indexOf('-A BERTH-FORWARD -i berth0 -j ACCEPT');
  assert.ok(drop > 0 && out > drop, 'drops into a bridge come before outbound accepts');
  assert.ok(lines.includes('-A BERTH-DNAT -d 127.0.0.1/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.88.0.2:53'));
  assert.ok(lines.includes('-A BERTH-POSTROUTING -s 127.0.0.0/8 -o berth0 -j MASQUERADE'));
  assert.ok(lines.includes('-A BERTH-POSTROUTING -s 10.89.0.0/24 ! -o br-aaaa -j MASQUERADE'));
  assert.ok(lines.includes(':BERTH-DNAT - [0:0]'), 'the chain line makes iptables-restore --noflush rewrite it whole');
  assert.equal(lines.filter((l) => l === 'COMMIT').length, 2);
});

test('dns files: peers by name and alias; loopback resolvers dropped', () => {
  const h = renderHosts({ address: '10.89.0.2', names: [] }, 'abc', [{ address: '10.89.0.3', names: ['web', 'www', '0123456789ab'] }]);
  assert.match(h, /^10\.89\.0\.2\tabc$/m);
  assert.match(h, /^10\.89\.0\.3\tweb www 0123456789ab$/m);
  assert.equal(renderResolvConf('nameserver 127.0.0.53\nsearch x\n'), 'search x\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  assert.equal(renderResolvConf('nameserver 10.0.0.1\n'), 'nameserver 10.0.0.1\n');
  assert.equal(macFor('10.88.0.2'), '02:42:0a:58:00:02');
});

test('-p parsing follows Docker', () => {
  assert.deepEqual(parsePublish('8080:80'), [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1:53:53/udp'), [{ hostIp: '127.0.0.1', hostPort: 53, containerPort: 53, protocol: 'udp' }]);
  assert.deepEqual(parsePublish('80'), [{ containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [{ hostIp: '127.0.0.1', containerPort: 80, protocol: 'tcp' }]);
  assert.equal(parsePublish('8000-8002:80-82').length, 3);
  for (const bad of ['', '80:', 'a:80', '80/sctp', '1.2.3:1:1', '0:80', '8000-8001:80', ':::80']) assert.throws(() => parsePublish(bad), Error, bad);
});

test('-v, --mount and --tmpfs parsing', () => {
  assert.deepEqual(parseVolumeFlag('site:/www:ro'), { type: 'volume', source: 'site', target: '/www', readOnly: true, noCopy: false });
  assert.deepEqual(parseVolumeFlag('/srv/x:/x'), { type: 'bind', source: '/srv/x', target: '/x', readOnly: false, noCopy: false });
  assert.deepEqual(parseVolumeFlag('/data'), { type: 'volume', target: '/data', readOnly: false, noCopy: false });
  for (const bad of ['x', 'a:b', 'a:/b:zz', 'a:/../x', 'a:/']) assert.throws(() => parseVolumeFlag(bad), Error, bad);
  assert.deepEqual(parseMountFlag('type=bind,src=/a,dst=/b,readonly'), { type: 'bind', source: '/a', target: '/b', readOnly: true, noCopy: false });
  assert.throws(() => parseMountFlag('type=nfs,target=/x'), /unknown type/);
  assert.throws(() => parseMountFlag('type=volume,target=/x,bogus=1'), /unknown field/);
  assert.equal(parseTmpfsFlag('/t:size=1m').tmpfsSize, 1024 * 1024);
});
