import { parseArgs } from "node:util";
import { loadTrustedPublicKey } from "../../ledger/signing-key.js";
import { type PackVerification, verifyPack } from "../../packs/verify-pack.js";
import { parseOrUsage, positionals } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json } from "../context.js";
import { EXIT_TAMPERED, EXIT_WITNESS_QUORUM, loadPolicy } from "./verify.js";
import { stat } from "node:fs/promises";

const COMMAND = "verify-pack";

/**
 * sealtrail verify-pack DIR [--key VKEY|FILE]... [--pack-key FILE] [--json]: checks a pack
 * offline. --key is the log's checkpoint verifier key as the auditor holds it (repeatable, for
 * the audit log's key or a rotation); without it, checkpoints are checked with the pack's own
 * key and the report says so. --witness VKEY|FILE... [--quorum K]: each subject log's checkpoint
 * must carry cosignatures of K of those witnesses. Exit 0 when every check passes, 3 when only
 * the witness policy fails, 1 when another check fails.
 */
export async function packVerifyCommand(args: string[], cli: Cli): Promise<number> {
  const { values, positionals: rest } = parseOrUsage(COMMAND, () =>
    parseArgs({
      args,
      options: {
        key: { type: "string", multiple: true },
        "pack-key": { type: "string" },
        json: { type: "boolean", default: false },
        witness: { type: "string", multiple: true },
        quorum: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  const [dir] = positionals(COMMAND, rest, ["DIR"]);
  const isDir = await stat(dir!).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new CliError("FILE", `${COMMAND}: ${dir} is not a pack directory (extract an archive first: tar xzf PACK.tar.gz)`);
  const keySources = values.key ?? (cli.config.verifierKey ? [cli.config.verifierKey] : []);
  const checkpointKeys = await Promise.all(keySources.map((k) => loadTrustedPublicKey(k)));
  const packKey = values["pack-key"] === undefined ? undefined : await loadTrustedPublicKey(values["pack-key"]);
  const witnesses = await loadPolicy(COMMAND, values.witness ?? [], values.quorum);
  const report = await verifyPack(dir!, { checkpointKeys, ...(packKey ? { packKey } : {}), ...(witnesses ? { witnesses } : {}) });
  cli.stdout(values.json ? json(report) : human(report));
  if (report.verified) return 0;
  return report.checks.every((c) => c.ok || c.check === "witnesses") ? EXIT_WITNESS_QUORUM : EXIT_TAMPERED;
}

function human(r: PackVerification): string {
  const lines = r.checks.map((c) => `${c.ok ? "ok    " : "FAILED"} ${c.check}: ${c.message}`);
  const failed = r.checks.filter((c) => !c.ok).length;
  lines.push(r.verified ? `verified pack ${r.packId}` : `pack ${r.packId ?? "(unreadable)"} FAILED ${failed} check${failed === 1 ? "" : "s"}`);
  return `${lines.join("\n")}\n`;
}
