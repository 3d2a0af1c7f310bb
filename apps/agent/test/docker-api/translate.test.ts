// The pure parts of the Docker API adapter: Docker's create body as a RunSpec, versioned paths,
// routing, and the 501 for what Berth does not implement. No root needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunSpec, UpdateSpec } from '@berth/shared';
import { containerInspect, createBodyToRunSpec, updateBodyToSpec } from '../../src/docker-api/translate';
import { route, splitVersion } from '../../src/docker-api/server';
import { muxFrame } from '../../src/docker-api/http-util';

describe('docker API adapter (pure)', () => {
  test('a docker create body maps onto a RunSpec the engine accepts', () => {
    const spec = createBodyToRunSpec(
      {
        Image: 'busybox:1.37.0-musl',
        Cmd: ['sh', '-c', 'echo hi'],
        Env: ['A=1'],
        WorkingDir: '/tmp',
        User: '1000:1000',
        Hostname: 'box',
        Tty: true,
        OpenStdin: true,
        Labels: { k: 'v' },
        HostConfig: {
          Memory: 64 * 1024 * 1024,
          NanoCpus: 500_000_000,
          PidsLimit: 50,
          NetworkMode: 'default',
          AutoRemove: true,
          PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostPort: '' }] },
          Binds: ['data:/data:ro', '/srv:/srv'],
          Tmpfs: { '/run': 'size=1m' },
          Privileged: false,
          CapAdd: ['NET_ADMIN'],
          CapDrop: ['MKNOD'],
          ReadonlyRootfs: true,
          SecurityOpt: ['no-new-privileges'],
        },
        NetworkingConfig: { EndpointsConfig: { appnet: { Aliases: ['api'] } } },
      },
      'web',
    );
    const parsed = RunSpec.parse(spec);
    assert.equal(parsed.name, 'web');
    assert.deepEqual(parsed.cmd, ['sh', '-c', 'echo hi']);
    assert.equal(parsed.network, 'bridge');
    assert.equal(parsed.memoryBytes, 64 * 1024 * 1024);
    assert.equal(parsed.nanoCpus, 500_000_000);
    assert.equal(parsed.autoRemove, true);
    assert.deepEqual(parsed.publish, [
      { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 },
      { containerPort: 53, protocol: 'udp', hostIp: undefined, hostPort: undefined },
    ]);
    assert.deepEqual(
      parsed.mounts.map((m) => [m.type, m.source, m.target, m.readOnly, m.tmpfsSize]),
      [
        ['volume', 'data', '/data', true, undefined],
        ['bind', '/srv', '/srv', false, undefined],
        ['tmpfs', undefined, '/run', false, 1024 * 1024],
      ],
    );
    assert.deepEqual(parsed.networkAliases, ['api']);
    assert.equal(parsed.readOnly, true);
    assert.deepEqual(parsed.capAdd, ['NET_ADMIN']);
  });

  test('CpuQuota/CpuPeriod become nano CPUs; an image is required', () => {
    assert.equal(createBodyToRunSpec({ Image: 'x', HostConfig: { CpuQuota: 50_000, CpuPeriod: 100_000 } }, undefined).nanoCpus, 500_000_000);
    assert.throws(() => createBodyToRunSpec({}, undefined), /Image is required/);
  });

  test('HostConfig.Devices and Sysctls become devices and sysctls', () => {
    const s = createBodyToRunSpec(
      {
        Image: 'x',
        HostConfig: {
          Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rw' }, { PathOnHost: '/dev/zero' }],
          Sysctls: { 'net.ipv4.ip_forward': '1' },
        },
      },
      undefined,
    );
    assert.deepEqual(s.devices, [
      { pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', permissions: 'rw' },
      { pathOnHost: '/dev/zero', pathInContainer: '/dev/zero', permissions: 'rwm' },
    ]);
    assert.deepEqual(s.sysctls, { 'net.ipv4.ip_forward': '1' });
  });

  test('HostConfig.UsernsMode: "" and host are the default, remap asks for a user namespace', () => {
    assert.equal(createBodyToRunSpec({ Image: 'x', HostConfig: { UsernsMode: 'remap' } }, undefined).userns, 'remap');
    assert.equal(createBodyToRunSpec({ Image: 'x', HostConfig: { UsernsMode: 'host' } }, undefined).userns, 'host');
    assert.equal(createBodyToRunSpec({ Image: 'x', HostConfig: { UsernsMode: '' } }, undefined).userns, undefined);
  });

  test('HostConfig.Init and Config.Healthcheck (nanoseconds) become init and healthcheck (ms)', () => {
    const s = createBodyToRunSpec(
      {
        Image: 'x',
        HostConfig: { Init: true },
        Healthcheck: { Test: ['CMD-SHELL', 'test -f /ok'], Interval: 200_000_000, Timeout: 5_000_000_000, StartPeriod: 0, Retries: 2 },
      },
      undefined,
    );
    assert.equal(s.init, true);
    assert.deepEqual(s.healthcheck, { test: ['CMD-SHELL', 'test -f /ok'], intervalMs: 200, timeoutMs: 5000, retries: 2 });
    assert.ok(RunSpec.safeParse(s).success);
    const none = createBodyToRunSpec({ Image: 'x', Healthcheck: { Test: ['NONE'] } }, undefined);
    assert.deepEqual(none.healthcheck, { test: ['NONE'] });
    assert.equal(none.init, undefined);
    assert.equal(RunSpec.safeParse({ image: 'x', healthcheck: { test: ['BOGUS'] } }).success, false);
    assert.equal(RunSpec.safeParse({ image: 'x', healthcheck: { test: ['CMD'] } }).success, false);
  });

  test('inspect: State.Health in Docker\'s shape, HostConfig.Init, Config.Healthcheck in nanoseconds', () => {
    const view = containerInspect({
      id: 'a'.repeat(64),
      name: 'web',
      image: 'x',
      imageId: 'sha256:' + 'b'.repeat(64),
      command: 'sleep 1',
      state: 'running',
      status: 'Up 3 seconds (healthy)',
      createdAt: '2026-12-04T00:00:00Z',
      startedAt: '2026-12-04T00:00:01Z',
      finishedAt: null,
      exitCode: null,
      pid: 42,
      healthStatus: 'healthy',
      path: 'sleep',
      args: ['1'],
      oomKilled: false,
      restartCount: 0,
      config: {
        hostname: 'h',
        user: '',
        env: [],
        cmd: ['sleep', '1'],
        entrypoint: null,
        workingDir: '/',
        tty: false,
        openStdin: false,
        stopSignal: 'SIGTERM',
        labels: {},
        healthcheck: { test: ['CMD', 'true'], intervalMs: 200, timeoutMs: 1000, startPeriodMs: 0, retries: 3 },
      },
      hostConfig: { memory: 0, nanoCpus: 0, pidsLimit: 0, networkMode: 'none', autoRemove: false, init: true },
      logPath: '/x',
      health: { status: 'healthy', failingStreak: 0, log: [{ start: 's', end: 'e', exitCode: 0, output: 'ok' }] },
    });
    assert.deepEqual(view.State.Health, { Status: 'healthy', FailingStreak: 0, Log: [{ Start: 's', End: 'e', ExitCode: 0, Output: 'ok' }] });
    assert.equal(view.HostConfig.Init, true);
    assert.deepEqual(view.Config.Healthcheck, { Test: ['CMD', 'true'], Interval: 200_000_000, Timeout: 1_000_000_000, Retries: 3 });
  });

  test('restart policies and update bodies map onto the engine\'s specs', () => {
    assert.deepEqual(createBodyToRunSpec({ Image: 'x', HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } } }, undefined).restartPolicy, {
      name: 'on-failure',
      maximumRetryCount: 3,
    });
    assert.equal(createBodyToRunSpec({ Image: 'x', HostConfig: { RestartPolicy: { Name: '' } } }, undefined).restartPolicy, undefined);
    assert.throws(() => createBodyToRunSpec({ Image: 'x', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, undefined), /invalid restart policy "sometimes"/);
    assert.deepEqual(updateBodyToSpec({ Memory: 1 << 27, MemorySwap: -1, CpuQuota: 25_000, PidsLimit: 0, RestartPolicy: { Name: 'always' } }), {
      memoryBytes: 1 << 27,
      memorySwapBytes: -1,
      nanoCpus: 250_000_000,
      restartPolicy: { name: 'always', maximumRetryCount: 0 },
    });
    assert.deepEqual(updateBodyToSpec({ RestartPolicy: { Name: 'no' } }), { restartPolicy: { name: 'no', maximumRetryCount: 0 } });
    assert.ok(UpdateSpec.safeParse(updateBodyToSpec({ Memory: 1 << 27 })).success);
  });

  test('versioned and unversioned paths route alike; image names may hold slashes', () => {
    assert.deepEqual(splitVersion('/v1.41/containers/json'), { version: '1.41', path: '/containers/json' });
    assert.deepEqual(splitVersion('/_ping'), { path: '/_ping' });
    assert.deepEqual(route('GET', '/images/127.0.0.1:5000/a/b:1/json')?.params, ['127.0.0.1:5000/a/b:1']);
    assert.deepEqual(route('POST', '/containers/abc/start')?.params, ['abc']);
    assert.equal(route('POST', '/build'), undefined);
    assert.equal(route('POST', '/events'), undefined);
  });

  test('the multiplexed stream header: stream byte, three zeros, big-endian length', () => {
    assert.deepEqual([...muxFrame('stderr', Buffer.from('hi'))], [2, 0, 0, 0, 0, 0, 0, 2, 104, 105]);
  });
});
