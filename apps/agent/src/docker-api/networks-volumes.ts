// /networks/* and /volumes/* over the Backend's network and volume part.
import type { Handler } from './context';
import { resOf } from './containers';
import { DockerApiError, flag, noContent, readJson, sendJson } from './http-util';
import { networkView, volumeView } from './translate';

export const listNetworks: Handler = async (ctx) => {
  sendJson(resOf(ctx), 200, (await ctx.backend.listNetworks()).map(networkView));
};

export const inspectNetwork: Handler = async (ctx) => {
  sendJson(resOf(ctx), 200, networkView(await ctx.backend.inspectNetwork(ctx.params[0])));
};

export const createNetwork: Handler = async (ctx) => {
  const b = await readJson<{ Name?: string; Driver?: string; Labels?: Record<string, string>; IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } }>(ctx.req);
  if (!b.Name) throw new DockerApiError(400, 'network name is required');
  if (b.Driver && b.Driver !== 'bridge') throw new DockerApiError(501, `berth does not implement network driver ${b.Driver} yet: only bridge`);
  const cfg = b.IPAM?.Config?.[0];
  const n = await ctx.backend.createNetwork({ name: b.Name, subnet: cfg?.Subnet || undefined, gateway: cfg?.Gateway || undefined, labels: b.Labels ?? {} });
  sendJson(resOf(ctx), 201, { Id: n.id, Warning: '' });
};

export const removeNetwork: Handler = async (ctx) => {
  await ctx.backend.removeNetwork(ctx.params[0]);
  noContent(resOf(ctx));
};

export const pruneNetworks: Handler = async (ctx) => {
  const r = await ctx.backend.pruneNetworks();
  sendJson(resOf(ctx), 200, { NetworksDeleted: r.removed });
};

export const connectNetwork: Handler = async (ctx) => {
  const b = await readJson<{ Container?: string; EndpointConfig?: { Aliases?: string[] } }>(ctx.req);
  if (!b.Container) throw new DockerApiError(400, 'connect needs Container');
  await ctx.backend.connectNetwork(ctx.params[0], b.Container, b.EndpointConfig?.Aliases ?? []);
  noContent(resOf(ctx), 200);
};

export const disconnectNetwork: Handler = async (ctx) => {
  const b = await readJson<{ Container?: string }>(ctx.req);
  if (!b.Container) throw new DockerApiError(400, 'disconnect needs Container');
  await ctx.backend.disconnectNetwork(ctx.params[0], b.Container);
  noContent(resOf(ctx), 200);
};

export const listVolumes: Handler = async (ctx) => {
  sendJson(resOf(ctx), 200, { Volumes: (await ctx.backend.listVolumes()).map(volumeView), Warnings: [] });
};

export const inspectVolume: Handler = async (ctx) => {
  sendJson(resOf(ctx), 200, volumeView(await ctx.backend.inspectVolume(ctx.params[0])));
};

export const createVolume: Handler = async (ctx) => {
  const b = await readJson<{ Name?: string; Driver?: string; Labels?: Record<string, string> }>(ctx.req);
  if (b.Driver && b.Driver !== 'local') throw new DockerApiError(501, `berth does not implement volume driver ${b.Driver} yet: only local`);
  sendJson(resOf(ctx), 201, volumeView(await ctx.backend.createVolume({ name: b.Name || undefined, labels: b.Labels ?? {} })));
};

export const removeVolume: Handler = async (ctx) => {
  await ctx.backend.removeVolume(ctx.params[0], flag(ctx.q, 'force'));
  noContent(resOf(ctx));
};

export const pruneVolumes: Handler = async (ctx) => {
  const r = await ctx.backend.pruneVolumes(false);
  sendJson(resOf(ctx), 200, { VolumesDeleted: r.removed, SpaceReclaimed: r.reclaimedBytes });
};
