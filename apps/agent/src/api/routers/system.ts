import { procedure, router } from '../trpc';
import { diskUsageSummary } from '../../disk-usage';

export const systemRouter = router({
  info: procedure.query(({ ctx }) => ctx.backend.info()),
  /** images, containers and volumes on disk: total, active, size, reclaimable (berth system df) */
  df: procedure.query(({ ctx }) => diskUsageSummary(ctx.backend)),
});
