import { useCallback, useEffect, useState } from "react";
import { explain, request } from "../api";
import type { ResultOf } from "../graphql";
import { count, age, utc } from "../ui/format";
import { Badge, Empty, Failure, Loading } from "../ui/states";
import { type PairResult, verifyPair } from "../verify/verify-pair";
import { CheckpointsQuery, ConsistencyQuery } from "./documents";

type Checkpoint = ResultOf<typeof CheckpointsQuery>["checkpoints"][number];
type Pair = PairResult | "checking";
const PAGE = 10;
const pairKey = (older: Checkpoint, newer: Checkpoint) => `${older.size}-${newer.size}`;

/**
 * The log's signed checkpoints, newest first, with the witnesses' copies of each, and between
 * each two consecutive ones the verdict this browser reached on their consistency: both
 * signatures checked with the verifier key, the server's proof walked from the signed roots.
 */
export function CheckpointHistory({ log, verifierKey }: { log: string; verifierKey: string | null }) {
  const [checkpoints, setCheckpoints] = useState<Checkpoint[]>([]);
  const [status, setStatus] = useState<"loading" | "done" | "error">("loading");
  const [error, setError] = useState<unknown>();
  const [more, setMore] = useState(false);
  const [pairs, setPairs] = useState<Record<string, Pair>>({});

  const load = useCallback(async (before: Checkpoint | undefined, signal: AbortSignal) => {
    setStatus("loading");
    try {
      const r = await request(CheckpointsQuery, { log, first: PAGE, before: before ? before.size : null }, signal);
      setCheckpoints((have) => (before ? [...have, ...r.checkpoints] : r.checkpoints));
      setMore(r.checkpoints.length === PAGE);
      setStatus("done");
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      setError(e);
      setStatus("error");
    }
  }, [log]);

  useEffect(() => {
    const abort = new AbortController();
    setCheckpoints([]);
    setPairs({});
    void load(undefined, abort.signal);
    return () => abort.abort();
  }, [load]);

  // Each consecutive pair not yet checked, one at a time (newest first): the proof fetched, then verified here.
  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      for (let i = 0; i + 1 < checkpoints.length; i++) {
        const newer = checkpoints[i]!;
        const older = checkpoints[i + 1]!;
        const key = pairKey(older, newer);
        if (pairs[key] || abort.signal.aborted) continue;
        setPairs((p) => ({ ...p, [key]: "checking" }));
        let result: PairResult;
        try {
          const { consistencyProof: proof } = await request(ConsistencyQuery, { log, from: older.size, to: newer.size }, abort.signal);
          result = await verifyPair(verifierKey, { size: Number(older.size), note: older.note }, { size: Number(newer.size), note: newer.note }, { fromSize: Number(proof.fromSize), toSize: Number(proof.toSize), hashes: proof.hashes });
        } catch (e) {
          if ((e as Error).name === "AbortError") return;
          const { title, detail } = explain(e);
          result = { ok: false, detail: `the proof could not be fetched: ${title}. ${detail}` };
        }
        if (abort.signal.aborted) return;
        setPairs((p) => ({ ...p, [key]: result }));
      }
    })();
    return () => abort.abort();
    // Rerun when the list grows; `pairs` is read to skip what is done, not to rerun.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [checkpoints, log, verifierKey]);

  const verdicts = Object.values(pairs);
  const failed = verdicts.filter((v) => v !== "checking" && !v.ok).length;
  const checking = verdicts.filter((v) => v === "checking").length;
  return (
    <section className="panel" aria-labelledby="chain-title">
      <div className="panel-head">
        <h2 id="chain-title">Signed checkpoints and their consistency</h2>
        {verdicts.length > 0 ? (
          <span data-testid="chain-summary" role="status">
            {failed > 0 ? <Badge tone="bad">{failed} inconsistent</Badge> : checking > 0 ? <Badge tone="neutral">checking…</Badge> : <Badge tone="ok">all consistent</Badge>}{" "}
            <span className="muted small">{verdicts.length - checking} of {verdicts.length} pairs checked in this browser</span>
          </span>
        ) : null}
      </div>
      <p className="muted small">Each checkpoint is signed by the log's key and copied by its witnesses. Between two consecutive ones, this browser checks both signatures with the verifier key and walks the server's consistency proof (RFC 9162 §2.1.4.2) from the signed roots: the newer tree must extend the older one, entry for entry.</p>
      {status === "error" ? <Failure error={error} retry={() => void load(checkpoints.at(-1), new AbortController().signal)} /> : null}
      {status === "done" && checkpoints.length === 0 ? <Empty title="No checkpoint signed yet">The integrity worker signs one every few entries or seconds; <code>sealtrail checkpoint --log {log}</code> signs one now.</Empty> : null}
      {checkpoints.length > 0 ? (
        <ol className="chain" aria-label={`Signed checkpoints of ${log}, newest first`}>
          {checkpoints.map((c, i) => {
            const older = checkpoints[i + 1];
            const pair = older ? pairs[pairKey(older, c)] : undefined;
            return [
              <li key={`cp-${c.size}`} className="chain-cp" data-checkpoint={String(c.size)}>
                <div><strong>Tree size {count(c.size)}</strong> <span className="muted small">signed {utc(c.createdAt)} ({age(c.createdAt)}) · key {c.keyId}</span></div>
                <div className="small">Witness copies: {c.cosignatures.length ? c.cosignatures.map((w) => <Badge key={w.witness + w.keyId} tone="ok">{w.witness}</Badge>) : <span className="muted">none cosigned this checkpoint</span>}</div>
                <div className="mono small wrap muted">root {c.root}</div>
              </li>,
              older ? (
                <li key={`pair-${older.size}-${c.size}`} className={`chain-link ${pair && pair !== "checking" ? (pair.ok ? "link-ok" : "link-bad") : ""}`} data-pair={pairKey(older, c)} data-result={!pair || pair === "checking" ? "checking" : pair.ok ? "verified" : "failed"}>
                  {!pair || pair === "checking" ? <><Badge tone="neutral">checking</Badge> <span className="small">fetching the proof from size {count(older.size)} to {count(c.size)}…</span></>
                    : <><Badge tone={pair.ok ? "ok" : "bad"}>{pair.ok ? "consistent" : "failed"}</Badge> <span className="small">size {count(older.size)} → {count(c.size)}: {pair.detail}</span></>}
                </li>
              ) : null,
            ];
          })}
        </ol>
      ) : null}
      {status === "loading" ? <Loading label={checkpoints.length ? "Loading older checkpoints…" : "Loading the signed checkpoints…"} /> : null}
      {status === "done" && more ? <button type="button" className="btn" onClick={() => void load(checkpoints.at(-1), new AbortController().signal)}>Load older checkpoints</button> : null}
    </section>
  );
}
