import { z } from 'zod';
import { NetworkCreate, NetworkInspect, NetworkSummary } from '@berth/shared';
import { procedure, router } from '../trpc';

const Id = z.object({ id: z.string().min(1, 'network id or name is required') });
const Attach = z.object({
  network: z.string().min(1, 'network is required'),
  container: z.string().min(1, 'container is required'),
});

export const networksRouter = router({
  list: procedure.output(z.array(NetworkSummary)).query(({ ctx }) => ctx.backend.listNetworks()),
  inspect: procedure.input(Id).output(NetworkInspect).query(({ ctx, input }) => ctx.backend.inspectNetwork(input.id)),
  create: procedure.input(NetworkCreate).output(NetworkInspect).mutation(({ ctx, input }) => ctx.backend.createNetwork(input)),
  remove: procedure.input(Id).mutation(({ ctx, input }) => ctx.backend.removeNetwork(input.id)),
  prune: procedure.mutation(({ ctx }) => ctx.backend.pruneNetworks()),
  connect: procedure
    .input(Attach.extend({ aliases: z.array(z.string()).default([]) }))
    .mutation(({ ctx, input }) => ctx.backend.connectNetwork(input.network, input.container, input.aliases)),
  disconnect: procedure.input(Attach).mutation(({ ctx, input }) => ctx.backend.disconnectNetwork(input.network, input.container)),
});
