// Container confinement and the escape-test suite (issue 7): real containers through the real
// agent and CLI try what an escape needs, and must fail the way they do under Docker; crafted
// images try the known runtime escape classes and must leave the host's marker files alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { TestAgent, repoRoot, requireRoot } from '../helpers/test-agent';
import { buildImage, compileStatic, type CraftedImage } from '../helpers/crafted-image';

const BB = 'busybox:1.37.0-musl';
const helperBin = path.join(repoRoot, 'packages/runtime/native/build/berth-helper');
const sha256 = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/** The host's first real block device as "MAJ MIN" (what an escape would mknod and read). */
function hostDisk(): string {
  for (const name of fs.readdirSync('/sys/block')) {
    if (name.startsWith('loop') || name.startsWith('ram')) continue;
    const dev = fs.readFileSync(`/sys/block/${name}/dev`, 'utf8').trim();
    return dev.replace(':', ' ');
  }
  return '8 0';
}

describe('confinement (real runtime, as root)', () => {
  const agent = new TestAgent();
  const tmp: string[] = [];
  let probe = '';
  const PROBE_IMG = `probe-${agent.suffix}:1`;
  const marker = fs.mkdtempSync(path.join('/var/tmp', 'berth-marker-'));
  const markerFile = path.join(marker, 'marker');

  const load = (img: CraftedImage) => {
    const dir = buildImage(img);
    tmp.push(dir);
    agent.ok(['load', '-i', dir]);
  };
  /** runs a throwaway container, returns the CLI result */
  const run = (args: string[]) => agent.cli(['run', '--rm', ...args]);

  before(async () => {
    requireRoot();
    fs.writeFileSync(markerFile, 'untouched\n');
    await agent.start();
    agent.loadBundledImages(['musl']);
    probe = compileStatic(path.join(repoRoot, 'apps/agent/test/fixtures/escape-probe.c'));
    tmp.push(path.dirname(probe));
    load({ ref: PROBE_IMG, files: { 'escape-probe': { file: fs.readFileSync(probe), mode: 0o755 } } });
  });
  after(async () => {
    await agent.dispose();
    for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
    // the marker itself must have survived every test; checked last, then removed
    const survived = fs.readFileSync(markerFile, 'utf8');
    fs.rmSync(marker, { recursive: true, force: true });
    assert.equal(survived, 'untouched\n');
  });

  const p = (...args: string[]) => run([PROBE_IMG, '/escape-probe', ...args]);

  describe('a default container fails where Docker does', () => {
    test('mount (busybox and the raw syscall)', () => {
      const r = run([BB, 'sh', '-c', 'mount -t tmpfs none /tmp']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /permission denied|not permitted/i);
      assert.deepEqual([p('mount').stdout, p('mount').code], ['EPERM\n', 1]);
    });

    test('unshare -m and new user namespaces (unshare and clone)', () => {
      const r = run([BB, 'unshare', '-m', 'true']);
      assert.notEqual(r.code, 0, r.stdout + r.stderr);
      assert.equal(p('unshare-mnt').stdout, 'EPERM\n');
      assert.equal(p('unshare-user').stdout, 'EPERM\n');
      assert.equal(p('clone-newuser').stdout, 'EPERM\n');
    });

    test('keyctl and loading a kernel module', () => {
      assert.equal(p('keyctl').stdout, 'EPERM\n');
      assert.equal(p('init-module').stdout, 'EPERM\n');
    });

    test("mknod of the host's disk works (CAP_MKNOD, as in Docker) but reading it does not", () => {
      const r = run([BB, 'sh', '-c', `mknod /tmp/disk b ${hostDisk()} && head -c 512 /tmp/disk | wc -c`]);
      assert.notEqual(r.code === 0 && r.stdout.trim() === '512', true, r.stdout + r.stderr);
      assert.match(r.stderr, /not permitted/i);
      // the devices cgroup is what stops it (this host may refuse its disk to root too): a loop
      // device the host can open is refused as well
      const loop = run([BB, 'sh', '-c', 'mknod /tmp/loop b 7 0 && head -c 1 /tmp/loop']);
      assert.notEqual(loop.code, 0);
      assert.match(loop.stderr, /head: \/tmp\/loop: Operation not permitted/);
      // and the standard nodes still work
      assert.equal(run([BB, 'sh', '-c', 'head -c 3 /dev/zero | wc -c; echo x > /dev/null && echo null-ok']).stdout, '3\nnull-ok\n');
    });

    test('/proc/sys, /proc/sysrq-trigger are read-only; /proc/kcore, /proc/keys, /proc/timer_list are masked', () => {
      const r = run([BB, 'sh', '-c', 'echo x > /proc/sys/kernel/hostname; echo rc=$?; echo h > /proc/sysrq-trigger; echo rc=$?; cat /proc/kcore /proc/keys /proc/timer_list 2>/dev/null | wc -c']);
      assert.match(r.stdout, /^rc=[1-9]\d*\nrc=[1-9]\d*\n0\n$/, r.stdout + r.stderr);
      assert.match(r.stderr, /read-only file system/i);
      // the masks are mounts: /dev/null over files (this host may lack /proc/kcore itself)
      const mi = run([BB, 'cat', '/proc/self/mountinfo']).stdout;
      for (const m of ['/proc/keys', '/proc/timer_list', '/proc/sys ', '/proc/scsi', '/sys/firmware']) if (fs.existsSync(m.trim())) assert.match(mi, new RegExp(` ${m.trim()} `), m);
      assert.match(mi, / \/proc\/sys ro,/);
    });

    test('ptrace of a process outside the container', () => {
      const r = p('ptrace', String(agent.proc.pid));
      assert.notEqual(r.code, 0);
      assert.match(r.stdout, /ESRCH|EPERM/);
    });

    test("the host's hostname cannot be changed", () => {
      const before = os.hostname();
      const r = run([BB, 'hostname', 'escaped']);
      assert.notEqual(r.code, 0);
      assert.equal(p('sethostname').stdout, 'EPERM\n');
      assert.equal(os.hostname(), before);
    });

    test('rlimits cannot be raised past the hard limit', () => {
      assert.equal(p('raise-nofile').stdout, 'EPERM\n');
    });

    test('seccomp is in filter mode and no_new_privs is off, in the init and in exec', () => {
      assert.equal(run([BB, 'sh', '-c', 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status']).stdout, 'NoNewPrivs:\t0\nSeccomp:\t2\n');
      const name = agent.name('conf');
      agent.ok(['run', '-d', '--name', name, BB, 'sleep', '60']);
      try {
        assert.equal(agent.ok(['exec', name, 'grep', '^Seccomp:', '/proc/self/status']), 'Seccomp:\t2\n');
        assert.equal(agent.cli(['exec', name, 'mount', '-t', 'tmpfs', 'none', '/tmp']).code !== 0, true);
      } finally {
        agent.ok(['rm', '-f', name]);
      }
    });
  });

  describe('--privileged, --cap-add/--cap-drop, --security-opt, --read-only', () => {
    test('--privileged: mount of a tmpfs works, no seccomp, /proc/sys writable, every device', () => {
      const r = run(['--privileged', BB, 'sh', '-c', 'mount -t tmpfs none /tmp && echo mounted; grep ^Seccomp: /proc/self/status; grep -c . /proc/kcore >/dev/null && echo kcore-visible; touch /sys/kernel 2>/dev/null; echo done']);
      assert.match(r.stdout, /^mounted\nSeccomp:\t0\n/, r.stdout + r.stderr);
      const capBnd = /^CapBnd:\s*(\w+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1];
      assert.equal(run(['--privileged', BB, 'grep', '^CapEff:', '/proc/self/status']).stdout, `CapEff:\t${capBnd}\n`);
      const loop = run(['--privileged', BB, 'sh', '-c', 'mknod /tmp/loop b 7 0 && head -c 1 /tmp/loop && echo opened']);
      assert.equal(loop.stdout, 'opened\n', loop.stderr);
    });

    test('--cap-add SYS_ADMIN lets mount through (seccomp follows the capabilities, as Docker)', () => {
      assert.equal(run(['--cap-add', 'sys_admin', BB, 'sh', '-c', 'mount -t tmpfs none /tmp && echo mounted']).stdout, 'mounted\n');
    });

    test('--cap-drop ALL and --cap-drop CHOWN', () => {
      assert.equal(run(['--cap-drop', 'ALL', BB, 'sh', '-c', 'grep ^CapEff: /proc/self/status']).stdout, 'CapEff:\t0000000000000000\n');
      const r = run(['--cap-drop', 'CHOWN', BB, 'sh', '-c', 'touch /tmp/f && chown 1 /tmp/f']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /not permitted/i);
      const all = run(['--cap-drop', 'ALL', '--cap-add', 'chown', BB, 'sh', '-c', 'touch /tmp/f && chown 1 /tmp/f && echo ok']);
      assert.equal(all.stdout, 'ok\n', all.stderr);
    });

    test('an unknown capability is refused before anything is created', () => {
      const r = agent.cli(['run', '--rm', '--cap-add', 'NOPE', BB, 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /unknown capability: "NOPE"/);
      assert.equal(agent.ok(['ps', '-aq']).trim(), '');
    });

    test('--security-opt seccomp=unconfined lifts the filter (keyctl works)', () => {
      assert.equal(run(['--security-opt', 'seccomp=unconfined', PROBE_IMG, '/escape-probe', 'keyctl']).stdout, 'ok\n');
    });

    test('--security-opt seccomp=PROFILE.json applies that profile (Docker format)', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-seccomp-'));
      tmp.push(dir);
      const file = path.join(dir, 'profile.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: ['SCMP_ARCH_X86_64'],
          syscalls: [
            { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
            { names: ['chown'], action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_ADMIN'] } },
          ],
        }),
      );
      const r = run(['--security-opt', `seccomp=${file}`, BB, 'sh', '-c', 'mkdir /tmp/x; echo rc=$?; keyctl 2>/dev/null; true']);
      assert.match(r.stdout, /rc=1/);
      assert.match(r.stderr, /not permitted/i);
      const missing = agent.cli(['run', '--rm', '--security-opt', `seccomp=${dir}/nope.json`, BB, 'true']);
      assert.equal(missing.code, 125);
      assert.match(missing.stderr, /seccomp profile .*nope\.json.*ENOENT/);
      const bad = agent.cli(['run', '--rm', '--security-opt', 'seccomp={"defaultAction":"SCMP_ACT_NOPE"}', BB, 'true']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /unsupported action SCMP_ACT_NOPE/);
    });

    test('--security-opt no-new-privileges sets NoNewPrivs, in exec too', () => {
      assert.equal(run(['--security-opt', 'no-new-privileges', BB, 'grep', '^NoNewPrivs:', '/proc/self/status']).stdout, 'NoNewPrivs:\t1\n');
      const name = agent.name('nnp');
      agent.ok(['run', '-d', '--name', name, '--security-opt', 'no-new-privileges:true', BB, 'sleep', '60']);
      try {
        assert.equal(agent.ok(['exec', name, 'grep', '^NoNewPrivs:', '/proc/self/status']), 'NoNewPrivs:\t1\n');
        assert.equal(agent.ok(['exec', name, 'grep', '^Seccomp:', '/proc/self/status']), 'Seccomp:\t2\n');
      } finally {
        agent.ok(['rm', '-f', name]);
      }
    });

    test('an unsupported --security-opt is refused', () => {
      const r = agent.cli(['run', '--rm', '--security-opt', 'label=disable', BB, 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /invalid --security-opt "label=disable"/);
    });

    test('--read-only: the root is read-only, /dev/shm and mounts are not', () => {
      const r = run(['--read-only', BB, 'sh', '-c', 'touch /x; echo rc=$?; touch /dev/shm/x && echo shm-ok']);
      assert.equal(r.stdout, 'rc=1\nshm-ok\n');
      assert.match(r.stderr, /read-only file system/i);
    });

    test('inspect shows the options in hostConfig', () => {
      const name = agent.name('insp');
      agent.ok(['create', '--name', name, '--privileged', '--read-only', '--cap-add', 'NET_ADMIN', '--cap-drop', 'MKNOD', '--security-opt', 'no-new-privileges', BB, 'true']);
      try {
        const hc = JSON.parse(agent.ok(['inspect', name]))[0].hostConfig;
        assert.equal(hc.privileged, true);
        assert.equal(hc.readonlyRootfs, true);
        assert.deepEqual(hc.capAdd, ['NET_ADMIN']);
        assert.deepEqual(hc.capDrop, ['MKNOD']);
        assert.deepEqual(hc.securityOpt, ['no-new-privileges']);
      } finally {
        agent.ok(['rm', '-f', name]);
      }
    });
  });

  describe('runtime escape classes', () => {
    test('/proc/PID/exe of the runtime: the monitor runs from a sealed memfd, the host helper cannot be written', async () => {
      const before = sha256(helperBin);
      const evil = `evil-${agent.suffix}:1`;
      // "#!/proc/self/exe": whoever execs this runs the runtime's own binary inside the container
      load({ ref: evil, files: { 'escape-probe': { file: fs.readFileSync(probe), mode: 0o755 }, evil: { file: '#!/proc/self/exe\n', mode: 0o755 } } });
      const name = agent.name('exe');
      agent.ok(['run', '-d', '--name', name, evil, 'sleep', '120']);
      try {
        const initPid = JSON.parse(agent.ok(['inspect', name]))[0].pid as number;
        // the init is the container's process; its parent is the monitor (the helper)
        const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${initPid}/status`, 'utf8'))![1]);
        assert.match(fs.readlinkSync(`/proc/${ppid}/exe`), /^\/memfd:berth-helper/);
        // an attacker in the container scans /proc/*/exe while the runtime enters it again and again
        const attacker = spawn(path.join(repoRoot, 'apps/agent/bin/berth'), ['exec', name, '/escape-probe', 'exe-attack', '300'], { env: agent.env });
        let out = '';
        attacker.stdout.on('data', (d) => (out += d));
        const done = new Promise<number>((r) => attacker.once('exit', (c) => r(c ?? 1)));
        for (let i = 0; i < 6; i++) {
          agent.cli(['exec', name, '/evil']);
          agent.cli(['exec', name, 'true']);
        }
        const code = await done;
        assert.doesNotMatch(out, /WROTE/, out);
        assert.equal(code, 0, out);
        // every runtime process the attacker could see ran from the sealed copy, never the host file
        assert.equal(out.includes(helperBin), false, out);
        for (const line of out.split('\n').filter((l) => /^exe .*berth-helper/.test(l))) assert.match(line, /memfd:berth-helper/, out);
      } finally {
        agent.ok(['rm', '-f', name]);
      }
      assert.equal(sha256(helperBin), before);
    });

    test('no fd besides stdio reaches the container (init and exec)', () => {
      assert.equal(p('fds').stdout, '');
      const name = agent.name('fds');
      agent.ok(['run', '-d', '--name', name, PROBE_IMG, '/escape-probe', 'exe-attack', '100000']);
      try {
        assert.equal(agent.ok(['exec', name, '/escape-probe', 'fds']), '');
        assert.equal(agent.ok(['exec', '-t', name, '/escape-probe', 'fds']).replace(/\r/g, ''), '');
      } finally {
        agent.ok(['rm', '-f', name]);
      }
    });

    test('a WORKDIR of /proc/self/fd/N is refused with a clear error', () => {
      for (const n of ['3', '4', '5']) {
        const r = run(['-w', `/proc/self/fd/${n}`, BB, 'pwd']);
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, /working directory \/proc\/self\/fd\/\d/);
      }
      const img = `wdfd-${agent.suffix}:1`;
      load({ ref: img, files: {}, config: { WorkingDir: '/proc/self/fd/3' } });
      const r = run([img, 'pwd']);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /working directory/);
    });

    test('image WorkingDir with .. and through a symlink stays inside the root', () => {
      const img = `wddots-${agent.suffix}:1`;
      // the symlink points at the marker's path, which the image also has: it must resolve to the image's copy
      load({ ref: img, files: { link: { symlink: marker }, [`${marker}/inside`]: { dir: true } }, config: { WorkingDir: `/../../../..${marker}/wd` } });
      assert.equal(run([img, 'sh', '-c', 'pwd; touch f']).stdout, `${marker}/wd\n`);
      assert.equal(run(['-w', '/link/wd2', img, 'sh', '-c', 'touch f; pwd']).stdout, `${marker}/wd2\n`);
      assert.equal(run(['-w', '/link/../../../..', img, 'pwd']).code, 0);
      assert.deepEqual(fs.readdirSync(marker), ['marker']);
    });

    test('an image whose /proc, /sys or /dev is a symlink is refused', () => {
      for (const dir of ['proc', 'sys', 'dev']) {
        const img = `sym${dir}-${agent.suffix}:1`;
        load({ ref: img, files: { [dir]: { symlink: marker } } });
        const r = run([img, 'true']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, new RegExp(`mount /${dir}: the image has a symlink on that path`));
      }
      assert.deepEqual(fs.readdirSync(marker), ['marker']);
    });

    test('a mount target that is a symlink (or has ..) resolves inside the root', () => {
      const img = `symtarget-${agent.suffix}:1`;
      load({ ref: img, files: { data: { symlink: marker }, [`${marker}/inside`]: { dir: true } } });
      const r = run(['--tmpfs', '/data', img, 'sh', '-c', 'echo pwned > /data/marker; cat /data/marker']);
      assert.equal(r.stdout, 'pwned\n', r.stderr);
      const r2 = run(['--tmpfs', `/../../..${marker}`, BB, 'sh', '-c', `echo pwned > ${marker}/marker`]);
      assert.equal(r2.code, 125, r2.stderr);
      assert.match(r2.stderr, /may not contain "\.\."/);
      assert.equal(fs.readFileSync(markerFile, 'utf8'), 'untouched\n');
      assert.doesNotMatch(fs.readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(marker));
    });

    test('image Volumes with .. stay inside the root', () => {
      const img = `voldots-${agent.suffix}:1`;
      load({ ref: img, files: {}, config: { Volumes: { [`/../../../..${marker}`]: {} } } });
      const name = agent.name('vol');
      const r = agent.cli(['run', '--name', name, img, 'sh', '-c', `echo pwned > ${marker}/marker; echo done`]);
      try {
        // either refused, or confined: the host marker is what matters
        if (r.code === 0) assert.equal(r.stdout, 'done\n');
        assert.equal(fs.readFileSync(markerFile, 'utf8'), 'untouched\n');
      } finally {
        agent.cli(['rm', '-f', '-v', name]);
      }
    });

    test('a User whose uid overflows fails clearly instead of becoming root', () => {
      const r = run(['-u', '4294967296', BB, 'id', '-u']);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /uids and gids must be in range 0-2147483647/);
      const g = run(['-u', '1000:4294967296', BB, 'id', '-g']);
      assert.match(g.stderr, /uids and gids must be in range/);
      const img = `uidwrap-${agent.suffix}:1`;
      load({ ref: img, files: {}, config: { User: '4294967296' } });
      const r2 = run([img, 'id', '-u']);
      assert.notEqual(r2.code, 0, r2.stdout);
      assert.match(r2.stderr, /uids and gids must be in range/);
      assert.equal(run(['-u', '2147483647', BB, 'id', '-u']).stdout, '2147483647\n');
    });
  });

  describe('the agent', () => {
    test('every route and WebSocket upgrade refuses a request without the token', async () => {
      const routes: [string, string][] = [
        ['GET', '/trpc/containers.list'],
        ['POST', '/trpc/containers.run'],
        ['POST', '/v1/images/load'],
        ['POST', '/v1/images/import?ref=x:1'],
        ['GET', '/v1/images/save?names=busybox'],
        ['GET', '/'],
        ['GET', '/nonexistent'],
      ];
      for (const [method, route] of routes) {
        for (const authorization of [undefined, 'Bearer wrong', `Basic ${agent.token}`, `Bearer ${agent.token}x`]) {
          const res = await fetch(`${agent.url}${route}`, { method, headers: authorization ? { authorization } : {}, ...(method === 'POST' ? { body: '{}' } : {}) });
          assert.equal(res.status, 401, `${method} ${route} with ${authorization}`);
        }
      }
      const wsUrl = agent.url.replace(/^http/, 'ws');
      for (const route of ['/trpc', '/v1/containers/x/exec', '/v1/containers/x/attach', '/anything']) {
        for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
          const status = await new Promise<number | string>((resolve) => {
            const ws = new WebSocket(`${wsUrl}${route}`, { headers });
            ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
            ws.on('open', () => {
              ws.close();
              resolve('open');
            });
            ws.on('error', (e) => resolve(`error ${e.message}`));
          });
          assert.equal(status, 401, `ws ${route}`);
        }
      }
    });

    test('the data root, state and token are root-only and the token is never logged', () => {
      for (const d of [agent.root, agent.run]) {
        if (!fs.existsSync(d)) continue;
        assert.equal(fs.statSync(d).mode & 0o077, 0, `${d} is ${(fs.statSync(d).mode & 0o777).toString(8)}`);
      }
      const tokenFile = path.join(agent.root, 'agent.token');
      if (fs.existsSync(tokenFile)) assert.equal(fs.statSync(tokenFile).mode & 0o077, 0);
      assert.equal(agent.logs.includes(agent.token), false);
    });
  });
});
