/**
 * Requests refused for a key's rate or its requests in flight (RATE_LIMITED) are recorded in
 * the tenant's audit log as failed reads, like other refusals (PCI DSS 10.2.1.4: invalid
 * access attempts). A flood must not turn into a flood of records: a key's first refusal is
 * recorded at once, the refusals after it within `windowMs` are counted and recorded together,
 * as one record with `refused: N`, when the window closes (flood-windows.ts, docs/security.md).
 */
import { randomUUID } from "node:crypto";
import { FloodWindows } from "./flood-windows.js";
import type { Principal } from "./principal.js";
import type { ReadRecord } from "./read-log.js";

/** What was refused: the transport, and for an entrance other than GraphQL its route and access. */
export interface Refused {
  transport: ReadRecord["transport"];
  /** The query text or, for a plain HTTP route, its method and path. */
  query?: string;
  /** The record's resource: the route (`evidencePackDownload`, `tiles`, `webhook`); GraphQL's are not known yet. */
  fields?: string[];
  /** A webhook delivery is a refused write. */
  access?: ReadRecord["access"];
}

export class RefusalLog {
  private readonly floods: FloodWindows<{ principal: Principal; refused: Refused }>;

  constructor(record: (r: ReadRecord) => void, windowMs = 1_000) {
    this.floods = new FloodWindows((_keyId, { principal, refused }, count, why) => {
      const { transport, fields = [], access } = refused;
      record({
        requestId: randomUUID(), principal, at: new Date(), operation: null, fields, query: why === "first" ? (refused.query ?? "") : "", variables: null,
        rows: 0, outcome: "failure", errors: ["RATE_LIMITED"], transport, refused: count, ...(access ? { access } : {}),
      });
    }, windowMs);
  }

  /** One refused request of `principal`. */
  note(principal: Principal, refused: Refused): void {
    this.floods.note(principal.keyId, { principal, refused });
  }

  /** Writes the counts of the open windows (at shutdown, before the recorder closes). */
  flush(): void {
    this.floods.flush();
  }
}
