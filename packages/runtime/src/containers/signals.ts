// Signal names and numbers as users type them: "TERM", "SIGTERM", "15".
import os from 'node:os';
import { invalid } from '../errors';

export function parseSignal(sig: string | number | undefined, fallback = 'SIGKILL'): NodeJS.Signals {
  const s = sig === undefined || sig === '' ? fallback : String(sig).toUpperCase();
  const table = os.constants.signals as Record<string, number>;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    const name = Object.keys(table).find((k) => table[k] === n);
    if (!name) throw invalid(`invalid signal: ${sig}`);
    return name as NodeJS.Signals;
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (!(name in table)) throw invalid(`invalid signal: ${sig}`);
  return name as NodeJS.Signals;
}

export function signalNumber(name: NodeJS.Signals): number {
  return (os.constants.signals as Record<string, number>)[name];
}
