import { parseArgs } from "node:util";
import { toBase64 } from "../../core/encoding/index.js";
import { inclusionProofFor } from "../../ledger/index.js";
import { parseCount, parseOrUsage, required } from "../args.js";
import { type Cli, json, withDatabase } from "../context.js";

const COMMAND = "proof inclusion";

/**
 * sealtrail proof inclusion --log NAME --seq N [--size M]: the RFC 9162 §2.1.3 proof, hashes
 * in base64, with the stored signed checkpoint of exactly that size when there is one.
 */
export async function proofInclusionCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({ args, options: { log: { type: "string" }, seq: { type: "string" }, size: { type: "string" } }, strict: true }),
  );
  const name = required(COMMAND, "log", values.log);
  const seq = parseCount(COMMAND, "seq", required(COMMAND, "seq", values.seq));
  const size = values.size === undefined ? undefined : parseCount(COMMAND, "size", values.size);

  const out = await withDatabase(cli, "read", async (store) => {
    const p = await inclusionProofFor(store, name, seq, size);
    const log = await store.findLog(name);
    const checkpoint = await store.checkpointAt(log.id, p.size);
    return {
      log: p.log,
      origin: p.origin,
      seq: p.index,
      size: p.size,
      leafHash: toBase64(p.leafHash),
      proof: p.proof.map(toBase64),
      root: toBase64(p.root),
      ...(checkpoint ? { checkpoint: checkpoint.note } : {}),
    };
  });
  cli.stdout(json(out));
  return 0;
}
