/**
 * Subscription eventAppended over graphql-ws on the API's own port, fed by the appender's
 * Postgres notifications: every committed entry once, in seq order per log, filtered, and
 * only the subscriber's tenant's.
 */
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, startApi, wsClient, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let acme: string;
const clients: Client[] = [];

beforeAll(async () => {
  ledger = await freshLedger("subs");
  for (const [name, tenant] of [["s1", "acme"], ["s2", "acme"], ["g1", "globex"]] as const) {
    await createLog(ledger.writer, name, { tenant, origin: `test.example/${name}` });
  }
  // Entries from before the subscription are not delivered.
  await new Appender(ledger.writer).append("s1", [{ kind: "custom", actor: "early", action: "x", resource: "r" }]);
  api = await startApi(ledger);
  acme = await apiKey(ledger, "acme");
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await api?.close();
  await ledger?.close();
});

type Got = { log: string; seq: number; actor: string; kind: string };

const PROBE = "probe";

/**
 * Subscribes and collects events until `until` (given the non-probe events) says stop. Returns
 * once the subscription is live: probes appended to `probeLog` until one comes through (the
 * protocol has no "subscribed" acknowledgement).
 */
async function subscribe(token: string, filter: Record<string, unknown> | undefined, until: (got: Got[]) => boolean, probeLog = "s1", probeKind = "custom") {
  const client = wsClient(api, token);
  clients.push(client);
  const got: Got[] = [];
  const all: Got[] = [];
  let errors: unknown;
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe<{ eventAppended: Got }>(
      { query: `subscription($f: EventFilter) { eventAppended(filter: $f) { log seq actor kind } }`, variables: { f: filter } },
      {
        next: (msg) => {
          if (msg.errors) errors = msg.errors;
          if (msg.data) {
            all.push(msg.data.eventAppended);
            if (msg.data.eventAppended.actor !== PROBE) got.push(msg.data.eventAppended);
          }
          if (until(got)) resolve();
        },
        error: (e) => reject(e),
        complete: () => resolve(),
      },
    );
  });
  const appender = new Appender(ledger.writer);
  for (let i = 0; all.length === 0; i++) {
    if (i > 300) throw new Error(`subscription never became live; errors: ${JSON.stringify(errors)}`);
    await appender.append(probeLog, [{ kind: probeKind, actor: PROBE, action: "probe", resource: "probe" }]);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { got, all, done, errors: () => errors, client };
}

describe("eventAppended", () => {
  it("delivers each entry committed by concurrent appenders once, in seq order per log", async () => {
    const per = 4 * 25;
    const sub = await subscribe(acme, { logs: ["s1", "s2"] }, (got) => got.length >= 2 * per);
    const appenders = Array.from({ length: 4 }, () => new Appender(ledger.writer));
    await Promise.all(appenders.flatMap((a, w) => ["s1", "s2"].map(async (log) => {
      for (let b = 0; b < 5; b++) {
        await a.append(log, Array.from({ length: 5 }, (_, i) => ({ kind: "custom", actor: `w${w}`, action: "x", resource: `${b}-${i}` })));
      }
    })));
    await sub.done;
    for (const log of ["s1", "s2"]) {
      // Everything after the first delivered entry of the log, probes included: once each, in order, no gap.
      const seqs = sub.all.filter((g) => g.log === log).map((g) => g.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
      expect(sub.got.filter((g) => g.log === log)).toHaveLength(per);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(sub.got).toHaveLength(2 * per);
  });

  it("applies the filter and never shows another tenant's entries", async () => {
    const sub = await subscribe(acme, { kinds: ["deploy"] }, (got) => got.length >= 2, "s1", "deploy");
    const appender = new Appender(ledger.writer);
    await appender.append("g1", [{ kind: "deploy", actor: "globex-user", action: "x", resource: "r" }]);
    await appender.append("s2", [
      { kind: "custom", actor: "skip", action: "x", resource: "r" },
      { kind: "deploy", actor: "take-1", action: "x", resource: "r" },
    ]);
    await appender.append("s1", [{ kind: "deploy", actor: "take-2", action: "x", resource: "r" }]);
    await sub.done;
    expect(sub.got.map((g) => g.actor)).toEqual(["take-1", "take-2"]);

    const globex = await apiKey(ledger, "globex");
    const gsub = await subscribe(globex, undefined, (got) => got.length >= 1, "g1");
    await appender.append("s1", [{ kind: "deploy", actor: "acme-only", action: "x", resource: "r" }]);
    await appender.append("g1", [{ kind: "deploy", actor: "globex-2", action: "x", resource: "r" }]);
    await gsub.done;
    expect(gsub.got.map((g) => g.actor)).toEqual(["globex-2"]);
  });

  it("is not misled by appends to another ledger (schema) of the same database, whose log ids collide", async () => {
    const other = await freshLedger("subs_other");
    try {
      await createLog(other.writer, "s1", { tenant: "acme", origin: "test.example/s1" });
      const sub = await subscribe(acme, { logs: ["s1"] }, (got) => got.length >= 3);
      const ours = (await ledger.admin`select max(seq)::int + 1 as n from entries where log_id = (select id from logs where name = 's1')`)[0]!.n as number;
      // The other ledger's log 1 runs far ahead of ours: its notices must not move our position.
      await new Appender(other.writer).append("s1", Array.from({ length: 500 }, (_, i) => ({ kind: "custom", actor: "elsewhere", action: "x", resource: `${i}` })));
      await new Promise((r) => setTimeout(r, 200));
      await new Appender(ledger.writer).append("s1", Array.from({ length: 3 }, (_, i) => ({ kind: "custom", actor: "here", action: "x", resource: `${i}` })));
      await sub.done;
      expect(sub.got.map((g) => [g.actor, g.seq])).toEqual([["here", ours], ["here", ours + 1], ["here", ours + 2]]);
    } finally {
      await other.close();
    }
  });

  it("refuses a connection without a valid key, and a key without events:read", async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = wsClient(api, "sealtrail_0123456789abcdef_" + "B".repeat(43));
      clients.push(client);
      client.on("closed", (event) => resolve((event as { code: number }).code));
      client.subscribe({ query: `subscription { eventAppended { seq } }` }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(closed).toBe(4403);

    const proofsOnly = await apiKey(ledger, "acme", ["proofs:read"]);
    const client = wsClient(api, proofsOnly);
    clients.push(client);
    const error = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: `subscription { eventAppended { seq } }` }, { next: (m) => m.errors && resolve(m.errors), error: resolve, complete: () => resolve(undefined) });
    });
    expect(JSON.stringify(error)).toMatch(/FORBIDDEN/);
  });

  it("records the subscription as a read when it ends", async () => {
    const token = await apiKey(ledger, "acme");
    const keyId = token.slice(10, 26);
    const sub = await subscribe(token, { logs: ["s2"] }, (got) => got.length >= 3, "s2");
    await new Appender(ledger.writer).append("s2", Array.from({ length: 3 }, (_, i) => ({ kind: "custom", actor: "r", action: "x", resource: `${i}` })));
    await sub.done;
    await sub.client.dispose();
    await expect.poll(async () => {
      await api.server.recorder.flush();
      const rows = await ledger.admin`select payload, source from entries where actor = ${`api_key:${keyId}`} and kind = 'ledger.read'`;
      return rows.map((r) => [r.source, JSON.parse(r.payload).rows]);
    }, { timeout: 10_000 }).toEqual([["sealtrail-api/websocket", sub.all.length]]);
  });
});
