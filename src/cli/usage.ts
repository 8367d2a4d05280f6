export const USAGE = `Usage: sealtrail <command> [options]

Commands:
  migrate                         create or update the ledger tables in SEALTRAIL_DB_SCHEMA
  keys generate --out DIR [--name NAME]
                                  new Ed25519 key: DIR/signing-key.pem (0600),
                                  DIR/signing-key.pub.pem, DIR/verifier-key.vkey
  log create NAME [--tenant T] [--origin ORIGIN]
                                  new log; origin defaults to <SEALTRAIL_ORIGIN_PREFIX>/NAME
  log list                        logs and their sizes, one JSON object a line
  emit --log NAME --kind K --actor A --action X --resource R
       [--outcome success|failure] [--source S] [--tag T]... [--occurred-at ISO]
       [--payload JSON|-] [--idempotency-key K]
                                  append one event (--payload - reads JSON from stdin)
  checkpoint --log NAME           sign the current tree head; prints the signed note
  verify --log NAME [--checkpoint FILE] [--key VKEY|FILE] [--json] [--threads N]
                                  recompute and check the whole log
  proof inclusion --log NAME --seq N [--size M]
  proof consistency --log NAME --from A --to B
  keys api create --tenant T --scopes S[,S]... [--name N]
                                  new API key; prints its token once (scopes: events:read,
                                  proofs:read, events:write, packs:create, admin)
  keys api list [--tenant T]      API keys, one JSON object a line (never a secret)
  keys api revoke ID              revoke an API key
  serve [--port N]                the API (PORT, default 4000): /graphql (HTTP and
                                  WebSocket subscriptions), GET /healthz
  worker [--concurrency N]        the ingest worker: appends the event batches queued in
                                  SEALTRAIL_INGEST_QUEUE, and indexes new entries for
                                  search; SIGTERM or SIGINT finishes the batches in hand,
                                  then exits; one JSON line per job
  help                            this text

Environment:
  DATABASE_URL             Postgres URL (default postgres://postgres@127.0.0.1:5432/postgres)
  SEALTRAIL_DB_SCHEMA      schema holding the ledger (default sealtrail)
  SEALTRAIL_SIGNING_KEY    PKCS8 PEM file that signs checkpoints
  SEALTRAIL_VERIFIER_KEY   trusted verifier key (vkey text or file) for verify
  SEALTRAIL_ORIGIN_PREFIX  prefix of new log origins (default sealtrail.local)
  REDIS_URL                queues (default redis://127.0.0.1:6379)
  SEALTRAIL_INGEST_CONCURRENCY
                           batches a worker has in hand at once (default 4)
  SEALTRAIL_SEARCH_INDEXER false: this worker does not run the search indexer

Exit status: 0 success; 1 verify found tampering; 2 usage, key or database error.
`;
