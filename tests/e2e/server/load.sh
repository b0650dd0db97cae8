#!/usr/bin/env bash
# Runs load.mjs ROUNDS times (default 2) against `holo serve --parallel P` for each P given, on one
# model, and reports throughput and the server's RSS: idle after loading, after the
# first round (KV pages, thread stacks and malloc arenas touched once) and after
# the second (a leak would grow it again).
# usage: tests/e2e/server/load.sh HOLO_BIN MODEL.gguf N "1 8" [THREADS]
set -euo pipefail
holo=$1; model=$2; n=$3; parallels=$4; threads=${5:-2}
here=$(cd "$(dirname "$0")" && pwd)
for p in $parallels; do
  log=$(mktemp)
  "$holo" serve "$model" --port 0 --parallel "$p" --ctx 512 --threads "$threads" --max-queue 400 \
    --models "$(mktemp -d)" >"$log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  name=$(basename "$model" .gguf | tr 'A-Z' 'a-z'):latest
  # Warm-up (loads the model), then the idle RSS.
  curl -s -o /dev/null "$url/api/generate" -d "{\"model\":\"$name\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}"
  rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  line="parallel=$p rss_idle_kb=$rss_idle"
  for r in $(seq 1 "${ROUNDS:-2}"); do
    result=$(timeout 900 node "$here/load.mjs" "$url" "$name" "$n" 0.1 || true)
    sleep 1
    line="$line rss_after_round${r}_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
    echo "  round $r: $result"
  done
  echo "$line"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
done
