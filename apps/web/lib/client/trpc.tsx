'use client';
// The browser's tRPC client: talks only to this web server (/api/agent/trpc), which checks the
// session and forwards to the agent. Queries and mutations batch over HTTP; subscriptions are SSE.
import { useState, type ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@berth/agent/router';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const URL = '/api/agent/trpc';

function clientAt(url: string) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url }),
        false: httpBatchLink({ url }),
      }),
    ],
  });
}

export type BerthClient = ReturnType<typeof clientAt>;

const hostClients = new Map<string, BerthClient>();
/** A client for one named host's agent (/api/hosts/ID/trpc), whichever host the pages show. */
export function hostClient(hostId: string): BerthClient {
  let c = hostClients.get(hostId);
  if (!c) hostClients.set(hostId, (c = clientAt(`/api/hosts/${encodeURIComponent(hostId)}/trpc`)));
  return c;
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            retry: (count, err) => count < 2 && !(err instanceof TRPCClientError && [401, 403, 404].includes(err.data?.httpStatus)),
            refetchOnWindowFocus: false,
          },
        },
      }),
  );
  const [trpcClient] = useState(() => clientAt(URL));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** The message to show for a failed call: the agent's own wording when there is one. */
export function errorMessage(err: unknown): string {
  if (!err) return '';
  if (err instanceof TRPCClientError) {
    if (err.data?.httpStatus === 401) return 'your session has ended — log in again';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
