#!/usr/bin/env bash
# Tokenizer speed next to llama.cpp's (llama_tokenize through node-llama-cpp's
# prebuilt binding), same vocabulary, same 1 MB of mixed text (English, code, CJK,
# emoji, numbers, whitespace runs), best of 3 each, in one run. The work is done by
# tests/tokenizer/tokenizer_llamacpp_test (which also checks the ids agree); this
# prints its speed lines and the ratio.
# Usage: bench/tokenize_compare.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/tokenizer_llamacpp_test" ] || { echo "build $build/tokenizer_llamacpp_test first (scripts/setup)" >&2; exit 1; }
"$build/tokenizer_llamacpp_test" --gtest_brief=1 | grep 'vs llama.cpp' | \
  sed -E 's/^\[([a-z0-9_]+)\].*1 MB: holo ([0-9.]+) s.*llama.cpp ([0-9.]+) s.*/\1 \2 \3/' | \
  awk 'BEGIN { printf "%-12s %10s %14s %8s\n", "vocabulary", "holo s/MB", "llama.cpp s/MB", "speedup" }
       { printf "%-12s %10.3f %14.3f %7.2fx\n", $1, $2, $3, $3 / $2 }'
