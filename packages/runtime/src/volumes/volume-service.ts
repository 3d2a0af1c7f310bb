// Volumes, Docker's way: named volumes under $BERTH_ROOT/volumes/<name>/_data (filled from the
// image on first use), anonymous volumes for an image's VOLUME paths (removed by `rm -v` and
// --rm), bind mounts and tmpfs. Resolves a run spec's mounts into OCI mount descriptions that the
// helper performs; a volume any container mounts cannot be removed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MountSpec, RunSpecParsed, VolumeSummary } from '@berth/shared';
import { VolumeCreate, VolumeName } from '@berth/shared';
import { BerthError, conflict, invalid, notFound } from '../errors';
import type { MetadataDb } from '../metadata/db';
import type { OciMount } from '../oci/types';

/** A mount as the container record keeps it: what to mount from where. */
export interface ResolvedMount {
  type: 'volume' | 'bind' | 'tmpfs';
  name?: string; // volume name
  source: string; // host path (tmpfs: "tmpfs")
  target: string;
  readOnly: boolean;
  tmpfsSize?: number;
  anonymous?: boolean;
}

export interface VolumeUsers {
  /** every container (any state) with its resolved mounts */
  all(): { id: string; name: string; mounts: ResolvedMount[] }[];
}

export interface VolumeServiceDeps {
  db: MetadataDb;
  root: string; // $BERTH_ROOT/volumes
  users: VolumeUsers;
  copyUp(lowerDirs: string[], imagePath: string, dest: string): Promise<unknown>;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

interface Row {
  name: string;
  driver: string;
  labels: string;
  anonymous: number;
  created_at: number;
}

export class VolumeService {
  constructor(private readonly d: VolumeServiceDeps) {
    fs.mkdirSync(d.root, { recursive: true, mode: 0o711 });
  }
  private get sql() {
    return this.d.db.$client;
  }

  private dir(name: string) {
    // the name is validated (VolumeName) before it becomes a path
    return path.join(this.d.root, name);
  }
  dataDir(name: string) {
    return path.join(this.dir(name), '_data');
  }

  private row(name: string): Row | undefined {
    return this.sql.prepare('SELECT * FROM volumes WHERE name = ?').get(name) as Row | undefined;
  }

  private view(r: Row): VolumeSummary {
    return {
      name: r.name,
      driver: r.driver,
      mountpoint: this.dataDir(r.name),
      createdAt: new Date(r.created_at).toISOString(),
      anonymous: r.anonymous === 1,
      labels: JSON.parse(r.labels) as Record<string, string>,
      usedBy: this.users(r.name),
    };
  }

  private users(name: string) {
    return this.d.users
      .all()
      .filter((c) => c.mounts.some((m) => m.type === 'volume' && m.name === name))
      .map((c) => ({ id: c.id, name: c.name }));
  }

  list(): VolumeSummary[] {
    return (this.sql.prepare('SELECT * FROM volumes ORDER BY created_at, name').all() as Row[]).map((r) => this.view(r));
  }

  inspect(name: string): VolumeSummary {
    const r = this.row(name);
    if (!r) throw notFound(`no such volume: ${name}`);
    return this.view(r);
  }

  /** Creates a volume; an existing one with the same name is returned as it is (like Docker). */
  create(input: { name?: string; labels?: Record<string, string> } = {}, anonymous = false): { summary: VolumeSummary; created: boolean } {
    const parsed = VolumeCreate.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => i.message).join('; '));
    const name = parsed.data.name ?? crypto.randomBytes(32).toString('hex');
    const existing = this.row(name);
    if (existing) return { summary: this.view(existing), created: false };
    // directory first: a crash before the row leaves a directory that the next create reuses
    fs.mkdirSync(this.dataDir(name), { recursive: true, mode: 0o755 });
    this.sql
      .prepare('INSERT INTO volumes (name, driver, labels, anonymous, created_at) VALUES (?,?,?,?,?)')
      .run(name, 'local', JSON.stringify(parsed.data.labels), anonymous ? 1 : 0, Date.now());
    return { summary: this.inspect(name), created: true };
  }

  remove(name: string, force = false): void {
    const r = this.row(name);
    if (!r) {
      if (force) return;
      throw notFound(`no such volume: ${name}`);
    }
    const users = this.users(name);
    if (users.length) throw conflict(`volume ${name} is in use by container${users.length > 1 ? 's' : ''} ${users.map((u) => u.name).join(', ')}: remove the container first`);
    // row first: a crash after it leaves a directory, which is harmless and reused on re-create
    this.sql.prepare('DELETE FROM volumes WHERE name = ?').run(name);
    fs.rmSync(this.dir(name), { recursive: true, force: true });
  }

  /** Removes unused volumes: anonymous ones, or every unused one with `all`. */
  prune(all: boolean): { removed: string[]; reclaimedBytes: number } {
    const removed: string[] = [];
    let bytes = 0;
    for (const v of this.list()) {
      if (v.usedBy.length || (!all && !v.anonymous)) continue;
      bytes += duBytes(this.dataDir(v.name));
      this.remove(v.name);
      removed.push(v.name);
    }
    return { removed, reclaimedBytes: bytes };
  }

  // ---- containers -----------------------------------------------------------------------------
  /** Checks a spec's mounts before anything is made. */
  validate(spec: RunSpecParsed): void {
    const targets = new Set<string>();
    for (const m of spec.mounts) {
      if (targets.has(m.target)) throw invalid(`duplicate mount point: ${m.target}`);
      targets.add(m.target);
      if (m.type === 'bind') {
        if (!m.source || !path.isAbsolute(m.source)) throw invalid(`invalid bind mount source "${m.source ?? ''}": must be an absolute path`);
        if (!fs.existsSync(m.source)) throw invalid(`bind source path does not exist: ${m.source}`);
      }
      if (m.type === 'volume' && m.source !== undefined && !VolumeName.safeParse(m.source).success) throw invalid(`invalid volume name "${m.source}"`);
    }
  }

  /**
   * Creates the volumes a container needs (named ones as asked, anonymous ones for the image's
   * VOLUME paths not otherwise mounted) and fills new empty volumes from the image.
   */
  async prepare(spec: RunSpecParsed, image: { volumes: string[]; lowerDirs: string[] }): Promise<ResolvedMount[]> {
    const wanted: MountSpec[] = [...spec.mounts];
    for (const v of image.volumes) {
      const target = '/' + v.split('/').filter((p) => p && p !== '.' && p !== '..').join('/');
      if (target !== '/' && !wanted.some((m) => m.target === target)) wanted.push({ type: 'volume', target, readOnly: false, noCopy: false });
    }
    const out: ResolvedMount[] = [];
    const made: string[] = [];
    try {
      for (const m of wanted) {
        if (m.type === 'bind') {
          out.push({ type: 'bind', source: m.source!, target: m.target, readOnly: m.readOnly ?? false });
          continue;
        }
        if (m.type === 'tmpfs') {
          out.push({ type: 'tmpfs', source: 'tmpfs', target: m.target, readOnly: m.readOnly ?? false, tmpfsSize: m.tmpfsSize });
          continue;
        }
        const anonymous = !m.source;
        const { summary, created } = this.create({ name: m.source }, anonymous);
        if (created) made.push(summary.name);
        const data = this.dataDir(summary.name);
        if (!m.noCopy && fs.readdirSync(data).length === 0 && image.lowerDirs.length) {
          await this.d.copyUp(image.lowerDirs, m.target, data);
        }
        out.push({ type: 'volume', name: summary.name, source: data, target: m.target, readOnly: m.readOnly ?? false, ...(anonymous ? { anonymous } : {}) });
      }
    } catch (e) {
      for (const n of made) {
        try {
          this.remove(n, true);
        } catch {
          /* best effort */
        }
      }
      throw e instanceof BerthError ? e : new BerthError('internal', `preparing volumes: ${(e as Error).message}`);
    }
    return out;
  }

  /** The mounts as config.json entries for the helper (bind + remount ro; tmpfs with Docker's flags). */
  /**
   * With `idmapVolumes` (--userns=remap) Berth's own volume directories are idmapped like the
   * rootfs (OCI's "idmap" option, made by the helper): the container's root owns what host root
   * owns, and files stay 0-based on disk, shared with any other container. Host binds are not.
   */
  static ociMounts(mounts: ResolvedMount[], opts: { idmapVolumes?: boolean } = {}): OciMount[] {
    return mounts.map((m) =>
      m.type === 'tmpfs'
        ? {
            destination: m.target,
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'nodev', 'noexec', ...(m.tmpfsSize ? [`size=${m.tmpfsSize}`] : []), ...(m.readOnly ? ['ro'] : [])],
          }
        : {
            destination: m.target,
            type: 'bind',
            source: m.source,
            options: ['rbind', 'rprivate', ...(m.readOnly ? ['ro'] : []), ...(opts.idmapVolumes && m.type === 'volume' ? ['idmap'] : [])],
          },
    );
  }

  /** After a container's rm: its anonymous volumes go with it when asked (`rm -v`, --rm). */
  onContainerRemoved(mounts: ResolvedMount[], removeAnonymous: boolean): void {
    if (!removeAnonymous) return;
    for (const m of mounts) {
      if (m.type !== 'volume' || !m.anonymous || !m.name) continue;
      try {
        this.remove(m.name, true);
      } catch (e) {
        this.d.log?.('warn', `removing anonymous volume ${m.name}: ${e}`);
      }
    }
  }
}

function duBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.lstatSync(p).size;
    }
  };
  walk(dir);
  return total;
}
