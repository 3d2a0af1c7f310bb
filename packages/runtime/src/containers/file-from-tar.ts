// The contents of the one regular file in a tar stream (the helper's archive-out of a file): the
// dashboard downloads a file as itself, not as a tar around it.
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import { invalid } from '../errors';

export function fileFromTar(archive: Readable): Readable {
  const out = new PassThrough();
  const extract = tar.extract();
  let first = true;
  extract.on('entry', (header, stream, next) => {
    if (!first) {
      stream.resume();
      stream.on('end', next);
      return;
    }
    first = false;
    if (header.type !== 'file') {
      out.destroy(invalid(`${header.name} is not a regular file (${header.type})`));
      stream.resume();
      stream.on('end', next);
      return;
    }
    stream.on('data', (d: unknown) => {
      if (!out.write(d as Buffer)) {
        stream.pause();
        out.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => {
      out.end();
      next();
    });
  });
  extract.on('finish', () => {
    if (first) out.destroy(invalid('the archive holds no file'));
  });
  extract.on('error', (e) => out.destroy(e));
  archive.on('error', (e) => out.destroy(e));
  archive.pipe(extract);
  return out;
}
