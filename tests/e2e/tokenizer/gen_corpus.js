// Writes the tokenizer test corpus as JSON: an array of strings of hex bytes (so
// invalid UTF-8 survives). Fixed seed: the same corpus every run. Hand-written hard
// cases first, then generated strings from every category of text users send.
// Usage: node gen_corpus.js [count] > corpus.json
"use strict";

const count = Number(process.argv[2] || 2400);

function mulberry32(seed) {
  return function () {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20261126);
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const hard = [
  "", " ", "  ", "\n", "\n\n\n", "\r\n", " \r\n\r\n ", "\t\t", " \t \n ", "a", "A", "0", "00", "000", "0000", "12345678901",
  "Hello world", " Hello world", "Hello  world", "Hello world ", "Hello world  ", "hello\nworld", "hello \n world",
  "I'm", "I'M", "don't", "DON'T", "we'll", "We'LL", "they've", "she'd", "it's", "'s", "'", "''", "'s's", "x'Re",
  "3.14159", "1,000,000", "-42", "+1 (555) 010-9999", "0x1F600", "1e-10", "v2.0.1", "192.168.0.1", "２０２４年",
  "你好，世界！", "我爱自然语言处理。", "日本語のテキストです。", "カタカナとひらがな", "한국어 문장입니다.", "مرحبا بالعالم", "Привет, мир!",
  "नमस्ते दुनिया", "สวัสดีชาวโลก", "Ελληνικά γράμματα", "עברית", "Tiếng Việt có dấu",
  "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷🇯🇵", "❤️", "🧑‍💻 coding", "emoji😀in😀text", "🤖🤖🤖🤖🤖🤖",
  "<|im_start|>", "<|im_end|>", "<|im_start|>user\nhi<|im_end|>", "<|endoftext|>", "<|im_start", "im_start|>", "<| im_start |>",
  "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>user<|end_header_id|>", "<s>", "</s>", "<s>hello</s>", "<unk>",
  "<｜begin▁of▁sentence｜>", "<｜User｜>hi<｜Assistant｜>", "<think>\nok\n</think>", "<tool_call>{}</tool_call>", "< s >", "<<s>>",
  "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}", "#include <stdio.h>", "if a != b && c >= d || !e:",
  "    ", "        indented", "\t\tdef", "x = {\"key\": [1, 2, 3]}", "SELECT * FROM t WHERE id = 1;", "https://example.com/a?b=c&d=e",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "=".repeat(200), " ".repeat(100), "\n".repeat(50), "ab".repeat(150),
  "1234567890".repeat(20), "😀".repeat(40), "中".repeat(100), "a b".repeat(60),
  "\u00a0nbsp\u00a0", "ideographic\u3000space", "zero\u200bwidth", "bom\ufeffinside", "line\u2028sep", "nel\u0085x",
  "café", "naïve", "Ångström", "ﬁ ligature", "ｆｕｌｌｗｉｄｔｈ", "Ⅻ", "½", "x²", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ſs", "İstanbul",
  "\u0000null", "\u0001\u0002\u0003", "\u007f", "tab\there",
];
// Invalid UTF-8: written as raw bytes.
const hardBytes = [
  [0xff], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80, 0x80, 0x41],
  [0x68, 0x69, 0xfe, 0x20, 0x74, 0x68, 0x65, 0x72, 0x65], [0xe4, 0xbd, 0xa0, 0xe5, 0xa5], [0xf0, 0x9f, 0x98], [0x61, 0xc3],
];

const words = ("the of and to in is you that it he was for on are as with his they I at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part").split(" ");
const codeBits = ["def ", "return ", "(", ")", "{", "}", "[", "]", ";", ":", "\n", "    ", "\t", "=", "==", "!=", "+=", "->", "=>", "&&", "||",
  "const ", "let ", "fn ", "x", "y_1", "fooBar", "snake_case", "CamelCase", "0", "42", "3.5", "\"str\"", "'c'", "//", "/*", "*/", "#", "<", ">", "::", ".", ","];
const ranges = [
  [0x20, 0x7e], [0x4e00, 0x9fa5], [0x3040, 0x309f], [0x30a0, 0x30ff], [0xac00, 0xd7a3], [0x0600, 0x06ff], [0x0400, 0x04ff],
  [0x0900, 0x097f], [0x0e00, 0x0e7f], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x2000, 0x206f], [0xff00, 0xffef], [0x00a0, 0x00ff],
];
const spaces = [" ", "  ", "\t", "\n", "\r\n", "\n\n", " \n", "\u3000", "\u00a0"];
const specials = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<s>", "</s>", "<|eot_id|>", "<|begin_of_text|>", "<｜end▁of▁sentence｜>", "<think>", "</think>", "<|", "|>", "<", ">"];

function randomChars(n) {
  let s = "";
  for (let i = 0; i < n; ++i) {
    const [lo, hi] = pick(ranges);
    s += String.fromCodePoint(int(lo, hi));
  }
  return s;
}
function english() {
  let s = "";
  const n = int(1, 25);
  for (let i = 0; i < n; ++i) {
    let w = pick(words);
    const r = rand();
    if (r < 0.1) w = w[0].toUpperCase() + w.slice(1);
    else if (r < 0.13) w = w.toUpperCase();
    s += (i ? pick([" ", " ", " ", ", ", ". ", "  ", "\n", "'s ", "'ll "]) : "") + w;
  }
  return s + pick(["", ".", "!", "?", "...", " ", "\n"]);
}
function code() {
  let s = "";
  const n = int(3, 40);
  for (let i = 0; i < n; ++i) s += pick(codeBits);
  return s;
}
function numbers() {
  let s = "";
  const n = int(1, 6);
  for (let i = 0; i < n; ++i) {
    let d = "";
    const len = int(1, 14);
    for (let k = 0; k < len; ++k) d += String(int(0, 9));
    s += (i ? pick([" ", ",", ".", "-", "+", "/", ":", "x", "e"]) : "") + d;
  }
  return s;
}
function whitespace() {
  let s = "";
  const n = int(1, 12);
  for (let i = 0; i < n; ++i) s += rand() < 0.5 ? pick(spaces).repeat(int(1, 5)) : pick(words);
  return s;
}
function longRun() {
  return pick(["a", " ", "\n", "=", "-", "0", "中", "😀", "ab", " a", "\t"]).repeat(int(20, 400));
}
function lookAlikes() {
  let s = "";
  const n = int(1, 8);
  for (let i = 0; i < n; ++i) s += rand() < 0.5 ? pick(specials) : pick([english(), randomChars(int(1, 5)), " ", "\n"]);
  return s;
}
function mixed() {
  let s = "";
  const n = int(1, 8);
  for (let i = 0; i < n; ++i) s += pick([english, code, numbers, whitespace, () => randomChars(int(1, 20))])();
  return s;
}
const gens = [english, code, numbers, whitespace, longRun, lookAlikes, mixed, () => randomChars(int(1, 40))];

const enc = new TextEncoder();
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const out = hard.map((s) => hex(enc.encode(s))).concat(hardBytes.map(hex));
while (out.length < count) {
  const s = pick(gens)();
  let bytes = Array.from(enc.encode(s));
  if (rand() < 0.04) {  // splice a few random (often invalid) bytes in
    const k = int(1, 3);
    for (let i = 0; i < k; ++i) bytes.splice(int(0, bytes.length), 0, int(0x80, 0xff));
  }
  out.push(hex(bytes));
}
process.stdout.write(JSON.stringify(out) + "\n");
