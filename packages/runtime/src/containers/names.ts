// Generated container names ("brave_turing") like Docker's, so a person can type them.
import crypto from 'node:crypto';

const adjectives = ['brave', 'calm', 'eager', 'fond', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nifty', 'proud', 'quiet', 'sharp', 'tender', 'vivid', 'witty', 'zen'];
const nouns = ['babbage', 'curie', 'darwin', 'euler', 'fermi', 'gauss', 'hopper', 'kepler', 'lovelace', 'noether', 'pascal', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak'];

export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const a = adjectives[crypto.randomInt(adjectives.length)];
    const n = nouns[crypto.randomInt(nouns.length)];
    const name = i < 10 ? `${a}_${n}` : `${a}_${n}_${crypto.randomInt(1000)}`;
    if (!taken(name)) return name;
  }
  return `c_${crypto.randomBytes(6).toString('hex')}`;
}
