import { useLocation, useSearch } from "wouter";
import { isUnknownLog, Missing } from "../api";
import { readFragment } from "../graphql";
import { CheckpointHistory } from "../integrity/checkpoint-history";
import { IntegrityQuery, OverviewQuery, SweepFields } from "../overview/documents";
import { age, count, duration, utc } from "../ui/format";
import { Badge, Empty, Failure, Loading } from "../ui/states";
import { useQuery } from "../ui/use-query";
import { sweepTone } from "./overview";

/** One log's integrity: its newest signed checkpoint with the witnesses' copies, its sweeps, and the consistency of its signed history. */
export function IntegrityPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const logs = useQuery(OverviewQuery, {});
  const names = logs.state.status === "done" ? logs.state.data.logs.map((l) => l.name) : [];
  const chosen = new URLSearchParams(search).get("log") ?? names.find((n) => !n.startsWith("sealtrail.")) ?? names[0] ?? "";
  return (
    <div className="page">
      <div className="page-head">
        <h1>Integrity</h1>
        <p className="muted">What proves a log unaltered: its signed checkpoints, the witnesses' cosignatures, and every sweep that re-verified it.</p>
      </div>
      {logs.state.status === "loading" ? <Loading label="Loading your logs…" /> : null}
      {logs.state.status === "error" ? <Failure error={logs.state.error} retry={logs.reload} /> : null}
      {logs.state.status === "done" && names.length === 0 ? <Empty title="No logs yet" /> : null}
      {chosen ? (
        <>
          <div className="toolbar">
            <label className="inline">Log <select value={chosen} onChange={(e) => navigate(`/integrity?log=${encodeURIComponent(e.target.value)}`)}>{(names.includes(chosen) ? names : [chosen, ...names]).map((n) => <option key={n}>{n}</option>)}</select></label>
          </div>
          <LogIntegrity log={chosen} />
        </>
      ) : null}
    </div>
  );
}

function LogIntegrity({ log }: { log: string }) {
  const { state, reload } = useQuery(IntegrityQuery, { log });
  if (state.status === "loading") return <Loading label={`Loading ${log}…`} />;
  if (state.status === "error") return <Failure error={isUnknownLog(state.error) ? new Missing(`No log ${log} in your tenant`) : state.error} retry={isUnknownLog(state.error) ? undefined : reload} />;
  if (!state.data.log) return <Failure error={new Missing(`No log ${log} in your tenant`)} />;
  const l = state.data.log;
  const cp = l.latestCheckpoint;
  const sweeps = state.data.sweeps.map((s) => readFragment(SweepFields, s));
  return (
    <>
    <div className="two-col">
      <section className="panel" aria-labelledby="cp-title">
        <h2 id="cp-title">Newest checkpoint</h2>
        {!cp ? <Empty title="Not signed yet">The integrity worker signs a checkpoint every few entries or seconds; <code>sealtrail checkpoint --log {log}</code> signs one now.</Empty> : (
          <>
            <dl className="fields">
              <div><dt>Tree size</dt><dd>{count(cp.size)} of {count(l.size)} entries</dd></div>
              <div><dt>Signed</dt><dd>{utc(cp.createdAt)} ({age(cp.createdAt)})</dd></div>
              <div><dt>Key id</dt><dd className="mono">{cp.keyId}</dd></div>
              <div><dt>Root</dt><dd className="mono wrap">{cp.root}</dd></div>
            </dl>
            <h3>Signed note</h3>
            <pre className="code" tabIndex={0} aria-label="Signed note">{cp.note}</pre>
            <h3>Witness cosignatures</h3>
            {cp.cosignatures.length === 0 ? <p className="muted">No witness has cosigned this checkpoint. Witnesses (C2SP tlog-witness) keep their own copies: configure them in SEALTRAIL_WITNESSES.</p> : (
              <ul className="plain">{cp.cosignatures.map((c) => <li key={c.witness + c.keyId}><Badge tone="ok">cosigned</Badge> <strong>{c.witness}</strong> <span className="mono small">{c.keyId}</span></li>)}</ul>
            )}
            <h3>Verifier key</h3>
            <p className="mono small wrap">{l.verifierKey ?? "not configured on this server"}</p>
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="sweeps-list-title">
        <h2 id="sweeps-list-title">Sweeps</h2>
        {sweeps.length === 0 ? <Empty title="Never swept">The nightly sweep re-verifies every entry; <code>sealtrail sweep --log {log}</code> runs one now.</Empty> : (
          <ol className="timeline">
            {sweeps.map((s) => (
              <li key={String(s.recordSeq)} className={`tl-${sweepTone(s.result)}`} data-sweep={s.result}>
                <div className="tl-head"><Badge tone={sweepTone(s.result)}>{s.result}</Badge> <strong>{utc(s.at)}</strong> <span className="muted small">{s.mode ?? ""} · {duration(s.durationMs)}</span></div>
                <div className="small">
                  {s.toSize != null ? <>entries {count(s.fromSeq ?? 0)}–{count(Number(s.toSize) - 1)}</> : null}
                  {s.tamperClass ? <> · <strong>{s.tamperClass}</strong></> : null}
                  {s.firstBadSeq != null ? <> at seq {count(s.firstBadSeq)}</> : null}
                  {s.message ? <div className="muted">{s.message}</div> : null}
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
    <CheckpointHistory log={log} verifierKey={l.verifierKey ?? null} />
    </>
  );
}
