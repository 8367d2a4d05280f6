import { lazy, Suspense, useState } from "react";
import { Link } from "wouter";
import { type ResultOf, readFragment } from "../graphql";
import { EventsPerDayQuery, OpenAlertsQuery, OverviewQuery, SweepFields, SweepsQuery } from "../overview/documents";
import { alertCount, OpenAlertList } from "../overview/open-alerts";
import { age, count, duration } from "../ui/format";
import { Badge, Empty, Failure, Loading } from "../ui/states";
import { useQuery } from "../ui/use-query";

const SweepChart = lazy(() => import("../overview/sweep-chart"));
const ActivityChart = lazy(() => import("../overview/activity-chart"));
type Sweep = ResultOf<typeof SweepFields>;
const DAY_MS = 86_400_000;

export function sweepTone(result: string | undefined): "ok" | "bad" | "warn" | "neutral" {
  return result === "verified" ? "ok" : result === "tampered" ? "bad" : result === "error" ? "warn" : "neutral";
}

export function OverviewPage() {
  const { state, reload } = useQuery(OverviewQuery, {});
  return (
    <div className="page">
      <div className="page-head">
        <h1>Overview</h1>
        <p className="muted">Each log of your tenant: its size, its newest signed checkpoint, and what the last integrity sweep found.</p>
      </div>
      {state.status === "loading" ? <Loading label="Loading your logs…" /> : null}
      {state.status === "error" ? <Failure error={state.error} retry={reload} /> : null}
      {state.status === "done" && state.data.logs.length === 0 ? <Empty title="No logs yet">Create one with <code>sealtrail log create NAME</code>, then send events to it.</Empty> : null}
      {state.status === "done" && state.data.logs.length > 0 ? <Logs logs={state.data.logs} /> : null}
    </div>
  );
}

type Log = ResultOf<typeof OverviewQuery>["logs"][number];

function Logs({ logs }: { logs: Log[] }) {
  const sweeps = logs.map((l) => (l.lastSweep ? readFragment(SweepFields, l.lastSweep) : null));
  const open = useQuery(OpenAlertsQuery, {});
  const alerts = alertCount(open.state);
  const stale = logs.filter((l) => !l.latestCheckpoint || Date.now() - Date.parse(l.latestCheckpoint.createdAt) > DAY_MS || Number(l.latestCheckpoint.size) < Number(l.size));
  const total = logs.reduce((n, l) => n + Number(l.size), 0);
  const [chartLog, setChartLog] = useState(logs.find((l) => !l.name.startsWith("sealtrail."))?.name ?? logs[0]!.name);
  return (
    <>
      <section className="cards" aria-label="Summary">
        <div className="card"><div className="card-label">Logs</div><div className="card-value">{logs.length}</div></div>
        <div className="card"><div className="card-label">Entries</div><div className="card-value" data-testid="total-entries">{count(total)}</div></div>
        <div className={`card ${alerts === undefined ? "" : alerts ? "card-bad" : "card-ok"}`}><div className="card-label">Open alerts</div><div className="card-value" data-testid="open-alerts" aria-busy={alerts === undefined}>{alerts ?? "…"}</div></div>
        <div className={`card ${stale.length ? "card-warn" : ""}`}><div className="card-label">Logs with unsigned entries</div><div className="card-value">{stale.length}</div></div>
      </section>
      <OpenAlertList state={open.state} retry={open.reload} />
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Logs of your tenant</caption>
          <thead>
            <tr><th scope="col">Log</th><th scope="col" className="num">Entries</th><th scope="col">Newest checkpoint</th><th scope="col">Witness copies</th><th scope="col">Search index</th><th scope="col">Last sweep</th><th scope="col" className="num">Took</th></tr>
          </thead>
          <tbody>
            {logs.map((l, i) => {
              const s = sweeps[i];
              const cp = l.latestCheckpoint;
              return (
                <tr key={l.name} data-log={l.name}>
                  <th scope="row"><Link href={`/events?log=${encodeURIComponent(l.name)}`}>{l.name}</Link><div className="muted small">{l.origin}</div></th>
                  <td className="num">{count(l.size)}</td>
                  <td>{cp ? <>{count(cp.size)} <span className="muted">· {age(cp.createdAt)}</span>{Number(cp.size) < Number(l.size) ? <div className="small warn-text">{count(Number(l.size) - Number(cp.size))} {Number(l.size) - Number(cp.size) === 1 ? "entry" : "entries"} not yet signed</div> : null}</> : <Badge tone="warn">none yet</Badge>}</td>
                  <td>{cp ? (cp.cosignatures.length ? cp.cosignatures.map((c) => c.witness).join(", ") : <span className="muted">none</span>) : "—"}</td>
                  <td><SearchLag lag={l.searchIndex} /></td>
                  <td>{s ? <><Badge tone={sweepTone(s.result)}>{s.result}</Badge> <span className="muted small">{age(s.at)}</span></> : <span className="muted">never swept</span>}</td>
                  <td className="num">{s ? duration(s.durationMs) : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Activity logs={logs.map((l) => l.name)} log={chartLog} onLog={setChartLog} />
      <SweepHistory logs={logs.map((l) => l.name)} log={chartLog} onLog={setChartLog} />
    </>
  );
}

/** Entries the full-text index lacks: searches still find them, from the log itself, only more slowly. */
function SearchLag({ lag }: { lag: Log["searchIndex"] }) {
  const pending = Number(lag.pending);
  if (pending === 0) return <Badge tone="ok">caught up</Badge>;
  const stale = lag.oldestPendingAt !== null && Date.now() - Date.parse(lag.oldestPendingAt) > 5 * 60_000;
  return (
    <span className="lag" data-testid="search-lag">
      <Badge tone={stale ? "warn" : "neutral"}>{count(pending)} not indexed</Badge>
      {lag.oldestPendingAt ? <span className="muted small"> oldest {age(lag.oldestPendingAt)}</span> : null}
    </span>
  );
}

function SweepHistory({ logs, log, onLog }: { logs: string[]; log: string; onLog: (log: string) => void }) {
  const [days, setDays] = useState(30);
  const { state, reload } = useQuery(SweepsQuery, { log, first: 200 });
  const sweeps: Sweep[] = state.status === "done" ? state.data.sweeps.map((s) => readFragment(SweepFields, s)) : [];
  return (
    <section className="panel" aria-labelledby="sweeps-title">
      <div className="panel-head">
        <h2 id="sweeps-title">Sweep results</h2>
        <div className="panel-tools">
          <label className="inline">Log <select value={log} onChange={(e) => onLog(e.target.value)}>{logs.map((l) => <option key={l}>{l}</option>)}</select></label>
          <div className="segmented" role="group" aria-label="Period">
            {[30, 90].map((d) => <button key={d} type="button" className={days === d ? "on" : ""} aria-pressed={days === d} onClick={() => setDays(d)}>{d} days</button>)}
          </div>
        </div>
      </div>
      {state.status === "loading" ? <Loading label="Loading sweeps…" /> : null}
      {state.status === "error" ? <Failure error={state.error} retry={reload} /> : null}
      {state.status === "done" && sweeps.length === 0 ? <Empty title="No sweeps yet">The integrity worker sweeps each log on its schedule; <code>sealtrail sweep --log {log}</code> runs one now.</Empty> : null}
      {sweeps.length > 0 ? (
        <Suspense fallback={<Loading label="Drawing…" />}>
          <SweepChart days={days} label={`Sweeps of ${log} over ${days} days: ${sweeps.filter((s) => s.result === "verified").length} verified, ${sweeps.filter((s) => s.result !== "verified").length} not`} points={sweeps.map((s) => ({ at: s.at, durationMs: Number(s.durationMs ?? 0), result: s.result }))} />
        </Suspense>
      ) : null}
    </section>
  );
}

function Activity({ logs, log, onLog }: { logs: string[]; log: string; onLog: (log: string) => void }) {
  const [days, setDays] = useState(30);
  const { state, reload } = useQuery(EventsPerDayQuery, { log, days });
  const rows = state.status === "done" ? state.data.eventsPerDay : [];
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.kind, (totals.get(r.kind) ?? 0) + r.count);
  const summary = [...totals].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${count(n)}`).join(", ");
  return (
    <section className="panel" aria-labelledby="activity-title">
      <div className="panel-head">
        <h2 id="activity-title">Events per day, by kind</h2>
        <div className="panel-tools">
          <label className="inline">Log <select value={log} onChange={(e) => onLog(e.target.value)}>{logs.map((l) => <option key={l}>{l}</option>)}</select></label>
          <div className="segmented" role="group" aria-label="Activity period">
            {[30, 90].map((d) => <button key={d} type="button" className={days === d ? "on" : ""} aria-pressed={days === d} onClick={() => setDays(d)}>{d} days</button>)}
          </div>
        </div>
      </div>
      {state.status === "loading" ? <Loading label="Counting entries…" /> : null}
      {state.status === "error" ? <Failure error={state.error} retry={reload} /> : null}
      {state.status === "done" && rows.length === 0 ? <Empty title="No entries in this period">Nothing was recorded in {log} in the last {days} days.</Empty> : null}
      {rows.length > 0 ? (
        <Suspense fallback={<Loading label="Drawing…" />}>
          <ActivityChart rows={rows.map((r) => ({ day: r.day, kind: r.kind, count: r.count }))} days={days} label={`Entries recorded in ${log} over ${days} days, by kind: ${summary}`} />
        </Suspense>
      ) : null}
    </section>
  );
}
