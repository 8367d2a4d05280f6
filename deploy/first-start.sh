#!/bin/sh
# First start of a sealtrail deployment (the compose `setup` service runs it as root; run
# again, it changes nothing that exists). In order:
#   1. the state directories (keys, packs, witness copies, the archive) exist and belong to the user the
#      processes run as (SEALTRAIL_RUN_AS, default node, uid 1000 in the image);
#   2. the signing key: kept if present; else copied from SEALTRAIL_HOST_KEYS (your own key,
#      mounted read-only: any owner and mode will do, the copy is 0600 and owned by that user);
#      else generated;
#   3. the ledger's tables (sealtrail migrate);
#   4. on the very first start only: the logs `events` and `tmux` of the tenant `default` (as
#      `sealtrail up` makes them) and an admin API key, whose token is printed this once (only
#      its hash is stored).
set -eu

KEYS=${SEALTRAIL_KEYS_DIR:-/keys}
HOST_KEYS=${SEALTRAIL_HOST_KEYS:-/keys-host}
RUN_AS=${SEALTRAIL_RUN_AS:-node}
TENANT=${SEALTRAIL_FIRST_TENANT:-default}
LOGS=${SEALTRAIL_FIRST_LOGS:-events tmux}
HERE=$(cd "$(dirname "$0")" && pwd)
SEALTRAIL="node $HERE/../bin/sealtrail.js"
export SEALTRAIL_SIGNING_KEY="${SEALTRAIL_SIGNING_KEY:-$KEYS/signing-key.pem}"

say() { printf 'sealtrail setup: %s\n' "$*"; }

# As RUN_AS when started as root (setpriv is in util-linux, in every Debian image).
as_user() {
  if [ "$(id -u)" = 0 ] && [ -n "$RUN_AS" ]; then
    setpriv --reuid="$RUN_AS" --regid="$(id -g "$RUN_AS")" --init-groups -- "$@"
  else
    "$@"
  fi
}

for dir in "$KEYS" ${SEALTRAIL_PACK_DIR:-} ${SEALTRAIL_WITNESS_DIR:-} ${SEALTRAIL_ARCHIVE_DIR:-}; do
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ] && [ -n "$RUN_AS" ]; then chown "$RUN_AS:" "$dir"; fi
done
chmod 0700 "$KEYS"

if [ -f "$SEALTRAIL_SIGNING_KEY" ]; then
  say "signing key $SEALTRAIL_SIGNING_KEY kept"
elif [ -f "$HOST_KEYS/signing-key.pem" ]; then
  for name in signing-key.pem signing-key.pub.pem verifier-key.vkey; do
    [ -f "$HOST_KEYS/$name" ] || continue
    mode=0644; [ "$name" = signing-key.pem ] && mode=0600
    cp "$HOST_KEYS/$name" "$KEYS/$name"
    chmod "$mode" "$KEYS/$name"
    if [ "$(id -u)" = 0 ] && [ -n "$RUN_AS" ]; then chown "$RUN_AS:" "$KEYS/$name"; fi
  done
  say "signing key copied from $HOST_KEYS into $KEYS (0600)"
else
  as_user $SEALTRAIL keys generate --out "$KEYS" --name "${SEALTRAIL_ORIGIN_PREFIX:-sealtrail.local}"
  say "signing key generated in $KEYS"
fi

as_user $SEALTRAIL migrate

if [ -n "$(as_user $SEALTRAIL log list)" ]; then
  say "logs exist: nothing more to do"
  exit 0
fi
for log in $LOGS; do
  as_user $SEALTRAIL log create "$log" --tenant "$TENANT"
  say "log $log created for tenant $TENANT"
done
say "admin API key (the token is shown this once; keep it):"
as_user $SEALTRAIL keys api create --tenant "$TENANT" --scopes events:read,proofs:read,events:write,packs:create,admin --name first-start
