// biome-ignore-all lint/a11y/useSemanticElements: a virtualized grid cannot be a <table>; rows are absolutely positioned divs
// biome-ignore-all lint/a11y/useFocusableInteractive: focus stays on the grid container, which handles the arrow keys
// biome-ignore-all lint/a11y/useKeyWithClickEvents: rows are chosen by the grid container's keyboard handler
/**
 * Messages: a virtualized table of frames (TanStack Table for the columns, TanStack Virtual for the window), the
 * filter bar, follow-tail, keyboard navigation, and the detail pane for the selected frame.
 */

import type { RawFrame } from '@syncscope/protocols/core';
import { frameSize } from '@syncscope/protocols/core';
import { createColumnHelper, tableFeatures, useTable } from '@tanstack/preact-table';
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { usePanel } from '../context.ts';
import { formatBytes, formatOffset } from '../format.ts';
import { OnDemandSelect } from '../on-demand-select.tsx';
import { Detail } from './Detail.tsx';
import { EMPTY_FILTERS, filteredRows, lowerBound, type MessageFilters, type RowCache } from './messages-rows.ts';

const ROW_HEIGHT = 22;

interface Row {
  position: number;
  frame: RawFrame;
  protocol: string;
  type: string;
  ok: boolean;
  summary: string;
  t0: number;
}

const features = tableFeatures({});
const column = createColumnHelper<typeof features, Row>();
const DIR_ARROW: Record<string, string> = { out: '↑ out', in: '↓ in', local: '• local' };

const columns = column.columns([
  column.accessor((row) => formatOffset(row.frame.t - row.t0), { id: 'time', header: 'Time' }),
  column.accessor((row) => row.frame.conn, { id: 'conn', header: 'Connection' }),
  column.accessor((row) => DIR_ARROW[row.frame.dir] ?? row.frame.dir, { id: 'dir', header: 'Dir' }),
  column.accessor('protocol', { header: 'Protocol' }),
  column.accessor('type', { header: 'Type' }),
  column.accessor('summary', { header: 'Summary' }),
  column.accessor((row) => formatBytes(frameSize(row.frame)), { id: 'size', header: 'Size' }),
]);

export function Messages() {
  const state = usePanel();
  const { session, version, selected, select, cursor } = state;
  const store = session.store;
  const [filters, setFilters] = useState<MessageFilters>(EMPTY_FILTERS);
  const [follow, setFollow] = useState(true);
  const cacheRef = useRef<RowCache | undefined>(undefined);
  const summaries = useRef(new Map<number, { epoch: number; summary: string; type: string; protocol: string; ok: boolean }>());

  const cache = useMemo(() => {
    const next = filteredRows(store, filters, session.epoch, cacheRef.current);
    cacheRef.current = next;
    return next;
  }, [store, filters, version, session.epoch]);
  const rows = cache.rows;

  const scrollRef = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const virtualizer = useMemo(
    () =>
      new Virtualizer<HTMLDivElement, HTMLDivElement>({
        count: 0,
        getScrollElement: () => scrollRef.current,
        estimateSize: () => ROW_HEIGHT,
        observeElementRect,
        observeElementOffset,
        scrollToFn: elementScroll,
        overscan: 12,
        onChange: () => rerender(0),
      }),
    [],
  );
  virtualizer.setOptions({ ...virtualizer.options, count: rows.length });
  useEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());

  // Follow-tail: keep the newest row in view while frames stream in.
  useLayoutEffect(() => {
    if (!(follow && cursor === undefined && rows.length > 0)) return;
    virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    // The virtualizer hears of the new offset from the scroll event, a frame later, and meanwhile places rows for
    // the old one (a blank table while a big file streams in): tell it now.
    const element = scrollRef.current;
    if (element && virtualizer.scrollOffset !== element.scrollTop) {
      virtualizer.scrollOffset = element.scrollTop;
      rerender(0);
    }
  }, [follow, rows.length, cursor, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const t0 = store.frame(store.start)?.t ?? 0;
  const data: Row[] = items.flatMap((item) => {
    const position = rows[item.index];
    if (position === undefined) return [];
    const frame = store.frame(position);
    if (!frame) return [];
    return [{ position, frame, t0, ...describe(position) }];
  });

  function describe(position: number) {
    const cached = summaries.current.get(position);
    if (cached && cached.epoch === session.epoch) return cached;
    const decoded = store.decode(position);
    const info = store.info(position);
    // No decode yet: a loaded file's frame whose connection the background derivation has not reached.
    const entry =
      decoded === undefined
        ? { epoch: session.epoch, protocol: '…', type: '…', ok: true, summary: '…' }
        : {
            epoch: session.epoch,
            protocol: decoded.protocol,
            type: decoded.ok ? decoded.type : (info?.type ?? 'undecodable'),
            ok: decoded.ok,
            summary: decoded.ok ? decoded.summary : `⚠ ${decoded.error.reason}`,
          };
    if (summaries.current.size > 5000) summaries.current.clear();
    summaries.current.set(position, entry);
    return entry;
  }

  const table = useTable({ features, columns, data, getRowId: (row: Row) => String(row.position) });

  const selectedIndex = selected === undefined ? -1 : lowerBound(rows, selected);
  // The index keys move from: updated at once, so keys pressed faster than renders still step one row each.
  const keyIndex = useRef(-1);
  keyIndex.current = rows[selectedIndex] === selected ? selectedIndex : -1;
  const move = (index: number) => {
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    const position = rows[clamped];
    if (position === undefined) return;
    keyIndex.current = clamped;
    select(position);
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const current = keyIndex.current;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(current + 1),
      ArrowUp: () => move(current <= 0 ? 0 : current - 1),
      PageDown: () => move(current + page),
      PageUp: () => move(current - page),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Escape: () => select(undefined),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    setFollow(false);
    action();
  };

  const protocols = [...store.protocols().keys()].sort();
  const types = [...store.types().keys()].filter((t) => !filters.protocol || t.startsWith(`${filters.protocol}/`)).sort();
  const set = (patch: Partial<MessageFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const headerGroup = table.getHeaderGroups()[0];

  return (
    <div class="messages">
      <div class="filter-bar" role="search">
        <input
          class={`filter-text${cache.error ? ' invalid' : ''}`}
          type="search"
          placeholder={filters.regex ? 'Filter (regular expression)' : 'Filter'}
          aria-label="Filter messages"
          value={filters.text}
          title={cache.error ?? ''}
          onInput={(e) => set({ text: (e.target as HTMLInputElement).value })}
        />
        <label class="check">
          <input type="checkbox" checked={filters.regex} onChange={(e) => set({ regex: (e.target as HTMLInputElement).checked })} />
          .*
        </label>
        <Select label="Protocol" value={filters.protocol} options={protocols} onChange={(protocol) => set({ protocol, type: '' })} />
        <Select label="Type" value={filters.type} options={types} onChange={(type) => set({ type })} />
        <Select label="Direction" value={filters.dir} options={['out', 'in', 'local']} onChange={(dir) => set({ dir })} />
        <OnDemandSelect
          label="Connection"
          placeholder="Connection: all"
          value={filters.conn}
          choices={() => [...store.connections().keys()].sort().map((conn) => ({ value: conn, label: conn }))}
          onChange={(conn) => set({ conn })}
        />
        <label class="check" title="Keep the newest message in view">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} />
          Follow
        </label>
        <span class="muted count" data-testid="row-count">
          {rows.length.toLocaleString()} of {store.size.toLocaleString()}
        </span>
        {cache.error ? <span class="error-text">{cache.error}</span> : null}
      </div>
      <div class="split">
        <div class="table-wrap">
          <div class="table-head" role="row">
            {headerGroup?.headers.map((header) => (
              <div key={header.id} class={`cell col-${header.column.id}`} role="columnheader">
                <table.FlexRender header={header} />
              </div>
            ))}
          </div>
          <div
            class="table-body"
            ref={scrollRef}
            tabIndex={0}
            role="grid"
            aria-label="Messages"
            aria-rowcount={rows.length}
            onKeyDown={onKeyDown}
            onWheel={(e) => {
              if (e.deltaY < 0) setFollow(false);
            }}
          >
            <div style={{ height: `${virtualizer.getTotalSize()}px`, position: 'relative' }}>
              {table.getRowModel().rows.map((row, i) => {
                const item = items[i];
                const position = row.original.position;
                const classes = [
                  'row',
                  `dir-${row.original.frame.dir}`,
                  position === selected ? 'selected' : '',
                  row.original.ok ? '' : 'bad',
                  cursor !== undefined && position > cursor ? 'future' : '',
                ].join(' ');
                return (
                  <div
                    key={row.id}
                    class={classes}
                    role="row"
                    aria-selected={position === selected}
                    data-position={position}
                    style={{ transform: `translateY(${item?.start ?? 0}px)`, height: `${ROW_HEIGHT}px` }}
                    onClick={() => {
                      select(position);
                      setFollow(false);
                    }}
                  >
                    {row.getAllCells().map((cell) => (
                      <div key={cell.id} class={`cell col-${cell.column.id}`} role="gridcell">
                        <table.FlexRender cell={cell} />
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
            {rows.length === 0 ? <div class="empty">No messages{store.size ? ' match the filters' : ' yet'}.</div> : null}
          </div>
        </div>
        {selected !== undefined && store.frame(selected) ? <Detail position={selected} /> : null}
      </div>
    </div>
  );
}

function Select({ label, value, options, onChange }: { label: string; value: string; options: string[]; onChange: (v: string) => void }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      <option value="">{`${label}: all`}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}
