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
       [--payload JSON|-] [--idempotency-key K] [--via direct|queue]
                                  append one event (--payload - reads JSON from stdin);
                                  --via queue: through the ingest queue and its worker,
                                  waiting for the commit (same output)
  checkpoint --log NAME           sign the current tree head; prints the signed note
  verify --log NAME [--checkpoint FILE] [--key VKEY|FILE] [--json] [--threads N]
         [--witness VKEY|FILE]... [--quorum K]
                                  recompute and check the whole log; with witnesses, the
                                  checkpoint must carry cosignatures of K of them (default
                                  all), else exit 3
  sweep --log NAME [--full] [--key VKEY|FILE] [--json] [--threads N]
                                  an integrity sweep now: incremental (what followed the
                                  last verified checkpoint) unless --full; checks the
                                  witness copies, records the result, alerts on failure
  proof inclusion --log NAME --seq N [--size M]
  proof consistency --log NAME --from A --to B
  keys api create --tenant T --scopes S[,S]... [--name N]
                                  new API key; prints its token once (scopes: events:read,
                                  proofs:read, events:write, packs:create, admin)
  keys api list [--tenant T]      API keys, one JSON object a line (never a secret)
  keys api revoke ID              revoke an API key
  serve [--port N]                the API (PORT, default 4000): /graphql (HTTP and
                                  WebSocket subscriptions), GET /healthz
  worker [--concurrency N] [--only ingest|integrity]
                                  the ingest worker (appends the event batches queued in
                                  SEALTRAIL_INGEST_QUEUE, and indexes new entries for
                                  search) and the integrity worker
                                  (checkpoints, witness copies, scheduled sweeps, alerts);
                                  SIGTERM or SIGINT finishes the jobs in hand, then exits;
                                  one JSON line per job
  pack --framework F --log NAME [--log NAME]... --from ISO --to ISO --out DIR
       [--org NAME] [--scope TEXT] [--requested-by WHO] [--requested-at ISO]
       [--seed S] [--sample-size N] [--failed-login-threshold N]
       [--approval-tag T]... [--archive tar.gz] [--progress]
                                  signed evidence pack (F: soc2, hipaa, pci-dss or an
                                  exporter plugin) of the entries recorded in [from, to)
                                  in each log (up to 20, of one tenant)
  verify-pack DIR [--key VKEY|FILE]... [--pack-key FILE] [--json]
                                  check a pack offline: hashes, signature, checkpoints,
                                  every entry and proof; says what failed
  pack-worker [--concurrency N]   the evidence worker: builds the packs requested through
                                  the API into SEALTRAIL_PACK_DIR
  witness serve --name NAME --key FILE --log VKEY|FILE... --state DIR
                [--port N] [--host H]
                                  a C2SP tlog-witness (default port 7380) cosigning the
                                  checkpoints of the given logs; prints its cosigner vkey
  witness vkey --name NAME --key FILE
                                  the cosigner vkey of a witness key
  tmux attach [-t SESSION] [-L NAME | -S PATH] [--log NAME]
                                  capture every pane of a tmux session (and panes created
                                  later) into the ingest queue for log NAME (default tmux),
                                  and record its lifecycle
  tmux detach [-t SESSION] [-L NAME | -S PATH]
                                  stop that capture: close the pipes, remove the hooks
  tmux replay --session S [--pane %N] [--log NAME] [--raw]
                                  a pane's output from the ledger as asciicast v2 (--raw:
                                  its exact bytes) on stdout
  tmux shell-hook [--shell bash|zsh]
                                  shell snippet recording each command line, exit status
                                  and directory; eval it in ~/.bashrc or ~/.zshrc
  tmux flush [--timeout SECONDS]  ship every spool no capture process is shipping (after a
                                  restart); exit 2 if chunks remain
  tmux capture | event | command  run by the hooks and pipes attach installs
  help                            this text

Environment:
  DATABASE_URL             Postgres URL (default postgres://postgres@127.0.0.1:5432/postgres)
  SEALTRAIL_DB_SCHEMA      schema holding the ledger (default sealtrail)
  SEALTRAIL_SIGNING_KEY    PKCS8 PEM file that signs checkpoints
  SEALTRAIL_VERIFIER_KEY   trusted verifier key (vkey text or file) for verify and sweeps
  SEALTRAIL_ORIGIN_PREFIX  prefix of new log origins (default sealtrail.local)
  REDIS_URL                queues (default redis://127.0.0.1:6379)
  SEALTRAIL_INGEST_QUEUE   the ingest queue's name (default ingest)
  SEALTRAIL_INGEST_CONCURRENCY
                           batches a worker has in hand at once (default 4)
  SEALTRAIL_WEBHOOK_SOURCES
                           serve: webhook sources, JSON (see the README)
  SEALTRAIL_WITNESS_DIR    where checkpoint copies are kept outside the database
  SEALTRAIL_ALERT_WEBHOOKS URLs integrity alerts are POSTed to (with SEALTRAIL_ALERT_SECRET)
  SEALTRAIL_WITNESSES      cosigning witnesses, "URL VKEY" entries separated by ";"
  SEALTRAIL_TSA_URL        RFC 3161 time-stamping authority checkpoints are stamped by
  SEALTRAIL_PACK_KEY       PKCS8 PEM file that signs packs (default SEALTRAIL_SIGNING_KEY)
  SEALTRAIL_PACK_EXPORTERS exporter plugin modules, comma-separated
  SEALTRAIL_PACK_DIR       where pack-worker writes packs and serve serves them (default packs)
  SEALTRAIL_SPOOL_DIR      tmux capture spool (default $XDG_STATE_HOME/sealtrail/spool,
                           else ~/.local/state/sealtrail/spool)
  SEALTRAIL_TMUX_CAPTURE_PRIORITY
                           idle (default) or normal: the CPU scheduling of the captures
                           tmux attach starts
  SEALTRAIL_SEARCH_INDEXER false: this worker does not run the search indexer

Exit status: 0 success; 1 verify, sweep or verify-pack found tampering; 2 usage, key,
database or queue error, or an event refused; 3 verify: the witness quorum is not met.
`;
