/** The Events page's query, held in the URL so a view can be shared and reloaded as it was. */
export interface EventsQuery {
  log: string;
  kind: string;
  actor: string;
  resource: string;
  outcome: "" | "success" | "failure";
  from: string;
  to: string;
  tags: string;
  q: string;
  entry: string;
}

const KEYS = ["log", "kind", "actor", "resource", "outcome", "from", "to", "tags", "q", "entry"] as const;

export function parseQuery(search: string): EventsQuery {
  const p = new URLSearchParams(search);
  const get = (k: string) => p.get(k)?.trim() ?? "";
  const outcome = get("outcome");
  return {
    log: get("log"), kind: get("kind"), actor: get("actor"), resource: get("resource"),
    outcome: outcome === "success" || outcome === "failure" ? outcome : "",
    from: get("from"), to: get("to"), tags: get("tags"), q: get("q"), entry: get("entry"),
  };
}

export function formatQuery(q: Partial<EventsQuery>): string {
  const p = new URLSearchParams();
  for (const k of KEYS) if (q[k]) p.set(k, q[k]!);
  const s = p.toString();
  return s ? `?${s}` : "";
}

const list = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean);

/** A date field (YYYY-MM-DD, UTC) as the start of that day, or undefined when empty. */
function day(text: string, next = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const t = Date.parse(`${text}T00:00:00.000Z`);
  return Number.isNaN(t) ? undefined : new Date(t + (next ? 86_400_000 : 0)).toISOString();
}

/** The GraphQL EventFilter of a query: the time range is by the ledger's clock, `to` inclusive of its day. */
export function toFilter(q: EventsQuery) {
  const from = day(q.from);
  const to = day(q.to, true);
  return {
    ...(q.log ? { logs: list(q.log) } : {}),
    ...(q.kind ? { kinds: list(q.kind) } : {}),
    ...(q.actor ? { actor: q.actor } : {}),
    ...(q.resource ? { resource: q.resource } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(q.tags ? { tags: list(q.tags) } : {}),
    ...(q.q ? { text: q.q } : {}),
    ...(from || to ? { recorded: { ...(from ? { from } : {}), ...(to ? { to } : {}) } } : {}),
  };
}
