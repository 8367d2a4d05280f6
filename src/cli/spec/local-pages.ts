/** The local platform: `sealtrail up` runs all of it on one machine, `env` points other commands at it. */
import type { PageDoc } from "./types.js";

export const LOCAL_PAGES: PageDoc[] = [
  {
    name: "up",
    title: "the whole platform in one process",
    description: [
      "Runs the API and the ingest, integrity and evidence workers in one process on a state directory (SEALTRAIL_HOME, default ./.sealtrail), until SIGINT or SIGTERM (Ctrl-C); a second signal exits at once. Without DATABASE_URL it runs an embedded PostgreSQL 17 in the state directory, on a Unix socket only; as root, that server runs as the OS user postgres (created when missing), since PostgreSQL refuses to run as root. Without REDIS_URL it starts a private redis-server from the PATH (append-only file in the state directory); without one, the jobs run in this process and a receipt is given only after the commit.",
      "The first start migrates, generates the signing key (keys/signing-key.pem, 0600), creates the logs events and tmux of tenant default and an admin API key, and prints its token once. Later starts reuse all of it. A server left running by a killed sealtrail up is stopped and started again.",
    ],
    commands: [
      {
        name: "up",
        args: ["[--port N] [--host H]"],
        summary: "the whole platform on SEALTRAIL_HOME (default ./.sealtrail): embedded PostgreSQL unless DATABASE_URL, private redis-server (or in-process jobs) unless REDIS_URL, the API and every worker",
        options: [
          { flag: "--port N", text: "the API's port (default PORT, else 4000; 0: any free port)" },
          { flag: "--host H", text: "the address to listen on (default 127.0.0.1)" },
        ],
      },
    ],
    environment: ["SEALTRAIL_HOME", "DATABASE_URL", "REDIS_URL", "PORT"],
    examples: ["$ npx sealtrail up", "$ eval \"$(npx sealtrail env)\" && npx sealtrail log list"],
  },
  {
    name: "env",
    title: "the settings of the running sealtrail up",
    description: ["Prints the settings of the sealtrail up running on SEALTRAIL_HOME (DATABASE_URL, REDIS_URL, SEALTRAIL_SIGNING_KEY, the state directory's witness, pack and spool directories, SEALTRAIL_API_URL) as shell exports, so that the other commands reach it. Fails when none runs."],
    commands: [
      {
        name: "env",
        args: ["[--json]"],
        summary: "the running sealtrail up's settings as shell exports: eval \"$(npx sealtrail env)\"",
        options: [{ flag: "--json", text: "one JSON object instead" }],
      },
    ],
    environment: ["SEALTRAIL_HOME"],
  },
  {
    name: "demo",
    title: "a realistic quarter of events, a sweep and a SOC 2 pack",
    description: [
      "Fills the running sealtrail up (or, when none runs on SEALTRAIL_HOME, the ledger of DATABASE_URL with SEALTRAIL_SIGNING_KEY) with a quarter of one small company's operations in five logs of tenant default: demo-deploys (most with a change approval, some without, a few rollbacks), demo-access (logins, privilege changes, bursts of failed logins), demo-config (secrets redacted), demo-errors and demo-tmux (a recorded incident session with its commands and output). Then it signs a checkpoint of each log, sweeps them, builds a signed SOC 2 pack into the pack directory and prints what to look at.",
      "Deterministic: the same seed gives the same events, and a second run with the same seed appends nothing (every event has an idempotency key).",
    ],
    commands: [
      {
        name: "demo",
        args: ["[--seed S]"],
        summary: "fill the running sealtrail up with a realistic quarter (about 2,300 events in five logs), sweep it and build a SOC 2 pack",
        options: [{ flag: "--seed S", text: "the seed of the events (default 1)" }],
      },
    ],
    environment: ["SEALTRAIL_HOME", "DATABASE_URL", "SEALTRAIL_SIGNING_KEY", "SEALTRAIL_PACK_DIR"],
  },
];
