import { type FormEvent, useEffect, useState } from "react";
import type { EventsQuery } from "./url-query";

const KINDS = ["", "deploy", "config.change", "access", "error", "tmux.session", "tmux.output", "sweep", "ledger.read", "custom"];

/** The filter form: edits a draft, applied to the URL on submit (Enter or the button). */
export function Filters({ query, logs, onApply }: { query: EventsQuery; logs: string[]; onApply: (q: EventsQuery) => void }) {
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  const set = (k: keyof EventsQuery) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply({ ...draft, entry: "" });
  }
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter events">
      <div className="field field-wide">
        <label htmlFor="f-q">Search</label>
        <input id="f-q" type="search" placeholder='Words, "a phrase", -exclude' value={draft.q} onChange={set("q")} />
      </div>
      <div className="field">
        <label htmlFor="f-log">Log</label>
        <select id="f-log" value={draft.log} onChange={set("log")}>
          <option value="">All logs</option>
          {logs.map((l) => <option key={l} value={l}>{l}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-kind">Kind</label>
        <select id="f-kind" value={draft.kind} onChange={set("kind")}>
          {KINDS.map((k) => <option key={k} value={k}>{k || "All kinds"}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-actor">Actor</label>
        <input id="f-actor" value={draft.actor} onChange={set("actor")} placeholder="alice@example.com" />
      </div>
      <div className="field">
        <label htmlFor="f-resource">Resource</label>
        <input id="f-resource" value={draft.resource} onChange={set("resource")} placeholder="service/api" />
      </div>
      <div className="field">
        <label htmlFor="f-outcome">Outcome</label>
        <select id="f-outcome" value={draft.outcome} onChange={set("outcome")}>
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="failure">Failure</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-tags">Tags</label>
        <input id="f-tags" value={draft.tags} onChange={set("tags")} placeholder="pci, prod" />
      </div>
      <div className="field">
        <label htmlFor="f-from">Recorded from</label>
        <input id="f-from" type="date" value={draft.from} onChange={set("from")} />
      </div>
      <div className="field">
        <label htmlFor="f-to">Recorded to</label>
        <input id="f-to" type="date" value={draft.to} onChange={set("to")} />
      </div>
      <div className="filter-actions">
        <button className="btn btn-primary" type="submit">Apply</button>
        <button className="btn btn-quiet" type="button" onClick={() => onApply({ log: "", kind: "", actor: "", resource: "", outcome: "", from: "", to: "", tags: "", q: "", entry: "" })}>Clear</button>
      </div>
    </form>
  );
}
