// The agent's whole tRPC API. Web imports only the *type* of this router.
import { router } from './trpc';
import { containersRouter } from './routers/containers';
import { imagesRouter } from './routers/images';
import { systemRouter } from './routers/system';
import { networksRouter } from './routers/networks';
import { volumesRouter } from './routers/volumes';

export const appRouter = router({
  system: systemRouter,
  images: imagesRouter,
  containers: containersRouter,
  networks: networksRouter,
  volumes: volumesRouter,
});

export type AppRouter = typeof appRouter;
