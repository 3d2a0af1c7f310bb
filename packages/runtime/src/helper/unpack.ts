// Unpacks one layer (tar, gzip or zstd) into a directory with the directory as the root.
import { wrap } from '../errors';
import { runHelper } from './run-helper';

export async function unpackLayer(targetDir: string, input: NodeJS.ReadableStream): Promise<{ files: number; bytes: number }> {
  const r = await runHelper(['unpack', targetDir], { stdin: input, what: `unpack layer into ${targetDir}` });
  try {
    const v = JSON.parse(r.stdout.trim()) as { files: number; bytes: number };
    return { files: v.files, bytes: v.bytes };
  } catch (e) {
    throw wrap(e, `unpack layer into ${targetDir}: bad helper output ${JSON.stringify(r.stdout)}`);
  }
}
