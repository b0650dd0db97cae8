// Compares two sets of next-token logits position by position, as issue 3 asks:
// top-1 agreement, KL(reference || other) mean / median / max, max |difference|.
// Each input is either raw little-endian f32 rows ([n_vocab, n_tokens], as the
// oracle's `logits --out` writes) or the JSON of `holo logits --all --json`.
//
//   node bench/oracle_compare.mjs REF OTHER N_VOCAB
//
// Prints one JSON line. "top1_clear" is top-1 over the positions where REF's best
// logit leads its second by more than 0.25 (those are not near-ties).
import { readFileSync } from "node:fs";

function load(path, nVocab) {
  const bytes = readFileSync(path);
  if (bytes.length > 0 && bytes[0] === 0x7b /* '{' */) {
    const j = JSON.parse(bytes.toString("utf8"));
    if (j.n_vocab !== nVocab) throw new Error(`${path}: n_vocab ${j.n_vocab}, expected ${nVocab}`);
    const out = new Float32Array(j.logits.length * nVocab);
    j.logits.forEach((row, t) => out.set(row, t * nVocab));
    return out;
  }
  if (bytes.length % (4 * nVocab) !== 0) throw new Error(`${path}: ${bytes.length} bytes is not whole rows of ${nVocab} f32`);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

const [refPath, otherPath, vocabArg] = process.argv.slice(2);
if (!vocabArg) {
  console.error("usage: node bench/oracle_compare.mjs REF OTHER N_VOCAB");
  process.exit(2);
}
const V = Number(vocabArg);
const a = load(refPath, V);
const b = load(otherPath, V);
if (a.length !== b.length) {
  console.error(`${refPath} has ${a.length / V} positions, ${otherPath} has ${b.length / V}`);
  process.exit(1);
}
const n = a.length / V;
let agree = 0, nClear = 0, clearAgree = 0, maxAbs = 0;
const kls = [];
for (let t = 0; t < n; t++) {
  const o = t * V;
  let ia = 0, ib = 0;
  for (let i = 1; i < V; i++) {
    if (a[o + i] > a[o + ia]) ia = i;
    if (b[o + i] > b[o + ib]) ib = i;
  }
  let second = -Infinity;
  for (let i = 0; i < V; i++) if (i !== ia && a[o + i] > second) second = a[o + i];
  const same = ia === ib;
  agree += same;
  if (a[o + ia] - second > 0.25) {
    nClear++;
    clearAgree += same;
  }
  const ma = a[o + ia], mb = b[o + ib];
  let sa = 0, sb = 0;
  for (let i = 0; i < V; i++) {
    sa += Math.exp(a[o + i] - ma);
    sb += Math.exp(b[o + i] - mb);
    maxAbs = Math.max(maxAbs, Math.abs(a[o + i] - b[o + i]));
  }
  const la = Math.log(sa), lb = Math.log(sb);
  let kl = 0;
  for (let i = 0; i < V; i++) {
    const lp = a[o + i] - ma - la, lq = b[o + i] - mb - lb;
    kl += Math.exp(lp) * (lp - lq);
  }
  kls.push(Math.max(kl, 0));
}
const sorted = [...kls].sort((x, y) => x - y);
console.log(JSON.stringify({
  n_tokens: n,
  top1: agree / n,
  top1_clear: nClear ? clearAgree / nClear : 1,
  mean_kl: kls.reduce((s, x) => s + x, 0) / n,
  median_kl: sorted[n >> 1],
  max_kl: sorted[n - 1],
  max_abs: maxAbs,
}));
