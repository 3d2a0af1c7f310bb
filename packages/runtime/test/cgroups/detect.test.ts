import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectCgroups, parseCgroupMounts } from '../../src/cgroups/detect';
import { CgroupV1 } from '../../src/cgroups/v1/driver';
import { CgroupV2 } from '../../src/cgroups/v2/driver';

const ID = '0123456789abcdef';

// This machine: v1 hierarchies plus a cgroup2 at /sys/fs/cgroup/unified carrying only hugetlb.
const hybrid = `25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

const pureV2 = `22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

// systemd-style v1 with cpu and cpuacct co-mounted (and the symlinks' target name).
const coMounted = `30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
36 30 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory
37 30 0:33 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids
38 30 0:34 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,cpuset
`;

const controllersAt =
  (map: Record<string, string>) =>
  (mountPoint: string): string | null =>
    map[mountPoint] ?? null;

describe('detectCgroups', () => {
  it('picks v1 on a hybrid host whose unified mount carries only hugetlb', () => {
    const d = detectCgroups(hybrid, controllersAt({ '/sys/fs/cgroup/unified': 'hugetlb\n' }));
    assert.ok(d instanceof CgroupV1);
    assert.equal(d.version, 1);
    assert.deepEqual(d.procsFiles(ID), [
      `/sys/fs/cgroup/memory/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/cpu/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/cpuacct/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/cpuset/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/pids/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/devices/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/freezer/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/blkio/berth/${ID}/cgroup.procs`,
    ]);
  });

  it('picks v2 when the unified hierarchy is mounted at /sys/fs/cgroup', () => {
    const d = detectCgroups(pureV2, controllersAt({}));
    assert.ok(d instanceof CgroupV2);
    assert.deepEqual(d.procsFiles(ID), [`/sys/fs/cgroup/berth/${ID}/cgroup.procs`]);
  });

  it('picks v2 when a unified mount elsewhere holds the memory controller', () => {
    const mountinfo = `41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n`;
    const d = detectCgroups(mountinfo, controllersAt({ '/sys/fs/cgroup/unified': 'cpu io memory pids\n' }));
    assert.ok(d instanceof CgroupV2);
    assert.deepEqual(d.procsFiles(ID), [`/sys/fs/cgroup/unified/berth/${ID}/cgroup.procs`]);
  });

  it('uses one group for co-mounted cpu,cpuacct and ignores name=systemd', () => {
    const d = detectCgroups(coMounted, controllersAt({ '/sys/fs/cgroup/unified': '' }));
    assert.equal(d.version, 1);
    assert.deepEqual(d.procsFiles(ID), [
      `/sys/fs/cgroup/memory/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/cpu,cpuacct/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/cpuset/berth/${ID}/cgroup.procs`,
      `/sys/fs/cgroup/pids/berth/${ID}/cgroup.procs`,
    ]);
  });

  it('parses controllers and unescapes mount points', () => {
    const mounts = parseCgroupMounts(
      `50 31 0:40 / /mnt/my\\040cgroups rw - cgroup cgroup rw,nosuid,memory,pids\n` +
        `51 31 0:41 /docker/abc /sys/fs/cgroup/cpu rw master:5 shared:7 - cgroup cgroup rw,cpu\n` +
        `garbage line\n`,
    );
    assert.deepEqual(mounts, [
      { fstype: 'cgroup', mountPoint: '/mnt/my cgroups', controllers: ['memory', 'pids'] },
      { fstype: 'cgroup', mountPoint: '/sys/fs/cgroup/cpu', controllers: ['cpu'] },
    ]);
  });

  it('fails with failed_precondition when no cgroup is mounted', () => {
    assert.throws(() => detectCgroups('22 1 0:21 / /proc rw - proc proc rw\n', controllersAt({})), {
      code: 'failed_precondition',
    });
  });

  it('detects v1 on this machine from the real mountinfo', () => {
    assert.equal(detectCgroups().version, 1);
  });
});
