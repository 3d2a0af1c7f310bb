// Registry operations as they cross process boundaries: pull/push progress events, credentials
// sent with a request, search results, image history and layer views.
import { z } from 'zod';

/** Credentials for one registry, sent by the CLI with a pull/push (never stored by the agent). */
export const RegistryAuth = z.object({
  username: z.string().max(1024).optional(),
  password: z.string().max(8192).optional(),
  /** an OAuth2 refresh token (Docker's `identitytoken`) */
  identityToken: z.string().max(8192).optional(),
});
export type RegistryAuth = z.infer<typeof RegistryAuth>;

export const LayerStatus = z.enum(['waiting', 'exists', 'downloading', 'verifying', 'done', 'uploading', 'pushed', 'failed']);
export type LayerStatus = z.infer<typeof LayerStatus>;

/** One event of a pull or push; the CLI and the dashboard draw per-layer progress from them. */
export const ImageProgress = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), message: z.string() }),
  z.object({
    type: z.literal('resolved'),
    ref: z.string(),
    manifestDigest: z.string(),
    platform: z.string(),
    layers: z.array(z.object({ digest: z.string(), size: z.number() })),
  }),
  z.object({
    type: z.literal('layer'),
    digest: z.string(),
    status: LayerStatus,
    current: z.number(),
    total: z.number(),
    /** bytes already present from an earlier, interrupted download */
    resumedFrom: z.number().optional(),
  }),
  z.object({ type: z.literal('done'), id: z.string(), ref: z.string(), manifestDigest: z.string() }),
]);
export type ImageProgress = z.infer<typeof ImageProgress>;

export const SearchResult = z.object({
  name: z.string(),
  description: z.string(),
  stars: z.number(),
  official: z.boolean(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const HistoryEntry = z.object({
  id: z.string(), // the layer digest for layers, "<missing>" for empty ones, as docker history
  created: z.string().nullable(),
  createdBy: z.string(),
  size: z.number(),
  comment: z.string(),
  emptyLayer: z.boolean(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const ImageLayer = z.object({
  digest: z.string(), // blob digest (as stored: compressed or plain)
  diffId: z.string(),
  chainId: z.string(),
  mediaType: z.string(),
  size: z.number(), // blob size
  unpackedSize: z.number(),
  /** other images (familiar names or short ids) that share this layer (same chain) */
  sharedWith: z.array(z.string()),
});
export type ImageLayer = z.infer<typeof ImageLayer>;

export const PruneResult = z.object({ deleted: z.array(z.string()), untagged: z.array(z.string()), reclaimed: z.number() });
export type PruneResult = z.infer<typeof PruneResult>;
