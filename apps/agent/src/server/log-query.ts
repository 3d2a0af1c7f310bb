// follow / tail / since / until from a query string (the agent's /v1 logs endpoint and the
// Docker API's), validated with the shared rules; `fail` makes the edge's own error.
import { LogTimeBound } from '@berth/shared';
import type { LogQuery } from '../backend';

export function logQueryFromParams(q: URLSearchParams, fail: (message: string) => Error): LogQuery {
  const follow = q.get('follow') === '1' || q.get('follow') === 'true';
  const tailRaw = q.get('tail');
  let tail: number | undefined;
  if (tailRaw !== null && tailRaw !== '' && tailRaw !== 'all') {
    if (!/^\d+$/.test(tailRaw)) throw fail(`invalid tail value: ${tailRaw}`);
    tail = Number(tailRaw);
  }
  const time = (key: 'since' | 'until') => {
    const v = q.get(key);
    if (v === null || v === '') return undefined;
    const t = LogTimeBound.safeParse(v);
    if (!t.success) throw fail(`invalid ${key} value: ${t.error.issues[0]?.message ?? v}`);
    return t.data;
  };
  const since = time('since');
  const until = time('until');
  return { follow, ...(tail !== undefined ? { tail } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
}
