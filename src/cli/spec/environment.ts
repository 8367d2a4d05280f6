/** The environment the commands read (src/config), and the exit statuses (cli-error.ts). */
import type { EnvironmentDoc } from "./types.js";

export const ENVIRONMENT: EnvironmentDoc[] = [
  { name: "SEALTRAIL_HOME", text: "up and env: the state directory (default ./.sealtrail)" },
  { name: "DATABASE_URL", text: "Postgres URL (default postgres://postgres@127.0.0.1:5432/postgres)" },
  { name: "SEALTRAIL_DB_SCHEMA", text: "schema holding the ledger (default sealtrail)" },
  { name: "SEALTRAIL_DB_ROLE_PREFIX", text: "prefix of the deployment's database roles (default <database>_<schema>)" },
  { name: "SEALTRAIL_DB_SERVICE_PASSWORD", text: "migrate: create or update the services' login <prefix>_service (a member of the writer and reader roles only) with this password" },
  { name: "SEALTRAIL_SIGNING_KEY", text: "PKCS8 PEM file that signs checkpoints" },
  { name: "SEALTRAIL_VERIFIER_KEY", text: "trusted verifier key (vkey text or file) for verify and sweeps" },
  { name: "SEALTRAIL_ORIGIN_PREFIX", text: "prefix of new log origins (default sealtrail.local)" },
  { name: "REDIS_URL", text: "queues (default redis://127.0.0.1:6379)" },
  { name: "SEALTRAIL_INGEST_QUEUE", text: "the ingest queue's name (default ingest)" },
  { name: "SEALTRAIL_INGEST_CONCURRENCY", text: "batches a worker has in hand at once (default 4)" },
  { name: "PORT", text: "serve: the API's port (default 4000)" },
  { name: "SEALTRAIL_API_HOST", text: "serve: the address the API listens on (default 127.0.0.1, loopback only)" },
  { name: "SEALTRAIL_WEBHOOK_SOURCES", text: "serve: webhook sources, JSON (docs/ingestion.md)" },
  { name: "SEALTRAIL_WITNESS_DIR", text: "where checkpoint copies are kept outside the database" },
  { name: "SEALTRAIL_ALERT_WEBHOOKS", text: "URLs integrity alerts are POSTed to (with SEALTRAIL_ALERT_SECRET)" },
  { name: "SEALTRAIL_WITNESSES", text: 'cosigning witnesses, "URL VKEY" entries separated by ";"' },
  { name: "SEALTRAIL_WITNESS_QUORUM", text: "cosignatures each new checkpoint must gather (default all witnesses)" },
  { name: "SEALTRAIL_TSA_URL", text: "RFC 3161 time-stamping authority checkpoints are stamped by" },
  { name: "SEALTRAIL_PACK_KEY", text: "PKCS8 PEM file that signs packs (default SEALTRAIL_SIGNING_KEY)" },
  { name: "SEALTRAIL_PACK_EXPORTERS", text: "exporter plugin modules, comma-separated" },
  { name: "SEALTRAIL_PACK_DIR", text: "where pack-worker writes packs and serve serves them (default packs)" },
  { name: "SEALTRAIL_SPOOL_DIR", text: "tmux capture spool (default $XDG_STATE_HOME/sealtrail/spool, else ~/.local/state/sealtrail/spool)" },
  { name: "SEALTRAIL_API_URL", text: "tmux attach: ship the captures to this API (recordEvents over HTTP(S)) instead of Redis" },
  { name: "SEALTRAIL_API_TOKEN", text: "with SEALTRAIL_API_URL: an API key holding events:write (or SEALTRAIL_API_TOKEN_FILE, a file holding it)" },
  { name: "SEALTRAIL_TMUX_CAPTURE_PRIORITY", text: "idle (default) or normal: the CPU scheduling of the captures tmux attach starts" },
  { name: "SEALTRAIL_SEARCH_INDEXER", text: "false: this worker does not run the search indexer" },
];

export const EXIT_STATUS: string[] = [
  "0 success; 1 verify, sweep or verify-pack found tampering (verify-pack: integrity or authenticity failed); 2 usage, key, database or queue error, or an event refused; 3 verify or verify-pack: the witness quorum is not met; 4 verify-pack: the pack is intact but its authenticity is unknown (no --key); 5 erase: refused by a legal hold or the four-eyes rule (the refusal is recorded in the log).",
];
