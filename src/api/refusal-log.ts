/**
 * Requests refused for a key's rate or its requests in flight (RATE_LIMITED) are recorded in
 * the tenant's audit log as failed reads, like other refusals (PCI DSS 10.2.1.4: invalid
 * access attempts). A flood must not turn into a flood of records: a key's first refusal is
 * recorded at once, the refusals after it within `windowMs` are counted and recorded together,
 * as one record with `refused: N`, when the window closes (docs/security.md).
 */
import { randomUUID } from "node:crypto";
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

interface Window {
  principal: Principal;
  refused: Refused;
  count: number;
  timer: NodeJS.Timeout;
}

export class RefusalLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly record: (r: ReadRecord) => void,
    private readonly windowMs = 1_000,
  ) {}

  /** One refused request of `principal`. */
  note(principal: Principal, refused: Refused): void {
    const open = this.windows.get(principal.keyId);
    if (open) {
      open.count++;
      return;
    }
    this.write(principal, refused, 1, refused.query ?? "");
    this.open(principal, refused);
  }

  /** Writes the counts of the open windows (at shutdown, before the recorder closes). */
  flush(): void {
    for (const [key, w] of this.windows) {
      clearTimeout(w.timer);
      this.windows.delete(key);
      if (w.count > 0) this.write(w.principal, w.refused, w.count, "");
    }
  }

  private open(principal: Principal, refused: Refused): void {
    const timer = setTimeout(() => {
      const w = this.windows.get(principal.keyId);
      this.windows.delete(principal.keyId);
      // A flood that goes on is recorded once per window, with its count.
      if (w && w.count > 0) {
        this.write(w.principal, w.refused, w.count, "");
        this.open(w.principal, w.refused);
      }
    }, this.windowMs);
    timer.unref();
    this.windows.set(principal.keyId, { principal, refused, count: 0, timer });
  }

  private write(principal: Principal, { transport, fields = [], access }: Refused, count: number, query: string): void {
    this.record({
      requestId: randomUUID(), principal, at: new Date(), operation: null, fields, query, variables: null,
      rows: 0, outcome: "failure", errors: ["RATE_LIMITED"], transport, refused: count, ...(access ? { access } : {}),
    });
  }
}
