/**
 * sealtrail hold: legal holds on a log (docs/erasure.md). A hold covers the whole log, or the
 * entries of a period, of some actors, or matching a query; held entries are never erased or
 * expired. Creating and releasing are recorded in the log and in the tenant's audit log.
 */
import { parseArgs } from "node:util";
import type { HoldScope } from "../../core/erasure/index.js";
import { createHold, listHolds, recordedAdminAction, releaseHold } from "../../ledger/index.js";
import { parseOrUsage, positionals, required } from "../args.js";
import { type Cli, json, withDatabase } from "../context.js";
import { operator } from "./erase.js";

const SOURCE = "sealtrail-cli";

/** sealtrail hold create --log NAME --reason R [--matter M] [--from ISO] [--to ISO] [--actor A]... [--kind K]... [--action X] [--resource R] [--source S] [--tag T]... [--by WHO] */
export async function holdCreateCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("hold create", () =>
    parseArgs({
      args,
      options: {
        log: { type: "string" }, reason: { type: "string" }, matter: { type: "string" }, by: { type: "string" },
        from: { type: "string" }, to: { type: "string" }, actor: { type: "string", multiple: true }, kind: { type: "string", multiple: true },
        action: { type: "string" }, resource: { type: "string" }, source: { type: "string" }, tag: { type: "string", multiple: true },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  positionals("hold create", parsed.positionals, []);
  const v = parsed.values;
  const log = required("hold create", "log", v.log);
  const reason = required("hold create", "reason", v.reason);
  const by = operator(v.by);
  // The scope is checked by the ledger (checkHoldScope): a malformed time or an empty value is INVALID_INPUT, before anything is written.
  const scope: HoldScope = {
    ...(v.from !== undefined ? { from: v.from } : {}), ...(v.to !== undefined ? { to: v.to } : {}),
    ...(v.actor ? { actors: v.actor } : {}), ...(v.kind ? { kinds: v.kind } : {}), ...(v.tag ? { tags: v.tag } : {}),
    ...(v.action !== undefined ? { action: v.action } : {}), ...(v.resource !== undefined ? { resource: v.resource } : {}), ...(v.source !== undefined ? { source: v.source } : {}),
  };
  const hold = await withDatabase(cli, "write", (store) =>
    recordedAdminAction(store, cli.originPrefix, { kind: "legal_hold", action: "legal_hold.create", log, by, source: SOURCE },
      () => createHold(store, { log, scope, reason, createdBy: by, ...(v.matter !== undefined ? { matter: v.matter } : {}) }),
      (h) => ({ hold: h.id, recordSeq: h.recordSeq, scope: h.scope, reason: h.reason, ...(h.matter ? { matter: h.matter } : {}) })),
  );
  cli.stdout(json({ log, hold: hold.id, state: "active", scope: hold.scope, reason: hold.reason, matter: hold.matter ?? null, createdBy: hold.createdBy, recordSeq: hold.recordSeq }));
  return 0;
}

/** sealtrail hold list --log NAME [--active]: the log's holds, one JSON object a line. */
export async function holdListCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("hold list", () => parseArgs({ args, options: { log: { type: "string" }, active: { type: "boolean" } }, strict: true, allowPositionals: true }));
  positionals("hold list", parsed.positionals, []);
  const log = required("hold list", "log", parsed.values.log);
  const holds = await withDatabase(cli, "read", async (store) => listHolds(store, await store.findLog(log)));
  for (const h of holds) {
    if (parsed.values.active && h.released) continue;
    cli.stdout(json({
      log, hold: h.id, state: h.released ? "released" : "active", scope: h.scope, reason: h.reason, matter: h.matter ?? null, createdBy: h.createdBy, recordSeq: h.recordSeq,
      released: h.released ? { by: h.released.by, reason: h.released.reason, recordSeq: h.released.recordSeq } : null,
    }));
  }
  return 0;
}

/** sealtrail hold release ID --log NAME --reason R [--by WHO] */
export async function holdReleaseCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("hold release", () => parseArgs({ args, options: { log: { type: "string" }, reason: { type: "string" }, by: { type: "string" } }, strict: true, allowPositionals: true }));
  const [id] = positionals("hold release", parsed.positionals, ["ID"]) as [string];
  const log = required("hold release", "log", parsed.values.log);
  const reason = required("hold release", "reason", parsed.values.reason);
  const by = operator(parsed.values.by);
  const r = await withDatabase(cli, "write", (store) =>
    recordedAdminAction(store, cli.originPrefix, { kind: "legal_hold", action: "legal_hold.release", log, by, source: SOURCE }, () => releaseHold(store, { log, hold: id, reason, releasedBy: by }), (r) => ({ hold: r.hold, recordSeq: r.recordSeq, reason })),
  );
  cli.stdout(json({ log, hold: r.hold, state: "released", releasedBy: by, reason, recordSeq: r.recordSeq }));
  return 0;
}
