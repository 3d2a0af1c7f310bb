// v1 cpuset controller. Quirk: a new cpuset group starts with empty cpuset.cpus/cpuset.mems and
// the kernel refuses to attach tasks to it, so both are copied from the parent before anyone joins.
import path from 'node:path';
import { readText, writeValue } from '../files';

export async function inheritCpusetV1(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    const own = (await readText(path.join(dir, file))).trim();
    if (own !== '') continue; // already set (re-create, or chosen by someone): leave it
    const inherited = (await readText(path.join(parent, file))).trim();
    if (inherited !== '') await writeValue(path.join(dir, file), inherited);
  }
}
