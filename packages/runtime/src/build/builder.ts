// The image builder: executes a parsed Dockerfile one instruction at a time. Metadata
// instructions change the image config; RUN runs in a real Berth container (its own container
// service over an in-memory record store, so build containers never show in `ps`; network
// none) and its overlay upper dir becomes a layer; COPY/ADD write context files as a layer tar.
// Every step is cached by (previous step's key + instruction + what it depends on), storing the
// full resulting state, so an unchanged rebuild reproduces the same config and image id.
// RUN gets the default bridge network unless the build asks for none or host; a FROM image that
// is not here is pulled (through the agent's `pull`); ONBUILD triggers of a base run after FROM.
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
import type { NetworkService } from '../network/network-service';
import { openMetadata } from '../metadata/db';
import { heredocMarkers, parseDockerfile, parseInstruction, splitWords, substitute, type Instruction } from './parse-dockerfile';
import { applyConfigInstruction, COMMIT_CHANGE_INSTRUCTIONS, DEFAULT_SHELL } from './config-instructions';
import { copyEntries, expandSource, hashEntries, isLocalTar, type CopyEntry } from './context';
import { clampMtime, rerootedTar, storeLayer, unpackAsSnapshot, upperDirTar } from './diff-layer';
import { downloadUrl, isUrl, parseChecksum } from './remote';
import { chownNeedsFiles, readUserFiles, resolveOwner, type Owner } from './image-users';

export type BuildEvent =
  | { type: 'step'; step: number; total: number; text: string }
  | { type: 'cached' }
  | { type: 'output'; data: string }
  | { type: 'layer'; digest: string; diffId: string }
  /** pulling a FROM image that is not present: one progress line */
  | { type: 'pull'; message: string }
  /** `seconds`: from the request (the context upload included) to the tagged image; `cachedSteps` of `steps` (FROM lines not counted) */
  | { type: 'done'; id: string; tags: string[]; seconds: number; steps: number; cachedSteps: number };

/** The network of RUN containers (Docker's `build --network`; default: the bridge). */
export type BuildNetwork = 'bridge' | 'none' | 'host';
export const BUILD_NETWORKS: readonly BuildNetwork[] = ['bridge', 'none', 'host'];

/** Pulls an image that is not present, reporting progress as text lines. */
export type PullFn = (ref: string, progress: (message: string) => void) => Promise<void>;

export interface BuildRequest {
  /** the unpacked context (the agent's temp dir) */
  contextDir: string;
  /** the Dockerfile's path inside the context */
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string>;
  noCache?: boolean;
  target?: string;
  /** RUN's network; default bridge */
  network?: BuildNetwork;
  /** pulls a missing FROM image; without it a missing image fails the build */
  pull?: PullFn;
}

export interface BuilderDeps {
  paths: RuntimePaths;
  images: ImageService;
  content: ContentStore;
  snapshots: SnapshotStore;
  unpack: UnpackFn;
  cgroups: CgroupDriver;
  helper: HelperPort;
  /** bridge networking for RUN (without it only none and host work) */
  network?: NetworkService;
  /** where build containers are recorded (in memory); shared with the network service's view */
  store?: ContainerStore;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** What one build's steps share. */
interface BuildRun {
  args: Map<string, string>;
  buildArgs: Record<string, string>;
  globalArgs: Map<string, string>;
  ctx: string;
  done: Map<string, State>;
  noCache: boolean;
  network: BuildNetwork;
  /** SOURCE_DATE_EPOCH (seconds) when given: fixed timestamps, clamped mtimes */
  epoch?: number;
  emit: (e: BuildEvent) => void;
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
      store: this.d.store ?? new ContainerStore(openMetadata(':memory:')),
      images: port,
      rootfs: this.d.snapshots,
      cgroups: this.d.cgroups,
      helper: this.d.helper,
      network: this.d.network,
      log: this.d.log,
    });
    return this.svc;
  }

  /** Unpacks a context tar (with the temp dir as the root, by the helper) and builds from it. */
  async buildFromTar(context: NodeJS.ReadableStream, req: Omit<BuildRequest, 'contextDir'>, emit: (e: BuildEvent) => void): Promise<{ id: string; tags: string[] }> {
    const startedAt = performance.now();
    const dir = await fsp.mkdtemp(path.join(this.d.paths.tmp, 'build-ctx-'));
    try {
      await this.d.unpack(dir, context).catch((e) => {
        throw wrap(e, 'reading the build context');
      });
      return await this.build({ ...req, contextDir: dir }, emit, startedAt);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  async build(req: BuildRequest, emitEvent: (e: BuildEvent) => void, startedAt = performance.now()): Promise<{ id: string; tags: string[] }> {
    let cachedSteps = 0;
    let steps = 0; // instructions run or taken from the cache (FROM lines not counted)
    const emit = (e: BuildEvent) => {
      if (e.type === 'cached') cachedSteps++;
      emitEvent(e);
    };
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
    const network = req.network ?? 'bridge';
    if (!BUILD_NETWORKS.includes(network)) throw invalid(`build network ${network}: expected bridge, none or host`);
    const epoch = sourceDateEpoch(req.buildArgs);
    const total = stages.reduce((n, st) => n + 1 + st.body.length, 0);
    const done = new Map<string, State>();
    let step = 0;
    let state: State | undefined;
    for (const [si, stage] of stages.entries()) {
      const fromRef = substitute(splitWords(stage.from.args)[0]!, globalArgs);
      emit({ type: 'step', step: ++step, total, text: stage.from.original });
      state = await this.from(fromRef, done, stage.from.line, { pull: req.pull, emit });
      if (epoch !== undefined) state.key = sha(`${state.key}\nSOURCE_DATE_EPOCH=${epoch}`);
      const run: BuildRun = { args: new Map(), buildArgs: req.buildArgs, globalArgs, ctx: req.contextDir, done, noCache: req.noCache === true, network, epoch, emit };
      // the base's ONBUILD triggers run first, and are not inherited further (Docker's rule)
      const triggers = Array.isArray(state.raw.config.OnBuild) ? (state.raw.config.OnBuild as string[]) : [];
      if (triggers.length) {
        delete state.raw.config.OnBuild;
        emit({ type: 'output', data: `# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n` });
        for (const t of triggers) {
          const where = `Dockerfile line ${stage.from.line}: ONBUILD trigger of ${fromRef}`;
          let ins: Instruction;
          try {
            ins = parseInstruction(String(t).trim(), stage.from.line);
          } catch (e) {
            throw new BerthError('invalid_argument', `${where}: ${(e as Error).message.replace(/^Dockerfile line \d+: /, '')}`);
          }
          if (ins.cmd === 'ONBUILD' || ins.cmd === 'FROM' || ins.cmd === 'MAINTAINER') throw invalid(`${where}: ${ins.cmd} is not allowed as an ONBUILD trigger`);
          emit({ type: 'output', data: ` ---> Running trigger: ${ins.original}\n` });
          state = await this.stepAt(state, ins, run, where);
          steps++;
        }
      }
      for (const ins of stage.body) {
        emit({ type: 'step', step: ++step, total, text: ins.original });
        state = await this.stepAt(state, ins, run, `Dockerfile line ${ins.line}`);
        steps++;
      }
      done.set(String(si), state);
      if (stage.name) done.set(stage.name, state);
      if (req.target && stage.name === req.target.toLowerCase()) break;
    }
    const final = state!;
    const last = final.raw.history[final.raw.history.length - 1];
    const raw = { ...final.raw, created: typeof last?.created === 'string' ? last.created : new Date(epoch !== undefined ? epoch * 1000 : 0).toISOString() };
    const r = await this.d.images.commitBuilt({ raw, layers: final.layers, tags: req.tags });
    emit({ type: 'done', id: r.id, tags: r.tags, seconds: (performance.now() - startedAt) / 1000, steps, cachedSteps });
    return r;
  }

  /** One step, its errors prefixed with where it was written. */
  private async stepAt(state: State, ins: Instruction, run: BuildRun, where: string): Promise<State> {
    try {
      return await this.step(state, ins, run);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new BerthError(e instanceof BerthError ? e.code : 'internal', `${where}: ${ins.cmd}: ${msg}`, { cause: e });
    }
  }

  private async from(ref: string, done: Map<string, State>, line: number, o: { pull?: PullFn; emit?: (e: BuildEvent) => void } = {}): Promise<State> {
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
      const missing = e instanceof BerthError && e.code === 'not_found';
      if (!missing || !o.pull) throw wrap(e, `Dockerfile line ${line}: FROM ${ref}${missing ? ` (pull it first: berth pull ${ref})` : ''}`);
      o.emit?.({ type: 'pull', message: `Unable to find image '${ref}' locally: pulling it` });
      try {
        await o.pull(ref, (message) => o.emit?.({ type: 'pull', message }));
        rec = this.d.images.record(ref);
      } catch (e2) {
        throw wrap(e2, `Dockerfile line ${line}: FROM ${ref}: pulling`);
      }
    }
    const raw = JSON.parse(rec.configJson) as State['raw'];
    raw.config = raw.config && typeof raw.config === 'object' ? raw.config : {};
    raw.rootfs = { type: 'layers', diff_ids: rec.diffIds.slice() };
    raw.history = Array.isArray(raw.history) ? raw.history : [];
    for (const k of ['created', 'container', 'container_config', 'docker_version', 'id', 'parent']) delete (raw as Record<string, unknown>)[k];
    return { raw, layers: rec.layers.slice(), key: sha(`from ${rec.id}`) };
  }

  private async step(prev: State, ins: Instruction, o: BuildRun): Promise<State> {
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
      const argv = ins.json ?? [...shell, runScript(ins)];
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
      const checksum = parseChecksum(ins.flags.checksum);
      if (checksum && ins.cmd !== 'ADD') throw invalid('--checksum is only supported by ADD');
      const heredocSrcs = srcs.filter((s) => /^<</.test(s));
      const urls = ins.cmd === 'ADD' ? srcs.filter(isUrl) : [];
      if (checksum && (urls.length !== 1 || srcs.length !== 1)) throw invalid('--checksum needs exactly one URL source');
      if ((heredocSrcs.length && heredocSrcs.length !== srcs.length) || (urls.length && urls.length !== srcs.length)) {
        throw invalid(`${ins.cmd} cannot mix ${heredocSrcs.length ? 'heredocs' : 'URLs'} with other sources in one instruction: split it`);
      }
      if (urls.length && ins.flags.from) throw invalid('ADD --from cannot take URLs');
      let root = o.ctx;
      let cleanup: (() => Promise<void>) | undefined;
      let sourceNames = srcs;
      if (ins.flags.from) {
        const r = await this.rootOf(ins.flags.from, o.done);
        root = r.dir;
        cleanup = r.cleanup;
      } else if (heredocSrcs.length || urls.length) {
        // heredoc contents and downloads become files of a fresh temp root, copied from there
        const dir = await fsp.mkdtemp(path.join(this.d.paths.tmp, 'build-src-'));
        root = dir;
        cleanup = () => fsp.rm(dir, { recursive: true, force: true });
        try {
          if (heredocSrcs.length) sourceNames = await writeHeredocSources(dir, ins, heredocSrcs, sub);
          else {
            sourceNames = [];
            for (const [i, u] of urls.entries()) {
              const sd = path.join(dir, String(i));
              await fsp.mkdir(sd);
              const got = await downloadUrl(u, sd, { checksum });
              sourceNames.push(`${i}/${got.name}`);
              extra += `url ${u} ${got.digest}\n`;
            }
          }
        } catch (e) {
          await cleanup();
          throw e;
        }
      }
      try {
        const workdir = typeof cfg.WorkingDir === 'string' && cfg.WorkingDir ? cfg.WorkingDir : '/';
        if (ins.cmd === 'ADD' && !ins.flags.from && !urls.length && !heredocSrcs.length && srcs.length === 1) {
          const hosts = expandSource(root, srcs[0]!);
          if (hosts.length === 1 && fs.statSync(hosts[0]!).isFile() && isLocalTar(hosts[0]!)) {
            const destDir = path.posix.normalize(dest.startsWith('/') ? dest : path.posix.join(workdir, dest));
            archive = { file: hosts[0]!, destDir };
            extra = `add-tar ${destDir} ${ins.flags.chown ?? ''} ${crypto.createHash('sha256').update(await fsp.readFile(hosts[0]!)).digest('hex')}`;
          }
        }
        // several URLs or heredocs always go into a directory, as several sources do
        const dst = sourceNames !== srcs && sourceNames.length > 1 && !dest.endsWith('/') ? `${dest}/` : dest;
        const entries = archive ? [] : copyEntries(root, sourceNames, dst, workdir, { chmod });
        copy = { entries, cleanup };
        if (!archive) extra += `${ins.flags.chown ?? ''} ${hashEntries(entries)}`;
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
      const created = (o.epoch !== undefined ? new Date(o.epoch * 1000) : new Date()).toISOString();
      const createdBy = ins.cmd === 'RUN' ? `RUN ${runSpec!.argv.join(' ')}` : ins.original;
      let layer = false;
      switch (ins.cmd) {
        case 'RUN': {
          const stored = await this.runStep(prev, runSpec!.argv, runSpec!.env, o);
          this.push(next, stored);
          o.emit({ type: 'layer', digest: stored.layer.digest, diffId: stored.diffId });
          layer = true;
          break;
        }
        case 'COPY':
        case 'ADD': {
          const chown = ins.flags.chown ? await this.chownIds(ins.flags.chown, prev) : { uid: 0, gid: 0 };
          const parents = archive ? archive.destDir.split('/').filter(Boolean).map((_, i, a) => a.slice(0, i + 1).join('/')) : [];
          const stored = await storeLayer(
            this.d.content,
            archive ? rerootedTar(archive.file, archive.destDir, parents, { epoch: o.epoch }) : entriesTar(copy!.entries, chown, o.epoch),
          );
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
  private async runStep(prev: State, argv: string[], env: string[], o: Pick<BuildRun, 'emit' | 'network' | 'epoch'>) {
    const emit = o.emit;
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
        network: o.network,
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
      const stored = await storeLayer(this.d.content, upperDirTar(path.join(svc.dir(id), 'upper'), { epoch: o.epoch }));
      await unpackAsSnapshot(this.d, diffIds, stored);
      return stored;
    } finally {
      this.transient.delete(token);
      if (id) await svc.remove(id, true).catch((e) => this.d.log?.('warn', `removing build container ${id}: ${e}`));
    }
  }

  /** `--chown` as ids: names are looked up in the image so far (its /etc/passwd and /etc/group). */
  private async chownIds(spec: string, prev: State): Promise<Owner> {
    if (!chownNeedsFiles(spec)) return resolveOwner(spec, null, null);
    const files = await readUserFiles({ archive: this.d.helper.archive, snapshots: this.d.snapshots, tmp: this.d.paths.tmp }, computeChainIds(prev.raw.rootfs.diff_ids));
    return resolveOwner(spec, files.passwd, files.group);
  }

  /** A stage's (or image's) filesystem unpacked into a temp dir, for COPY --from. */
  private async rootOf(ref: string, done: Map<string, State>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
    const s = done.get(ref.toLowerCase()) ?? (await this.from(ref, done, 0));
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
    // the healthcheck in effect (the image's merged with --health-*), as Docker keeps it; one the
    // container ran without (--no-healthcheck) stays off in the image
    const hc = rec.config.healthcheck;
    if (hc) config.Healthcheck = { Test: hc.test, Interval: hc.intervalMs * 1e6, Timeout: hc.timeoutMs * 1e6, StartPeriod: hc.startPeriodMs * 1e6, Retries: hc.retries };
    else if (config.Healthcheck) config.Healthcheck = { Test: ['NONE'] };
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

/** `--build-arg SOURCE_DATE_EPOCH=<seconds>` (BuildKit's reproducible builds), validated. */
export function sourceDateEpoch(buildArgs: Record<string, string>): number | undefined {
  const v = buildArgs.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,12}$/.test(v)) throw invalid(`SOURCE_DATE_EPOCH ${v}: expected whole seconds since 1970`);
  return Number(v);
}

/**
 * The script a shell-form RUN gives the shell. With heredocs: `RUN <<EOF` alone runs the
 * content as the script; otherwise the command line and the heredocs as written go to the shell,
 * which feeds them to the command's stdin (`RUN cat <<EOF > /file`), as BuildKit does.
 */
export function runScript(ins: Instruction): string {
  if (ins.heredocs.length === 0) return ins.args;
  const marks = heredocMarkers(ins.args);
  if (ins.heredocs.length === 1 && marks.length === 1 && ins.args.trim() === marks[0]!.text) return ins.heredocs[0]!.body;
  return [ins.args, ...ins.heredocs.map((h) => h.raw)].join('\n') + '\n';
}

/** `COPY <<NAME dest`: each heredoc's content as a file NAME in `dir` (ARG/ENV expanded unless quoted). */
async function writeHeredocSources(dir: string, ins: Instruction, srcs: string[], sub: (s: string) => string): Promise<string[]> {
  const names: string[] = [];
  for (const s of srcs) {
    const mk = heredocMarkers(s)[0];
    const doc = mk && ins.heredocs.find((h) => h.name === mk.name);
    if (!mk || !doc || s !== mk.text) throw invalid(`${s}: not a heredoc opened on this line`);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(doc.name)) throw invalid(`heredoc name ${doc.name} cannot be a file name`);
    await fsp.writeFile(path.join(dir, doc.name), doc.quoted ? doc.body : sub(doc.body), { mode: 0o644 });
    await fsp.chmod(path.join(dir, doc.name), 0o644);
    names.push(doc.name);
  }
  return names;
}

/** COPY entries as an uncompressed layer tar (owner from --chown, root otherwise; mtimes clamped to the epoch). */
function entriesTar(entries: CopyEntry[], owner: { uid: number; gid: number }, epoch?: number): Readable {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const e of entries) {
        const h = { name: e.type === 'directory' ? `${e.name}/` : e.name, mode: e.mode, uid: owner.uid, gid: owner.gid, mtime: clampMtime(e.mtime, epoch) };
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
