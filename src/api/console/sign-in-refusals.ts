/**
 * Sign-ins refused for their address's rate (sign-in-limiter.ts) are written to the server's
 * log, the operator's record of failed access that names no tenant (PCI DSS 10.2.1.4: invalid
 * access attempts): a refused attempt's key is never looked up, so there is no principal, and
 * no tenant's audit log to record it in, as for a token that names no key (session-route.ts).
 * As refusal-log.ts does for keys, a flood is not a flood of lines (flood-windows.ts): an
 * address's first refusal is written at once, those after it within `windowMs` are counted
 * and written as one line when the window closes. Windows are kept for at most `maxAddresses`
 * addresses at once; past that, refusals are counted under one line for all other addresses.
 */
import { FloodWindows } from "../flood-windows.js";
import { MAX_SIGN_IN_ADDRESSES } from "./sign-in-limiter.js";

export class SignInRefusals {
  private readonly floods: FloodWindows<number>;

  constructor(log: (message: string) => void, windowMs = 1_000, maxAddresses = MAX_SIGN_IN_ADDRESSES) {
    const when = { first: (retryAfterSeconds: number) => `retry in ${retryAfterSeconds} s`, window: () => `in ${windowMs} ms`, shutdown: () => "counted at shutdown" };
    this.floods = new FloodWindows((address, retryAfterSeconds, count, why) => {
      log(`console sign-in refused (RATE_LIMITED) from ${address}: ${count} attempt${count === 1 ? "" : "s"} over the address's sign-in rate, ${when[why](retryAfterSeconds)}`);
    }, windowMs, maxAddresses, "other addresses");
  }

  /** One sign-in of `address` refused, told to retry in `retryAfterSeconds`. */
  note(address: string, retryAfterSeconds: number): void {
    this.floods.note(address, retryAfterSeconds);
  }

  /** Writes the counts of the open windows (at shutdown). */
  flush(): void {
    this.floods.flush();
  }
}
