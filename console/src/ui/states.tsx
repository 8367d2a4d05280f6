import type { ReactNode } from "react";
import { explain } from "../api";

/** The designed states of a view: loading, empty and failed, each saying what to do. */
export function Loading({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <svg aria-hidden="true" viewBox="0 0 24 24" width="28" height="28"><path d="M4 7h16M4 12h10M4 17h7" stroke="currentColor" strokeWidth="1.8" fill="none" strokeLinecap="round" /></svg>
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

export function Failure({ error, retry }: { error: unknown; retry?: () => void }) {
  const { title, detail } = explain(error);
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <div>{detail}</div>
      {retry ? <button type="button" className="btn" onClick={retry}>Retry</button> : null}
    </div>
  );
}

export function Badge({ tone, children }: { tone: "ok" | "bad" | "warn" | "neutral"; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
