// The Docker API's wire details, checked with plain HTTP over the socket: ping headers (GET and
// HEAD), versioned paths, JSON errors with Docker's statuses (404, 409, 304, 501), and wait
// answering its headers before the container exits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { suiteAgent } from '../helpers/test-agent';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('Docker API wire protocol (real agent, as root)', () => {
  const agent = suiteAgent();

  const call = (method: string, path: string, body?: unknown): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = http.request({ socketPath: agent.dockerSocket, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  test('ping (GET and HEAD) carries the API headers', async () => {
    for (const m of ['GET', 'HEAD']) {
      const r = await call(m, '/_ping');
      assert.equal(r.status, 200);
      assert.match(String(r.headers['api-version']), /^1\.\d+$/);
      assert.equal(r.headers['ostype'], 'linux');
      assert.equal(r.headers['docker-experimental'], 'false');
      assert.equal(r.body, m === 'GET' ? 'OK' : '');
    }
  });

  test('versioned paths from 1.41 up; too old a version is refused', async () => {
    const v = JSON.parse((await call('GET', '/v1.41/version')).body);
    assert.equal(v.Os, 'linux');
    assert.equal((await call('GET', '/v1.50/containers/json')).status, 200);
    const old = await call('GET', '/v1.12/version');
    assert.equal(old.status, 400);
  });

  test('errors are JSON {message} with Docker statuses', async () => {
    const nf = await call('GET', '/v1.47/containers/nope/json');
    assert.equal(nf.status, 404);
    assert.match(JSON.parse(nf.body).message, /no such container/i);
    assert.equal((await call('GET', '/v1.47/images/nope:1/json')).status, 404);
    const ni = await call('GET', '/v1.47/swarm');
    assert.equal(ni.status, 501);
    assert.equal(JSON.parse(ni.body).message, 'berth does not implement GET /swarm yet');
  });

  test('304 for start of a running / stop of a stopped container; 409 for a name conflict and rm of a running one', async () => {
    const name = agent.name('w');
    const created = await call('POST', `/v1.47/containers/create?name=${name}`, { Image: 'busybox:1.37.0-musl', Cmd: ['sleep', '60'] });
    assert.equal(created.status, 201, created.body);
    const { Id } = JSON.parse(created.body);
    const dup = await call('POST', `/v1.47/containers/create?name=${name}`, { Image: 'busybox:1.37.0-musl' });
    assert.equal(dup.status, 409);
    assert.equal((await call('POST', `/v1.47/containers/${Id}/start`)).status, 204);
    assert.equal((await call('POST', `/v1.47/containers/${Id}/start`)).status, 304);
    assert.equal((await call('DELETE', `/v1.47/containers/${Id}`)).status, 409);

    // wait answers its headers at once and the body when the container exits
    const waited = new Promise<{ headersAt: number; body: string; endAt: number }>((resolve, reject) => {
      const req = http.request({ socketPath: agent.dockerSocket, method: 'POST', path: `/v1.47/containers/${Id}/wait` }, (res) => {
        const headersAt = Date.now();
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ headersAt, body, endAt: Date.now() }));
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await call('POST', `/v1.47/containers/${Id}/kill`)).status, 204);
    const w = await waited;
    assert.equal(JSON.parse(w.body).StatusCode, 137);
    assert.ok(w.endAt - w.headersAt >= 300, 'headers came before the exit');
    assert.equal((await call('POST', `/v1.47/containers/${Id}/stop`)).status, 304);
    assert.equal((await call('DELETE', `/v1.47/containers/${Id}?v=1`)).status, 204);
  });
});
