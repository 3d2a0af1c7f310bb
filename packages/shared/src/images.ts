import { z } from 'zod';
import { HealthcheckSpec } from './health';

export const Digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'digest must be sha256:<64 hex>');

export const ImageSummary = z.object({
  id: Digest, // config digest, as Docker's image id
  repoTags: z.array(z.string()), // e.g. ["busybox:1.37.0-musl"]
  created: z.string().nullable(), // ISO time from the image config
  size: z.number().int().nonnegative(), // bytes, sum of unpacked layer sizes
  layers: z.number().int().nonnegative(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

export const ImageConfig = z.object({
  user: z.string().optional(),
  env: z.array(z.string()).default([]),
  entrypoint: z.array(z.string()).nullable().default(null),
  cmd: z.array(z.string()).nullable().default(null),
  workingDir: z.string().optional(),
  stopSignal: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  exposedPorts: z.array(z.string()).default([]),
  volumes: z.array(z.string()).default([]), // the image's VOLUME paths (anonymous volumes at run)
  /** the image's HEALTHCHECK (Docker's Healthcheck, durations in ms) */
  healthcheck: HealthcheckSpec.optional(),
});
export type ImageConfig = z.infer<typeof ImageConfig>;

export const ImageInspect = ImageSummary.extend({
  repoDigests: z.array(z.string()),
  architecture: z.string(),
  os: z.string(),
  config: ImageConfig,
  rootfs: z.object({ type: z.literal('layers'), diffIds: z.array(Digest) }),
  manifestDigest: Digest,
});
export type ImageInspect = z.infer<typeof ImageInspect>;

export const LoadResult = z.object({ loaded: z.array(z.object({ id: Digest, tags: z.array(z.string()) })) });
export type LoadResult = z.infer<typeof LoadResult>;
