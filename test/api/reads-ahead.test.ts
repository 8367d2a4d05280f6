/**
 * The reads a verified page's check makes (its log's newest checkpoint, the stored tree nodes
 * its leaves need) travel right behind the statement that reads the page, in the request's
 * transaction: the database answers the page first, and them while the page's rows are
 * re-hashed (src/api/verified-reads.ts ReadsAhead, FindOptions.alongside). The order is read
 * off the connection itself: each statement as it is handed to it (DbOptions.trace).
 */
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadsAhead } from "../../src/api/verified-reads.js";
import { ReadVerifier } from "../../src/api/read-verifier.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { findEvents } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let traced: Sql;
let store: PostgresLedgerStore;
const statements: string[] = [];
const key = testKey();
const ids = new Map<string, number>();

beforeAll(async () => {
  ledger = await freshLedger("readsahead");
  const appender = new Appender(ledger.writer);
  for (const name of ["one", "two"]) {
    const log = await createLog(ledger.writer, name, { tenant: "acme", origin: `test.example/${name}` });
    ids.set(name, log.id);
    await appender.append(name, Array.from({ length: 100 }, (_, i) => ({ kind: "custom", actor: "alice", action: "x", resource: `r${i}`, payload: { i } })));
    await checkpointLog(ledger.store, name, key.privateKey);
  }
  traced = connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 1, trace: (statement) => statements.push(statement) });
  store = new PostgresLedgerStore(traced, ledger.schema);
});
afterAll(async () => {
  await traced?.end();
  await ledger?.close();
});

/** What kind of statement `text` is, by the table it reads. */
function kindOf(text: string): string {
  if (/from entries e join logs l/.test(text)) return "page";
  if (/from checkpoints/.test(text)) return "checkpoint";
  if (/from merkle_nodes n/.test(text)) return "nodes";
  return "other";
}

describe("reads sent alongside a page", () => {
  it("follow the statement that reads the page, once, and check the page it returns", async () => {
    const verifier = new ReadVerifier(key.publicKey);
    const log = { id: ids.get("one")!, name: "one", origin: "test.example/one" };
    const view = store.tenantView("acme", 30_000);
    try {
      await view.use(async (tx) => {
        // The log's checkpoint trusted once, as a first page does.
        expect((await verifier.trusted(tx, log))?.size).toBe(100);
        /** A page of 20 after `cursor`, with its check's reads sent alongside; the statements it sent. */
        const page = async (cursor: number) => {
          statements.length = 0;
          let sends = 0;
          const expected = Array.from({ length: 20 }, (_, k) => ({ seq: cursor + 1 + k }));
          const ahead = new ReadsAhead(() => {
            sends++;
            return { checkpoints: new Map([[log.id, verifier.readCheckpoint(tx, log.id)]]), nodes: { logId: log.id, ahead: verifier.prefetchNodes(tx, log.id, expected)! } };
          });
          const found = await findEvents(tx, { logIds: [log.id] }, 20, { logId: log.id, seq: cursor }, { alongside: ahead.alongside });
          expect(found.entries.map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
          const reads = ahead.take()!;
          expect(sends).toBe(1);
          // The plan made ahead is the one the check takes, and the page verifies against it.
          expect(reads.nodes!.ahead.read).toBeDefined();
          const trusted = await verifier.trusted(tx, log, reads.checkpoints.get(log.id));
          await verifier.leaves(tx, log, trusted!, found.entries, reads.nodes!.ahead);
          return statements.map(kindOf).filter((k) => k !== "other");
        };
        // The first time, each statement is described before it is bound, which holds back
        // the ones behind it (postgres.js); a pooled connection has them prepared.
        await page(4);
        expect(await page(36)).toEqual(["page", "checkpoint", "nodes"]);
      });
    } finally {
      await view.close();
    }
  });

  it("are sent once for a page that reads two logs, behind its first statement", async () => {
    const view = store.tenantView("acme", 30_000);
    try {
      await view.use(async (tx) => {
        statements.length = 0;
        let sends = 0;
        const ahead = new ReadsAhead(() => {
          sends++;
          statements.push("sent");
          return { checkpoints: new Map() };
        });
        const page = await findEvents(tx, { logIds: [ids.get("one")!, ids.get("two")!] }, 30, { logId: ids.get("one")!, seq: 84 }, { alongside: ahead.alongside });
        expect(page.entries.map((e) => `${e.log}:${e.seq}`)).toEqual([
          ...Array.from({ length: 15 }, (_, k) => `one:${85 + k}`),
          ...Array.from({ length: 15 }, (_, k) => `two:${k}`),
        ]);
        ahead.take();
        expect(sends).toBe(1);
        // One statement a log; the reads follow the first (where they fall beside the second
        // depends on when the first's answer came).
        const kinds = statements.map((s) => (s === "sent" ? s : kindOf(s))).filter((k) => k !== "other");
        expect(kinds.filter((k) => k === "page")).toHaveLength(2);
        expect(kinds[0]).toBe("page");
        expect(kinds.filter((k) => k === "sent")).toHaveLength(1);
      });
    } finally {
      await view.close();
    }
  });

  it("are sent by the check itself when no statement took them, and a failure to send is tried again there", async () => {
    let attempts = 0;
    const ahead = new ReadsAhead(() => {
      attempts++;
      if (attempts === 1) throw new Error("the transaction is gone");
      return { checkpoints: new Map() };
    });
    ahead.alongside();
    // The deferred send fails quietly; the reads are not taken.
    await new Promise<void>((resolve) => {
      const poll = () => (attempts > 0 ? resolve() : setImmediate(poll));
      poll();
    });
    expect(ahead.taken).toBe(false);
    expect(ahead.take()).toEqual({ checkpoints: new Map() });
    expect(ahead.taken).toBe(true);
    ahead.take();
    expect(attempts).toBe(2);
  });

  it("are not sent once the request's work is done, though a send was waiting for its turn", async () => {
    let sends = 0;
    const ahead = new ReadsAhead(() => {
      sends++;
      return { checkpoints: new Map() };
    });
    ahead.alongside();
    ahead.close();
    // The waiting send has had its turns (two setImmediates), and more.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(sends).toBe(0);
    expect(ahead.take()).toBeUndefined();
    expect(sends).toBe(0);
  });
});
