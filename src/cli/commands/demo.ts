import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../config/index.js";
import { runDemo } from "../../demo/run-demo.js";
import { DEMO_SESSION } from "../../demo/tmux-session.js";
import { loadSigningKey } from "../../ledger/index.js";
import { stateHome } from "../../platform/state-home.js";
import { runningInstance } from "../../platform/up-file.js";
import { packageVersion } from "../../version.js";
import { parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import type { Cli } from "../context.js";

const TENANT = "default";

/**
 * sealtrail demo [--seed S]: a realistic quarter into the running `sealtrail up` (or, when none
 * runs on SEALTRAIL_HOME, the ledger the environment names), a sweep and a SOC 2 pack.
 */
export async function demoCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("demo", () => parseArgs({ args, options: { seed: { type: "string" } }, strict: true }));
  const seed = values.seed ?? "1";
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(seed)) throw new CliError("USAGE", `demo: --seed: got ${JSON.stringify(seed)}, want letters, digits, . _ - (at most 64)`);
  const up = runningInstance(stateHome(process.env).upFile);
  const config = up ? loadConfig({ ...process.env, ...up.env }) : cli.config;
  if (!config.signingKeyPath) throw new CliError("NO_PACK_KEY", "demo: no running sealtrail up here, and no SEALTRAIL_SIGNING_KEY to sign checkpoints and the pack (start npx sealtrail up first)");
  const key = await loadSigningKey(config.signingKeyPath);
  cli.stdout(`Filling ${up ? `the sealtrail up at ${up.apiUrl}` : "the ledger of DATABASE_URL"} with a quarter of events (seed ${seed})…\n`);
  const result = await runDemo({
    url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, seed, tenant: TENANT, originPrefix: config.originPrefix, key,
    packDir: config.packs.dir, witnessDir: config.integrity.witnessDir, maxPayloadBytes: config.maxPayloadBytes, version: packageVersion(),
    progress: (line) => cli.stdout(`  ${line}\n`),
  });
  const total = result.logs.reduce((n, l) => n + l.size, 0);
  const packDir = relative(process.cwd(), result.pack.dir).startsWith("..") ? result.pack.dir : relative(process.cwd(), result.pack.dir);
  const exceptions = Object.entries(result.pack.exceptions).map(([k, n]) => `${n} ${k}`).join(", ") || "none";
  const env = up ? `eval "$(npx sealtrail env)"; ` : "";
  cli.stdout([
    "",
    `Done: ${total} entries in ${result.logs.length} logs, every log swept (${result.sweeps.every((s) => s.result === "verified") ? "all intact" : result.sweeps.map((s) => `${s.log} ${s.result}`).join(", ")}).`,
    "",
    "What to look at:",
    `  the SOC 2 pack          ${packDir}/  (${result.pack.controls.satisfied ?? 0} controls satisfied, ${result.pack.controls.exceptions ?? 0} with exceptions; exceptions: ${exceptions})`,
    `  its report              ${join(packDir, "report.pdf")}`,
    // The logs' checkpoints are signed with this key: its public half is their verifier key.
    `  check it offline        npx sealtrail verify-pack ${packDir} --key ${config.signingKeyPath}`,
    `  verify a log            ${env}npx sealtrail verify --log demo-deploys`,
    `  the incident session    ${env}npx sealtrail tmux replay --log demo-tmux --session ${DEMO_SESSION}`,
    `  failed logins (API)     { events(filter: { logs: ["demo-access"], outcome: failure }, first: 20) { edges { node { actor occurredAt } } } }`,
    "",
  ].join("\n"));
  return 0;
}
