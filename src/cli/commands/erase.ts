/**
 * sealtrail erase: GDPR Art. 17 erasure requests on a format-2 log (docs/erasure.md), by data
 * subject (--actor) or by entries (--seq), carried out at once or, with --four-eyes, recorded
 * for a second administrator to approve (`erase approve`). Each action is recorded in the log
 * (the erasure records) and in the tenant's audit log.
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { COMMITTED_FIELDS, type CommittedField } from "../../core/entry/index.js";
import { approveErasure, eraseValues, type ErasureResult, listErasureRequests, recordedAdminAction, requestErasure } from "../../ledger/index.js";
import { parseOrUsage, positionals, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";

const SOURCE = "sealtrail-cli";
/** Most seqs one --seq range may name: beyond it a range is a typo (erase by --actor instead). */
const MAX_RANGE = 10_000_000;

/** Who acts: --by, else the operator's login name. */
export function operator(by: string | undefined): string {
  if (by !== undefined && by.trim() === "") throw new CliError("USAGE", "--by: want a name");
  return by ?? `${userInfo().username}@cli`;
}

/** --seq values: N or FROM-TO (both included), each repeatable and comma-separated. */
export function parseSeqs(command: string, values: readonly string[]): number[] {
  const seqs: number[] = [];
  for (const part of values.flatMap((v) => v.split(","))) {
    const m = /^(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?$/.exec(part.trim());
    const from = m ? Number(m[1]) : NaN;
    const to = m ? (m[2] === undefined ? from : Number(m[2])) : NaN;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) throw new CliError("USAGE", `${command}: --seq: got ${JSON.stringify(part)}, want N or FROM-TO (FROM ≤ TO)`);
    if (to - from + 1 > MAX_RANGE) throw new CliError("USAGE", `${command}: --seq ${part}: more than ${MAX_RANGE} entries; erase a data subject with --actor`);
    for (let s = from; s <= to; s++) seqs.push(s);
  }
  return seqs;
}

function parseFields(command: string, text: string | undefined): CommittedField[] | undefined {
  if (text === undefined) return undefined;
  const fields = text.split(",").map((f) => f.trim());
  for (const f of fields) if (!(COMMITTED_FIELDS as readonly string[]).includes(f)) throw new CliError("USAGE", `${command}: --fields: got ${JSON.stringify(f)}, want a comma-separated list of ${COMMITTED_FIELDS.join(", ")}`);
  return fields as CommittedField[];
}

function done(log: string, r: ErasureResult, who: { requestedBy: string } | { approvedBy: string }) {
  return { log, request: r.request, state: "done", entries: r.entries, values: r.values, fields: r.fields, seqs: r.seqs, recordSeqs: r.recordSeqs, ...who };
}

/** sealtrail erase --log NAME (--actor A | --seq N|FROM-TO...) --reason R --legal-basis B [--fields F,...] [--four-eyes] [--by WHO] */
export async function eraseCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("erase", () =>
    parseArgs({
      args,
      options: {
        log: { type: "string" }, actor: { type: "string" }, seq: { type: "string", multiple: true }, fields: { type: "string" },
        reason: { type: "string" }, "legal-basis": { type: "string" }, "four-eyes": { type: "boolean" }, by: { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  positionals("erase", parsed.positionals, []);
  const v = parsed.values;
  const log = required("erase", "log", v.log);
  const reason = required("erase", "reason", v.reason);
  const legalBasis = required("erase", "legal-basis", v["legal-basis"]);
  if ((v.actor === undefined) === (v.seq === undefined)) throw new CliError("USAGE", "erase: give either --actor (a data subject) or --seq (entries), not both");
  if (v.actor === "") throw new CliError("USAGE", "erase: --actor: want the data subject's actor value");
  const target = v.actor !== undefined ? { actor: v.actor } : { seqs: parseSeqs("erase", v.seq!) };
  const fields = parseFields("erase", v.fields);
  const by = operator(v.by);
  const request = { log, target, reason, legalBasis, requestedBy: by, ...(fields ? { fields } : {}) };

  const out = await withDatabase(cli, "write", async (store) => {
    if (v["four-eyes"]) {
      const r = await recordedAdminAction(store, cli.originPrefix, { kind: "erasure", action: "erasure.request", log, by, source: SOURCE }, () => requestErasure(store, request), (r) => ({ request: r.request, recordSeq: r.recordSeq, entries: r.entries, fields: r.fields, fourEyes: true }));
      return { log, request: r.request, state: "pending", entries: r.entries, fields: r.fields, seqs: r.seqs, recordSeq: r.recordSeq, requestedBy: by };
    }
    const r = await recordedAdminAction(store, cli.originPrefix, { kind: "erasure", action: "erasure.execute", log, by, source: SOURCE }, () => eraseValues(store, request), (r) => ({ request: r.request, recordSeqs: r.recordSeqs, entries: r.entries, values: r.values, fields: r.fields }));
    return done(log, r, { requestedBy: by });
  });
  cli.stdout(json(out));
  return 0;
}

/** sealtrail erase approve ID --log NAME [--by WHO]: a second administrator carries out a four-eyes request. */
export async function eraseApproveCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("erase approve", () => parseArgs({ args, options: { log: { type: "string" }, by: { type: "string" } }, strict: true, allowPositionals: true }));
  const [id] = positionals("erase approve", parsed.positionals, ["ID"]) as [string];
  const log = required("erase approve", "log", parsed.values.log);
  const by = operator(parsed.values.by);
  const r = await withDatabase(cli, "write", (store) =>
    recordedAdminAction(store, cli.originPrefix, { kind: "erasure", action: "erasure.approve", log, by, source: SOURCE }, () => approveErasure(store, { log, request: id, approvedBy: by }),
      (r) => ({ request: r.request, recordSeqs: r.recordSeqs, entries: r.entries, values: r.values, fields: r.fields })),
  );
  cli.stdout(json(done(log, r, { approvedBy: by })));
  return 0;
}

/** sealtrail erase list --log NAME: the log's erasure requests, one JSON object a line. */
export async function eraseListCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("erase list", () => parseArgs({ args, options: { log: { type: "string" } }, strict: true, allowPositionals: true }));
  positionals("erase list", parsed.positionals, []);
  const log = required("erase list", "log", parsed.values.log);
  const requests = await withDatabase(cli, "read", (store) => listErasureRequests(store, log));
  for (const r of requests) cli.stdout(json({ log, ...r }));
  return 0;
}
