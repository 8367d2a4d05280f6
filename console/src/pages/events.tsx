import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useLocation, useSearch } from "wouter";
import { isUnknownLog, request } from "../api";
import { EVENTS_PAGE as PAGE, EventsPageQuery, LogNamesQuery } from "../events/documents";
import { EntryDrawer } from "../events/entry-drawer";
import { EventTable, type EventRow, rowOf } from "../events/event-table";
import { Filters } from "../events/filters";
import { type NotSearched, NotSearchedNotice } from "../events/not-searched";
import { type EventsQuery, formatQuery, parseQuery, toFilter } from "../events/url-query";
import { takeFirstPage } from "../events/first-page";
import { Empty, Failure, Loading } from "../ui/states";
import { useQuery } from "../ui/use-query";


type Feed =
  | { status: "loading" }
  | { status: "error"; error: unknown }
  | { status: "done"; rows: EventRow[]; after: string | null; more: boolean; loadingMore: boolean; moreError?: unknown; notSearched: readonly NotSearched[] };

export function EventsPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const query = useMemo(() => parseQuery(search), [search]);
  const filter = useMemo(() => toFilter(query), [query]);
  const filterKey = JSON.stringify(filter);
  const [feed, setFeed] = useState<Feed>({ status: "loading" });
  // The filter's log list is asked for once the first rows are in: it would otherwise share the
  // server with the page's first request, the one the person waits for.
  const [rowsSeen, setRowsSeen] = useState(false);
  if (!rowsSeen && feed.status !== "loading") setRowsSeen(true);
  const logs = useQuery(LogNamesQuery, {}, !rowsSeen);
  const [round, setRound] = useState(0);
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    const abort = new AbortController();
    setFeed({ status: "loading" });
    // The first page may already be on its way (prefetch.ts, asked for as the console started).
    const answer = takeFirstPage(filterKey, abort.signal) ?? request(EventsPageQuery, { filter: JSON.parse(filterKey), first: PAGE }, abort.signal);
    answer.then(
      (d) => mine === generation.current && setFeed({ status: "done", rows: d.events.edges.map((e) => rowOf(e.node)), after: d.events.pageInfo.endCursor ?? null, more: d.events.pageInfo.hasNextPage, loadingMore: false, notSearched: d.events.notSearched }),
      (error) => (error as Error).name !== "AbortError" && mine === generation.current && setFeed({ status: "error", error }),
    );
    return () => abort.abort();
  }, [filterKey, round]);

  const more = useCallback(() => {
    if (feed.status !== "done" || !feed.more || feed.loadingMore) return;
    const mine = generation.current;
    setFeed({ ...feed, loadingMore: true });
    request(EventsPageQuery, { filter: JSON.parse(filterKey), first: PAGE, after: feed.after }).then(
      (d) => mine === generation.current && setFeed((f) => (f.status === "done" ? { ...f, rows: [...f.rows, ...d.events.edges.map((e) => rowOf(e.node))], after: d.events.pageInfo.endCursor ?? null, more: d.events.pageInfo.hasNextPage, loadingMore: false } : f)),
      (error) => mine === generation.current && setFeed((f) => (f.status === "done" ? { ...f, loadingMore: false, more: false, moreError: error } : f)),
    );
  }, [feed, filterKey]);

  const go = (q: EventsQuery) => navigate(`/events${formatQuery(q)}`);
  const logNames = logs.state.status === "done" ? logs.state.data.logs.map((l) => l.name) : [];
  const count = feed.status === "done" ? feed.rows.length : 0;

  return (
    <div className="page page-events">
      <div className="page-head">
        <h1>Events</h1>
        <p className="muted">Every entry of your tenant's logs, in log and sequence order. Open one to check its proof in this browser.</p>
      </div>
      <Filters query={query} logs={logNames} onApply={go} />
      <div className="result-bar" aria-live="polite">
        {feed.status === "done" ? <span data-testid="row-count">{count.toLocaleString("en-US")}{feed.more ? "+" : ""} {count === 1 && !feed.more ? "entry" : "entries"}</span> : <span />}
      </div>
      {feed.status === "done" && feed.notSearched.length > 0 ? <NotSearchedNotice ranges={feed.notSearched} /> : null}
      {feed.status === "loading" ? <Loading label="Loading entries…" /> : null}
      {feed.status === "error" && isUnknownLog(feed.error) ? <Empty title="No entries match">Your tenant has no log {query.log}. Pick a log from the list.</Empty> : null}
      {feed.status === "error" && !isUnknownLog(feed.error) ? <Failure error={feed.error} retry={() => setRound((r) => r + 1)} /> : null}
      {feed.status === "done" && feed.rows.length === 0 ? (
        <Empty title="No entries match">Loosen the filter or clear it to see every entry.</Empty>
      ) : null}
      {feed.status === "done" && feed.rows.length > 0 ? (
        <EventTable rows={feed.rows} hasMore={feed.more} loadingMore={feed.loadingMore} onMore={more} selected={query.entry} onOpen={(row) => go({ ...query, entry: `${row.log}:${row.seq}` })} />
      ) : null}
      {feed.status === "done" && feed.moreError ? <Failure error={feed.moreError} retry={() => setFeed({ ...feed, more: true, moreError: undefined })} /> : null}
      {query.entry ? <EntryDrawer entry={query.entry} onClose={() => go({ ...query, entry: "" })} /> : null}
    </div>
  );
}
