import { type FormEvent, useEffect, useState } from "react";
import { useLocation, useSearch } from "wouter";
import { explain, request } from "../api";
import { LogNamesQuery } from "../events/documents";
import { type ResultOf, readFragment } from "../graphql";
import { PackFields, PackStatus, RequestPack } from "../packs/documents";
import { PackHistory } from "../packs/pack-history";
import { count, utc } from "../ui/format";
import { Badge, Failure, Loading } from "../ui/states";
import { useQuery } from "../ui/use-query";

type Pack = ResultOf<typeof PackFields>;
const FRAMEWORKS = [["soc2", "SOC 2"], ["hipaa", "HIPAA"], ["pci-dss", "PCI DSS"], ["iso27001", "ISO/IEC 27001"], ["gdpr", "GDPR"]] as const;

/** Evidence packs: request one, follow its build live, download it. The pack's id is in the URL. */
export function PacksPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const ids = new URLSearchParams(search).getAll("pack");
  const [built, setBuilt] = useState(0);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Evidence packs</h1>
        <p className="muted">Signed SOC 2, HIPAA and PCI DSS evidence for a period, which an auditor verifies offline with <code>sealtrail verify-pack</code>, <code>sha256sum</code> and <code>openssl</code>.</p>
      </div>
      <div className="two-col">
        <RequestForm onQueued={(id) => (setBuilt((n) => n + 1), navigate(`/packs?${[id, ...ids.filter((x) => x !== id)].map((x) => `pack=${encodeURIComponent(x)}`).join("&")}`))} />
        <section className="panel" aria-labelledby="packs-title">
          <h2 id="packs-title">Requested packs</h2>
          {ids.length === 0 ? <p className="muted">Packs you request appear here with their progress; the link of this page keeps them, to share with a colleague of your tenant.</p> : ids.map((id) => <PackCard key={id} id={id} onDone={() => setBuilt((n) => n + 1)} />)}
        </section>
      </div>
      <PackHistory refresh={built} />
    </div>
  );
}

function RequestForm({ onQueued }: { onQueued: (id: string) => void }) {
  const logs = useQuery(LogNamesQuery, {});
  const names = logs.state.status === "done" ? logs.state.data.logs.map((l) => l.name).filter((n) => !n.startsWith("sealtrail.")) : [];
  const [framework, setFramework] = useState("soc2");
  const [chosen, setChosen] = useState<string[]>([]);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [sample, setSample] = useState("25");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (chosen.length === 0) return setError("Choose at least one log.");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from >= to) return setError("Give the period: a start date before its end date.");
    setError(undefined);
    setBusy(true);
    try {
      const r = await request(RequestPack, { framework, logs: chosen, from: `${from}T00:00:00.000Z`, to: `${to}T00:00:00.000Z`, sampleSize: Number(sample) || null });
      onQueued(readFragment(PackFields, r.requestEvidencePack).id);
    } catch (e) {
      const { title, detail } = explain(e);
      setError(`${title}: ${detail}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="panel" aria-labelledby="request-title">
      <h2 id="request-title">Request a pack</h2>
      {logs.state.status === "error" ? <Failure error={logs.state.error} retry={logs.reload} /> : null}
      <form onSubmit={submit} className="form" noValidate>
        <div className="field"><label htmlFor="p-framework">Framework</label>
          <select id="p-framework" value={framework} onChange={(e) => setFramework(e.target.value)}>{FRAMEWORKS.map(([id, label]) => <option key={id} value={id}>{label}</option>)}</select>
        </div>
        <fieldset className="field"><legend>Logs</legend>
          {names.length === 0 && logs.state.status === "done" ? <p className="muted">Your tenant has no logs to pack yet.</p> : null}
          {names.map((n) => (
            <label key={n} className="check"><input type="checkbox" checked={chosen.includes(n)} onChange={(e) => setChosen(e.target.checked ? [...chosen, n] : chosen.filter((c) => c !== n))} /> {n}</label>
          ))}
        </fieldset>
        <div className="field-row">
          <div className="field"><label htmlFor="p-from">From (UTC, included)</label><input id="p-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></div>
          <div className="field"><label htmlFor="p-to">To (UTC, excluded)</label><input id="p-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} /></div>
        </div>
        <div className="field"><label htmlFor="p-sample">Sample size per population</label><input id="p-sample" type="number" min={1} max={1000} value={sample} onChange={(e) => setSample(e.target.value)} /></div>
        {error ? <div className="field-error" role="alert">{error}</div> : null}
        <button className="btn btn-primary" type="submit" disabled={busy}>{busy ? "Queueing…" : "Request pack"}</button>
        <p className="help">The request is recorded in your tenant's audit log, with your key as the requester.</p>
      </form>
    </section>
  );
}

/** One pack, polled every second while it is queued or building. */
function PackCard({ id, onDone }: { id: string; onDone: () => void }) {
  const [pack, setPack] = useState<Pack | null | undefined>(undefined);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const r = await request(PackStatus, { id });
        if (stop) return;
        const p = r.evidencePack ? readFragment(PackFields, r.evidencePack) : null;
        setPack(p);
        setError(undefined);
        if (p && (p.status === "QUEUED" || p.status === "RUNNING")) timer = setTimeout(tick, 1000);
        else if (p?.status === "COMPLETED") onDone();
      } catch (e) {
        if (!stop) {
          setError(e);
          timer = setTimeout(tick, 3000);
        }
      }
    };
    void tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [id]);
  if (error && !pack) return <Failure error={error} />;
  if (pack === undefined) return <Loading label="Loading the pack…" />;
  if (pack === null) return <div className="pack"><Badge tone="neutral">unknown</Badge> No pack {id} in your tenant.</div>;
  const tone = pack.status === "COMPLETED" ? "ok" : pack.status === "FAILED" ? "bad" : "neutral";
  const controls = pack.controls as Record<string, number> | null;
  return (
    <article className="pack" data-pack={pack.id} data-status={pack.status} aria-label={`Pack ${pack.framework} ${pack.id}`}>
      <div className="tl-head"><Badge tone={tone}>{pack.status.toLowerCase()}</Badge> <strong>{pack.framework.toUpperCase()}</strong> <span className="muted small">{pack.logs.join(", ")} · {pack.from.slice(0, 10)} to {pack.to.slice(0, 10)}</span></div>
      <div className="small muted">Requested {utc(pack.requestedAt)} by {pack.requestedBy}</div>
      {pack.status === "QUEUED" || pack.status === "RUNNING" ? (
        <div className="progress-row"><progress max={100} value={pack.progress} aria-label="Build progress" /> <span className="small">{Math.round(pack.progress)}% · {pack.phase}</span></div>
      ) : null}
      {pack.status === "FAILED" ? <div className="field-error" role="alert">The build failed: {pack.error ?? "no reason given"}. Check the period and logs, then request it again.</div> : null}
      {pack.status === "COMPLETED" ? (
        <>
          {controls ? <div className="small">Controls: {Object.entries(controls).map(([k, v]) => `${count(v)} ${k.replace(/_/g, " ")}`).join(" · ")}</div> : null}
          <div className="small mono wrap">SHA-256 {pack.sha256}</div>
          <a className="btn btn-primary download" href={pack.downloadUrl!} download>Download ({count(Math.round((pack.bytes ?? 0) / 1024))} KB)</a>
        </>
      ) : null}
    </article>
  );
}
