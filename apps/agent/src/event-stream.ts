// Turns a callback-reporting operation (pull, push) into an async iterable of its events, for a
// tRPC subscription. The operation is cancelled when the consumer goes away (signal), and its
// failure is thrown to the consumer after the events before it.
export function eventStream<T>(signal: AbortSignal | undefined, run: (emit: (e: T) => void, signal: AbortSignal) => Promise<unknown>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const ctl = new AbortController();
      const onAbort = () => ctl.abort(signal?.reason);
      if (signal?.aborted) ctl.abort(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue: T[] = [];
      let done = false;
      let error: unknown = null;
      let wake: (() => void) | null = null;
      const notify = () => {
        const w = wake;
        wake = null;
        w?.();
      };
      run((e) => {
        queue.push(e);
        notify();
      }, ctl.signal).then(
        () => {
          done = true;
          notify();
        },
        (e) => {
          error = e ?? new Error('failed');
          done = true;
          notify();
        },
      );
      return {
        async next(): Promise<IteratorResult<T>> {
          for (;;) {
            if (queue.length) return { value: queue.shift()!, done: false };
            if (done) {
              signal?.removeEventListener('abort', onAbort);
              if (error) {
                const e = error;
                error = null;
                throw e;
              }
              return { value: undefined, done: true };
            }
            await new Promise<void>((r) => (wake = r));
          }
        },
        async return(): Promise<IteratorResult<T>> {
          ctl.abort();
          signal?.removeEventListener('abort', onAbort);
          return { value: undefined, done: true };
        },
      };
    },
  };
}
