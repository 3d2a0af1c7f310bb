// Every name Berth gives the host: bridges, chains, veths. A tag (BERTH_NET_TAG, test agents set
// one) keeps several agents on one host apart; the default agent has none.
import { invalid } from '../errors';

export interface NetNames {
  tag: string;
  defaultBridge: string;
  bridgeFor(networkId: string): string;
  /** a bridge name that this agent could have made (for reconcile) */
  isOurBridge(name: string): boolean;
  chains: { forward: string; dnat: string; postrouting: string };
  veth(containerId: string, index: number): string;
}

export function netNames(tag = ''): NetNames {
  if (tag && !/^[a-z0-9]{1,5}$/.test(tag)) throw invalid(`invalid network tag "${tag}": want 1-5 characters a-z0-9`);
  const base = tag ? `BERTH-${tag.toUpperCase()}` : 'BERTH';
  const userPrefix = tag ? `br${tag}-` : 'br-';
  const defaultBridge = tag ? `berth${tag}` : 'berth0';
  return {
    tag,
    defaultBridge,
    bridgeFor: (id) => userPrefix + id.slice(0, 15 - userPrefix.length),
    isOurBridge: (name) => name === defaultBridge || (name.startsWith(userPrefix) && /^[a-f0-9]+$/.test(name.slice(userPrefix.length))),
    chains: { forward: `${base}-FORWARD`, dnat: `${base}-DNAT`, postrouting: `${base}-POSTROUTING` },
    // deterministic, so a leftover from a crash is recognised and replaced
    veth: (id, i) => `vb${id.slice(0, 8)}${i.toString(16)}`,
  };
}
