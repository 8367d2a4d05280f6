/**
 * Reads are verified (security review: the API served tampered rows as if they were good until
 * a sweep ran). Each entry served is re-hashed — payload against payload hash, metadata against
 * leaf hash — and a row edited beside its old hashes is answered LEDGER_INCONSISTENT, never its
 * data, and its read is recorded as a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog, type Log } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let log: Log;
let token: string;

beforeAll(async () => {
  ledger = await freshLedger("verifiedreads");
  log = await createLog(ledger.writer, "v", { tenant: "acme", origin: "test.example/v" });
  await new Appender(ledger.writer).append("v", Array.from({ length: 4 }, (_, i) => ({ kind: "custom", actor: "alice", action: "x", resource: `r${i}`, payload: { amount: i } })));
  api = await startApi(ledger);
  token = await apiKey(ledger, "acme");
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const ONE = `query($seq: BigInt!) { event(log: "v", seq: $seq) { seq actor payload } }`;

describe("verified reads", () => {
  it("serves untouched entries", async () => {
    const r = await gql(api, token, `{ events(first: 10, filter: { logs: ["v"] }) { edges { node { seq actor payload } } } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.events.edges).toHaveLength(4);
  });

  it("answers LEDGER_INCONSISTENT for a payload edited beside its old hash, and for an edited actor", async () => {
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set payload = '{"amount":1000000}' where log_id = ${log.id} and seq = 1`;
      await tx`update entries set actor = 'mallory' where log_id = ${log.id} and seq = 2`;
    });
    for (const seq of [1, 2]) {
      const r = await gql(api, token, ONE, { seq });
      expect(r.errors?.[0]?.extensions?.code, `seq ${seq}`).toBe("LEDGER_INCONSISTENT");
      expect(r.body).not.toMatch(/1000000|mallory/);
    }
    const page = await gql(api, token, `{ events(first: 10, filter: { logs: ["v"] }) { edges { node { seq actor payload } } } }`);
    expect(page.errors?.[0]?.extensions?.code).toBe("LEDGER_INCONSISTENT");
    expect(page.body).not.toMatch(/1000000|mallory/);
    // The untouched entries are still served one by one.
    expect((await gql(api, token, ONE, { seq: 3 })).data.event).toMatchObject({ seq: 3, actor: "alice" });
    // Raised, and recorded in the tenant's audit log.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await ledger.admin<{ payload: string }[]>`
        select e.payload from entries e join logs l on l.id = e.log_id
        where l.name = 'sealtrail.audit.acme' and e.kind = 'integrity.alert' and e.action = 'read.inconsistent' and e.resource = 'v'`;
      if (rows.length > 0) {
        expect(JSON.parse(rows[0]!.payload).message).toMatch(/entry [12] of log v does not match its (payload|leaf) hash/);
        break;
      }
      if (Date.now() > deadline) throw new Error("no read.inconsistent alert");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
