/** The ledger's commands: migrate, log, emit, checkpoint, verify, sweep, proof. */
import type { PageDoc } from "./types.js";

const KEY_OPTION = {
  flag: "--key VKEY|FILE",
  text: "the trusted verifier key (vkey text, or a file holding it); default SEALTRAIL_VERIFIER_KEY. The checkpoints are checked against it, not against keys stored in the database.",
};
const THREADS_OPTION = { flag: "--threads N", text: "verify on N worker threads (default 2; 0: in this thread)" };

export const LEDGER_PAGES: PageDoc[] = [
  {
    name: "migrate",
    title: "create or update the ledger tables",
    description: [
      "Creates or updates the roles, tables, triggers and row-level security policies of the ledger in the schema SEALTRAIL_DB_SCHEMA of DATABASE_URL, and prints the names of the deployment's roles. The roles are the deployment's own: <prefix>_owner, <prefix>_writer and <prefix>_reader, where the prefix is SEALTRAIL_DB_ROLE_PREFIX or else <database>_<schema>. With SEALTRAIL_DB_SERVICE_PASSWORD it also creates (or updates) <prefix>_service, the login for the services: a member of the writer and reader roles only, with that password. It needs a superuser (roles are cluster-wide objects; docs/security.md lists everything it changes outside the schema) and is safe to run again and from several processes, schemas and databases at once: it holds an advisory lock of its database while it works.",
    ],
    commands: [{ name: "migrate", args: [], summary: "create or update the ledger tables in SEALTRAIL_DB_SCHEMA" }],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_DB_ROLE_PREFIX", "SEALTRAIL_DB_SERVICE_PASSWORD"],
  },
  {
    name: "log",
    title: "create and list logs",
    description: [
      "A log is one append-only Merkle tree (RFC 9162) of events of one tenant, with its own origin: the key name its checkpoints are signed under (C2SP signed-note).",
    ],
    commands: [
      {
        name: "log create",
        args: ["NAME [--tenant T] [--origin ORIGIN] [--leaf-version 1|2] [--hot-days N] [--clear-days N]"],
        summary: "new log; origin defaults to <SEALTRAIL_ORIGIN_PREFIX>/NAME",
        details: ["Prints the log as JSON with its vkey: the verifier key of its checkpoints, to keep where auditors find it."],
        options: [
          { flag: "--tenant T", text: "the tenant the log belongs to (default: default)" },
          { flag: "--origin ORIGIN", text: "the checkpoints' origin line (default <SEALTRAIL_ORIGIN_PREFIX>/NAME)" },
          { flag: "--leaf-version 1|2", text: "the leaf format of its entries (docs/leaf-format.md): 2, salted commitments to actor, resource and payload, which sealtrail erase can shred (default); 1, actor and resource in clear and the payload's unsalted hash" },
          { flag: "--hot-days N", text: "retention: days entries stay in the main tables before they move to the archive (default 92)" },
          { flag: "--clear-days N", text: "retention: days clear values are kept (default 366)" },
        ],
      },
      { name: "log list", args: [], summary: "logs and their sizes, one JSON object a line" },
      {
        name: "log publish",
        args: ["NAME [--private]"],
        summary: "serve the log's C2SP tlog-tiles without an API key (--private: no longer)",
        details: ["Recorded as a row of its own (the ledger is append-only); the newest row decides."],
        options: [{ flag: "--private", text: "withdraw it: tiles need an API key of the log's tenant with events:read again" }],
      },
      {
        name: "log retention",
        args: ["NAME [--hot-days N] [--clear-days N]"],
        summary: "the log's retention policy as JSON; with a flag, change it (recorded in the tenant's audit log)",
        details: [
          "Defaults meet PCI DSS 10.5.1: entries stay in the main tables 92 days (the last three months immediately available), then move to the archive, where they still verify; clear values are kept 366 days. The integrity worker applies the policies daily (SEALTRAIL_RETENTION_CRON).",
        ],
        options: [
          { flag: "--hot-days N", text: "days entries stay in the main tables" },
          { flag: "--clear-days N", text: "days clear values are kept" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_SIGNING_KEY", "SEALTRAIL_ORIGIN_PREFIX"],
  },
  {
    name: "emit",
    title: "append one event",
    description: ["Appends one event to a log and prints its receipt as JSON: sequence number, leaf hash and tree size."],
    commands: [
      {
        name: "emit",
        args: ["--log NAME --kind K --actor A --action X --resource R", "[--outcome success|failure] [--source S] [--tag T]... [--occurred-at ISO]", "[--payload JSON|-] [--idempotency-key K] [--via direct|queue]"],
        summary: "append one event (--payload - reads JSON from stdin); --via queue: through the ingest queue and its worker, waiting for the commit (same output)",
        options: [
          { flag: "--log NAME", text: "the log to append to" },
          { flag: "--kind K", text: "the event's kind (deploy, access, config, ...)" },
          { flag: "--actor A", text: "who did it" },
          { flag: "--action X", text: "what was done" },
          { flag: "--resource R", text: "what it was done to" },
          { flag: "--outcome success|failure", text: "how it ended (default success)" },
          { flag: "--source S", text: "the system that reported it" },
          { flag: "--tag T...", text: "a tag; repeat for more" },
          { flag: "--occurred-at ISO", text: "when it happened (default: now)" },
          { flag: "--payload JSON|-", text: "the event's payload, a JSON object; - reads it from standard input" },
          { flag: "--idempotency-key K", text: "the same key appends the event once, however often it is sent" },
          { flag: "--via direct|queue", text: "direct (default): append here; queue: through the ingest queue and its worker, with ingestion's validation, waiting for the commit" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "REDIS_URL", "SEALTRAIL_INGEST_QUEUE"],
    examples: ["$ sealtrail emit --log prod --kind deploy --actor alice --action deploy.finish --resource api --payload '{\"version\":\"1.4.2\"}'"],
  },
  {
    name: "checkpoint",
    title: "sign the current tree head",
    description: ["Signs the log's current tree head with SEALTRAIL_SIGNING_KEY and prints the signed note byte for byte (C2SP tlog-checkpoint), so that `> FILE` keeps a checkpoint to verify against later."],
    commands: [{ name: "checkpoint", args: ["--log NAME"], summary: "sign the current tree head; prints the signed note (with SEALTRAIL_WITNESS_DIR: refused unless the tree extends the newest witness copy, and copied there)", options: [{ flag: "--log NAME", text: "the log" }] }],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_SIGNING_KEY", "SEALTRAIL_WITNESS_DIR"],
    examples: ["$ sealtrail checkpoint --log prod > prod.checkpoint"],
  },
  {
    name: "verify",
    title: "recompute and check a whole log",
    description: [
      "Recomputes every entry's hash and the Merkle tree of the log, and checks every stored checkpoint's signature and root, and the given checkpoint's. Exit status 1 names what was tampered with.",
      "With witnesses (C2SP tlog-witness), the checkpoint checked (FILE, else the newest stored) must also carry cosignatures (C2SP tlog-cosignature) of K of them, else the exit status is 3.",
    ],
    commands: [
      {
        name: "verify",
        args: ["--log NAME [--checkpoint FILE] [--key VKEY|FILE] [--json] [--threads N]", "[--witness VKEY|FILE]... [--quorum K]"],
        summary: "recompute and check the whole log; with witnesses, the checkpoint must carry cosignatures of K of them (default all), else exit 3",
        options: [
          { flag: "--log NAME", text: "the log" },
          { flag: "--checkpoint FILE", text: "a checkpoint kept outside the database (sealtrail checkpoint > FILE): the log must still extend it" },
          KEY_OPTION,
          { flag: "--json", text: "the report as JSON" },
          THREADS_OPTION,
          { flag: "--witness VKEY|FILE...", text: "a witness's cosigner vkey (or a file of them, one a line); repeat for more" },
          { flag: "--quorum K", text: "how many of the witnesses must have cosigned (default all)" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_VERIFIER_KEY"],
  },
  {
    name: "sweep",
    title: "an integrity sweep now",
    description: [
      "One sweep of one log, as the integrity worker's scheduled ones: checked against the witness copies, recorded in the tenant's audit log, alerting the webhooks on failure. Incremental (what followed the last verified checkpoint) unless --full or unless the last sweep did not verify.",
      "With SEALTRAIL_WITNESSES, the log's newest checkpoint must also carry valid cosignatures (C2SP tlog-cosignature) of SEALTRAIL_WITNESS_QUORUM of them (default all): the record names each witness as cosigned, missing or invalid, and a checkpoint short of the quorum raises witness.quorum and exits 3.",
    ],
    commands: [
      {
        name: "sweep",
        args: ["--log NAME [--full] [--key VKEY|FILE] [--json] [--threads N]"],
        summary: "an integrity sweep now: incremental (what followed the last verified checkpoint) unless --full; checks the witness copies, records the result, alerts on failure",
        options: [{ flag: "--log NAME", text: "the log" }, { flag: "--full", text: "verify the whole log" }, KEY_OPTION, { flag: "--json", text: "the result as JSON" }, THREADS_OPTION],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_VERIFIER_KEY", "SEALTRAIL_WITNESS_DIR", "SEALTRAIL_WITNESSES", "SEALTRAIL_WITNESS_QUORUM", "SEALTRAIL_ALERT_WEBHOOKS"],
  },
  {
    name: "proof",
    title: "Merkle proofs of a log",
    description: ["Prints RFC 9162 proofs as JSON, hashes in base64, for checking without sealtrail."],
    commands: [
      {
        name: "proof inclusion",
        args: ["--log NAME --seq N [--size M]"],
        summary: "entry N is in the tree of size M (RFC 9162, section 2.1.3)",
        details: ["With the stored signed checkpoint of exactly that size when there is one."],
        options: [{ flag: "--log NAME", text: "the log" }, { flag: "--seq N", text: "the entry's sequence number" }, { flag: "--size M", text: "the tree size (default: the current size)" }],
      },
      {
        name: "proof consistency",
        args: ["--log NAME --from A --to B"],
        summary: "the tree of size B extends the tree of size A (RFC 9162, section 2.1.4)",
        options: [{ flag: "--log NAME", text: "the log" }, { flag: "--from A", text: "the older tree size" }, { flag: "--to B", text: "the newer tree size" }],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA"],
  },
  {
    name: "tiles",
    title: "a log's C2SP tlog-tiles as files",
    description: ["The same checkpoint, tiles and entry bundles serve exposes under /logs/NAME/ (C2SP tlog-tiles), written as static files at the paths a tiles client fetches, for the log's newest checkpoint: an auditor handed the directory (or any static file server over it) has the whole log, verifiable with the log's vkey alone."],
    commands: [
      {
        name: "tiles export",
        args: ["--log NAME --out DIR"],
        summary: "the log's C2SP tlog-tiles (checkpoint with cosignatures, tiles, entry bundles) as static files, for an auditor",
        options: [
          { flag: "--log NAME", text: "the log" },
          { flag: "--out DIR", text: "where to write checkpoint and tile/; the checkpoint is written last" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA"],
  },
];
