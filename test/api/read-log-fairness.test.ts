/**
 * One tenant's records never cost another tenant's (security review: the recorder's bound on
 * pending records was one for all tenants, so a tenant whose records piled up made every other
 * tenant's new records refused, NOT WRITTEN; and a flush wrote each tenant's whole backlog
 * before the next tenant's first record).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadRecorder, type ReadRecord } from "../../src/api/read-log.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await freshLedger("readfair");
});
afterAll(async () => {
  await ledger?.close();
});

function read(tenant: string, i: number): ReadRecord {
  return {
    requestId: `${tenant}-${i}`,
    principal: { keyId: `${tenant}-key`, keyName: "k", tenant, scopes: ["events:read"] },
    at: new Date(), operation: null, fields: ["logs"], query: "{ logs { name } }", variables: null, rows: 1, outcome: "success", transport: "http",
  };
}

async function recorded(tenant: string): Promise<{ n: number; first: Date | null; last: Date | null }> {
  const [row] = await ledger.admin<{ n: number; first: Date | null; last: Date | null }[]>`
    select count(*)::int as n, min(recorded_at) as first, max(recorded_at) as last from entries
    where log_id = (select id from logs where name = ${`sealtrail.audit.${tenant}`})`;
  return row!;
}

describe("the read recorder between tenants", () => {
  it("bounds pending records per tenant, and writes a tenant's one record before another's backlog", async () => {
    const messages: string[] = [];
    // A bound of 5,000 a tenant (100,000 in service), to keep the test short.
    const recorder = new ReadRecorder(ledger.store, "test.example", 60_000, (e) => messages.push((e as Error).message), 5_000);
    // Recorded before any flush can run: the pending bound is all that stands in the way.
    for (let i = 0; i < 5_000; i++) recorder.record(read("flood", i));
    recorder.record(read("flood", 5_000));
    recorder.record(read("quiet", 0));
    expect(recorder.metrics.lost).toBe(1);
    expect(messages).toEqual([expect.stringMatching(/tenant flood.*NOT WRITTEN/)]);

    await recorder.flush();
    await recorder.close();
    const [flood, quiet] = [await recorded("flood"), await recorded("quiet")];
    expect([flood.n, quiet.n]).toEqual([5_000, 1]);
    // In turns: the quiet tenant's record went in while most of the flood was still to write.
    expect(quiet.first!.getTime()).toBeLessThan(flood.last!.getTime());
    expect(recorder.metrics).toMatchObject({ written: 5_001, lost: 1, reduced: 0 });
  }, 60_000);
});
