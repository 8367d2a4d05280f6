/** The long-running processes of a production layout: the API and the workers. */
import type { PageDoc } from "./types.js";

export const PROCESS_PAGES: PageDoc[] = [
  {
    name: "serve",
    title: "the GraphQL API",
    description: ["Serves the API until SIGINT or SIGTERM: /graphql (GraphQL over HTTP and WebSocket subscriptions), the webhook sources, the pack downloads, GET /healthz, and each log's C2SP tlog-tiles read API under /logs/NAME/ (checkpoint with its cosignatures, tile/L/N[.p/W], tile/entries/N[.p/W]). Requests carry an API key (sealtrail keys api create) as a bearer token; a published log's tiles need none (sealtrail log publish)."],
    commands: [
      {
        name: "serve",
        args: ["[--port N] [--host H]"],
        summary: "the API (PORT, default 4000, on SEALTRAIL_API_HOST, default 127.0.0.1): /graphql (HTTP and WebSocket subscriptions), GET /healthz, and per log the C2SP tlog-tiles API under /logs/NAME/",
        options: [
          { flag: "--port N", text: "the port to listen on (default PORT, else 4000; 0: any free port)" },
          { flag: "--host H", text: "the address to listen on (default SEALTRAIL_API_HOST, else 127.0.0.1: loopback only; 0.0.0.0 or :: for every interface)" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "REDIS_URL", "PORT", "SEALTRAIL_API_HOST", "SEALTRAIL_WEBHOOK_SOURCES", "SEALTRAIL_PACK_DIR"],
  },
  {
    name: "worker",
    title: "the ingest and integrity workers",
    description: [
      "The ingest worker appends the event batches queued in SEALTRAIL_INGEST_QUEUE and indexes new entries for search; the integrity worker signs checkpoints, keeps witness copies, runs the scheduled sweeps and sends alerts. SIGTERM or SIGINT finishes the jobs in hand, then exits; one JSON line per job on standard output. With no key configured the integrity worker can check nothing: it is left out with a warning unless asked for alone.",
    ],
    commands: [
      {
        name: "worker",
        args: ["[--concurrency N] [--only ingest|integrity]"],
        summary: "the ingest worker (appends the event batches queued in SEALTRAIL_INGEST_QUEUE, and indexes new entries for search) and the integrity worker (checkpoints, witness copies, scheduled sweeps, alerts); SIGTERM or SIGINT finishes the jobs in hand, then exits; one JSON line per job",
        options: [
          { flag: "--concurrency N", text: "batches the ingest worker has in hand at once (default SEALTRAIL_INGEST_CONCURRENCY)" },
          { flag: "--only ingest|integrity", text: "run one of the two workers" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "REDIS_URL", "SEALTRAIL_INGEST_QUEUE", "SEALTRAIL_INGEST_CONCURRENCY", "SEALTRAIL_SIGNING_KEY", "SEALTRAIL_VERIFIER_KEY", "SEALTRAIL_WITNESS_DIR", "SEALTRAIL_ALERT_WEBHOOKS", "SEALTRAIL_WITNESSES", "SEALTRAIL_WITNESS_QUORUM", "SEALTRAIL_TSA_URL", "SEALTRAIL_SEARCH_INDEXER"],
  },
  {
    name: "witness",
    title: "a cosigning witness",
    description: [
      "A C2SP tlog-witness: it cosigns (C2SP tlog-cosignature, cosignature/v1) the checkpoints of the logs whose verifier keys it is given, after checking each new checkpoint is consistent with the last it cosigned, whose size and root it keeps in its state directory. A log's integrity worker submits each new checkpoint to the witnesses in SEALTRAIL_WITNESSES; verify --witness checks the cosignatures.",
    ],
    commands: [
      {
        name: "witness serve",
        args: ["--name NAME --key FILE --log VKEY|FILE... --state DIR", "[--port N] [--host H]"],
        summary: "a C2SP tlog-witness (default port 7380) cosigning the checkpoints of the given logs; prints its cosigner vkey",
        details: ["Runs until SIGINT or SIGTERM."],
        options: [
          { flag: "--name NAME", text: "the witness's key name" },
          { flag: "--key FILE", text: "its Ed25519 signing key, PKCS8 PEM (sealtrail keys generate)" },
          { flag: "--log VKEY|FILE...", text: "the verifier key of a log it witnesses (or a file of them, one a line); repeat for more" },
          { flag: "--state DIR", text: "where it keeps the latest cosigned size and root of each log" },
          { flag: "--port N", text: "the port (default 7380)" },
          { flag: "--host H", text: "the address to listen on (default 127.0.0.1)" },
        ],
      },
      {
        name: "witness vkey",
        args: ["--name NAME --key FILE"],
        summary: "the cosigner vkey of a witness key",
        options: [
          { flag: "--name NAME", text: "the witness's key name" },
          { flag: "--key FILE", text: "its signing key" },
        ],
      },
    ],
    environment: [],
  },
];
