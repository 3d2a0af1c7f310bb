import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contextPath, makeTar } from './tar';

const enc = new TextEncoder();

test('GNU tar reads the context: parents as directories, contents and modes kept, long names split', () => {
  const long = `${'d'.repeat(90)}/${'e'.repeat(60)}/file-${'f'.repeat(80)}.txt`;
  const bytes = makeTar([
    { name: 'Dockerfile', data: enc.encode('FROM scratch\n') },
    { name: 'app/run.sh', data: enc.encode('#!/bin/sh\necho hi\n'), mode: 0o755 },
    { name: long, data: new Uint8Array(1000).fill(65) },
  ]);
  assert.equal(bytes.length % 512, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tar-test-'));
  try {
    fs.writeFileSync(path.join(dir, 'ctx.tar'), bytes);
    const listing = execFileSync('tar', ['-tvf', path.join(dir, 'ctx.tar')], { encoding: 'utf8' });
    assert.match(listing, /^drwxr-xr-x .* app\/$/m);
    assert.match(listing, /^-rwxr-xr-x .* app\/run\.sh$/m);
    fs.mkdirSync(path.join(dir, 'out'));
    execFileSync('tar', ['-xf', path.join(dir, 'ctx.tar'), '-C', path.join(dir, 'out')]);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'Dockerfile'), 'utf8'), 'FROM scratch\n');
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'app/run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(fs.readFileSync(path.join(dir, 'out', long), 'utf8'), 'A'.repeat(1000));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('names that leave the context, are empty or come twice are refused', () => {
  assert.throws(() => contextPath('../etc/passwd'), /leaves the build context/);
  assert.throws(() => contextPath('a/../../b'), /leaves the build context/);
  assert.equal(contextPath('/abs/./x'), 'abs/x');
  assert.throws(() => contextPath('./'), /empty file name/);
  assert.throws(() => makeTar([{ name: 'a', data: new Uint8Array() }, { name: './a', data: new Uint8Array() }]), /twice/);
  assert.throws(() => makeTar([{ name: 'x'.repeat(300), data: new Uint8Array() }]), /too long/);
});
