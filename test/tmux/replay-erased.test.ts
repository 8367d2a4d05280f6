/**
 * Replaying a pane of a format-2 log whose output was partly erased (docs/erasure.md): the
 * replay reads the clear payloads from entry_secrets, and where erased chunks were it shows a
 * marker naming the chunks and the erasure record and request, instead of failing or passing
 * over them as missing; output removed without a record stays a plain gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseValues } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { runCli } from "../support/cli.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
const T0 = Date.parse("2026-11-02T09:00:00Z") * 1000;
const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema });

/** A chunk of pane %1 of session work (and, interleaved, pane %2's). */
const chunk = (pane: string, seq: number, text: string) => ({
  kind: "tmux.output", actor: "ops@example.com", action: "pane.output", resource: "host-7", source: "tmux", occurredAt: new Date((T0 + seq * 1_000_000) / 1000).toISOString(),
  payload: { server: "default", host: "host-7", session: "work", pane, seq, offset: seq * 100, timeUs: T0 + seq * 1_000_000, data: Buffer.from(text).toString("base64"), text, width: 80, height: 24 },
});

beforeAll(async () => {
  ledger = await freshLedger("replay_erased");
  await createLog(ledger.writer, "tmux2", { origin: "test.example/tmux2", leafVersion: 2 });
  const texts = ["$ whoami\r\n", "ops\r\n", "$ cat secrets.txt\r\n", "hunter2\r\n", "$ exit\r\n"];
  // Entry seqs: pane %1 chunk k at 2k, pane %2 chunk k at 2k + 1.
  await new Appender(ledger.writer).append("tmux2", texts.flatMap((t, k) => [chunk("%1", k, t), chunk("%2", k, `other ${k}\r\n`)]));
}, 120_000);
afterAll(async () => ledger?.close());

describe("tmux replay of a format-2 log with erased output", () => {
  it("replays the clear chunks and marks the erased ones with their record and request", async () => {
    const plain = await runCli(["tmux", "replay", "--session", "work", "--pane", "%1", "--log", "tmux2", "--raw"], env());
    expect(plain.stderr).toBe("");
    expect(plain.stdout).toBe("$ whoami\r\nops\r\n$ cat secrets.txt\r\nhunter2\r\n$ exit\r\n");

    // Pane %1's chunks 2 and 3 (entry seqs 4 and 6) erased.
    const { request } = await eraseValues(ledger.store, { log: "tmux2", target: { seqs: [4, 6] }, fields: ["payload"], reason: "secret typed at a prompt", legalBasis: "GDPR Art. 17(1)(d)", requestedBy: "dpo@example.com" });
    const marker = `[sealtrail: chunks 2–3 of this pane erased under erasure record #10 (request ${request})]`;
    const raw = await runCli(["tmux", "replay", "--session", "work", "--pane", "%1", "--log", "tmux2", "--raw"], env());
    expect(raw.code).toBe(0);
    expect(raw.stdout).toBe("$ whoami\r\nops\r\n$ exit\r\n");
    expect(raw.stderr).toBe(`sealtrail: ${marker}\n`);
    const cast = await runCli(["tmux", "replay", "--session", "work", "--pane", "%1", "--log", "tmux2"], env());
    expect(cast.code).toBe(0);
    const events = cast.stdout.trim().split("\n").slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.map((e) => e[2]).join("")).toBe(`$ whoami\r\nops\r\n\r\n${marker}\r\n$ exit\r\n`);
    expect(cast.stdout).not.toContain("hunter2");
    // The other pane is untouched.
    const other = await runCli(["tmux", "replay", "--session", "work", "--pane", "%2", "--log", "tmux2", "--raw"], env());
    expect(other.stdout).toBe("other 0\r\nother 1\r\nother 2\r\nother 3\r\nother 4\r\n");
    expect(other.stderr).toBe("");
  }, 120_000);
});
