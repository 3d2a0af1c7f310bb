// The agent's whole tRPC API. Web imports only the *type* of this router.
import { router } from './trpc';
import { containersRouter } from './routers/containers';
import { imagesRouter } from './routers/images';
import { systemRouter } from './routers/system';

export const appRouter = router({
  system: systemRouter,
  images: imagesRouter,
  containers: containersRouter,
});

export type AppRouter = typeof appRouter;
