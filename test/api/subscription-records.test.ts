/**
 * A subscription's deliveries are in the read log while it is open (security review: an open
 * subscription's entries were recorded only when it ended, so a server killed before then left
 * every entry it delivered unrecorded). Each interval in which it delivered entries writes a
 * part of its record; the part written when it ends carries the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, startApi, wsClient, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;

beforeAll(async () => {
  ledger = await freshLedger("subrec");
  await createLog(ledger.writer, "feed", { tenant: "acme", origin: "test.example/feed" });
  api = await startApi(ledger, { subscriptionRecordMs: 150 });
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

type Part = { requestId: string; rows: number; part?: number; open?: boolean; idem: string };

async function records(token: string): Promise<Part[]> {
  const keyId = token.slice(10, 26);
  const rows = await ledger.admin<{ payload: string; idem: string }[]>`
    select payload, idempotency_key as idem from entries
    where log_id = (select id from logs where name = 'sealtrail.audit.acme') and actor = ${`api_key:${keyId}`} and resource = 'eventAppended' order by seq`;
  return rows.map((r) => {
    const p = JSON.parse(r.payload) as Part;
    return { requestId: p.requestId, rows: p.rows, ...(p.part !== undefined ? { part: p.part } : {}), ...(p.open ? { open: true } : {}), idem: r.idem };
  });
}

describe("a subscription's read record", () => {
  it("is written in parts while it delivers, the last when it ends, the rows adding up to those delivered", async () => {
    const token = await apiKey(ledger, "acme");
    const client = wsClient(api, token);
    const got: string[] = [];
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const unsubscribe = client.subscribe<{ eventAppended: { actor: string } }>(
      { query: `subscription { eventAppended(filter: { logs: ["feed"] }) { actor } }` },
      { next: (m) => void (m.data && got.push(m.data.eventAppended.actor)), error: () => ended(), complete: () => ended() },
    );
    const appender = new Appender(ledger.writer);
    // Live once a probe comes through (the protocol has no "subscribed" acknowledgement).
    for (let i = 0; got.length === 0; i++) {
      if (i > 300) throw new Error("subscription never became live");
      await appender.append("feed", [{ kind: "custom", actor: "probe", action: "x", resource: "r" }]);
      await new Promise((r) => setTimeout(r, 50));
    }
    await appender.append("feed", [1, 2, 3].map((i) => ({ kind: "custom", actor: `a${i}`, action: "x", resource: "r" })));
    await expect.poll(() => got.filter((a) => a !== "probe").length, { timeout: 5000 }).toBe(3);

    // Still open: its deliveries are recorded already.
    await expect.poll(async () => {
      await api.server.recorder.flush();
      return (await records(token)).reduce((n, r) => n + r.rows, 0);
    }, { timeout: 5000 }).toBe(got.length);
    const open = await records(token);
    expect(open.every((r) => r.open === true && r.part !== undefined)).toBe(true);

    await appender.append("feed", [{ kind: "custom", actor: "a4", action: "x", resource: "r" }]);
    await expect.poll(() => got.length, { timeout: 5000 }).toBeGreaterThanOrEqual(open.reduce((n, r) => n + r.rows, 0) + 1);
    unsubscribe();
    await done;
    await client.dispose();
    // The closing part may carry no rows (an open part can have counted them all already), so
    // the wait is for it to be written, not only for the rows to add up.
    await expect.poll(async () => {
      await api.server.recorder.flush();
      const written = await records(token);
      return { rows: written.reduce((n, r) => n + r.rows, 0), closed: written.at(-1)?.open === undefined };
    }, { timeout: 5000 }).toEqual({ rows: got.length, closed: true });
    const all = await records(token);
    // One request: the parts share its id, are numbered 1…n, and each is an entry of its own.
    expect(new Set(all.map((r) => r.requestId)).size).toBe(1);
    expect(all.map((r) => r.part)).toEqual(all.map((_, i) => i + 1));
    expect(new Set(all.map((r) => r.idem)).size).toBe(all.length);
    expect(all.at(-1)!.open).toBeUndefined();
  });

  it("is one record, with no part, for a subscription that ends before its first interval", async () => {
    const token = await apiKey(ledger, "acme");
    const slow = await startApi(ledger, { subscriptionRecordMs: 60_000 });
    try {
      const client = wsClient(slow, token);
      const errors: unknown[] = [];
      const unsubscribe = client.subscribe({ query: `subscription { eventAppended { actor } }` }, { next: () => {}, error: (e) => errors.push(e), complete: () => {} });
      await new Promise((r) => setTimeout(r, 200));
      unsubscribe();
      await client.dispose();
      await expect.poll(async () => {
        await slow.server.recorder.flush();
        return (await records(token)).map(({ rows, part }) => ({ rows, part }));
      }, { timeout: 5000 }).toEqual([{ rows: 0, part: undefined }]);
      expect(errors).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
