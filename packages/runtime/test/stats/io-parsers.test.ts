// The block and network I/O parsers behind `berth stats` (v1 blkio, v2 io.stat, /proc/PID/net/dev).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBlkioServiceBytes } from '../../src/cgroups/v1/blkio';
import { parseIoStat } from '../../src/cgroups/v2/io';
import { parseNetDev } from '../../src/stats/net-dev';

test('v1 blkio.throttle.io_service_bytes: Read and Write summed over devices', () => {
  const text = '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:0 Total 12288\n8:16 Read 100\n8:16 Write 0\nTotal 12388\n';
  assert.deepEqual(parseBlkioServiceBytes(text), { readBytes: 4196, writeBytes: 8192 });
  assert.deepEqual(parseBlkioServiceBytes(''), { readBytes: 0, writeBytes: 0 });
});

test('v2 io.stat: rbytes and wbytes summed over devices', () => {
  const text = '8:0 rbytes=1000 wbytes=2000 rios=1 wios=2 dbytes=0 dios=0\n259:0 rbytes=5 wbytes=7 rios=1 wios=1\n';
  assert.deepEqual(parseIoStat(text), { readBytes: 1005, writeBytes: 2007 });
});

test('/proc/PID/net/dev: every interface but lo', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
  eth0:    1234      10    0    0    0     0          0         0     4321      12    0    0    0     0       0          0
`;
  assert.deepEqual(parseNetDev(text), { rxBytes: 1234, txBytes: 4321 });
});
