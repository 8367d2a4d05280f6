import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { cosignerVkey } from "../../core/cosign/index.js";
import { isValidKeyName, rawPublicKey } from "../../core/note/index.js";
import { loadSigningKey } from "../../ledger/index.js";
import { trustedLogs } from "../../witness/add-checkpoint.js";
import { startWitnessServer } from "../../witness/witness-server.js";
import { WitnessState } from "../../witness/witness-state.js";
import { parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import type { Cli } from "../context.js";

const VKEY = /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/;

/** A vkey given inline, or the vkeys of a file, one a line. */
async function vkeys(source: string): Promise<string[]> {
  if (VKEY.test(source.trim())) return [source.trim()];
  try {
    return (await readFile(source, "utf8")).split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  } catch (error) {
    throw new CliError("FILE", `${source}: neither a vkey nor a readable file (${(error as NodeJS.ErrnoException).code ?? error})`, { cause: error });
  }
}

function witnessName(command: string, name: string | undefined): string {
  const n = required(command, "name", name);
  if (!isValidKeyName(n)) throw new CliError("USAGE", `${command}: --name: got ${JSON.stringify(n)}, want a key name without spaces or +`);
  return n;
}

/**
 * sealtrail witness serve --name NAME --key FILE --log VKEY|FILE... --state DIR [--port N] [--host H]
 *
 * A C2SP tlog-witness: cosigns the checkpoints of the logs whose keys it is given, keeping the
 * latest cosigned size and root of each in DIR. Prints its cosigner vkey, then runs until
 * SIGINT or SIGTERM.
 */
export async function witnessServeCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("witness serve", () =>
    parseArgs({
      args,
      options: { name: { type: "string" }, key: { type: "string" }, log: { type: "string", multiple: true }, state: { type: "string" }, port: { type: "string" }, host: { type: "string" } },
      strict: true,
    }),
  );
  const name = witnessName("witness serve", values.name);
  const privateKey = await loadSigningKey(required("witness serve", "key", values.key));
  const state = new WitnessState(required("witness serve", "state", values.state));
  if (!values.log?.length) throw new CliError("USAGE", "witness serve: give at least one --log VKEY|FILE (the logs it witnesses)");
  const logs = trustedLogs((await Promise.all(values.log.map(vkeys))).flat());
  const portText = values.port ?? "7380";
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CliError("USAGE", `witness serve: --port: got ${JSON.stringify(portText)}, want 0–65535`);
  const running = await startWitnessServer({ name, privateKey, logs, state }, Number(portText), values.host ?? "127.0.0.1");
  cli.stdout(`${cosignerVkey(name, rawPublicKey(privateKey))}\nwitness listening on ${running.url} for ${logs.size} logs\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await running.close();
  return 0;
}

/** sealtrail witness vkey --name NAME --key FILE: the cosigner vkey (type 0x04) a log is configured with. */
export async function witnessVkeyCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("witness vkey", () => parseArgs({ args, options: { name: { type: "string" }, key: { type: "string" } }, strict: true }));
  const name = witnessName("witness vkey", values.name);
  const privateKey = await loadSigningKey(required("witness vkey", "key", values.key));
  cli.stdout(`${cosignerVkey(name, rawPublicKey(privateKey))}\n`);
  return 0;
}

export { vkeys };
