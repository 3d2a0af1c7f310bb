// The image builder: executes a parsed Dockerfile one instruction at a time. Metadata
// instructions change the image config; RUN runs in a real Berth container (its own container
// service over an in-memory record store, so build containers never show in `ps`; network
// none) and its overlay upper dir becomes a layer; COPY/ADD write context files as a layer tar.
// Every step is cached by (previous step's key + instruction + what it depends on), storing the
// full resulting state, so an unchanged rebuild reproduces the same config and image id.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import type { Readable } from 'node:stream';
import { BerthError, invalid, notFound, wrap } from '../errors';
import type { RuntimePaths } from '../paths';
import type { ContentStore } from '../content/store';
import type { SnapshotStore } from '../snapshots/store';
import type { ImageService } from '../images/image-store';
import type { UnpackFn } from '../images/layer';
import { chainIds as computeChainIds, toImageConfig, type LayerDescriptor, type RawImageConfig } from '../images/oci';
import type { CgroupDriver } from '../cgroups/driver';
import type { HelperPort, ImagePort } from '../containers/ports';
import { ContainerService } from '../containers/container-service';
import { ContainerStore } from '../containers/container-store';
import { openMetadata } from '../metadata/db';
import { parseDockerfile, parseInstruction, splitWords, substitute, type Instruction } from './parse-dockerfile';
import { applyConfigInstruction, COMMIT_CHANGE_INSTRUCTIONS, DEFAULT_SHELL } from './config-instructions';
import { copyEntries, expandSource, hashEntries, isLocalTar, type CopyEntry } from './context';
import { rerootedTar, storeLayer, unpackAsSnapshot, upperDirTar } from './diff-layer';

export type BuildEvent =
  | { type: 'step'; step: number; total: number; text: string }
  | { type: 'cached' }
  | { type: 'output'; data: string }
  | { type: 'layer'; digest: string; diffId: string }
  | { type: 'done'; id: string; tags: string[] };

export interface BuildRequest {
  /** the unpacked context (the agent's temp dir) */
  contextDir: string;
  /** the Dockerfile's path inside the context */
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string>;
  noCache?: boolean;
  target?: string;
}

export interface BuilderDeps {
  paths: RuntimePaths;
  images: ImageService;
  content: ContentStore;
  snapshots: SnapshotStore;
  unpack: UnpackFn;
  cgroups: CgroupDriver;
  helper: HelperPort;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

interface State {
  raw: RawImageConfig & { config: Record<string, unknown>; rootfs: { type: string; diff_ids: string[] }; history: Record<string, unknown>[] };
  layers: LayerDescriptor[];
  key: string;
}


function sha(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

export class ImageBuilder {
  private svc: ContainerService | undefined;
  private readonly transient = new Map<string, { id: string; config: ReturnType<typeof toImageConfig>; chainIds: string[]; name: string }>();
  private readonly cacheDir: string;

  constructor(private readonly d: BuilderDeps) {
    this.cacheDir = path.join(d.paths.root, 'build-cache');
    fs.mkdirSync(this.cacheDir, { recursive: true, mode: 0o700 });
    // contexts and stage roots left by builds an agent crash interrupted (none runs yet)
    try {
      for (const n of fs.readdirSync(d.paths.tmp)) {
        if (n.startsWith('build-ctx-') || n.startsWith('build-from-')) fs.rmSync(path.join(d.paths.tmp, n), { recursive: true, force: true });
      }
    } catch {
      /* no tmp dir yet */
    }
  }

  /** A container service of its own: build containers live in an in-memory store. */
  private service(): ContainerService {
    if (this.svc) return this.svc;
    const port: ImagePort = {
      resolve: (ref) => {
        const r = this.transient.get(ref);
        if (!r) throw notFound(`no such build image: ${ref}`);
        return r;
      },
    };
    this.svc = new ContainerService({
      paths: this.d.paths,
      store: new ContainerStore(openMetadata(':memory:')),
      images: port,
      rootfs: this.d.snapshots,
      cgroups: this.d.cgroups,
      helper: this.d.helper,
      log: this.d.log,
    });
    return this.svc;
  }

  /** Unpacks a context tar (with the temp dir as the root, by the helper) and builds from it. */
  async buildFromTar(context: NodeJS.ReadableStream, req: Omit<BuildRequest, 'contextDir'>, emit: (e: BuildEvent) => void): Promise<{ id: string; tags: string[] }> {
    const dir = await fsp.mkdtemp(path.join(this.d.paths.tmp, 'build-ctx-'));
    try {
      await this.d.unpack(dir, context).catch((e) => {
        throw wrap(e, 'reading the build context');
      });
      return await this.build({ ...req, contextDir: dir }, emit);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  async build(req: BuildRequest, emit: (e: BuildEvent) => void): Promise<{ id: string; tags: string[] }> {
    const dfPath = path.join(req.contextDir, path.posix.normalize('/' + req.dockerfile));
    let text: string;
    try {
      text = await fsp.readFile(dfPath, 'utf8');
    } catch {
      throw notFound(`Dockerfile ${req.dockerfile} not found in the build context`);
    }
    const instrs = parseDockerfile(text);
    // global ARGs (before the first FROM) are visible to FROM lines only
    const globalArgs = new Map<string, string>();
    const stages: { from: Instruction; name?: string; body: Instruction[] }[] = [];
    for (const ins of instrs) {
      if (ins.cmd === 'FROM') {
        const words = splitWords(ins.args);
        const name = words.length === 3 && words[1]!.toUpperCase() === 'AS' ? words[2]!.toLowerCase() : undefined;
        if (words.length !== 1 && !name) throw invalid(`Dockerfile line ${ins.line}: FROM expects IMAGE [AS NAME]`);
        stages.push({ from: ins, name, body: [] });
      } else if (stages.length === 0) {
        for (const [k, v] of argDecl(ins.args)) globalArgs.set(k, req.buildArgs[k] ?? v ?? '');
      } else stages[stages.length - 1]!.body.push(ins);
    }
    if (req.target && !stages.some((s) => s.name === req.target!.toLowerCase())) throw invalid(`target stage ${req.target} could not be found`);
    const total = stages.reduce((n, st) => n + 1 + st.body.length, 0);
    const done = new Map<string, State>();
    let step = 0;
    let state: State | undefined;
    for (const [si, stage] of stages.entries()) {
      const fromRef = substitute(splitWords(stage.from.args)[0]!, globalArgs);
      emit({ type: 'step', step: ++step, total, text: stage.from.original });
      state = this.from(fromRef, done, stage.from.line);
      const args = new Map<string, string>();
      for (const ins of stage.body) {
        emit({ type: 'step', step: ++step, total, text: ins.original });
        try {
          state = await this.step(state, ins, { args, buildArgs: req.buildArgs, globalArgs, ctx: req.contextDir, done, noCache: req.noCache === true, emit });
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          throw new BerthError(e instanceof BerthError ? e.code : 'internal', `Dockerfile line ${ins.line}: ${ins.cmd}: ${msg}`, { cause: e });
        }
      }
      done.set(String(si), state);
      if (stage.name) done.set(stage.name, state);
      if (req.target && stage.name === req.target.toLowerCase()) break;
    }
    const final = state!;
    const last = final.raw.history[final.raw.history.length - 1];
    const raw = { ...final.raw, created: typeof last?.created === 'string' ? last.created : new Date(0).toISOString() };
    const r = await this.d.images.commitBuilt({ raw, layers: final.layers, tags: req.tags });
    emit({ type: 'done', id: r.id, tags: r.tags });
    return r;
  }

  private from(ref: string, done: Map<string, State>, line: number): State {
    const stage = done.get(ref.toLowerCase());
    if (stage) return structuredClone(stage);
    if (ref === 'scratch') {
      const raw = { architecture: this.d.images.defaultPlatform.architecture, os: this.d.images.defaultPlatform.os, config: { Env: [`PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`] }, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
      return { raw, layers: [], key: sha('scratch') };
    }
    let rec;
    try {
      rec = this.d.images.record(ref);
    } catch (e) {
      throw wrap(e, `Dockerfile line ${line}: FROM ${ref} (pull it first: berth pull ${ref})`);
    }
    const raw = JSON.parse(rec.configJson) as State['raw'];
    raw.config = raw.config && typeof raw.config === 'object' ? raw.config : {};
    raw.rootfs = { type: 'layers', diff_ids: rec.diffIds.slice() };
    raw.history = Array.isArray(raw.history) ? raw.history : [];
    for (const k of ['created', 'container', 'container_config', 'docker_version', 'id', 'parent']) delete (raw as Record<string, unknown>)[k];
    return { raw, layers: rec.layers.slice(), key: sha(`from ${rec.id}`) };
  }

  private async step(
    prev: State,
    ins: Instruction,
    o: { args: Map<string, string>; buildArgs: Record<string, string>; globalArgs: Map<string, string>; ctx: string; done: Map<string, State>; noCache: boolean; emit: (e: BuildEvent) => void },
  ): Promise<State> {
    const cfg = prev.raw.config;
    const env = (Array.isArray(cfg.Env) ? (cfg.Env as string[]) : []).slice();
    const vars = new Map<string, string>(o.args);
    for (const e of env) {
      const i = e.indexOf('=');
      if (i > 0) vars.set(e.slice(0, i), e.slice(i + 1));
    }
    const sub = (s: string) => substitute(s, vars);

    // What this step's result depends on beyond the previous state and the text.
    let extra = '';
    let copy: { entries: CopyEntry[]; cleanup?: () => Promise<void> } | undefined;
    let runSpec: { argv: string[]; env: string[] } | undefined;
    let archive: { file: string; destDir: string } | undefined;
    if (ins.cmd === 'RUN') {
      const shell = Array.isArray(cfg.Shell) ? (cfg.Shell as string[]) : DEFAULT_SHELL;
      const argv = ins.json ?? [...shell, ins.args];
      const runEnv = [...env];
      for (const [k, v] of o.args) if (!runEnv.some((e) => e.startsWith(`${k}=`))) runEnv.push(`${k}=${v}`);
      runSpec = { argv, env: runEnv };
      extra = JSON.stringify(runSpec);
    } else if (ins.cmd === 'COPY' || ins.cmd === 'ADD') {
      const words = ins.json ?? splitWords(ins.args);
      if (words.length < 2) throw invalid(`${ins.cmd} requires at least two arguments: SRC... DEST`);
      const srcs = words.slice(0, -1).map(sub);
      const dest = sub(words[words.length - 1]!);
      const chmod = ins.flags.chmod ? parseInt(ins.flags.chmod, 8) : undefined;
      if (chmod !== undefined && (!Number.isInteger(chmod) || chmod < 0 || chmod > 0o7777)) throw invalid(`invalid --chmod ${ins.flags.chmod}`);
      let root = o.ctx;
      let cleanup: (() => Promise<void>) | undefined;
      if (ins.flags.from) {
        const r = await this.rootOf(ins.flags.from, o.done);
        root = r.dir;
        cleanup = r.cleanup;
      }
      try {
        const workdir = typeof cfg.WorkingDir === 'string' && cfg.WorkingDir ? cfg.WorkingDir : '/';
        if (ins.cmd === 'ADD' && !ins.flags.from && srcs.length === 1) {
          const hosts = expandSource(root, srcs[0]!);
          if (hosts.length === 1 && fs.statSync(hosts[0]!).isFile() && isLocalTar(hosts[0]!)) {
            const destDir = path.posix.normalize(dest.startsWith('/') ? dest : path.posix.join(workdir, dest));
            archive = { file: hosts[0]!, destDir };
            extra = `add-tar ${destDir} ${ins.flags.chown ?? ''} ${crypto.createHash('sha256').update(await fsp.readFile(hosts[0]!)).digest('hex')}`;
          }
        }
        const entries = archive ? [] : copyEntries(root, srcs, dest, workdir, { chmod });
        copy = { entries, cleanup };
        if (!archive) extra = `${ins.flags.chown ?? ''} ${hashEntries(entries)}`;
      } catch (e) {
        await cleanup?.();
        throw e;
      }
    } else if (ins.cmd === 'ARG') {
      for (const [k, v] of argDecl(ins.args)) {
        const val = o.buildArgs[k] ?? (v !== undefined ? sub(v) : o.globalArgs.get(k));
        if (val !== undefined) o.args.set(k, val);
        extra += `${k}=${val ?? ''}\n`;
      }
    }
    const key = sha(`${prev.key}\n${ins.original}\n${extra}`);
    try {
      if (!o.noCache) {
        const hit = await this.cached(key);
        if (hit) {
          o.emit({ type: 'cached' });
          return hit;
        }
      }
      const next: State = structuredClone(prev);
      next.key = key;
      const created = new Date().toISOString();
      const createdBy = ins.cmd === 'RUN' ? `RUN ${runSpec!.argv.join(' ')}` : ins.original;
      let layer = false;
      switch (ins.cmd) {
        case 'RUN': {
          const stored = await this.runStep(prev, runSpec!.argv, runSpec!.env, o.emit);
          this.push(next, stored);
          o.emit({ type: 'layer', digest: stored.layer.digest, diffId: stored.diffId });
          layer = true;
          break;
        }
        case 'COPY':
        case 'ADD': {
          const chown = ins.flags.chown ? await this.chownIds(ins.flags.chown) : { uid: 0, gid: 0 };
          const parents = archive ? archive.destDir.split('/').filter(Boolean).map((_, i, a) => a.slice(0, i + 1).join('/')) : [];
          const stored = await storeLayer(this.d.content, archive ? rerootedTar(archive.file, archive.destDir, parents) : entriesTar(copy!.entries, chown));
          await unpackAsSnapshot(this.d, prev.raw.rootfs.diff_ids, stored);
          this.push(next, stored);
          o.emit({ type: 'layer', digest: stored.layer.digest, diffId: stored.diffId });
          layer = true;
          break;
        }
        case 'ARG':
          break;
        default:
          if (!applyConfigInstruction(next.raw, ins, sub, vars)) throw invalid(`unsupported instruction ${ins.cmd}`);
      }
      next.raw.history.push({ created, created_by: createdBy, ...(layer ? {} : { empty_layer: true }) });
      await this.remember(next);
      return next;
    } finally {
      await copy?.cleanup?.();
    }
  }

  private push(s: State, stored: { layer: LayerDescriptor; diffId: string }) {
    s.layers.push(stored.layer);
    s.raw.rootfs.diff_ids.push(stored.diffId);
  }

  // ---- RUN ----------------------------------------------------------------------------------
  private async runStep(prev: State, argv: string[], env: string[], emit: (e: BuildEvent) => void) {
    const diffIds = prev.raw.rootfs.diff_ids;
    if (diffIds.length === 0) throw invalid('RUN needs a base image with a filesystem (FROM scratch has none)');
    const token = `build-${crypto.randomBytes(8).toString('hex')}`;
    const c = prev.raw.config;
    this.transient.set(token, { id: `sha256:${sha(token)}`, config: toImageConfig(prev.raw), chainIds: computeChainIds(diffIds), name: token });
    const svc = this.service();
    let id: string | undefined;
    try {
      const created = await svc.create({
        image: token,
        cmd: argv,
        entrypoint: [],
        env,
        network: 'none',
        ...(typeof c.WorkingDir === 'string' && c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
        ...(typeof c.User === 'string' && c.User ? { user: c.User } : {}),
      });
      id = created.id;
      let tail = '';
      const h = await svc.attach(id, { start: true });
      h.onData((_s, d) => {
        const text = d.toString('utf8');
        tail = (tail + text).slice(-4000);
        emit({ type: 'output', data: text });
      });
      const code = await h.exited;
      h.close();
      await svc.waitExit(id);
      if (code !== 0) {
        const out = tail.trim();
        throw new BerthError('failed_precondition', `the command '${argv.join(' ')}' returned a non-zero code: ${code}${out ? `\n${out}` : ''}`);
      }
      const stored = await storeLayer(this.d.content, upperDirTar(path.join(svc.dir(id), 'upper')));
      await unpackAsSnapshot(this.d, diffIds, stored);
      return stored;
    } finally {
      this.transient.delete(token);
      if (id) await svc.remove(id, true).catch((e) => this.d.log?.('warn', `removing build container ${id}: ${e}`));
    }
  }

  private async chownIds(spec: string): Promise<{ uid: number; gid: number }> {
    const m = /^(\d+)(?::(\d+))?$/.exec(spec);
    if (!m) throw invalid(`--chown ${spec}: only numeric UID[:GID] is supported`);
    return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
  }

  /** A stage's (or image's) filesystem unpacked into a temp dir, for COPY --from. */
  private async rootOf(ref: string, done: Map<string, State>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
    const s = done.get(ref.toLowerCase()) ?? this.from(ref, done, 0);
    const dir = await fsp.mkdtemp(path.join(this.d.paths.tmp, 'build-from-'));
    const cleanup = () => fsp.rm(dir, { recursive: true, force: true });
    try {
      for (const l of s.layers) await this.d.unpack(dir, this.d.content.open(l.digest));
    } catch (e) {
      await cleanup();
      throw e;
    }
    return { dir, cleanup };
  }

  // ---- cache --------------------------------------------------------------------------------
  private async cached(key: string): Promise<State | null> {
    let s: State;
    try {
      s = JSON.parse(await fsp.readFile(path.join(this.cacheDir, `${key}.json`), 'utf8')) as State;
    } catch {
      return null;
    }
    // the layers may have been garbage-collected since
    const chain = computeChainIds(s.raw.rootfs.diff_ids);
    for (const [i, l] of s.layers.entries()) {
      if (!this.d.content.has(l.digest) || !this.d.snapshots.has(chain[i]!)) return null;
    }
    return s;
  }

  private async remember(s: State): Promise<void> {
    const file = path.join(this.cacheDir, `${s.key}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(s));
    await fsp.rename(tmp, file);
  }

  // ---- commit -------------------------------------------------------------------------------
  /** `berth commit`: the container's upper dir as a new layer on its image. */
  async commitContainer(
    containers: ContainerService,
    idOrName: string,
    opts: { ref?: string; message?: string; author?: string; changes?: string[] },
  ): Promise<{ id: string; tags: string[] }> {
    const rec = containers.find(idOrName);
    // --change lines are checked before any layer is written
    const changes = (opts.changes ?? []).map((line) => {
      let ins: Instruction;
      try {
        ins = parseInstruction(line.trim(), 1);
      } catch (e) {
        throw invalid(`commit --change ${JSON.stringify(line)}: ${(e as Error).message.replace(/^Dockerfile line 1: /, '')}`);
      }
      if (!COMMIT_CHANGE_INSTRUCTIONS.has(ins.cmd)) throw invalid(`commit --change does not accept ${ins.cmd}: only ${[...COMMIT_CHANGE_INSTRUCTIONS].join(', ')}`);
      return ins;
    });
    const base = this.d.images.record(rec.imageId);
    const raw = JSON.parse(base.configJson) as State['raw'];
    const diffIds = base.diffIds.slice();
    const stored = await storeLayer(this.d.content, upperDirTar(path.join(containers.dir(rec.id), 'upper')));
    await unpackAsSnapshot(this.d, diffIds, stored);
    const created = new Date().toISOString();
    const config = { ...(raw.config ?? {}) } as Record<string, unknown>;
    config.Env = rec.config.env.filter((e) => !e.startsWith('HOSTNAME='));
    config.Cmd = rec.config.cmd;
    config.Entrypoint = rec.config.entrypoint;
    if (rec.config.workingDir) config.WorkingDir = rec.config.workingDir;
    if (rec.config.user) config.User = rec.config.user;
    for (const ins of changes) applyConfigInstruction({ config }, ins);
    const out: State['raw'] = {
      ...raw,
      created,
      config,
      rootfs: { type: 'layers', diff_ids: [...diffIds, stored.diffId] },
      history: [...(Array.isArray(raw.history) ? raw.history : []), { created, created_by: `berth commit ${rec.name}`, ...(opts.message ? { comment: opts.message } : {}) }],
      ...(opts.author ? { author: opts.author } : {}),
    };
    return this.d.images.commitBuilt({ raw: out, layers: [...base.layers, stored.layer], tags: opts.ref ? [opts.ref] : [] });
  }
}

/** `ARG A B=1` → [[A, undefined], [B, '1']]. */
function argDecl(args: string): [string, string | undefined][] {
  return splitWords(args).map((w) => {
    const i = w.indexOf('=');
    return i < 0 ? [w, undefined] : [w.slice(0, i), w.slice(i + 1)];
  });
}

/** COPY entries as an uncompressed layer tar (owner from --chown, root otherwise). */
function entriesTar(entries: CopyEntry[], owner: { uid: number; gid: number }): Readable {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const e of entries) {
        const h = { name: e.type === 'directory' ? `${e.name}/` : e.name, mode: e.mode, uid: owner.uid, gid: owner.gid, mtime: e.mtime };
        if (e.type === 'directory') pack.entry({ ...h, type: 'directory' });
        else if (e.type === 'symlink') pack.entry({ ...h, type: 'symlink', linkname: e.linkname! });
        else {
          const data = await fsp.readFile(e.src!);
          await new Promise<void>((res, rej) => pack.entry({ ...h, type: 'file', size: data.length }, data, (err) => (err ? rej(err) : res())));
        }
      }
      pack.finalize();
    } catch (e) {
      pack.destroy(e as Error);
    }
  })();
  return pack as unknown as Readable;
}
