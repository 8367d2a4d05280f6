/**
 * The events as a virtualized table: only the rows in view are in the DOM, so paging through
 * millions of entries keeps the page light; the next page is fetched as the end comes into view.
 */
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useEffect, useRef } from "react";
import { type ResultOf, readFragment } from "../graphql";
import { Badge } from "../ui/states";
import { utc } from "../ui/format";
import { EventRowFields } from "./documents";

export type EventRow = ResultOf<typeof EventRowFields>;
export const rowOf = (node: unknown) => readFragment(EventRowFields, node as never) as EventRow;

const col = createColumnHelper<EventRow>();
const columns = [
  col.accessor("recordedAt", { header: "Recorded (UTC)", cell: (c) => utc(c.getValue()).replace(" UTC", ""), size: 170 }),
  col.accessor("log", { header: "Log", size: 120 }),
  col.accessor("seq", { header: "Seq", cell: (c) => Number(c.getValue()).toLocaleString("en-US"), size: 90 }),
  col.accessor("kind", { header: "Kind", size: 120 }),
  col.accessor("actor", { header: "Actor", cell: (c) => c.getValue() ?? <span className="muted">erased</span>, size: 170 }),
  col.accessor("action", { header: "Action", size: 170 }),
  col.accessor("resource", { header: "Resource", cell: (c) => c.getValue() ?? <span className="muted">erased</span>, size: 220 }),
  col.accessor("outcome", { header: "Outcome", cell: (c) => <Badge tone={c.getValue() === "success" ? "ok" : "bad"}>{c.getValue()}</Badge>, size: 100 }),
];

const ROW_HEIGHT = 40;

export function EventTable(props: { rows: EventRow[]; hasMore: boolean; loadingMore: boolean; onMore: () => void; onOpen: (row: EventRow) => void; selected: string }) {
  const { rows, hasMore, loadingMore, onMore, onOpen, selected } = props;
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel() });
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && hasMore && !loadingMore && last.index >= rows.length - 20) onMore();
  }, [last?.index, hasMore, loadingMore, rows.length, onMore]);

  function keys(event: KeyboardEvent<HTMLDivElement>, index: number) {
    const move = (to: number) => {
      event.preventDefault();
      const next = Math.max(0, Math.min(rows.length - 1, to));
      virtual.scrollToIndex(next);
      requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus());
    };
    if (event.key === "ArrowDown") move(index + 1);
    else if (event.key === "ArrowUp") move(index - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(rows.length - 1);
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onOpen(rows[index]!);
    }
  }

  const rowModel = table.getRowModel().rows;
  return (
    <div className="table" role="table" aria-label="Events" aria-rowcount={rows.length + 1}>
      <div className="thead" role="rowgroup">
        {table.getHeaderGroups().map((group) => (
          <div className="tr" role="row" key={group.id}>
            {group.headers.map((h) => (
              <div className="th" role="columnheader" key={h.id} style={{ flexBasis: h.getSize() }}>{flexRender(h.column.columnDef.header, h.getContext())}</div>
            ))}
          </div>
        ))}
      </div>
      <div className="tbody" role="rowgroup" ref={scroller} data-testid="events-scroller">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const row = rowModel[item.index]!;
            const id = `${row.original.log}:${row.original.seq}`;
            return (
              <div
                key={id}
                className={`tr row${selected === id ? " selected" : ""}`}
                role="row"
                aria-rowindex={item.index + 2}
                tabIndex={0}
                data-index={item.index}
                data-entry={id}
                style={{ position: "absolute", top: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: "100%" }}
                onClick={() => onOpen(row.original)}
                onKeyDown={(e) => keys(e, item.index)}
              >
                {row.getVisibleCells().map((cell) => (
                  <div className="td" role="cell" key={cell.id} style={{ flexBasis: cell.column.getSize() }}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</div>
                ))}
              </div>
            );
          })}
        </div>
        {loadingMore ? <div className="table-more" role="status">Loading more entries…</div> : null}
      </div>
    </div>
  );
}
