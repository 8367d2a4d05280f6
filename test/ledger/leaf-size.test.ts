/** The appender refuses entries whose leaf data C2SP tlog-tiles could not serve. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("leafsize");
  await createLog(ledger.writer, "stamped", { origin: "test.example/stamped" });
});
afterAll(async () => ledger?.close());

describe("leaf data size", () => {
  it("an entry whose leaf data would not fit a tlog-tiles entry bundle (65535 bytes) is refused, and nothing is stored", async () => {
    const wide = "\u0001".repeat(1024);
    const tags = Array.from({ length: 64 }, (_, i) => `${String(i).padStart(2, "0")}${"\u0001".repeat(120)}`);
    const event = { kind: "deploy", actor: wide, action: wide, resource: wide, source: wide, tags };
    await new Appender(ledger.writer).append("stamped", [{ kind: "deploy", actor: "a", action: "b", resource: "r" }]);
    const before = await ledger.writer`select count(*)::int as n from entries`;
    await expect(new Appender(ledger.writer).append("stamped", [event])).rejects.toThrow(/leaf data of \d+ bytes, at most 65535/);
    expect(await ledger.writer`select count(*)::int as n from entries`).toEqual(before);
  });
});
