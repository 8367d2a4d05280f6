/**
 * The sealtrail command line: finds the command, hands it the configuration, and turns
 * whatever it throws into one line on stderr and an exit status.
 */
import type { Cli, Command } from "./context.js";
import { CliError, EXIT_ERROR } from "./cli-error.js";
import { strictUtf8 } from "../core/encoding/index.js";
import { USAGE } from "./usage.js";
import { isEntryPoint } from "../entry-point.js";
import { packageVersion } from "../version.js";
import { findPage, PAGES, pageText } from "./spec/index.js";

// Loaded on demand: every module costs start-up time (`sealtrail help` loads none of them),
// and only migrate needs drizzle.
const COMMANDS = new Map<string, () => Promise<Command>>(Object.entries({
  migrate: async () => (await import("./commands/migrate.js")).migrateCommand,
  "keys generate": async () => (await import("./commands/keys-generate.js")).keysGenerateCommand,
  "keys api create": async () => (await import("./commands/keys-api.js")).keysApiCreateCommand,
  "keys api list": async () => (await import("./commands/keys-api.js")).keysApiListCommand,
  "keys api revoke": async () => (await import("./commands/keys-api.js")).keysApiRevokeCommand,
  "log create": async () => (await import("./commands/log-create.js")).logCreateCommand,
  "log list": async () => (await import("./commands/log-list.js")).logListCommand,
  emit: async () => (await import("./commands/emit.js")).emitCommand,
  checkpoint: async () => (await import("./commands/checkpoint.js")).checkpointCommand,
  verify: async () => (await import("./commands/verify.js")).verifyCommand,
  sweep: async () => (await import("./commands/sweep.js")).sweepCommand,
  "proof inclusion": async () => (await import("./commands/proof-inclusion.js")).proofInclusionCommand,
  "proof consistency": async () => (await import("./commands/proof-consistency.js")).proofConsistencyCommand,
  serve: async () => (await import("./commands/serve.js")).serveCommand,
  worker: async () => (await import("./commands/worker.js")).workerCommand,
  pack: async () => (await import("./commands/pack.js")).packCommand,
  "verify-pack": async () => (await import("./commands/pack-verify.js")).packVerifyCommand,
  "pack-worker": async () => (await import("./commands/pack-worker.js")).packWorkerCommand,
  "tiles export": async () => (await import("./commands/tiles.js")).tilesExportCommand,
  "log publish": async () => (await import("./commands/tiles.js")).logPublishCommand,
  "log retention": async () => (await import("./commands/log-retention.js")).logRetentionCommand,
  erase: async () => (await import("./commands/erase.js")).eraseCommand,
  "erase approve": async () => (await import("./commands/erase.js")).eraseApproveCommand,
  "erase list": async () => (await import("./commands/erase.js")).eraseListCommand,
  attest: async () => (await import("./commands/attest.js")).attestCommand,
  "hold create": async () => (await import("./commands/hold.js")).holdCreateCommand,
  "hold list": async () => (await import("./commands/hold.js")).holdListCommand,
  "hold release": async () => (await import("./commands/hold.js")).holdReleaseCommand,
  "witness serve": async () => (await import("./commands/witness.js")).witnessServeCommand,
  "witness vkey": async () => (await import("./commands/witness.js")).witnessVkeyCommand,
  "tmux attach": async () => (await import("./commands/tmux-attach.js")).tmuxAttachCommand,
  "tmux detach": async () => (await import("./commands/tmux-detach.js")).tmuxDetachCommand,
  "tmux capture": async () => (await import("./commands/tmux-capture.js")).tmuxCaptureCommand,
  "tmux event": async () => (await import("./commands/tmux-event.js")).tmuxEventCommand,
  "tmux command": async () => (await import("./commands/tmux-command.js")).tmuxCommandCommand,
  "tmux flush": async () => (await import("./commands/tmux-flush.js")).tmuxFlushCommand,
  "tmux replay": async () => (await import("./commands/tmux-replay.js")).tmuxReplayCommand,
  "tmux shell-hook": async () => (await import("./commands/tmux-shell-hook.js")).tmuxShellHookCommand,
  completion: async () => (await import("./commands/completion.js")).completionCommand,
  up: async () => (await import("./commands/up.js")).upCommand,
  env: async () => (await import("./commands/env.js")).envCommand,
  demo: async () => (await import("./commands/demo.js")).demoCommand,
}));
/** Every command name main knows: the spec (src/cli/spec) documents exactly these (a test checks). */
export const COMMAND_NAMES: readonly string[] = [...COMMANDS.keys(), "help", "--version"];
/** Commands that take a subcommand (and subgroups: `keys api create`). */
const GROUPS = new Set(["keys", "log", "proof", "keys api", "tmux", "witness", "tiles", "erase", "hold"]);
const HELP = new Set(["help", "--help", "-h"]);

/** Runs one command line; returns the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [first] = argv;
  if (first !== undefined && HELP.has(first)) return help(argv.slice(1));
  if (first === "--version" || first === "version") {
    process.stdout.write(`sealtrail ${packageVersion()}\n`);
    return 0;
  }
  let name = first;
  // A group that is a command too (erase) takes the next word only when it names a subcommand.
  for (let i = 1; name !== undefined && GROUPS.has(name) && argv[i] !== undefined && !(COMMANDS.has(name) && !COMMANDS.has(`${name} ${argv[i]}`)); i++) name = `${name} ${argv[i]}`;
  const load = name === undefined ? undefined : COMMANDS.get(name);
  if (!load) {
    process.stderr.write(`sealtrail: ${name === undefined ? "no command given" : `unknown command ${JSON.stringify(name)}`}\n\n${USAGE}`);
    return EXIT_ERROR;
  }
  const args = argv.slice(name!.split(" ").length);
  if (args.includes("--help") || args.includes("-h")) return help(name!.split(" "));
  // Here, not at the top: help and --version need neither, and start faster without them
  // (the configuration's parsers, every error class, the Postgres client: bench/cli.ts).
  const [{ loadConfig }, { DEFAULT_ORIGIN_PREFIX }, { describeFailure }] = await Promise.all([
    import("../config/index.js"),
    import("./context.js"),
    import("./report-error.js"),
  ]);
  const config = loadConfig(env);
  const cli: Cli = {
    config,
    originPrefix: (env.SEALTRAIL_ORIGIN_PREFIX || DEFAULT_ORIGIN_PREFIX).replace(/\/+$/, ""),
    stdout: (text) => void process.stdout.write(text),
    readStdin,
  };
  try {
    const command = await load();
    return await command(args, cli);
  } catch (error) {
    const failure = describeFailure(error, config);
    process.stderr.write(`sealtrail: ${failure.message}\n`);
    return failure.exitCode;
  }
}

/** `sealtrail help [COMMAND...]`: the overview, or the page of the command's group. */
function help(words: string[]): number {
  if (words.length === 0) {
    process.stdout.write(USAGE);
    return 0;
  }
  const page = findPage(words);
  if (!page) {
    process.stderr.write(`sealtrail: help: no command ${JSON.stringify(words.join(" "))}; the commands: ${PAGES.map((p) => p.name).join(", ")}\n`);
    return EXIT_ERROR;
  }
  process.stdout.write(pageText(page));
  return 0;
}

/** Entry point of bin/sealtrail.js: sets the exit status and lets the process end by itself, so output drains. */
export async function runCli(argv: string[]): Promise<void> {
  // `sealtrail log list | head -1` closes the pipe early: that is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await main(argv);
}

/** Standard input as UTF-8 text; ill-formed bytes are refused (USAGE), never replaced by U+FFFD. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = strictUtf8(Buffer.concat(chunks));
  if (text === undefined) throw new CliError("USAGE", "standard input is not UTF-8 text: ill-formed bytes are refused, not replaced");
  return text;
}

// `node dist/src/cli/main.js …` runs this file directly.
if (isEntryPoint(import.meta.url)) await runCli(process.argv.slice(2));
