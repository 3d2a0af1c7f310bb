import { z } from 'zod';
import { VolumeCreate, VolumeSummary } from '@berth/shared';
import { procedure, router } from '../trpc';

const Name = z.object({ name: z.string().min(1, 'volume name is required') });

export const volumesRouter = router({
  list: procedure.output(z.array(VolumeSummary)).query(({ ctx }) => ctx.backend.listVolumes()),
  inspect: procedure.input(Name).output(VolumeSummary).query(({ ctx, input }) => ctx.backend.inspectVolume(input.name)),
  create: procedure.input(VolumeCreate).output(VolumeSummary).mutation(({ ctx, input }) => ctx.backend.createVolume(input)),
  remove: procedure
    .input(Name.extend({ force: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.backend.removeVolume(input.name, input.force)),
  prune: procedure
    .input(z.object({ all: z.boolean().default(false) }).default({ all: false }))
    .mutation(({ ctx, input }) => ctx.backend.pruneVolumes(input.all)),
});
