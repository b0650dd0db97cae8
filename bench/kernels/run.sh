#!/bin/sh
# Builds the kernel micro-benchmark against a build folder's holo_lib and runs it,
# next to llama.cpp's CPU backend for this machine when the npm package is present.
# usage: bench/kernels/run.sh [build-dir] [extra kernel_bench args]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
ninja -C "$build" holo_lib >/dev/null
out="$build/kernel_bench"
g++ -O2 -std=c++20 -mavx2 -I"$root/src" "$root/bench/kernels/kernel_bench.cpp" "$build/libholo_lib.a" -lpthread -ldl -o "$out"
bins="$root/tests/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
ggml=""
for v in sapphirerapids icelake skylakex haswell; do
    if [ -f "$bins/libggml-cpu-$v.so" ] && grep -q avx512 /proc/cpuinfo; then ggml="$bins/libggml-cpu-$v.so"; break; fi
done
if [ -n "$ggml" ]; then
    LD_LIBRARY_PATH="$bins" exec "$out" --ggml "$ggml" "$@"
else
    exec "$out" "$@"
fi
