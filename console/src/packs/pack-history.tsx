import { useCallback, useEffect, useRef, useState } from "react";
import { ApiFailure, request } from "../api";
import { type ResultOf, readFragment } from "../graphql";
import { count, utc } from "../ui/format";
import { Badge, Empty, Failure, Loading } from "../ui/states";
import { PackBuildsQuery, PackFields, PackRequestsQuery } from "./documents";

type Build = ResultOf<typeof PackBuildsQuery>["packBuilds"][number];
type Pack = ResultOf<typeof PackFields>;
/** How often requests still queued or running are read again. */
const PENDING_POLL_MS = 3000;
const PAGE = 20;
const FRAMEWORK_NAMES: Record<string, string> = { soc2: "SOC 2", hipaa: "HIPAA", "pci-dss": "PCI DSS", iso27001: "ISO/IEC 27001", gdpr: "GDPR" };

/** What the controls of a built pack found: the tally the exporter wrote into it. */
function Verdict({ build }: { build: Build }) {
  const pack = build.request ? readFragment(PackFields, build.request) : null;
  const controls = pack?.controls as Record<string, number> | null | undefined;
  const exceptions = controls?.exceptions ?? 0;
  return (
    <div className="small">
      <div><Badge tone="ok">recorded</Badge> audit entry {count(build.recordSeq)}, checked against the signed log</div>
      {controls ? <div><Badge tone={exceptions ? "warn" : "ok"}>{exceptions ? `${count(exceptions)} with exceptions` : "no exceptions"}</Badge> {Object.entries(controls).map(([k, v]) => `${count(v)} ${k.replace(/_/g, " ")}`).join(" · ")}</div> : null}
      <div className="muted mono wrap">SHA256SUMS {build.sha256sums.slice(0, 16)}…</div>
    </div>
  );
}

/** A request not built (yet): queued, running with its progress, or failed with the reason. */
function RequestRow({ pack }: { pack: Pack }) {
  const failed = pack.status === "FAILED";
  return (
    <tr data-request={pack.id} data-status={pack.status}>
      <td><span className="muted">not built</span><div className="muted small">asked {utc(pack.requestedAt)}</div></td>
      <td className="wrap">{pack.requestedBy}</td>
      <td><strong>{FRAMEWORK_NAMES[pack.framework] ?? pack.framework}</strong><div className="muted small">{pack.logs.join(", ")}</div></td>
      <td>{pack.from.slice(0, 10)} to {pack.to.slice(0, 10)}</td>
      <td><Badge tone={failed ? "bad" : "neutral"}>{pack.status.toLowerCase()}</Badge>{pack.status === "RUNNING" ? <div className="muted small">{pack.phase}, {Math.round(pack.progress)} %</div> : null}</td>
      <td className="small wrap">
        {failed ? <><strong>Build failed:</strong> <span data-testid="failure-reason">{pack.error ?? "no reason given"}</span><div className="muted">Nothing was recorded or signed. Check the logs and period, then request it again.</div></> : <span className="muted">Checked against the signed log once built.</span>}
      </td>
      <td><span className="muted small">{failed ? "none" : "when built"}</span></td>
    </tr>
  );
}

/**
 * The tenant's earlier packs, newest first: first the requests this server has not built
 * (queued, running, failed, from evidencePacks), then the builds from the pack.build records of
 * its audit log: who asked, when, for which framework and period, what the build found, and
 * the download while this server still keeps the archive.
 */
export function PackHistory({ refresh }: { refresh: number }) {
  const [pending, setPending] = useState<Pack[]>([]);
  const [pendingError, setPendingError] = useState<unknown>();
  const pendingIds = useRef("");
  const [builds, setBuilds] = useState<Build[]>([]);
  const [status, setStatus] = useState<"loading" | "done" | "error">("loading");
  const [error, setError] = useState<unknown>();
  const [more, setMore] = useState(false);
  const load = useCallback(async (before: Build | undefined, signal?: AbortSignal) => {
    setStatus("loading");
    try {
      const r = await request(PackBuildsQuery, { first: PAGE, before: before ? before.recordSeq : null }, signal);
      setBuilds((have) => (before ? [...have, ...r.packBuilds] : r.packBuilds));
      setMore(r.packBuilds.length === PAGE);
      setStatus("done");
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      setError(e);
      setStatus("error");
    }
  }, []);
  const loadPending = useCallback(async (signal?: AbortSignal) => {
    try {
      const r = await request(PackRequestsQuery, {}, signal);
      const list = r.evidencePacks.map((p) => readFragment(PackFields, p));
      setPending(list);
      setPendingError(undefined);
      // A request that left the list was built (or is now kept only as a build): the builds are read again.
      const ids = list.map((p) => p.id).join(",");
      if (pendingIds.current && pendingIds.current.split(",").some((id) => id && !ids.includes(id))) void load(undefined);
      pendingIds.current = ids;
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      // A server without evidence packs has no queue to list: the builds are all there is.
      setPendingError(e instanceof ApiFailure && e.code === "SERVICE_UNAVAILABLE" ? undefined : e);
    }
  }, [load]);
  useEffect(() => {
    const abort = new AbortController();
    void load(undefined, abort.signal);
    void loadPending(abort.signal);
    return () => abort.abort();
  }, [load, loadPending, refresh]);
  const active = pending.some((p) => p.status !== "FAILED");
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void loadPending(), PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [active, loadPending]);
  return (
    <section className="panel" aria-labelledby="history-title">
      <div className="panel-head"><h2 id="history-title">Earlier packs</h2><button type="button" className="btn" onClick={() => { void load(undefined); void loadPending(); }}>Refresh</button></div>
      {status === "error" ? <Failure error={error} retry={() => void load(undefined)} /> : null}
      {pendingError ? <Failure error={pendingError} retry={() => void loadPending()} /> : null}
      {status === "done" && builds.length === 0 && pending.length === 0 ? <Empty title="No pack built yet">Packs built for your tenant, from this page, the API or <code>sealtrail pack</code>, are listed here from your audit log.</Empty> : null}
      {builds.length > 0 || pending.length > 0 ? (
        <div className="table-wrap">
          <table className="grid" data-testid="pack-history">
            <caption className="sr-only">Evidence packs of your tenant: requests not built yet or failed, then builds, newest first</caption>
            <thead><tr><th scope="col">Built</th><th scope="col">Requested by</th><th scope="col">Framework</th><th scope="col">Period</th><th scope="col">Status</th><th scope="col">Verification</th><th scope="col">Archive</th></tr></thead>
            <tbody>
              {pending.map((p) => <RequestRow key={p.id} pack={p} />)}
              {builds.map((b) => {
                const pack = b.request ? readFragment(PackFields, b.request) : null;
                return (
                  <tr key={String(b.recordSeq)} data-build={b.packId}>
                    <td>{utc(b.builtAt)}<div className="muted small">asked {utc(b.requestedAt)}</div></td>
                    <td className="wrap">{b.requestedBy}{b.recipient ? <div className="muted small">for {b.recipient}</div> : null}</td>
                    <td><strong>{FRAMEWORK_NAMES[b.framework] ?? b.framework}</strong><div className="muted small">{b.logs.join(", ")}</div></td>
                    <td>{b.from.slice(0, 10)} to {b.to.slice(0, 10)}</td>
                    <td>{pack ? <Badge tone={pack.status === "COMPLETED" ? "ok" : pack.status === "FAILED" ? "bad" : "neutral"}>{pack.status.toLowerCase()}</Badge> : <Badge tone="ok">built</Badge>}</td>
                    <td><Verdict build={b} /></td>
                    <td>{pack?.downloadUrl ? <a href={pack.downloadUrl} download>Download<span className="sr-only"> the {b.framework} pack {b.packId}</span></a> : <span className="muted small">{b.requestId ? "no longer on this server" : "built with the CLI"}</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {status === "loading" ? <Loading label={builds.length ? "Loading older packs…" : "Loading your packs…"} /> : null}
      {status === "done" && more ? <button type="button" className="btn" onClick={() => void load(builds.at(-1))}>Load older packs</button> : null}
    </section>
  );
}
