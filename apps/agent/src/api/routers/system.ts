import { procedure, router } from '../trpc';

export const systemRouter = router({
  info: procedure.query(({ ctx }) => ctx.backend.info()),
});
