import { parseArgs } from "node:util";
import type { Finding } from "../../core/sweep/index.js";
import { verifyLog, type VerifyReport } from "../../integrity/verify-log.js";
import { parseCount, parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, readTextFile, withDatabase } from "../context.js";
import { trustedPublicKey } from "../trusted-key.js";

/** Exit status when verification ran and found the log tampered with. */
export const EXIT_TAMPERED = 1;

/** sealtrail verify --log NAME [--checkpoint FILE] [--key VKEY|FILE] [--json] [--threads N] */
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
      },
      strict: true,
    }),
  );
  const name = required("verify", "log", values.log);
  const threads = values.threads === undefined ? undefined : parseCount("verify", "threads", values.threads);
  const checkpointNote = values.checkpoint === undefined ? undefined : await readTextFile("checkpoint file", values.checkpoint);
  const publicKey = await trustedPublicKey(cli, values.key);

  const report = await withDatabase(cli, "read", async (store) => {
    if (!publicKey) {
      // Without a trusted key a stored checkpoint proves nothing: refuse rather than pass it.
      const log = await store.findLog(name);
      if (checkpointNote !== undefined || (await store.latestCheckpoint(log.id))) {
        throw new CliError("NO_VERIFIER_KEY", `verify: log ${name} has signed checkpoints to check but no trusted key is set: give --key VKEY|FILE, SEALTRAIL_VERIFIER_KEY or SEALTRAIL_SIGNING_KEY`);
      }
    }
    return verifyLog(store, name, {
      url: cli.config.databaseUrl,
      schema: cli.config.schema,
      ...(publicKey ? { publicKey } : {}),
      ...(checkpointNote !== undefined ? { checkpointNote } : {}),
      ...(threads !== undefined ? { threads } : {}),
    });
  });
  cli.stdout(values.json ? json(report) : humanReport(report));
  return report.verified ? 0 : EXIT_TAMPERED;
}

function humanReport(r: VerifyReport): string {
  if (r.verified) {
    return `verified ${r.log}: ${r.size} entries, root ${r.root}, ${r.checkpointsChecked} checkpoints, ${r.durationMs} ms\n`;
  }
  const [first, ...rest] = r.findings;
  let out = `TAMPERED ${describe(first!)}\n`;
  for (const f of rest) out += `  ${describe(f)}\n`;
  return out;
}

function describe(f: Finding): string {
  return f.seq === null ? `${f.class}: ${f.message}` : `${f.class} at seq ${f.seq}: ${f.message}`;
}
