import { parseArgs } from "node:util";
import { isValidKeyName, vkeyString } from "../../core/note/index.js";
import { retentionPolicy } from "../../core/retention/index.js";
import { changeRetention } from "../../ledger/index.js";
import { NEW_LOG_LEAF_VERSION, type LeafVersion } from "../../core/entry/index.js";
import { parseChoice, parseOrUsage, positionals } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";
import { RETENTION_OPTIONS, retentionDays } from "./log-retention.js";
import { signingPublicKey, trustedPublicKey } from "../trusted-key.js";

/** sealtrail log create NAME [--tenant T] [--origin ORIGIN] [--leaf-version 1|2] */
export async function logCreateCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("log create", () =>
    parseArgs({ args, options: { tenant: { type: "string" }, origin: { type: "string" }, "leaf-version": { type: "string" }, ...RETENTION_OPTIONS }, strict: true, allowPositionals: true }),
  );
  const [name] = positionals("log create", parsed.positionals, ["NAME"]) as [string];
  const origin = parsed.values.origin ?? `${cli.originPrefix}/${name}`;
  // Checkpoints are signed with the origin as key name (C2SP tlog-checkpoint), which
  // createLog alone does not check: a log whose origin cannot be a key name could never be signed.
  if (!isValidKeyName(origin)) throw new CliError("USAGE", `log create: origin: got ${JSON.stringify(origin)}, want no spaces and no +`);
  // docs/leaf-format.md: 2 (salted commitments, erasable) unless 1 is asked for.
  const leafVersion = parsed.values["leaf-version"] === undefined ? NEW_LOG_LEAF_VERSION : Number(parseChoice("log create", "leaf-version", parsed.values["leaf-version"], ["1", "2"])) as LeafVersion;
  const retention = retentionDays("log create", parsed.values);
  // Checked before anything is written: days out of range fail the command, not the log.
  retentionPolicy(retention);
  // Read before anything is written: a configured key that cannot be used fails the command.
  const publicKey = (await signingPublicKey(cli)) ?? (await trustedPublicKey(cli));

  const log = await withDatabase(cli, "write", async (store) => {
    const created = await store.createLog(name, { origin, leafVersion, ...(parsed.values.tenant !== undefined ? { tenant: parsed.values.tenant } : {}) });
    // A log created with a policy other than the defaults has it recorded from the start.
    if (Object.keys(retention).length > 0) await changeRetention(store, cli.originPrefix, name, retention, "log create");
    return created;
  });
  cli.stdout(json({
    name: log.name,
    tenant: log.tenant,
    origin: log.origin,
    id: log.id,
    leafVersion: log.leafVersion,
    ...(publicKey ? { verifierKey: vkeyString(log.origin, publicKey) } : {}),
  }));
  return 0;
}
