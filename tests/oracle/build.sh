#!/usr/bin/env bash
# Builds the llama.cpp oracle (tests/oracle/build/oracle): our own small program
# compiled against the headers inside node-llama-cpp's git bundle and linked with
# the prebuilt libllama/libggml of @node-llama-cpp/linux-x64 (both installed by
# scripts/setup through npm; nothing of llama.cpp is committed). Idempotent: when
# the binary is newer than its sources and the bundle is unchanged it does nothing.
# Exits non-zero with the reason when it cannot build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tests_dir="$(dirname "$here")"
out="$here/build"
bins="$tests_dir/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
bundle="$tests_dir/node_modules/node-llama-cpp/llama/gitRelease.bundle"

fail() { echo "oracle/build.sh: $*" >&2; exit 1; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] ||
  fail "the prebuilt llama.cpp libraries are for Linux x86-64 only (this is $(uname -s)-$(uname -m))"
for lib in libllama.v0.5.0.so libggml.v0.5.0.so libggml-base.so; do
  [ -f "$bins/$lib" ] || fail "missing $bins/$lib; install the npm packages first (scripts/setup, or: cd tests && npm install --omit=optional --ignore-scripts)"
done
[ -f "$bundle" ] || fail "missing $bundle (the llama.cpp source bundle of node-llama-cpp); run scripts/setup"
command -v git >/dev/null || fail "git is needed to read the headers out of $bundle"
CXX="${CXX:-g++}"
command -v "$CXX" >/dev/null || fail "no C++ compiler ($CXX)"

mkdir -p "$out"

# 1. Headers: include/ and ggml/include/ of the bundle's commit, extracted once per
#    bundle (the stamp holds the commit, so a new npm pin re-extracts).
head="$(git bundle list-heads "$bundle" 2>/dev/null | awk '$2=="HEAD"{print $1; exit}')"
[ -n "$head" ] || fail "cannot read the HEAD commit of $bundle"
headers="$out/llama"
if [ "$(cat "$headers/.commit" 2>/dev/null || true)" != "$head" ]; then
  echo "oracle/build.sh: extracting llama.cpp headers of $head"
  rm -rf "$headers" "$out/bundle.git"
  git clone -q --bare "$bundle" "$out/bundle.git" || fail "git clone of $bundle failed"
  mkdir -p "$headers"
  git --git-dir="$out/bundle.git" archive "$head" include ggml/include | tar -x -C "$headers" ||
    fail "cannot extract include/ and ggml/include/ from $bundle"
  rm -rf "$out/bundle.git"
  echo "$head" >"$headers/.commit"
fi
for h in include/llama.h ggml/include/ggml.h ggml/include/gguf.h ggml/include/ggml-backend.h; do
  [ -f "$headers/$h" ] || fail "the bundle has no $h"
done

# 2. The program. Relinks when a source or the stamp is newer than the binary.
bin="$out/oracle"
sources=("$here"/*.cpp)
oracle_sources=()
for s in "${sources[@]}"; do
  case "$s" in *_test.cpp) ;; *) oracle_sources+=("$s") ;; esac
done
need=0
[ -x "$bin" ] || need=1
for dep in "${oracle_sources[@]}" "$here"/*.h "$headers/.commit" "$0"; do
  [ -e "$dep" ] && [ "$dep" -nt "$bin" ] && need=1
done
if [ "$need" = 1 ]; then
  echo "oracle/build.sh: compiling $bin"
  # rpath relative to the binary, so the tree can move; the CPU backend variants
  # (libggml-cpu-*.so) are found at run time next to libggml (see oracle.cpp).
  rel_bins='$ORIGIN/../../node_modules/@node-llama-cpp/linux-x64/bins/linux-x64'
  "$CXX" -std=c++17 -O2 -Wall -Wextra -o "$bin.tmp" "${oracle_sources[@]}" \
    -I"$headers/include" -I"$headers/ggml/include" \
    "$bins/libllama.v0.5.0.so" "$bins/libggml.v0.5.0.so" "$bins/libggml-base.so" \
    -Wl,-rpath,"$rel_bins" -ldl -lpthread || fail "compiling the oracle failed"
  mv "$bin.tmp" "$bin"
fi
"$bin" version >/dev/null || fail "$bin was built but does not run (library mismatch?)"
echo "oracle/build.sh: $bin is ready"
