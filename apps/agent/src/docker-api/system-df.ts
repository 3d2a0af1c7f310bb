// GET /system/df (`docker system df`): images with their sizes and how many containers use them,
// containers with the bytes in their writable layers, volumes with their sizes and users.
import type { Handler } from './context';
import { resOf } from './containers';
import { sendJson } from './http-util';
import { containerSummary, imageSummary, volumeView } from './translate';

export const systemDf: Handler = async (ctx) => {
  const [images, containers, volumes, usage] = await Promise.all([
    ctx.backend.listImages(),
    ctx.backend.listContainers(true),
    ctx.backend.listVolumes(),
    ctx.backend.diskUsage(),
  ]);
  const users = new Map<string, number>();
  for (const c of containers) users.set(c.imageId, (users.get(c.imageId) ?? 0) + 1);
  sendJson(resOf(ctx), 200, {
    LayersSize: images.reduce((n, i) => n + i.size, 0),
    Images: images.map((i) => ({ ...imageSummary(i), SharedSize: 0, Containers: users.get(i.id) ?? 0 })),
    Containers: containers.map((c) => ({ ...containerSummary(c), SizeRw: usage.containers[c.id] ?? 0, SizeRootFs: (usage.containers[c.id] ?? 0) + (images.find((i) => i.id === c.imageId)?.size ?? 0) })),
    Volumes: volumes.map((v) => ({ ...volumeView(v), UsageData: { Size: usage.volumes[v.name] ?? -1, RefCount: v.usedBy.length } })),
    BuildCache: [],
  });
};
