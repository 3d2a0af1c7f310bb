// A throwaway PostgreSQL server for the tests that check the dashboard's PostgreSQL path: its own
// cluster in a temp dir (initdb as the postgres user), on a free port and a private socket dir,
// a password-protected role and database, stopped and deleted by dispose().
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../agent/test/helpers/free-port';

function pgBin(name: string): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(base, v, 'bin', name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`PostgreSQL's ${name} is not installed (Debian package postgresql; scripts/test.sh installs it)`);
}

export interface TestPostgres {
  url: string;
  dispose(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-test-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  fs.mkdirSync(sock);
  execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const asPg = (bin: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let server: ChildProcess | undefined;
  let log = '';
  try {
    asPg(pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const port = await freePort();
    // trust on the private unix socket only (for the setup below); TCP needs the role's password
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), 'local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
    // started as the postgres user directly, not through runuser: runuser ignores the SIGINT of
    // dispose() and a SIGKILL to it would leave the server running on its own
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    server = spawn(pgBin('postgres'), ['-D', data, '-p', String(port), '-k', sock, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: id('-u'),
      gid: id('-g'),
    });
    server.stdout!.on('data', (d) => (log = (log + d).slice(-4000)));
    server.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
    const deadline = Date.now() + 30_000;
    while (spawnSync(pgBin('pg_isready'), ['-h', sock, '-p', String(port)]).status !== 0) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const password = crypto.randomBytes(12).toString('hex');
    const psql = (sql: string) => asPg(pgBin('psql'), ['-h', sock, '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    psql(`CREATE ROLE berth LOGIN PASSWORD '${password}'`);
    psql('CREATE DATABASE berth OWNER berth');
    const url = `postgres://berth:${password}@127.0.0.1:${port}/berth`;
    const proc = server;
    return {
      url,
      async dispose() {
        if (proc.exitCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGINT'); // fast shutdown
          await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
          if (proc.exitCode === null) proc.kill('SIGKILL');
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    server?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
