import { parseArgs } from "node:util";
import type { Finding } from "../../core/sweep/index.js";
import { verifyLog, type VerifyReport } from "../../integrity/verify-log.js";
import { parseCount, parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, readTextFile, withDatabase } from "../context.js";
import { trustedPublicKey } from "../trusted-key.js";
import { checkPolicy, parseCosignerVkey, type PolicyResult, witnessPolicy } from "../../core/cosign/index.js";
import { parseCheckpoint } from "../../core/note/index.js";
import { type LedgerStore, withCosignatures } from "../../ledger/index.js";
import { vkeys } from "./witness.js";

/** Exit status when verification ran and found the log tampered with. */
export const EXIT_TAMPERED = 1;
/** Exit status when the log verified but its checkpoint lacks the cosignatures the witness policy asks for. */
export const EXIT_WITNESS_QUORUM = 3;

/**
 * sealtrail verify --log NAME [--checkpoint FILE] [--key VKEY|FILE] [--witness VKEY|FILE]... [--quorum K]
 * [--json] [--threads N]. With witnesses, the checkpoint checked (FILE, else the newest stored,
 * with the cosignatures stored for it) must carry valid cosignatures of K of them (default all).
 */
export async function verifyCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("verify", () =>
    parseArgs({
      args,
      options: {
        log: { type: "string" },
        checkpoint: { type: "string" },
        key: { type: "string" },
        json: { type: "boolean", default: false },
        threads: { type: "string" },
        witness: { type: "string", multiple: true },
        quorum: { type: "string" },
      },
      strict: true,
    }),
  );
  const name = required("verify", "log", values.log);
  const threads = values.threads === undefined ? undefined : parseCount("verify", "threads", values.threads);
  const checkpointNote = values.checkpoint === undefined ? undefined : await readTextFile("checkpoint file", values.checkpoint);
  const publicKey = await trustedPublicKey(cli, values.key);
  const policy = await loadPolicy("verify", values.witness ?? [], values.quorum);

  const report = await withDatabase(cli, "read", async (store) => {
    if (!publicKey) {
      // Without a trusted key a stored checkpoint proves nothing: refuse rather than pass it.
      const log = await store.findLog(name);
      if (checkpointNote !== undefined || (await store.latestCheckpoint(log.id))) {
        throw new CliError("NO_VERIFIER_KEY", `verify: log ${name} has signed checkpoints to check but no trusted key is set: give --key VKEY|FILE, SEALTRAIL_VERIFIER_KEY or SEALTRAIL_SIGNING_KEY`);
      }
    }
    const report = await verifyLog(store, name, {
      url: cli.config.databaseUrl,
      schema: cli.config.schema,
      ...(publicKey ? { publicKey } : {}),
      ...(checkpointNote !== undefined ? { checkpointNote } : {}),
      ...(threads !== undefined ? { threads } : {}),
    });
    return { ...report, ...(policy && report.verified ? { witnesses: await witnessed(store, name, checkpointNote, policy) } : {}) };
  });
  cli.stdout(values.json ? json(report) : humanReport(report) + (report.witnesses ? witnessLine(report.witnesses) : ""));
  if (!report.verified) return EXIT_TAMPERED;
  return report.witnesses && !report.witnesses.met ? EXIT_WITNESS_QUORUM : 0;
}

/** The policy of --witness VKEY|FILE... and --quorum K (default all); undefined without --witness. */
export async function loadPolicy(command: string, sources: string[], quorum: string | undefined) {
  if (sources.length === 0) {
    if (quorum !== undefined) throw new CliError("USAGE", `${command}: --quorum needs --witness`);
    return undefined;
  }
  const cosigners = (await Promise.all(sources.map(vkeys))).flat().map((vkey) => {
    try {
      return parseCosignerVkey(vkey);
    } catch (error) {
      throw new CliError("USAGE", `${command}: --witness: ${(error as Error).message}`, { cause: error });
    }
  });
  const k = quorum === undefined ? cosigners.length : parseCount(command, "quorum", quorum);
  try {
    return witnessPolicy(cosigners, k);
  } catch (error) {
    throw new CliError("USAGE", `${command}: ${(error as Error).message}`, { cause: error });
  }
}

/** The policy checked on the given checkpoint file, else on the newest stored checkpoint, each with its stored cosignatures. */
async function witnessed(store: LedgerStore, name: string, file: string | undefined, policy: ReturnType<typeof witnessPolicy>): Promise<PolicyResult & { size: number | null }> {
  const log = await store.findLog(name);
  let note = file;
  let size: number | null = null;
  if (note !== undefined) size = Number(parseCheckpoint(note.slice(0, note.lastIndexOf("\n\n") + 1)).size);
  else {
    const latest = await store.latestCheckpoint(log.id);
    note = latest?.note;
    size = latest?.size ?? null;
  }
  if (note === undefined || size === null) return { met: false, quorum: policy.quorum, cosigned: [], missing: policy.cosigners.map((c) => c.name), size };
  return { ...checkPolicy(withCosignatures(note, await store.cosignaturesAt(log.id, size)), policy), size };
}

function witnessLine(w: PolicyResult & { size: number | null }): string {
  const names = w.cosigned.map((c) => c.name).join(", ") || "none";
  return w.met
    ? `witnessed: checkpoint at size ${w.size} cosigned by ${w.cosigned.length} of ${w.cosigned.length + w.missing.length} witnesses (quorum ${w.quorum}): ${names}\n`
    : `WITNESS QUORUM NOT MET: checkpoint at size ${w.size ?? "none"} cosigned by ${w.cosigned.length}, quorum ${w.quorum}; missing ${w.missing.join(", ")}\n`;
}

function humanReport(r: VerifyReport): string {
  if (r.verified) {
    return `verified ${r.log}: ${r.size} entries, root ${r.root}, ${r.checkpointsChecked} checkpoints, ${r.durationMs} ms\n` + removedLines(r);
  }
  const [first, ...rest] = r.findings;
  let out = `TAMPERED ${describe(first!)}\n`;
  for (const f of rest) out += `  ${describe(f)}\n`;
  return out;
}

/** Values removed under the log's own records (docs/erasure.md): not tampering, but said. */
function removedLines(r: VerifyReport): string {
  let out = "";
  for (const rec of r.erased.records) {
    const verb = rec.kind === "expiry" ? "expired" : "erased";
    out += `  ${rec.values} values ${verb} under the ${rec.kind} record at seq ${rec.recordSeq}${rec.request === undefined ? "" : ` (request ${rec.request})`}\n`;
  }
  return out;
}

function describe(f: Finding): string {
  return f.seq === null ? `${f.class}: ${f.message}` : `${f.class} at seq ${f.seq}: ${f.message}`;
}
