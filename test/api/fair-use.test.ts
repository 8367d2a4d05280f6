/**
 * One tenant must not starve another (security review): aliases add up in the cost estimate,
 * with each field that runs a query priced as one; and requests in flight are bounded per key
 * and per tenant: past a bound a request waits for a slot, and is refused (429 RATE_LIMITED) when none frees in time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { type HeldTable, holdTable } from "../support/held-table.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
/** Released in afterAll too: a test that fails while holding it must not leave the server's close waiting on it. */
let logs: HeldTable | undefined;

beforeAll(async () => {
  ledger = await freshLedger("fairuse");
  await createLog(ledger.writer, "a1", { tenant: "acme", origin: "test.example/a1" });
  await createLog(ledger.writer, "g1", { tenant: "globex", origin: "test.example/g1" });
  // A long statement timeout: the held requests must stay in flight however slow the machine.
  api = await startApi(ledger, { maxConcurrentPerKey: 2, maxConcurrentPerTenant: 3, concurrencyWaitMs: 300, timeoutMs: 60_000 });
});
afterAll(async () => {
  logs?.release();
  await api?.close();
  await ledger?.close();
});

describe("fair use", () => {
  it("prices aliased fields that query: 2,000 aliased logs { size lastSweep { result } } are refused at once", async () => {
    const token = await apiKey(ledger, "acme");
    const query = `{ ${Array.from({ length: 2000 }, (_, i) => `a${i}: logs { size lastSweep { result } }`).join(" ")} }`;
    const started = Date.now();
    const r = await gql(api, token, query);
    expect(r.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
    // Refused before running: parsing and estimating only (running them took 20 s).
    expect(Date.now() - started).toBeLessThan(10_000);
    // A few aliases of a cheap field still pass.
    const few = await gql(api, token, `{ a: logs { name } b: logs { name } c: logs { size } }`);
    expect(few.errors).toBeUndefined();
  });

  it("refuses a key's and a tenant's requests past their bounds with 429, not another tenant's", { timeout: 90_000 }, async () => {
    const [k1, k2] = [await apiKey(ledger, "acme"), await apiKey(ledger, "acme")];
    const other = await apiKey(ledger, "globex");
    // Hold every read of the logs table: requests stay in flight until it is released.
    logs = await holdTable(ledger.admin, "logs");
    try {
      const inFlight = (token: string) => gql(api, token, `{ logs { name } }`);
      const first = [inFlight(k1), inFlight(k1)];
      await logs.waiting(2);
      const overKey = await inFlight(k1);
      expect([overKey.status, overKey.errors?.[0]?.extensions?.code]).toEqual([429, "RATE_LIMITED"]);
      const second = inFlight(k2);
      await logs.waiting(3);
      const overTenant = await inFlight(k2);
      expect([overTenant.status, overTenant.errors?.[0]?.extensions?.code]).toEqual([429, "RATE_LIMITED"]);
      const globex = inFlight(other);
      await logs.waiting(4);
      logs.release();
      const answered = await Promise.all([...first, second, globex]);
      expect(answered.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      // Once answered, the key may ask again. (A burst paced by the default bounds: read-log.test.ts, 60 at once.)
      expect((await inFlight(k1)).status).toBe(200);
    } finally {
      logs.release();
    }
  });
});
