// The `berth` process: runs one command and exits with its code. bin/berth starts this file
// (bundled into dist/berth.cjs by scripts/setup.sh, loaded through dist-loader.cjs).
import { defaultContext } from './context';
import { main } from './main';

const ctx = defaultContext();
main(process.argv.slice(2), ctx).then(
  (code) => {
    ctx.dispose();
    process.exitCode = code;
    // don't wait for keep-alive sockets
    setImmediate(() => process.exit(code));
  },
  (e) => {
    process.stderr.write(`berth: ${e}\n`);
    process.exit(125);
  },
);
