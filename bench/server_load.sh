#!/usr/bin/env bash
# Load test of `holo serve` on loopback: throughput --parallel 1 vs 8 (200 streams,
# mixed short/long, 10% disconnecting), an overload phase (503s), /health latency,
# cancelled-slot release and RSS against idle; PASS/FAIL per criterion, exit 1 on a
# FAIL. Without MODEL it writes the tiny-qwen3moe synth model (q8_0) to a temp dir.
# usage: bench/server_load.sh [HOLO=build/holo] [MODEL.gguf] [-- extra server_load.mjs options]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pos=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do pos+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
holo=${pos[0]:-build/holo}
model=${pos[1]:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$model" ]; then
  model=$tmp/tiny-qwen3moe.gguf
  "$holo" synth --preset tiny-qwen3moe --type q8_0 -o "$model" -q
fi
echo "commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$here" diff --quiet HEAD -- src 2>/dev/null || echo ' (+ local changes in src/)')"
node "$here/server_load.mjs" --holo "$holo" --model "$model" "$@"
