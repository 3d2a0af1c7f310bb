import { z } from 'zod';
import { ImageInspect, ImageSummary } from '@berth/shared';
import { procedure, router } from '../trpc';
import { imageRegistryProcedures } from './images-registry';

const Ref = z.object({ ref: z.string().min(1, 'image reference is required') });

export const imagesRouter = router({
  list: procedure.output(z.array(ImageSummary)).query(({ ctx }) => ctx.backend.listImages()),
  inspect: procedure.input(Ref).output(ImageInspect).query(({ ctx, input }) => ctx.backend.inspectImage(input.ref)),
  remove: procedure
    .input(Ref.extend({ force: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.backend.removeImage(input.ref, input.force)),
  ...imageRegistryProcedures,
});
