// `berth system df` and the dashboard's home: what images, containers and volumes take on disk,
// how much of it is in use, and how much a prune would give back — Docker's four rows.
import type { Backend } from './backend';

export interface DiskUsageRow {
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

export interface DiskUsage {
  images: DiskUsageRow;
  containers: DiskUsageRow;
  volumes: DiskUsageRow;
}

export async function diskUsageSummary(b: Backend): Promise<DiskUsage> {
  const [images, containers, volumes, usage] = await Promise.all([b.listImages(), b.listContainers(true), b.listVolumes(), b.diskUsage()]);
  const usedImages = new Set(containers.map((c) => c.imageId));
  const row = (items: { size: number; active: boolean }[]): DiskUsageRow => ({
    total: items.length,
    active: items.filter((i) => i.active).length,
    size: items.reduce((n, i) => n + i.size, 0),
    reclaimable: items.filter((i) => !i.active).reduce((n, i) => n + i.size, 0),
  });
  return {
    images: row(images.map((i) => ({ size: i.size, active: usedImages.has(i.id) }))),
    containers: row(containers.map((c) => ({ size: usage.containers[c.id] ?? 0, active: c.state === 'running' }))),
    volumes: row(volumes.map((v) => ({ size: Math.max(0, usage.volumes[v.name] ?? 0), active: v.usedBy.length > 0 }))),
  };
}
