/**
 * Sign-ins refused for their address's rate (sign-in-limiter.ts) are written to the server's
 * log, the operator's record of failed access that names no tenant (PCI DSS 10.2.1.4: invalid
 * access attempts): a refused attempt's key is never looked up, so there is no principal, and
 * no tenant's audit log to record it in, as for a token that names no key (session-route.ts).
 * As refusal-log.ts does for keys, a flood is not a flood of lines: an address's first refusal
 * is written at once, those after it within `windowMs` are counted and written as one line
 * when the window closes. Windows are kept for at most `maxAddresses` addresses at once; past
 * that, refusals are counted under one line for all other addresses.
 */
import { MAX_SIGN_IN_ADDRESSES } from "./sign-in-limiter.js";

const OTHERS = "other addresses";

interface Window {
  count: number;
  timer: NodeJS.Timeout;
}

export class SignInRefusals {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly log: (message: string) => void,
    private readonly windowMs = 1_000,
    private readonly maxAddresses = MAX_SIGN_IN_ADDRESSES,
  ) {}

  /** One sign-in of `address` refused, told to retry in `retryAfterSeconds`. */
  note(address: string, retryAfterSeconds: number): void {
    const key = this.windows.has(address) || this.windows.size < this.maxAddresses ? address : OTHERS;
    const open = this.windows.get(key);
    if (open) {
      open.count++;
      return;
    }
    this.write(key, 1, `retry in ${retryAfterSeconds} s`);
    this.open(key);
  }

  /** Writes the counts of the open windows (at shutdown). */
  flush(): void {
    for (const [key, w] of this.windows) {
      clearTimeout(w.timer);
      this.windows.delete(key);
      if (w.count > 0) this.write(key, w.count, "counted at shutdown");
    }
  }

  private open(key: string): void {
    const timer = setTimeout(() => {
      const w = this.windows.get(key);
      this.windows.delete(key);
      // A flood that goes on is written once per window, with its count.
      if (w && w.count > 0) {
        this.write(key, w.count, `in ${this.windowMs} ms`);
        this.open(key);
      }
    }, this.windowMs);
    timer.unref();
    this.windows.set(key, { count: 0, timer });
  }

  private write(address: string, count: number, when: string): void {
    this.log(`console sign-in refused (RATE_LIMITED) from ${address}: ${count} attempt${count === 1 ? "" : "s"} over the address's sign-in rate, ${when}`);
  }
}
