// The .dockerignore matcher (CLI and dashboard): globs, `**`, directories covering their contents, `!` exceptions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIgnored, parseDockerignore } from '../src/dockerignore';

describe('.dockerignore', () => {
  const rules = parseDockerignore('# comment\n*.log\n/node_modules\n**/secret*\nbuild/\n!build/keep.txt\n');
  test('matches the way Docker does', () => {
    assert.equal(isIgnored('app.log', rules), true);
    assert.equal(isIgnored('sub/app.log', rules), false); // `*` does not cross directories
    assert.equal(isIgnored('node_modules/x/y.js', rules), true);
    assert.equal(isIgnored('a/b/secret.key', rules), true);
    assert.equal(isIgnored('build/out.o', rules), true);
    assert.equal(isIgnored('build/keep.txt', rules), false);
    assert.equal(isIgnored('src/main.ts', rules), false);
  });
});
