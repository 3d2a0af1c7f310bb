// HEALTHCHECK in a Dockerfile (and commit --change): its options become the image config's
// Healthcheck in Docker's units (nanoseconds), which the engine reads back in milliseconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyConfigInstruction } from '../../src/build/config-instructions';
import { parseInstruction } from '../../src/build/parse-dockerfile';
import { healthcheckOf } from '../../src/images/oci';

const apply = (line: string) => {
  const raw = { config: {} as Record<string, unknown> };
  applyConfigInstruction(raw, parseInstruction(line, 1));
  return raw.config.Healthcheck;
};

test('HEALTHCHECK forms and options', () => {
  assert.deepEqual(apply('HEALTHCHECK CMD test -f /ok'), { Test: ['CMD-SHELL', 'test -f /ok'] });
  assert.deepEqual(apply('HEALTHCHECK CMD ["curl", "-f", "http://x/"]'), { Test: ['CMD', 'curl', '-f', 'http://x/'] });
  assert.deepEqual(apply('HEALTHCHECK NONE'), { Test: ['NONE'] });
  const full = apply('HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=2s --retries=4 CMD true');
  assert.deepEqual(full, { Test: ['CMD-SHELL', 'true'], Interval: 90e9, Timeout: 500e6, StartPeriod: 2e9, Retries: 4 });
  assert.deepEqual(healthcheckOf(full), { test: ['CMD-SHELL', 'true'], intervalMs: 90_000, timeoutMs: 500, startPeriodMs: 2000, retries: 4 });
  assert.throws(() => apply('HEALTHCHECK --interval=soon CMD true'), /invalid duration/);
  assert.throws(() => apply('HEALTHCHECK --bogus=1s CMD true'), /unknown flag --bogus/);
  assert.throws(() => apply('HEALTHCHECK --retries=x CMD true'), /not a number/);
  assert.throws(() => apply('HEALTHCHECK CMD'), /needs a command|expects/);
});
