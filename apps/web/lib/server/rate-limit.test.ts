import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginLimiter } from './rate-limit';

test('five failures lock the address and the name until the window moves on', () => {
  let now = 1_000_000;
  const l = new LoginLimiter({ max: 5, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 5; i++) {
    assert.equal(l.retryAfter('1.2.3.4', 'admin'), 0);
    l.failed('1.2.3.4', 'admin');
  }
  assert.equal(l.retryAfter('1.2.3.4', 'admin'), 60);
  assert.equal(l.retryAfter('5.6.7.8', 'Admin'), 60, 'the name is locked from any address');
  assert.equal(l.retryAfter('1.2.3.4', 'someone'), 60, 'the address is locked for any name');
  assert.equal(l.retryAfter('5.6.7.8', 'someone'), 0);
  now += 30_000;
  assert.equal(l.retryAfter('1.2.3.4', 'admin'), 30);
  now += 30_001;
  assert.equal(l.retryAfter('1.2.3.4', 'admin'), 0);
});

test('a success clears the name', () => {
  const l = new LoginLimiter({ max: 2, windowMs: 60_000, now: () => 0 });
  l.failed('a', 'bob');
  l.succeeded('bob');
  l.failed('b', 'bob');
  assert.equal(l.retryAfter('c', 'bob'), 0);
});
