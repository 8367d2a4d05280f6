#!/usr/bin/env bash
# Time from a fresh clone to the first verified event and to the first evidence pack, as a new
# user gets there: git clone, npm ci, npx sealtrail up (embedded PostgreSQL, a private
# redis-server when one is on the PATH), then emit, checkpoint and verify through the CLI with
# `sealtrail env`'s settings, then a SOC 2 pack. The baseline in the same run is `npm ci` on
# its own (the floor no zero-setup path can beat).
# Usage: bash bench/quick-start.sh [RUNS]   (default 3; each run uses a new clone in a temp dir)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

for run in $(seq 1 "$runs"); do
  work=$(mktemp -d)
  # mktemp's 0700 would keep the OS user postgres (the server's user when run as root) out,
  # as a home directory of 0700 would: a clone under /srv or a user's 0755 home is what this measures.
  chmod 755 "$work"
  up_pid=
  # SIGINT to the node process `npx` runs (its pid is in up.json), as a terminal's Ctrl-C reaches it.
  stop_up() {
    local pid
    pid=$(sed -n 's/.*"pid": \([0-9]*\).*/\1/p' .sealtrail/up.json 2>/dev/null || true)
    [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null
    wait "$up_pid" 2>/dev/null || true
  }
  cleanup() { [ -n "$up_pid" ] && { tail -n 20 "$work/up.log" >&2; stop_up; }; rm -rf "$work"; }
  trap cleanup EXIT
  start=$(now)
  git clone -q "$repo" "$work/sealtrail"
  cd "$work/sealtrail"
  npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1
  npm_ci=$(since "$start")
  # Build output is not in git: npm ci's prepare script built dist/ (counted above).
  : >"$work/up.log"
  npx sealtrail up --port 0 >"$work/up.log" 2>&1 &
  up_pid=$!
  until grep -q "Ctrl-C stops everything" "$work/up.log"; do
    kill -0 "$up_pid" 2>/dev/null || { cat "$work/up.log"; exit 1; }
    sleep 0.1
  done
  up_ready=$(since "$start")
  # In a subshell: the next run's `up` must not inherit this instance's DATABASE_URL and REDIS_URL.
  (
    eval "$(npx sealtrail env)"
    npx sealtrail emit --log events --kind deploy --actor alice --action deploy.finish --resource service/api --payload '{"version":"1.4.2"}' >/dev/null
    npx sealtrail checkpoint --log events >/dev/null
    npx sealtrail verify --log events | grep -q "^verified events: 1 entries"
  )
  first_event=$(since "$start")
  (
    eval "$(npx sealtrail env)"
    npx sealtrail pack --framework soc2 --log events --from 2000-01-01T00:00:00Z --to "$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)" --out "$work/pack" >/dev/null
  )
  first_pack=$(since "$start")
  load=$(cut -d' ' -f1 /proc/loadavg)
  awk -v r="$run" -v c="$npm_ci" -v u="$up_ready" -v e="$first_event" -v p="$first_pack" -v l="$load" \
    'BEGIN { printf "run %d: clone+npm ci %s s (baseline) | up ready %s s | first verified event %s s (%.2fx) | first pack %s s (%.2fx) | load %s\n", r, c, u, e, e / c, p, p / c, l }'
  stop_up; up_pid=
  cd "$repo"
  rm -rf "$work"
  trap - EXIT
done
