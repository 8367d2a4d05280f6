/** Validation per kind: what each accepts and refuses, and the reason it gives. */
import { describe, expect, it } from "vitest";
import { type EventInput, normalizeEvent } from "../../src/core/entry/index.js";
import { validateEvent } from "../../src/ingest/validate-event.js";

const OPTIONS = { maxPayloadBytes: 4096 };
const COMMON = { actor: "alice", resource: "svc/api", outcome: "success", source: "ci", occurredAt: "2024-05-01T12:00:00Z" };

/** A chunk of pane output: the exact bytes in base64, their searchable text, and where they sit. */
const CHUNK = { server: "1700000000-42", host: "build1", session: "deploy", pane: "%1", seq: 0, offset: 0, timeUs: 1714564800000000, data: Buffer.from("$ ls\r\nREADME\r\n").toString("base64"), text: "$ ls\nREADME\n", frames: [[0, 0], [6, 1200]] };

/** A good event of each kind. */
const GOOD = {
  deploy: { ...COMMON, kind: "deploy", action: "deploy.finish", payload: { version: "1.4.2", environment: "prod" } },
  "config.change": { ...COMMON, kind: "config.change", action: "config.update", payload: { key: "max_connections", before: 100, after: 200 } },
  "access login failure": { ...COMMON, kind: "access", action: "login", outcome: "failure", payload: { method: "password", reason: "bad password" } },
  "access privilege": { ...COMMON, kind: "access", action: "privilege.grant", payload: { subject: "bob", privilege: "admin" } },
  "access account": { ...COMMON, kind: "access", action: "account.remove", payload: { subject: "carol" } },
  error: { ...COMMON, kind: "error", action: "http.500", outcome: "failure", payload: { message: "upstream timed out", severity: "error" } },
  "tmux.session": { ...COMMON, kind: "tmux.session", action: "session.create", resource: "host/build1", payload: { session: "deploy", host: "build1", sessionId: "$3" } },
  "tmux.output": { ...COMMON, kind: "tmux.output", action: "pane.output", payload: { ...CHUNK } },
  "tmux.session pane.create": { ...COMMON, kind: "tmux.session", action: "pane.create", payload: { session: "deploy", host: "build1", sessionId: "$3", server: "1700000000-42", window: "@2", pane: "%5", width: 80, height: 24 } },
  "tmux.command": { ...COMMON, kind: "tmux.command", action: "command.run", outcome: "failure", payload: { command: "make test", exitCode: 2, cwd: "/srv/app", shell: "bash", host: "build1", pane: "%5" } },
  custom: { ...COMMON, kind: "custom", action: "backup.finish", payload: { bytes: 12 }, tags: ["nightly"], idempotencyKey: "backup-2024-05-01" },
  "custom without payload": { ...COMMON, kind: "custom", action: "ping", occurredAt: new Date("2024-05-01T12:00:00Z") },
};

function without<T extends object>(object: T, key: keyof T): Omit<T, typeof key> {
  const { [key]: _, ...rest } = object;
  return rest;
}

type Case = [label: string, event: unknown, code: string, message: RegExp];

const BAD: Case[] = [
  ["not an object", "deploy", "NOT_AN_OBJECT", /^event: got string/],
  ["an array", [GOOD.deploy], "NOT_AN_OBJECT", /^event: got an array/],
  ["no kind", { ...GOOD.deploy, kind: undefined }, "MISSING_FIELD", /^kind: missing/],
  ["unknown kind (no fallback to custom)", { ...GOOD.custom, kind: "sweep" }, "UNKNOWN_KIND", /^kind: got "sweep", want one of deploy, .*custom/],
  ["kind of the wrong type", { ...GOOD.deploy, kind: 7 }, "UNKNOWN_KIND", /^kind: got 7/],
  // PCI DSS 10.2.2: each of the record fields is required at ingestion.
  ["no actor (user identification)", { ...GOOD.deploy, actor: undefined }, "MISSING_FIELD", /^actor: missing$/],
  ["no action (type of event)", { ...GOOD.deploy, action: undefined }, "MISSING_FIELD", /^action: missing$/],
  ["no occurredAt (date and time)", { ...GOOD.deploy, occurredAt: undefined }, "MISSING_FIELD", /^occurredAt: missing$/],
  ["no outcome (success or failure)", { ...GOOD.deploy, outcome: undefined }, "MISSING_FIELD", /^outcome: missing$/],
  ["no source (origination)", { ...GOOD.deploy, source: undefined }, "MISSING_FIELD", /^source: missing$/],
  ["no resource (affected component)", { ...GOOD.deploy, resource: undefined }, "MISSING_FIELD", /^resource: missing$/],
  ["empty actor", { ...GOOD.deploy, actor: "" }, "INVALID_FIELD", /^actor: /],
  ["actor of the wrong type", { ...GOOD.deploy, actor: 42 }, "INVALID_FIELD", /^actor: .*expected string/],
  ["outcome not success or failure", { ...GOOD.deploy, outcome: "ok" }, "INVALID_FIELD", /^outcome: /],
  ["occurredAt without offset", { ...GOOD.deploy, occurredAt: "2024-05-01 12:00:00" }, "INVALID_FIELD", /^occurredAt: .*RFC 3339/],
  ["occurredAt not a date", { ...GOOD.deploy, occurredAt: "2024-02-30T00:00:00Z" }, "INVALID_FIELD", /^occurredAt: .*not a valid date/],
  ["a field no event has", { ...GOOD.deploy, occured_at: "x" }, "INVALID_FIELD", /^event: Unrecognized key: "occured_at"/],
  ["a tag of the wrong type", { ...GOOD.deploy, tags: ["a", 3] }, "INVALID_FIELD", /^tags\[1\]: /],
  ["NUL in a field", { ...GOOD.deploy, resource: "svc\u0000" }, "INVALID_FIELD", /^resource: contains NUL/],
  ["NUL in a payload string", { ...GOOD.deploy, payload: { version: "1", note: "a\u0000b" } }, "INVALID_FIELD", /^payload: a string contains NUL/],
  ["reserved key prefix (ledger)", { ...GOOD.deploy, idempotencyKey: "sealtrail:seq:1" }, "INVALID_FIELD", /^idempotencyKey: /],
  ["reserved key prefix (derived)", { ...GOOD.deploy, idempotencyKey: "ingest:job:0" }, "INVALID_FIELD", /^idempotencyKey: .*reserved/],
  ["deploy: unknown action", { ...GOOD.deploy, action: "deploy" }, "INVALID_FIELD", /^action: .*deploy\.finish/],
  ["deploy: no payload", { ...GOOD.deploy, payload: undefined }, "MISSING_FIELD", /^payload: missing$/],
  ["deploy: no version", { ...GOOD.deploy, payload: { environment: "prod" } }, "MISSING_FIELD", /^payload\.version: missing$/],
  ["deploy: version of the wrong type", { ...GOOD.deploy, payload: { version: 1.4 } }, "INVALID_FIELD", /^payload\.version: .*expected string/],
  ["config.change: no key", { ...GOOD["config.change"], payload: { after: 1 } }, "MISSING_FIELD", /^payload\.key: missing$/],
  ["config.change: unknown action", { ...GOOD["config.change"], action: "config.change" }, "INVALID_FIELD", /^action: /],
  ["access: unknown action", { ...GOOD["access login failure"], action: "sudo" }, "INVALID_FIELD", /^action: .*privilege\.grant/],
  ["access: privilege change without the privilege", { ...GOOD["access privilege"], payload: { subject: "bob" } }, "MISSING_FIELD", /^payload\.privilege: missing$/],
  ["access: account created without the account", { ...GOOD["access account"], action: "account.create", payload: {} }, "MISSING_FIELD", /^payload\.subject: missing$/],
  ["error: claims success", { ...GOOD.error, outcome: "success" }, "INVALID_FIELD", /^outcome: /],
  ["error: no message", { ...GOOD.error, payload: { code: "E1" } }, "MISSING_FIELD", /^payload\.message: missing$/],
  ["error: unknown severity", { ...GOOD.error, payload: { message: "x", severity: "meh" } }, "INVALID_FIELD", /^payload\.severity: /],
  ["error: action not dotted words", { ...GOOD.error, action: "Bad Action" }, "INVALID_FIELD", /^action: .*dotted/],
  ["tmux.session: no host", { ...GOOD["tmux.session"], payload: { session: "s" } }, "MISSING_FIELD", /^payload\.host: missing$/],
  ["tmux.session: bad session id", { ...GOOD["tmux.session"], payload: { session: "s", host: "h", sessionId: "3" } }, "INVALID_FIELD", /^payload\.sessionId: .*\$3/],
  ["tmux.output: bad pane", { ...GOOD["tmux.output"], payload: { ...CHUNK, pane: "1" } }, "INVALID_FIELD", /^payload\.pane: /],
  ["tmux.output: negative offset", { ...GOOD["tmux.output"], payload: { ...CHUNK, offset: -1 } }, "INVALID_FIELD", /^payload\.offset: /],
  ["tmux.output: data not a string", { ...GOOD["tmux.output"], payload: { ...CHUNK, data: [1] } }, "INVALID_FIELD", /^payload\.data: /],
  ["tmux.output: data not base64", { ...GOOD["tmux.output"], payload: { ...CHUNK, data: "$ ls" } }, "INVALID_FIELD", /^payload\.data: want base64/],
  ["tmux.output: no seq (the chunk's idempotency)", { ...GOOD["tmux.output"], payload: without(CHUNK, "seq") }, "MISSING_FIELD", /^payload\.seq: missing$/],
  ["tmux.output: no server run", { ...GOOD["tmux.output"], payload: without(CHUNK, "server") }, "MISSING_FIELD", /^payload\.server: missing$/],
  ["tmux.session: unknown action", { ...GOOD["tmux.session"], action: "pane.resize" }, "INVALID_FIELD", /^action: /],
  ["tmux.command: exit status out of range", { ...GOOD["tmux.command"], payload: { ...GOOD["tmux.command"].payload, exitCode: 256 } }, "INVALID_FIELD", /^payload\.exitCode: /],
  ["tmux.command: no cwd", { ...GOOD["tmux.command"], payload: without(GOOD["tmux.command"].payload, "cwd") }, "MISSING_FIELD", /^payload\.cwd: missing$/],
  ["custom: payload an array", { ...GOOD.custom, payload: [1, 2] }, "INVALID_FIELD", /^payload: /],
  ["oversized payload", { ...GOOD["tmux.output"], payload: { ...CHUNK, data: "x".repeat(5000) } }, "PAYLOAD_TOO_LARGE", /^payload: got \d+ bytes of canonical JSON, want at most 4096$/],
];

describe("validateEvent", () => {
  it.each(Object.entries(GOOD))("accepts a good %s event, prepared as the ledger would normalise it", (_, event) => {
    const { payloadHash: _hash, ...normal } = normalizeEvent(event as EventInput, new Date(0));
    expect(validateEvent(event, 3, OPTIONS)).toEqual({ ok: true, prepared: normal });
  });

  it.each(BAD)("refuses %s", (_, event, code, message) => {
    const result = validateEvent(event, 7, OPTIONS);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatchObject({ index: 7, code });
    expect(result.reason.message).toMatch(message);
  });

  it("measures the payload as canonical JSON, the bytes the ledger stores", () => {
    const event = { ...GOOD.custom, payload: { text: "é".repeat(100) } }; // 200 bytes of UTF-8
    expect(validateEvent(event, 0, { maxPayloadBytes: 211 }).ok).toBe(true);
    expect(validateEvent(event, 0, { maxPayloadBytes: 210 })).toMatchObject({ ok: false, reason: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("reports a too-large payload before the kind's payload fields", () => {
    const event = { ...GOOD.deploy, payload: { version: 5, filler: "x".repeat(5000) } };
    expect(validateEvent(event, 0, OPTIONS)).toMatchObject({ ok: false, reason: { code: "PAYLOAD_TOO_LARGE" } });
  });
});
