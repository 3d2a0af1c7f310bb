'use client';
// A container's published ports; TCP ports get a link on the dashboard's own host name.
import type { PortBinding } from '@berth/shared';

export function PublishedPorts({ ports }: { ports: PortBinding[] }) {
  if (!ports.length) return null;
  const host = typeof window === 'undefined' ? 'localhost' : window.location.hostname;
  return (
    <p className="row small" data-testid="container-ports">
      <strong>Ports</strong>
      {ports.map((p) => {
        const label = `${p.hostIp}:${p.hostPort}→${p.containerPort}/${p.protocol}`;
        if (p.protocol !== 'tcp') return <span key={label} className="mono">{label}</span>;
        const scheme = p.containerPort === 443 || p.containerPort === 8443 ? 'https' : 'http';
        const target = p.hostIp === '0.0.0.0' ? host : p.hostIp;
        return (
          <a key={label} className="mono" href={`${scheme}://${target}:${p.hostPort}/`} target="_blank" rel="noreferrer noopener" data-testid="container-port-link">
            {label}
          </a>
        );
      })}
    </p>
  );
}
