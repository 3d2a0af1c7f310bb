import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest } from './build-request';

const enc = new TextEncoder();
const base = { dockerfile: 'FROM busybox:1.37.0-musl\nCOPY . /app', tags: 'app:1, app:latest', buildArgs: '# args\nV=2', noCache: true, target: '', files: [] };

test('the query carries tags, build args and flags; the typed Dockerfile goes into the context', () => {
  const r = buildRequest({ ...base, files: [{ name: 'src/a.txt', data: enc.encode('a') }] });
  assert.deepEqual(r.query.getAll('tags'), ['app:1', 'app:latest']);
  assert.equal(r.query.get('buildargs'), '{"V":"2"}');
  assert.equal(r.query.get('nocache'), '1');
  assert.equal(r.query.get('dockerfile'), 'Dockerfile');
  assert.deepEqual(r.sent, ['src/a.txt', 'Dockerfile']);
});

test('a picked folder with its own Dockerfile and .dockerignore', () => {
  const files = [
    { name: 'Dockerfile', data: enc.encode('FROM scratch\n') },
    { name: '.dockerignore', data: enc.encode('*.log\nsecret/\n') },
    { name: 'app.log', data: enc.encode('x') },
    { name: 'secret/key', data: enc.encode('x') },
    { name: 'main.c', data: enc.encode('x') },
  ];
  const own = buildRequest({ ...base, dockerfile: '', files });
  assert.equal(own.dockerfile, 'Dockerfile');
  assert.deepEqual(own.sent, ['Dockerfile', '.dockerignore', 'main.c']);
  const typed = buildRequest({ ...base, files });
  assert.equal(typed.dockerfile, 'Dockerfile.dashboard');
  assert.ok(typed.sent.includes('Dockerfile.dashboard'));
});

test('bad input is named', () => {
  assert.throws(() => buildRequest({ ...base, tags: 'App:1' }), /invalid tag "App:1"/);
  assert.throws(() => buildRequest({ ...base, buildArgs: '=x' }), /invalid build argument|KEY=VALUE/);
  assert.throws(() => buildRequest({ ...base, dockerfile: ' ' }), /write a Dockerfile/);
  assert.throws(() => buildRequest({ ...base, files: [{ name: '../x', data: enc.encode('') }] }), /leaves the build context/);
});
