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

interface Window {
  principal: Principal;
  transport: ReadRecord["transport"];
  refused: number;
  timer: NodeJS.Timeout;
}

export class RefusalLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly record: (r: ReadRecord) => void,
    private readonly windowMs = 1_000,
  ) {}

  /** One refused request of `principal`; `query` is what it asked, when known. */
  note(principal: Principal, transport: ReadRecord["transport"], query = ""): void {
    const open = this.windows.get(principal.keyId);
    if (open) {
      open.refused++;
      return;
    }
    this.write(principal, transport, 1, query);
    this.open(principal, transport);
  }

  /** Writes the counts of the open windows (at shutdown, before the recorder closes). */
  flush(): void {
    for (const [key, w] of this.windows) {
      clearTimeout(w.timer);
      this.windows.delete(key);
      if (w.refused > 0) this.write(w.principal, w.transport, w.refused, "");
    }
  }

  private open(principal: Principal, transport: ReadRecord["transport"]): void {
    const timer = setTimeout(() => {
      const w = this.windows.get(principal.keyId);
      this.windows.delete(principal.keyId);
      // A flood that goes on is recorded once per window, with its count.
      if (w && w.refused > 0) {
        this.write(w.principal, w.transport, w.refused, "");
        this.open(w.principal, w.transport);
      }
    }, this.windowMs);
    timer.unref();
    this.windows.set(principal.keyId, { principal, transport, refused: 0, timer });
  }

  private write(principal: Principal, transport: ReadRecord["transport"], refused: number, query: string): void {
    this.record({
      requestId: randomUUID(), principal, at: new Date(), operation: null, fields: [], query, variables: null,
      rows: 0, outcome: "failure", errors: ["RATE_LIMITED"], transport, refused,
    });
  }
}
