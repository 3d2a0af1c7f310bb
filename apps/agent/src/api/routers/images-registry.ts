// Image procedures for registries and archives (issue 4), spread into the images router:
// pull/push as subscriptions of per-layer progress, tag, history, layers, prune, search, login.
// Save and load are binary HTTP endpoints (agent-server.ts), not tRPC.
import { z } from 'zod';
import { HistoryEntry, ImageLayer, ImageProgress, PruneResult, RegistryAuth, SearchResult } from '@berth/shared';
import { procedure } from '../trpc';

const Ref = z.string().min(1, 'image reference is required').max(4096);

export const imageRegistryProcedures = {
  /** per-layer progress events; the last one is `done` */
  pull: procedure
    .input(z.object({ ref: Ref, platform: z.string().max(100).optional(), auth: RegistryAuth.optional() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const e of ctx.backend.pullImage(input, signal)) yield e satisfies ImageProgress;
    }),
  push: procedure.input(z.object({ ref: Ref, auth: RegistryAuth.optional() })).subscription(async function* ({ ctx, input, signal }) {
    for await (const e of ctx.backend.pushImage(input, signal)) yield e satisfies ImageProgress;
  }),
  tag: procedure
    .input(z.object({ source: Ref, target: Ref }))
    .mutation(({ ctx, input }) => ctx.backend.tagImage(input.source, input.target)),
  history: procedure.input(z.object({ ref: Ref })).output(z.array(HistoryEntry)).query(({ ctx, input }) => ctx.backend.imageHistory(input.ref)),
  layers: procedure.input(z.object({ ref: Ref })).output(z.array(ImageLayer)).query(({ ctx, input }) => ctx.backend.imageLayers(input.ref)),
  prune: procedure
    .input(z.object({ all: z.boolean().default(false) }).default({ all: false }))
    .output(PruneResult)
    .mutation(({ ctx, input }) => ctx.backend.pruneImages(input.all)),
  search: procedure
    .input(z.object({ term: z.string().min(1, 'search term is required').max(300), limit: z.number().int().min(1).max(100).optional(), auth: RegistryAuth.optional() }))
    .output(z.array(SearchResult))
    .query(({ ctx, input }) => ctx.backend.searchImages(input.term, input.limit, input.auth)),
  /** checks credentials with the registry; the CLI stores them, the agent does not */
  login: procedure
    .input(z.object({ server: z.string().min(1).max(300), auth: RegistryAuth }))
    .mutation(({ ctx, input }) => ctx.backend.registryLogin(input.server, input.auth)),
};
