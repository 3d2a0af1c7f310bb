// The agent's build stream (one JSON event per line) as lines for the dashboard's build output.
// Pure: works on any ReadableStream of bytes (fetch's response body in the browser).

/** step {step,total,text} | cached | output {data} | layer {digest} | done {id,tags} | error {message}, or a newer kind */
export interface BuildEvent {
  type: string;
  [k: string]: unknown;
}

/** Yields each JSON line as it arrives; a line cut in two by the network is joined first. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<BuildEvent> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const parse = (line: string): BuildEvent | null => {
    if (!line.trim()) return null;
    try {
      return JSON.parse(line) as BuildEvent;
    } catch {
      return { type: 'output', data: `${line}\n` };
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const e = parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (e) yield e;
    }
  }
  buf += dec.decode();
  const last = parse(buf);
  if (last) yield last;
}

/** How an event reads in the output pane, like `docker build`'s classic output. */
export function eventText(e: BuildEvent): string {
  switch (e.type) {
    case 'step':
      return `Step ${String(e.step)}/${String(e.total)} : ${String(e.text)}\n`;
    case 'cached':
      return ' ---> Using cache\n';
    case 'output':
      return String(e.data);
    case 'layer':
      return ` ---> ${String(e.digest).replace(/^sha256:/, '').slice(0, 12)}\n`;
    case 'done': {
      const tags = (e.tags as string[] | undefined) ?? [];
      const took = typeof e.seconds === 'number' ? `Build took ${e.seconds.toFixed(3)} s, ${Number(e.cachedSteps ?? 0)} of ${Number(e.steps ?? 0)} steps from the cache\n` : '';
      return `${took}Successfully built ${String(e.id).replace(/^sha256:/, '').slice(0, 12)}\n${tags.map((t) => `Successfully tagged ${t}\n`).join('')}`;
    }
    case 'error':
      return `ERROR: ${String(e.message)}\n`;
    default:
      // newer agents may add event kinds (pull progress): show their text, if any
      return typeof e.text === 'string' ? `${e.text}\n` : typeof e.message === 'string' ? `${e.message}\n` : '';
  }
}
