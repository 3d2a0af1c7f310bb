import { z } from 'zod';
import { tracked } from '@trpc/server';
import { ContainerChange, ContainerDirListing, ContainerInspect, ExecDetachedSpec, ContainerSummary, LogPage, LogPageQuery, LogTimeBound, RunSpec, StatsHistory, StatsSample, UpdateSpec } from '@berth/shared';
import { procedure, router } from '../trpc';

const Id = z.object({ id: z.string().min(1, 'container id or name is required') });
const Timeout = z.number().int().min(0).max(3600).optional();

export const containersRouter = router({
  list: procedure
    .input(z.object({ all: z.boolean().default(false) }).default({ all: false }))
    .output(z.array(ContainerSummary))
    .query(({ ctx, input }) => ctx.backend.listContainers(input.all)),
  /** a few containers by full id, whatever their state: what a list updated by events refetches */
  summaries: procedure
    .input(z.object({ ids: z.array(z.string().regex(/^[a-f0-9]{64}$/, 'a full container id')).max(200) }))
    .output(z.array(ContainerSummary))
    .query(({ ctx, input }) => ctx.backend.containerSummaries(input.ids)),
  inspect: procedure.input(Id).output(ContainerInspect).query(({ ctx, input }) => ctx.backend.inspectContainer(input.id)),
  create: procedure.input(RunSpec).mutation(({ ctx, input }) => ctx.backend.createContainer(input)),
  /** create + start, for detached runs (the dashboard's run form) */
  run: procedure.input(RunSpec).mutation(async ({ ctx, input }) => {
    const created = await ctx.backend.createContainer(input);
    await ctx.backend.startContainer(created.id);
    return created;
  }),
  start: procedure.input(Id).mutation(({ ctx, input }) => ctx.backend.startContainer(input.id)),
  stop: procedure.input(Id.extend({ timeout: Timeout })).mutation(({ ctx, input }) => ctx.backend.stopContainer(input.id, input.timeout)),
  restart: procedure
    .input(Id.extend({ timeout: Timeout }))
    .mutation(({ ctx, input }) => ctx.backend.restartContainer(input.id, input.timeout)),
  kill: procedure
    .input(Id.extend({ signal: z.string().optional() }))
    .mutation(({ ctx, input }) => ctx.backend.killContainer(input.id, input.signal)),
  remove: procedure
    .input(Id.extend({ force: z.boolean().default(false), volumes: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.backend.removeContainer(input.id, input.force, { volumes: input.volumes })),
  wait: procedure.input(Id).mutation(({ ctx, input, signal }) => ctx.backend.waitContainer(input.id, signal)),
  pause: procedure.input(Id).mutation(({ ctx, input }) => ctx.backend.pauseContainer(input.id)),
  unpause: procedure.input(Id).mutation(({ ctx, input }) => ctx.backend.unpauseContainer(input.id)),
  rename: procedure
    .input(Id.extend({ name: z.string().min(1, 'a new name is required') }))
    .mutation(({ ctx, input }) => ctx.backend.renameContainer(input.id, input.name)),
  prune: procedure.mutation(({ ctx }) => ctx.backend.pruneContainers()),
  update: procedure
    .input(Id.extend({ spec: UpdateSpec }))
    .mutation(({ ctx, input }) => ctx.backend.updateContainer(input.id, input.spec)),
  listDir: procedure
    .input(Id.extend({ path: z.string().min(1).max(4096).regex(/^\//, 'path must be absolute').refine((p) => !p.includes('\0'), 'path must not contain NUL') }))
    .output(ContainerDirListing)
    .query(({ ctx, input }) => ctx.backend.listDir(input.id, input.path)),
  changes: procedure.input(Id).output(z.array(ContainerChange)).query(({ ctx, input }) => ctx.backend.containerChanges(input.id)),
  /** exec -d: answered once the process runs */
  execDetached: procedure.input(Id.extend({ spec: ExecDetachedSpec })).mutation(({ ctx, input }) => ctx.backend.execDetached(input.id, input.spec)),
  top: procedure.input(Id).query(({ ctx, input }) => ctx.backend.topContainer(input.id)),
  logPage: procedure
    .input(Id.extend({ page: LogPageQuery, since: LogTimeBound.optional(), until: LogTimeBound.optional() }))
    .output(LogPage)
    .query(({ ctx, input }) => ctx.backend.logPage(input.id, { ...input.page, since: input.since, until: input.until })),
  statsHistory: procedure.input(Id).output(StatsHistory).query(({ ctx, input }) => ctx.backend.statsHistory(input.id)),
  statsAll: procedure.output(z.record(z.string(), StatsSample)).query(({ ctx }) => ctx.backend.statsOnce()),

  /**
   * Log records; each carries "FILE:CURSOR" (inode of its file, byte offset) as the tracked id, so a
   * reconnect resumes after it, also across a rotation. since/until: Docker's time forms.
   */
  logs: procedure
    .input(
      Id.extend({
        follow: z.boolean().default(true),
        tail: z.number().int().min(0).optional(),
        since: LogTimeBound.optional(),
        until: LogTimeBound.optional(),
        lastEventId: z.string().regex(/^(\d+:)?\d+$/).nullish(),
      }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const [fileRaw, cursorRaw] = input.lastEventId?.includes(':') ? input.lastEventId.split(':') : [undefined, input.lastEventId];
      const after = cursorRaw != null ? Number(cursorRaw) : undefined;
      const afterFile = after !== undefined && fileRaw !== undefined ? Number(fileRaw) : undefined;
      const tail = after === undefined ? input.tail : undefined;
      const query = { follow: input.follow, tail, after, afterFile, since: input.since, until: input.until };
      for await (const line of ctx.backend.logs(input.id, query, signal)) {
        yield tracked(line.file !== undefined ? `${line.file}:${line.cursor}` : String(line.cursor), line);
      }
    }),
  /** engine events; `sinceMs` replays the kept recent ones first */
  events: procedure
    .input(z.object({ sinceMs: z.number().optional(), untilMs: z.number().optional() }).default({}))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const e of ctx.backend.events(input, signal)) yield e;
    }),
  stats: procedure.input(Id).subscription(async function* ({ ctx, input, signal }) {
    for await (const sample of ctx.backend.stats(input.id, signal)) yield sample;
  }),
});
