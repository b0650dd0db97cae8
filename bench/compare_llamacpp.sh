#!/usr/bin/env bash
# Holobiont vs llama.cpp on the same GGUF file and thread count, in one run:
# `holo bench` and the llama.cpp oracle's bench alternate ROUNDS times (so drift in
# machine load hits both), then a table shows mean ± sd of every sample and the ratios.
#
#   bench/compare_llamacpp.sh MODEL.gguf [THREADS] [REPS]
#   env: PROMPT (512), GEN (128), ROUNDS (2), HOLO (build/holo), ORACLE (tests/oracle/build/oracle)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: bench/compare_llamacpp.sh MODEL.gguf [THREADS] [REPS]}"
threads="${2:-$(nproc)}"
reps="${3:-3}"
prompt="${PROMPT:-512}"
gen="${GEN:-128}"
rounds="${ROUNDS:-2}"
holo="${HOLO:-$root/build/holo}"
oracle="${ORACLE:-$root/tests/oracle/build/oracle}"

[ -f "$model" ] || { echo "compare_llamacpp: no such model file: $model" >&2; exit 1; }
[ -x "$holo" ] || { echo "compare_llamacpp: $holo not built (cmake -B build -G Ninja && ninja -C build holo)" >&2; exit 1; }
if [ ! -x "$oracle" ]; then
  "$root/tests/oracle/build.sh" >&2 || { echo "compare_llamacpp: cannot build the llama.cpp oracle (see above)" >&2; exit 1; }
fi
if command -v node >/dev/null; then aggregator=node
elif command -v python3 >/dev/null; then aggregator=python3
else echo "compare_llamacpp: node or python3 is needed to aggregate the JSON results" >&2; exit 1; fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: holo" >&2
  "$holo" bench "$model" -p "$prompt" -n "$gen" -r "$reps" --threads "$threads" --json > "$tmp/holo_$r.json"
  echo "round $r/$rounds: llama.cpp" >&2
  "$oracle" bench "$model" -p "$prompt" -n "$gen" -r "$reps" --threads "$threads" > "$tmp/llama_$r.json"
done

args=("$tmp" "$rounds" "$model" "$threads" "$prompt" "$gen" "$reps")
if [ "$aggregator" = python3 ]; then
python3 - "${args[@]}" <<'PY'
import json, math, sys
d, rounds, model, threads, prompt, gen, reps = sys.argv[1:]
def load(who):
    pp, tg, extra = [], [], {}
    for r in range(1, int(rounds) + 1):
        j = json.load(open(f"{d}/{who}_{r}.json"))
        pp += [x for x in (j.get("pp_samples") or [j.get("pp_tok_s")]) if x is not None]
        tg += [x for x in (j.get("tg_samples") or [j.get("tg_tok_s")]) if x is not None]
        extra = j
    return pp, tg, extra
def stat(v):
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return m, sd
hp, ht, hx = load("holo")
lp, lt, _ = load("llama")
def row(name, a, b):
    (x, xs), (y, ys) = stat(a), stat(b)
    f = lambda m, s: f"{m:.2f} ± {s:.2f}".rjust(18)
    print(f"| {name:<12} | {f(x, xs)} | {f(y, ys)} | {x / y:6.3f}× |")
print(f"model {model}, {threads} threads, {rounds} rounds × {reps} reps, alternating")
print("| test         |      holo (tok/s) | llama.cpp (tok/s) |  ratio  |")
print("|--------------|-------------------|-------------------|---------|")
if hp and lp: row(f"pp{prompt}", hp, lp)
if ht and lt: row(f"tg{gen}", ht, lt)
if hx.get("gb_s") is not None:
    print(f"holo decode: {hx['gb_s']:.2f} GB/s, {100 * hx['bw_fraction']:.1f}% of measured memory bandwidth")
PY
exit 0
fi
node - "${args[@]}" <<'JS'
const fs = require('fs');
const [dir, rounds, model, threads, prompt, gen, reps] = process.argv.slice(2);
const load = (who) => {
  const pp = [], tg = [];
  let extra = {};
  for (let r = 1; r <= +rounds; r++) {
    const j = JSON.parse(fs.readFileSync(`${dir}/${who}_${r}.json`, 'utf8'));
    pp.push(...(j.pp_samples || [j.pp_tok_s]).filter((x) => x != null));
    tg.push(...(j.tg_samples || [j.tg_tok_s]).filter((x) => x != null));
    extra = j;
  }
  return { pp, tg, extra };
};
const stat = (v) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) : 0;
  return { m, sd };
};
const h = load('holo'), l = load('llama');
const row = (name, a, b) => {
  const x = stat(a), y = stat(b);
  const f = (s) => `${s.m.toFixed(2)} ± ${s.sd.toFixed(2)}`.padStart(18);
  console.log(`| ${name.padEnd(12)} | ${f(x)} | ${f(y)} | ${(x.m / y.m).toFixed(3).padStart(6)}× |`);
};
console.log(`model ${model}, ${threads} threads, ${rounds} rounds × ${reps} reps, alternating`);
console.log(`| test         |      holo (tok/s) | llama.cpp (tok/s) |  ratio  |`);
console.log(`|--------------|-------------------|-------------------|---------|`);
if (h.pp.length && l.pp.length) row(`pp${prompt}`, h.pp, l.pp);
if (h.tg.length && l.tg.length) row(`tg${gen}`, h.tg, l.tg);
if (h.extra.gb_s != null)
  console.log(`holo decode: ${h.extra.gb_s.toFixed(2)} GB/s, ${(100 * h.extra.bw_fraction).toFixed(1)}% of measured memory bandwidth`);
JS
