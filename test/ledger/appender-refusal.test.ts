/**
 * The COPY-based appender when the server refuses a row (here, a check constraint added for
 * the test): the append rejects with LedgerError DATABASE instead of hanging, stores nothing
 * of the batch, and the log continues without a gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect } from "../../src/ledger/postgres/db.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("appender_refusal");
});
afterAll(async () => ledger?.close());

function event(actor: string, i: number) {
  return { kind: "deploy", actor, action: "deploy.start", resource: `service/${i}`, payload: { i } };
}

describe("the COPY-based appender, when the server refuses a row", () => {
  const APPEND_DEADLINE_MS = 5_000;
  const HUNG = Symbol("hung");

  beforeAll(async () => {
    await createLog(ledger.writer, "copy", { origin: "test.example/copy" });
    await new Appender(ledger.writer).append("copy", [event("alice", 0), event("bob", 1)]);
    await ledger.admin`alter table entries add constraint t_no_evil check (actor <> 'evil')`;
  });
  afterAll(async () => {
    await ledger.admin`alter table entries drop constraint if exists t_no_evil`;
  });

  async function within<T>(ms: number, promise: Promise<T>): Promise<T | typeof HUNG> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([promise, new Promise<typeof HUNG>((resolve) => (timer = setTimeout(resolve, ms, HUNG)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function stored(logName: string) {
    return ledger.admin<{ seq: number; actor: string }[]>`
      select e.seq, e.actor from entries e join logs l on l.id = e.log_id where l.name = ${logName} order by e.seq`;
  }

  // postgres.js 3.4.9 never settles a COPY FROM STDIN writable when the server's ErrorResponse
  // arrives after end() has sent CopyDone, and drops that error; the appender follows each COPY
  // with a barrier query, which fails in the aborted transaction (25P02) instead of hanging.
  it("rejects with LedgerError DATABASE within seconds, and the next append gets the next seq", async () => {
    // A connection of its own: if the append hangs, it is destroyed below.
    const sql = connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 1 });
    try {
      const appender = new Appender(sql);
      const before = (await stored("copy")).length;
      const outcome = await within(APPEND_DEADLINE_MS, appender.append("copy", [event("evil", 9)]).catch((e: unknown) => e));
      expect(outcome, "the append hung instead of surfacing the server's error").not.toBe(HUNG);
      expect(outcome).toBeInstanceOf(LedgerError);
      expect((outcome as LedgerError).code).toBe("DATABASE");
      expect((outcome as LedgerError).cause).toMatchObject({ code: "25P02" });
      expect((await stored("copy")).length).toBe(before);
      const [next] = await appender.append("copy", [event("dave", 10)]);
      expect(next!.seq).toBe(before);
    } finally {
      await sql.end({ timeout: 0 });
    }
  });

  it("stores nothing of the refused batch, and the log continues without a gap", async () => {
    const sql = connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 1 });
    const before = await stored("copy");
    try {
      // Whether it rejects or hangs (see above), the server must have rolled the batch back.
      await within(APPEND_DEADLINE_MS, new Appender(sql).append("copy", [event("erin", 20), event("evil", 21)]).catch(() => {}));
    } finally {
      await sql.end({ timeout: 0 });
    }
    expect(await stored("copy")).toEqual(before);
    const [next] = await new Appender(ledger.writer).append("copy", [event("frank", 22)]);
    expect(next!.seq).toBe(before.length);
    expect((await stored("copy")).map((r) => r.seq)).toEqual(Array.from({ length: before.length + 1 }, (_, i) => i));
  });
});
