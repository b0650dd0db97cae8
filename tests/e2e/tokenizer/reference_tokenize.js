// Reference token ids from @lenml/tokenizers for a corpus written by gen_corpus.js.
// Bytes are decoded as the WHATWG decoder does (invalid sequences become U+FFFD).
// Usage: node reference_tokenize.js <qwen3|llama3|deepseek_v3|llama2> corpus.json > ids.json
// Output: {"plain": [[ids]...], "special": [[ids]...], "nfc_stable": [bool...]}
// (ids without / with add_special_tokens; whether NFC leaves the text unchanged).
"use strict";

const fs = require("fs");
const which = process.argv[2];
const corpus = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const { fromPreTrained } = require(`@lenml/tokenizer-${which}`);
const tok = fromPreTrained();
const dec = new TextDecoder("utf-8", { fatal: false });
const plain = [], special = [], nfc_stable = [];
for (const h of corpus) {
  const text = dec.decode(Buffer.from(h, "hex"));
  plain.push(tok.encode(text, { add_special_tokens: false }));
  special.push(tok.encode(text, { add_special_tokens: true }));
  nfc_stable.push(text.normalize("NFC") === text);
}
process.stdout.write(JSON.stringify({ plain, special, nfc_stable }) + "\n");
