/**
 * A flood of refusals must not become a flood of records or log lines (PCI DSS 10.2.1.4 asks
 * that invalid access attempts be recorded, not that each be a line): per key (an API key, a
 * client address), the first is written at once, those after it within `windowMs` are counted
 * and written as one when the window closes, and a flood that goes on is written once per
 * window with its count. Used by refusal-log.ts (a key's refused requests, into the tenant's
 * audit log) and console/sign-in-refusals.ts (an address's refused sign-ins, into the server's log).
 */

/** Why a write happens: the first of a flood, a window closing with its count, or shutdown. */
export type FloodWrite = "first" | "window" | "shutdown";

interface Window<T> {
  item: T;
  count: number;
  timer: NodeJS.Timeout;
}

export class FloodWindows<T> {
  private readonly windows = new Map<string, Window<T>>();

  /**
   * `maxKeys`: windows kept at once; past it, a new key's refusals are counted under
   * `overflowKey` (its item the first that arrived there), so memory stays bounded.
   */
  constructor(
    private readonly write: (key: string, item: T, count: number, why: FloodWrite) => void,
    private readonly windowMs = 1_000,
    private readonly maxKeys = Infinity,
    private readonly overflowKey = "others",
  ) {}

  /** One refusal under `key`; `item` is what the window's writes describe (the first one's). */
  note(key: string, item: T): void {
    const k = this.windows.has(key) || this.windows.size < this.maxKeys ? key : this.overflowKey;
    const open = this.windows.get(k);
    if (open) {
      open.count++;
      return;
    }
    this.write(k, item, 1, "first");
    this.open(k, item);
  }

  /** Writes the counts of the open windows (at shutdown). */
  flush(): void {
    for (const [key, w] of this.windows) {
      clearTimeout(w.timer);
      this.windows.delete(key);
      if (w.count > 0) this.write(key, w.item, w.count, "shutdown");
    }
  }

  private open(key: string, item: T): void {
    const timer = setTimeout(() => {
      const w = this.windows.get(key);
      this.windows.delete(key);
      if (w && w.count > 0) {
        this.write(key, w.item, w.count, "window");
        this.open(key, w.item);
      }
    }, this.windowMs);
    timer.unref();
    this.windows.set(key, { item, count: 0, timer });
  }
}
