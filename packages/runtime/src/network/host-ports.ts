// Whether a host port is free, by trying to bind it the way the published service would be
// reached (a listener there would shadow or steal the DNAT).
import dgram from 'node:dgram';
import net from 'node:net';
import { invalid } from '../errors';

export function hostPortFree(protocol: 'tcp' | 'udp', hostIp: string, port: number): Promise<boolean> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve(false);
      else if (e.code === 'EADDRNOTAVAIL') reject(invalid(`cannot publish on ${host}: it is not an address of this host`));
      else reject(e);
    };
    if (protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', (e) => {
        s.close();
        fail(e);
      });
      s.bind({ port, address: host, exclusive: true }, () => s.close(() => resolve(true)));
      return;
    }
    const srv = net.createServer();
    srv.once('error', fail);
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
