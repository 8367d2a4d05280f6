import { useEffect, useRef, useState } from "react";
import { isUnknownLog, Missing, request } from "../api";
import { Badge, Failure, Loading } from "../ui/states";
import { useQuery } from "../ui/use-query";
import { utc } from "../ui/format";
import { type Step, verifyEntry } from "../verify/verify-entry";
import { EventDetailQuery, EventProofQuery } from "./documents";

/** A log the tenant does not have reads as no such entry: whose log it may be is not said. */
const isUnknown = isUnknownLog;

function parseEntry(entry: string): { log: string; seq: number } | undefined {
  const at = entry.lastIndexOf(":");
  const seq = Number(entry.slice(at + 1));
  return at > 0 && Number.isSafeInteger(seq) && seq >= 0 ? { log: entry.slice(0, at), seq } : undefined;
}

/** One entry: its canonical fields, payload and hashes, and the in-browser verification. */
export function EntryDrawer({ entry, onClose }: { entry: string; onClose: () => void }) {
  const target = parseEntry(entry);
  const { state, reload } = useQuery(EventDetailQuery, { log: target?.log ?? "", seq: target?.seq ?? 0 }, !target);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.focus();
    const esc = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [entry, onClose]);
  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title" tabIndex={-1} ref={panel} onClick={(e) => e.stopPropagation()}>
        <div className="drawer-head">
          <h2 id="drawer-title">Entry {target ? `${target.log} #${target.seq.toLocaleString("en-US")}` : ""}</h2>
          <button type="button" className="btn btn-quiet" onClick={onClose} aria-label="Close the entry">Close</button>
        </div>
        {!target ? <Failure error={new Error("The link names no entry (want log:seq)")} /> : null}
        {target && state.status === "loading" ? <Loading label="Loading the entry…" /> : null}
        {state.status === "error" && isUnknown(state.error) ? <Failure error={new Missing(`No entry ${entry} in your tenant's logs`)} /> : null}
        {state.status === "error" && !isUnknown(state.error) ? <Failure error={state.error} retry={reload} /> : null}
        {state.status === "done" && !state.data.event ? <Failure error={new Missing(`No entry ${entry} in your tenant's logs`)} /> : null}
        {state.status === "done" && state.data.event && state.data.log ? <EntryBody data={state.data as never} /> : null}
      </aside>
    </div>
  );
}

type Detail = { log: { origin: string; verifierKey: string | null; leafVersion: number }; event: NonNullable<import("../graphql").ResultOf<typeof EventDetailQuery>["event"]> };

/** An erased or expired value's place: what removed it, under which record of the log (docs/erasure.md). */
function erasedText(e: Detail["event"], field: "actor" | "resource" | "payload"): string | null {
  const m = e.erased.find((x) => x.field === field);
  if (!m) return null;
  return `${m.kind === "expiry" ? "Expired" : "Erased"} under record #${Number(m.recordSeq).toLocaleString("en-US")}${m.request ? ` (request ${m.request})` : ""}`;
}

function EntryBody({ data }: { data: Detail }) {
  const e = data.event;
  const fields: [string, string][] = [
    ["Log", `${e.log} (${data.log.origin})`], ["Seq", String(e.seq)], ["Kind", e.kind], ["Action", e.action], ["Actor", e.actor ?? erasedText(e, "actor") ?? "—"],
    ["Resource", e.resource ?? erasedText(e, "resource") ?? "—"], ["Outcome", e.outcome], ["Source", e.source], ["Occurred", utc(e.occurredAt)], ["Recorded", utc(e.recordedAt)],
    ["Tags", e.tags.join(", ") || "—"], ["Idempotency key", e.idempotencyKey ?? "— (archived: not kept)"],
  ];
  return (
    <div className="drawer-body">
      <dl className="fields">
        {fields.map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
      <h3>Payload</h3>
      {erasedText(e, "payload") ? <p className="muted" data-testid="payload-erased">{erasedText(e, "payload")}. Its commitment below stays in the leaf; without the deleted salt it reveals nothing.</p> : e.payloadRedacted ? <p className="muted">Redacted. Its hash below still proves what it was.</p> : <pre className="code" tabIndex={0} aria-label="Payload">{JSON.stringify(e.payload, null, 2)}</pre>}
      <h3>Hashes</h3>
      <dl className="fields hashes">
        <div><dt>Leaf hash</dt><dd className="mono" data-testid="leaf-hash">{e.leafHash}</dd></div>
        <div><dt>Payload hash</dt><dd className="mono">{e.payloadHash}</dd></div>
        <div><dt>Chain hash</dt><dd className="mono">{e.chainHash}</dd></div>
      </dl>
      <VerifyPanel log={e.log} seq={Number(e.seq)} detail={data} />
    </div>
  );
}

function VerifyPanel({ log, seq, detail }: { log: string; seq: number; detail: Detail }) {
  const [steps, setSteps] = useState<Step[]>([]);
  const [verdict, setVerdict] = useState<"idle" | "running" | "ok" | "failed">("idle");
  async function run() {
    setSteps([]);
    setVerdict("running");
    try {
      const p = await request(EventProofQuery, { log, seq });
      const proof = p.event?.inclusionProof;
      if (!proof) throw new Error("the server gave no proof for this entry");
      const e = detail.event;
      const result = await verifyEntry(
        {
          entry: { origin: detail.log.origin, seq, kind: e.kind, actor: e.actor ?? "", action: e.action, resource: e.resource ?? "", outcome: e.outcome, source: e.source, occurredAt: e.occurredAt, recordedAt: e.recordedAt, tags: e.tags, payloadHash: e.payloadHash, leafHash: e.leafHash, payload: e.payload, payloadRedacted: e.payloadRedacted },
          proof: { leafIndex: Number(proof.leafIndex), treeSize: Number(proof.treeSize), hashes: proof.hashes, root: proof.root, note: proof.checkpoint?.note ?? null },
          verifierKey: p.log?.verifierKey ?? null,
          leafVersion: detail.log.leafVersion,
        },
        (step) => setSteps((s) => [...s, step]),
      );
      setVerdict(result.ok ? "ok" : "failed");
    } catch (error) {
      setSteps((s) => [...s, { id: "fetch", title: "Fetching the proof", ok: false, detail: (error as Error).message }]);
      setVerdict("failed");
    }
  }
  return (
    <section className="verify" aria-labelledby="verify-title">
      <div className="verify-head">
        <h3 id="verify-title">Proof</h3>
        <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={verdict === "running"}>
          {verdict === "running" ? "Verifying…" : "Verify in this browser"}
        </button>
      </div>
      <p className="muted small">Recomputes the leaf from the fields above, walks the RFC 9162 inclusion path with WebCrypto SHA-256, and checks the checkpoint's Ed25519 signature. Nothing is taken on the server's word but the verifier key, shown for you to compare.</p>
      {verdict === "ok" ? <div className="verdict verdict-ok" role="status" data-testid="verdict">Verified: this entry is in the log the key signed.</div> : null}
      {verdict === "failed" ? <div className="verdict verdict-bad" role="alert" data-testid="verdict">Verification failed: {steps.find((s) => !s.ok)?.title}. Report this entry to your security team.</div> : null}
      <ol className="steps">
        {steps.map((s) => (
          <li key={s.id} className={s.ok ? "step-ok" : "step-bad"} data-step={s.id} data-ok={s.ok}>
            <Badge tone={s.ok ? "ok" : "bad"}>{s.ok ? "✓ passed" : "✗ failed"}</Badge>
            <div><strong>{s.title}</strong><div className="mono small wrap">{s.detail}</div></div>
          </li>
        ))}
      </ol>
    </section>
  );
}
