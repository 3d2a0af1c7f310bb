'use client';
// A containers table that stays smooth with thousands of rows: only the rows in view (plus a
// margin) are in the page, between two spacer rows that keep the scrollbar true. Keyboard: ↑/↓
// (or k/j) move the highlighted row, PgUp/PgDn a screen, Home/End the ends, Enter opens it; "/"
// anywhere on the page jumps to the filter, ↓ from the filter comes back to the rows.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** Every row's height in px (CSS `.vrow` pins it): the window arithmetic depends on it. */
export const ROW_HEIGHT = 52;
const OVERSCAN = 8;

export interface Column<T> {
  title: string;
  className?: string;
  cell: (row: T) => ReactNode;
}

export function ContainersTable<T>({
  rows,
  columns,
  rowKey,
  rowHref,
  onOpen,
  rowProps,
  empty,
  testId,
  searchId,
}: {
  rows: T[] | undefined;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowHref: (row: T) => string;
  /** what Enter does (default: go to rowHref) */
  onOpen?: (row: T) => void;
  /** data-* attributes for a row (tests and styles select by them) */
  rowProps?: (row: T) => Record<string, string>;
  /** what to show in place of rows (loading, none, none matching) */
  empty?: ReactNode;
  testId: string;
  /** the filter input's id: "/" focuses it, ↓ in it comes back here */
  searchId?: string;
}) {
  const router = useRouter();
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);
  const [active, setActive] = useState(-1);
  const count = rows?.length ?? 0;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // the highlighted row stays within the list as it shrinks (a filter, a removal)
  useEffect(() => {
    if (active >= count) setActive(count - 1);
  }, [active, count]);

  const headerHeight = () => box.current?.querySelector('thead')?.getBoundingClientRect().height ?? 0;

  const reveal = useCallback((i: number) => {
    const el = box.current;
    if (!el || i < 0) return;
    const top = i * ROW_HEIGHT;
    const view = el.clientHeight - headerHeight();
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + view) el.scrollTop = top + ROW_HEIGHT - view;
  }, []);

  const move = (i: number) => {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, i));
    setActive(next);
    reveal(next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== box.current || e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor((box.current!.clientHeight - headerHeight()) / ROW_HEIGHT) - 1);
    const cur = active < 0 ? Math.floor(box.current!.scrollTop / ROW_HEIGHT) - 1 : active;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(cur + 1),
      j: () => move(cur + 1),
      ArrowUp: () => move(cur - 1),
      k: () => move(cur - 1),
      PageDown: () => move(cur + page),
      PageUp: () => move(cur - page),
      Home: () => move(0),
      End: () => move(count - 1),
      Enter: () => {
        const row = rows && active >= 0 ? rows[active] : undefined;
        if (row) (onOpen ?? ((r: T) => router.push(rowHref(r))))(row);
      },
    };
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  };

  // "/" focuses the filter; ↓ in the filter moves into the rows
  useEffect(() => {
    if (!searchId) return;
    const onDoc = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      const search = document.getElementById(searchId) as HTMLInputElement | null;
      if (e.key === '/' && !typing && search) {
        e.preventDefault();
        search.focus();
        search.select();
      } else if (e.key === 'ArrowDown' && t === search && box.current) {
        e.preventDefault();
        box.current.focus();
        move(active < 0 ? 0 : active);
      }
    };
    document.addEventListener('keydown', onDoc);
    return () => document.removeEventListener('keydown', onDoc);
  });

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const shown = rows?.slice(first, last) ?? [];
  const activeKey = rows && active >= 0 && rows[active] ? rowKey(rows[active]!) : undefined;

  return (
    <div
      ref={box}
      className="vlist"
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (e.target === box.current && active < 0 && count > 0) setActive(Math.min(count - 1, Math.floor(box.current.scrollTop / ROW_HEIGHT)));
      }}
      aria-label="Containers: arrow keys move, Enter opens"
      aria-activedescendant={activeKey ? `row-${activeKey}` : undefined}
      data-testid={`${testId}-scroll`}
    >
      <table className="table" data-testid={testId} role="grid" aria-rowcount={count + 1}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.title} className={c.className}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 && (
            <tr aria-hidden="true" className="vspacer">
              <td colSpan={columns.length} style={{ height: first * ROW_HEIGHT }} />
            </tr>
          )}
          {shown.map((row, j) => {
            const i = first + j;
            const key = rowKey(row);
            return (
              <tr
                key={key}
                id={`row-${key}`}
                className={`vrow${i === active ? ' active' : ''}`}
                aria-rowindex={i + 2}
                aria-selected={i === active}
                onClick={() => setActive(i)}
                {...rowProps?.(row)}
              >
                {columns.map((c) => (
                  <td key={c.title} className={c.className}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
          {last < count && (
            <tr aria-hidden="true" className="vspacer">
              <td colSpan={columns.length} style={{ height: (count - last) * ROW_HEIGHT }} />
            </tr>
          )}
          {count === 0 && empty && (
            <tr>
              <td colSpan={columns.length} className="muted empty">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
