// Adds a dashboard user (there is no user admin page yet):
//   node --import tsx scripts/create-user.ts <username> <admin|operator|viewer>   (password on stdin)
// Uses the same database settings as the server (BERTH_WEB_DB / BERTH_ROOT / DATABASE_URL).
import { openStore, roles, type Role } from '../lib/server/db';
import { hashPassword } from '../lib/server/auth';
import { loadConfig } from '../lib/server/config';

const [username, role] = process.argv.slice(2);
if (!username || !roles.includes(role as Role)) {
  console.error('usage: create-user.ts <username> <admin|operator|viewer>  (password on stdin)');
  process.exit(2);
}
let password = '';
for await (const chunk of process.stdin) password += chunk;
password = password.replace(/\r?\n$/, '');
if (password.length < 8) {
  console.error('password must be at least 8 characters');
  process.exit(2);
}
const cfg = loadConfig();
const store = await openStore({ databaseUrl: cfg.databaseUrl, sqlitePath: cfg.sqlitePath });
if (await store.userByName(username)) {
  console.error(`user ${username} already exists`);
  process.exit(1);
}
await store.createUser({ username, passwordHash: await hashPassword(password), role: role as Role });
await store.close();
console.log(`created ${role} ${username}`);
