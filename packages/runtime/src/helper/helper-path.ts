// Where the berth-helper binary is: env BERTH_HELPER, else native/build/berth-helper of this package.
import { fileURLToPath } from 'node:url';

export function helperPath(): string {
  const fromEnv = process.env.BERTH_HELPER;
  if (fromEnv) return fromEnv;
  return fileURLToPath(new URL('../../native/build/berth-helper', import.meta.url));
}
