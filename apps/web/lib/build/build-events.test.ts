import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventText, readEvents, type BuildEvent } from './build-events';

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

test('events split across chunks are joined; a last line without newline is read', async () => {
  const got: BuildEvent[] = [];
  for await (const e of readEvents(streamOf(['{"type":"step","step":1,"total":2,"te', 'xt":"FROM x"}\n{"type":"cac', 'hed"}\n\n{"type":"done","id":"sha256:0123456789abcdef","tags":["a:1"]}'])))
    got.push(e);
  assert.deepEqual(
    got.map((e) => e.type),
    ['step', 'cached', 'done'],
  );
  assert.equal(eventText(got[0]!), 'Step 1/2 : FROM x\n');
  assert.equal(eventText(got[2]!), 'Successfully built 0123456789ab\nSuccessfully tagged a:1\n');
  // the agent's own build time and cache use, when it sends them
  assert.equal(
    eventText({ type: 'done', id: 'sha256:0123456789abcdef', tags: [], seconds: 0.0184, steps: 5, cachedSteps: 5 }),
    'Build took 0.018 s, 5 of 5 steps from the cache\nSuccessfully built 0123456789ab\n',
  );
});

test('errors read as ERROR lines; a non-JSON line is shown as output; unknown kinds show their text', async () => {
  const got: BuildEvent[] = [];
  for await (const e of readEvents(streamOf(['not json\n{"type":"error","message":"Dockerfile line 2: unknown instruction: FOO"}\n']))) got.push(e);
  assert.equal(eventText(got[0]!), 'not json\n');
  assert.equal(eventText(got[1]!), 'ERROR: Dockerfile line 2: unknown instruction: FOO\n');
  assert.equal(eventText({ type: 'pull', text: 'Pulling busybox' }), 'Pulling busybox\n');
});
