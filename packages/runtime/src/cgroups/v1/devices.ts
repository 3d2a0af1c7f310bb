// v1 devices controller: the container may use Docker's standard nodes only (runc's default
// allowlist): null, zero, full, random, urandom, tty, console, ptmx, its ptys, tun; mknod of any
// node is allowed (as in Docker) but opening one outside the list fails with EPERM. --privileged
// allows every device. --device adds its own rules ("c 1:5 r") after the list, replacing the default rule for the same node.
import path from 'node:path';
import type { CgroupLimits } from '../driver';
import { writeValue } from '../files';

export const DEFAULT_DEVICE_RULES = [
  'c *:* m',
  'b *:* m',
  'c 1:3 rwm', // null
  'c 1:5 rwm', // zero
  'c 1:7 rwm', // full
  'c 1:8 rwm', // random
  'c 1:9 rwm', // urandom
  'c 5:0 rwm', // tty
  'c 5:1 rwm', // console
  'c 5:2 rwm', // ptmx
  'c 136:* rwm', // pts
  'c 10:200 rwm', // net/tun
];

export async function applyDevicesV1(dir: string, l: CgroupLimits): Promise<void> {
  if (l.devices === undefined) return;
  if (l.devices === 'all') {
    await writeValue(path.join(dir, 'devices.allow'), 'a');
    return;
  }
  // deny everything first, then allow one rule per write (the kernel takes one per write)
  await writeValue(path.join(dir, 'devices.deny'), 'a');
  for (const rule of DEFAULT_DEVICE_RULES) await writeValue(path.join(dir, 'devices.allow'), rule);
  // a --device gets exactly its permissions, also where the default list already had the node
  // (--device /dev/zero:/dev/z:r makes 1:5 read-only): drop that node's exception, then add it
  for (const rule of l.deviceRules ?? []) {
    await writeValue(path.join(dir, 'devices.deny'), rule.replace(/ [rwm]+$/, ' rwm'));
    await writeValue(path.join(dir, 'devices.allow'), rule);
  }
}
