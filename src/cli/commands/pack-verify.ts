import { parseArgs } from "node:util";
import { loadTrustedKey, loadTrustedPublicKey } from "../../ledger/index.js";
import { renderReport } from "../../packs/pdf/report.js";
import { exitStatus, human } from "../../packs/verdict.js";
import { type TrustedKey, verifyPack } from "../../packs/verify-pack.js";
import { parseOrUsage, positionals } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json } from "../context.js";
import { loadPolicy } from "./verify.js";
import { stat } from "node:fs/promises";

const COMMAND = "verify-pack";

/**
 * sealtrail verify-pack DIR [--key VKEY|FILE]... [--pack-key FILE] [--json]: checks a pack
 * offline. --key is the log's checkpoint verifier key as the auditor holds it (repeatable, for
 * the audit log's key or a rotation); a vkey verifies only the log its name is the origin of,
 * and one naming no log of the pack fails. Without --key, checkpoints are checked with the
 * pack's own key, so integrity can be verified but authenticity is unknown.
 * --witness VKEY|FILE... [--quorum K]: each subject log's checkpoint must carry cosignatures of
 * K of those witnesses. Exit 0 verified (integrity and authenticity); 1 integrity or
 * authenticity failed; 3 only the witness policy failed; 4 intact but authenticity unknown.
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
  const checkpointKeys = await Promise.all(keySources.map(async (k): Promise<TrustedKey> => {
    const key = await loadTrustedKey(k);
    return key.name === undefined ? key.publicKey : { name: key.name, publicKey: key.publicKey };
  }));
  const packKey = values["pack-key"] === undefined ? undefined : await loadTrustedPublicKey(values["pack-key"]);
  const witnesses = await loadPolicy(COMMAND, values.witness ?? [], values.quorum);
  const report = await verifyPack(dir!, { checkpointKeys, renderReport, ...(packKey ? { packKey } : {}), ...(witnesses ? { witnesses } : {}) });
  cli.stdout(values.json ? json(report) : human(report));
  return exitStatus(report);
}
