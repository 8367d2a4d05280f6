import { Link } from "wouter";
import type { ResultOf } from "../graphql";
import { count, utc } from "../ui/format";
import { Badge, Failure, Loading } from "../ui/states";
import type { QueryState } from "../ui/use-query";
import { OpenAlertsQuery } from "./documents";

export type OpenAlerts = QueryState<ResultOf<typeof OpenAlertsQuery>>;

const TITLES: Record<string, string> = {
  "sweep.tampered": "Tampering found by a sweep",
  "sweep.error": "A sweep could not run",
  "checkpoint.refused": "A checkpoint was refused",
  "witness.error": "Checkpoints are not being copied out",
  "witness.refused": "A witness refused a checkpoint",
  "witness.quorum": "Too few witness cosignatures",
  "read.inconsistent": "A read found the log changed",
};

export const alertCount = (state: OpenAlerts): number | undefined => (state.status === "done" ? state.data.logs.reduce((n, l) => n + l.openAlerts.length, 0) : undefined);

/**
 * The integrity alerts still open in the tenant's audit log: raised after the newest full sweep
 * that verified their log (a later full verified sweep closes them).
 */
export function OpenAlertList({ state, retry }: { state: OpenAlerts; retry: () => void }) {
  if (state.status === "loading") return <Loading label="Reading the open alerts…" />;
  if (state.status === "error") return <Failure error={state.error} retry={retry} />;
  const alerts = state.data.logs.flatMap((l) => l.openAlerts.map((a) => ({ log: l.name, ...a })));
  if (alerts.length === 0) return null;
  return (
    <section className="alerts" aria-label="Open alerts">
      {alerts.map((a) => (
        <div key={`${a.log}-${a.recordSeq}`} className="alert" role="alert" data-alert={a.type}>
          <Badge tone={a.type.startsWith("witness.") || a.type === "sweep.error" ? "warn" : "bad"}>{a.type}</Badge>
          <span><strong>{a.log}</strong>: {TITLES[a.type] ?? a.type}. {a.message}{a.firstBadSeq != null ? ` (first bad seq ${count(a.firstBadSeq)})` : ""} <span className="muted small">{utc(a.at)} · audit entry {count(a.recordSeq)}</span></span>
          <Link href={`/integrity?log=${encodeURIComponent(a.log)}`}>Investigate<span className="sr-only"> {a.log}</span></Link>
        </div>
      ))}
    </section>
  );
}
