import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { publicKeyToPem, rawPublicKey, isValidKeyName, vkeyString } from "../../core/note/index.js";
import { parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, DEFAULT_ORIGIN_PREFIX } from "../context.js";

/**
 * sealtrail keys generate --out DIR [--name NAME]
 *
 * Only the public key of the vkey matters to verification: each log's checkpoints are signed
 * under its origin as key name, so the vkey of a log is printed by `log create`.
 */
export async function keysGenerateCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("keys generate", () =>
    parseArgs({ args, options: { out: { type: "string" }, name: { type: "string" } }, strict: true }),
  );
  const dir = required("keys generate", "out", values.out);
  const name = values.name ?? DEFAULT_ORIGIN_PREFIX;
  if (!isValidKeyName(name)) throw new CliError("USAGE", `keys generate: --name: got ${JSON.stringify(name)}, want a key name without spaces or +`);

  const files = {
    privateKey: join(dir, "signing-key.pem"),
    publicKey: join(dir, "signing-key.pub.pem"),
    vkey: join(dir, "verifier-key.vkey"),
  };
  // Checked up front so that no half-written key set is left; "wx" below closes the race.
  for (const path of Object.values(files)) {
    if (existsSync(path)) throw new CliError("FILE_EXISTS", `${path} exists already: refusing to overwrite a key`);
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicKey = rawPublicKey(privateKey);
  const vkey = vkeyString(name, publicKey);

  // Only DIR itself is created, not its parents: Node 20's recursive mkdir spins forever
  // where mkdir answers ENOENT for an existing parent (procfs).
  await createFile(dir, () => mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  }), "create directory");
  await createFile(files.privateKey, () =>
    writeFile(files.privateKey, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600, flag: "wx" }),
  );
  await createFile(files.publicKey, () => writeFile(files.publicKey, publicKeyToPem(publicKey), { flag: "wx" }));
  await createFile(files.vkey, () => writeFile(files.vkey, `${vkey}\n`, { flag: "wx" }));

  cli.stdout(`${vkey}\n`);
  cli.stdout(`private key:  ${files.privateKey}\npublic key:   ${files.publicKey}\nverifier key: ${files.vkey}\n`);
  return 0;
}

async function createFile(path: string, write: () => Promise<unknown>, what = "write"): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new CliError("FILE_EXISTS", `${path} exists already: refusing to overwrite a key`, { cause: error });
    throw new CliError("FILE", `cannot ${what} ${path}: ${code ?? (error as Error).message}`, { cause: error });
  }
}
