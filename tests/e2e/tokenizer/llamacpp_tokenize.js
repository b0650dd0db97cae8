// Token ids from llama.cpp (through node-llama-cpp's prebuilt binding, vocabulary
// only) for a corpus written by gen_corpus.js, and llama.cpp's tokenize speed.
// Usage: node llamacpp_tokenize.js VOCAB.gguf corpus.json [bench.txt] > out.json
// Output: {"ids": [[...]...]} with special tokens parsed and no BOS, plus
// {"bench_bytes": N, "bench_seconds": s} (best of 3) when a bench file is given.
"use strict";

const fs = require("fs");

(async () => {
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: process.argv[2], vocabOnly: true });
  const dec = new TextDecoder("utf-8", { fatal: false });
  const corpus = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
  const ids = corpus.map((h) => Array.from(model.tokenize(dec.decode(Buffer.from(h, "hex")), true)));
  const out = { ids };
  if (process.argv[4]) {
    const bytes = fs.readFileSync(process.argv[4]);
    const text = dec.decode(bytes);
    let best = Infinity;
    for (let r = 0; r < 3; ++r) {
      const t0 = process.hrtime.bigint();
      model.tokenize(text, true);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    out.bench_bytes = bytes.length;
    out.bench_seconds = best;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  await model.dispose();
  await llama.dispose();
})().catch((e) => {
  console.error("llamacpp_tokenize.js:", e.message || e);
  process.exit(1);
});
