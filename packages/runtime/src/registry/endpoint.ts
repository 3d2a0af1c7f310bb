// Where a reference's registry lives: Docker Hub's API host for docker.io, and the scheme —
// https always, plain http only for loopback registries and those the agent's config marks
// insecure (go-containerregistry pkg/name: Registry.Scheme()).
import { DEFAULT_DOMAIN } from '../images/reference';

export const DOCKER_HUB_API = 'registry-1.docker.io';

export interface RegistryEndpoint {
  /** the registry as references name it: docker.io, localhost:5000 */
  domain: string;
  /** https://registry-1.docker.io, http://127.0.0.1:5000 */
  baseUrl: string;
  insecure: boolean;
}

/** Loopback registries speak plain http without being listed, as Docker allows. */
export function isLoopback(domain: string): boolean {
  const host = hostOf(domain);
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostOf(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const i = domain.lastIndexOf(':');
  return i === -1 ? domain : domain.slice(0, i);
}

/** `insecure` holds registry domains (host or host:port) the agent's config marks insecure. */
export function registryEndpoint(domain: string, insecure: readonly string[] = []): RegistryEndpoint {
  const api = domain === DEFAULT_DOMAIN ? DOCKER_HUB_API : domain;
  const plain = isLoopback(domain) || insecure.includes(domain) || insecure.includes(hostOf(domain));
  return { domain, baseUrl: `${plain ? 'http' : 'https'}://${api}`, insecure: plain };
}
