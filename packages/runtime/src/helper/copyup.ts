// Fills a new volume from the image's content at a path (see docs/native-helper.md, copyup).
import { runHelper } from './run-helper';

export async function copyUp(lowerDirs: string[], imagePath: string, dest: string): Promise<{ files: number; bytes: number }> {
  const r = await runHelper(['copyup', '--lower', lowerDirs.join(':'), '--path', imagePath, '--dest', dest], {
    what: `fill volume from image path ${imagePath}`,
  });
  try {
    return JSON.parse(r.stdout.trim()) as { files: number; bytes: number };
  } catch {
    return { files: 0, bytes: 0 };
  }
}
