'use client';
// A containers table that stays smooth with thousands of rows: only the rows in view (plus a
// margin) are in the page, between two spacer rows that keep the scrollbar true. Keyboard: ↑/↓
// (or k/j) move the highlighted row, PgUp/PgDn a screen, Home/End the ends, Enter opens it; "/"
// anywhere on the page jumps to the filter, ↓ from the filter comes back to the rows.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** A row's height in px as CSS `.vrow` sets it; the rows drawn are measured in case zoom or
 * fonts make them taller, and the window arithmetic uses what was measured. */
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
  const grid = useRef<HTMLTableElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);
  const [rowHeight, setRowHeight] = useState(ROW_HEIGHT);
  // the highlighted row by key: rows pushed in above it do not move the highlight to another one
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const count = rows?.length ?? 0;
  const active = useMemo(() => (activeKey === null || !rows ? -1 : rows.findIndex((r) => rowKey(r) === activeKey)), [activeKey, rows, rowKey]);
  const setActive = (i: number) => setActiveKey(rows && i >= 0 && rows[i] ? rowKey(rows[i]!) : null);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const h = box.current?.querySelector<HTMLElement>('tr.vrow')?.getBoundingClientRect().height;
    if (h && Math.abs(h - rowHeight) > 0.5) setRowHeight(h);
  });

  const headerHeight = () => box.current?.querySelector('thead')?.getBoundingClientRect().height ?? 0;

  const reveal = useCallback(
    (i: number) => {
      const el = box.current;
      if (!el || i < 0) return;
      const top = i * rowHeight;
      const view = el.clientHeight - headerHeight();
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + view) el.scrollTop = top + rowHeight - view;
    },
    [rowHeight],
  );

  const move = (i: number) => {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, i));
    setActive(next);
    reveal(next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    if (e.target !== grid.current || e.altKey || e.ctrlKey || e.metaKey || !box.current) return;
    const page = Math.max(1, Math.floor((box.current.clientHeight - headerHeight()) / rowHeight) - 1);
    const cur = active < 0 ? Math.floor(box.current.scrollTop / rowHeight) - 1 : active;
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
      } else if (e.key === 'ArrowDown' && t === search && grid.current) {
        e.preventDefault();
        grid.current.focus();
        move(active < 0 ? 0 : active);
      }
    };
    document.addEventListener('keydown', onDoc);
    return () => document.removeEventListener('keydown', onDoc);
  });

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const shown = rows?.slice(first, last) ?? [];
  const activeShown = active >= first && active < last;

  return (
    <div ref={box} className="vlist" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid={`${testId}-scroll`}>
      <table
        ref={grid}
        className="table"
        data-testid={testId}
        role="grid"
        tabIndex={0}
        aria-rowcount={count + 1}
        aria-label="Containers: arrow keys move, Enter opens"
        aria-activedescendant={activeKey !== null && activeShown ? `row-${activeKey}` : undefined}
        onKeyDown={onKeyDown}
        onFocus={(e) => {
          if (e.target === grid.current && active < 0 && count > 0 && box.current) setActive(Math.min(count - 1, Math.floor(box.current.scrollTop / rowHeight)));
        }}
      >
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
              <td colSpan={columns.length} style={{ height: first * rowHeight }} />
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
              <td colSpan={columns.length} style={{ height: (count - last) * rowHeight }} />
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
