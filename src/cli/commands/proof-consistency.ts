import { parseArgs } from "node:util";
import { toBase64 } from "../../core/encoding/index.js";
import { consistencyProofFor } from "../../ledger/index.js";
import { parseCount, parseOrUsage, required } from "../args.js";
import { type Cli, json, withDatabase } from "../context.js";

const COMMAND = "proof consistency";

/** sealtrail proof consistency --log NAME --from A --to B: the RFC 9162 §2.1.4 proof, hashes in base64. */
export async function proofConsistencyCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({ args, options: { log: { type: "string" }, from: { type: "string" }, to: { type: "string" } }, strict: true }),
  );
  const name = required(COMMAND, "log", values.log);
  const from = parseCount(COMMAND, "from", required(COMMAND, "from", values.from));
  const to = parseCount(COMMAND, "to", required(COMMAND, "to", values.to));

  const p = await withDatabase(cli, "read", (store) => consistencyProofFor(store, name, from, to));
  cli.stdout(json({
    log: p.log,
    origin: p.origin,
    from: p.size1,
    to: p.size2,
    proof: p.proof.map(toBase64),
    root1: toBase64(p.root1),
    root2: toBase64(p.root2),
  }));
  return 0;
}
