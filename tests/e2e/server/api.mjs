// End-to-end checks of `holo serve` with the official `openai` and `ollama` npm
// clients plus raw HTTP for the bad-input table. Started by
// tests/server/server_e2e_test.cpp: node api.mjs URL KEY MODEL GGUF_FILE
// Prints one line per check; exits non-zero when any check fails.
import http from "node:http";
import fs from "node:fs";
import OpenAI from "openai";
import { Ollama } from "ollama";

const [url, key, model, ggufPath] = process.argv.slice(2);
const results = [];
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push(true);
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error("assertion failed: " + msg); }
async function expectStatus(promise, status, what) {
  try {
    await promise;
  } catch (e) {
    assert(e.status === status || e.status_code === status, `${what}: expected ${status}, got ${e.status ?? e.status_code}: ${e.message}`);
    return e;
  }
  throw new Error(`${what}: expected an error ${status}, the call succeeded`);
}

// Raw request with full control of headers and bytes.
function raw(method, path, { body, headers = {}, auth = true } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url + path);
    const h = { ...headers };
    if (auth && !("Authorization" in h)) h.Authorization = `Bearer ${key}`;
    if (body !== undefined && !("Content-Type" in h)) h["Content-Type"] = "application/json";
    if (body !== undefined && !("Transfer-Encoding" in h)) h["Content-Length"] = Buffer.byteLength(body);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method, headers: h, timeout: 60000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json = null;
        try { json = JSON.parse(text); } catch {}
        resolve({ status: res.statusCode, text, json, headers: res.headers });
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const openai = new OpenAI({ baseURL: url + "/v1", apiKey: key, maxRetries: 0, timeout: 60000 });
const ollama = new Ollama({ host: url, headers: { Authorization: `Bearer ${key}` } });
const chatMessages = [{ role: "system", content: "You are terse." }, { role: "user", content: "Say something about foxes." }];

// ---- OpenAI client ----
await check("openai models.list names the served model", async () => {
  const list = await openai.models.list();
  assert(list.data.some((m) => m.id === model), JSON.stringify(list.data));
});

let chatText = "";
await check("openai chat non-streaming", async () => {
  const r = await openai.chat.completions.create({ model, messages: chatMessages, max_tokens: 12, temperature: 0, seed: 3 });
  assert(r.object === "chat.completion", r.object);
  assert(r.choices.length === 1 && r.choices[0].message.role === "assistant", JSON.stringify(r.choices));
  chatText = r.choices[0].message.content;
  assert(typeof chatText === "string", "content");
  assert(r.usage.prompt_tokens > 0 && r.usage.completion_tokens <= 12, JSON.stringify(r.usage));
  assert(r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens, "total");
  assert(["stop", "length"].includes(r.choices[0].finish_reason), r.choices[0].finish_reason);
});

await check("openai chat streaming equals non-streaming, with usage", async () => {
  const stream = await openai.chat.completions.create({
    model, messages: chatMessages, max_tokens: 12, temperature: 0, seed: 3, stream: true, stream_options: { include_usage: true },
  });
  let text = "", usage = null, finish = null, n = 0;
  for await (const chunk of stream) {
    n++;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      if (c.delta && c.delta.content) text += c.delta.content;
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  assert(text === chatText, `stream ${JSON.stringify(text)} vs whole ${JSON.stringify(chatText)}`);
  assert(usage && usage.completion_tokens <= 12, "usage chunk");
  assert(finish !== null, "finish_reason");
  assert(n >= 2, "chunks");
});

await check("openai completions", async () => {
  const r = await openai.completions.create({ model, prompt: "Once upon a time", max_tokens: 5, temperature: 0 });
  assert(r.object === "text_completion" && typeof r.choices[0].text === "string", JSON.stringify(r));
  assert(r.usage.completion_tokens <= 5, JSON.stringify(r.usage));
});

await check("openai errors: unknown model 404, bad max_tokens 400, wrong key 401", async () => {
  await expectStatus(openai.chat.completions.create({ model: "no-such-model", messages: chatMessages }), 404, "unknown model");
  const e = await expectStatus(openai.chat.completions.create({ model, messages: chatMessages, max_tokens: -1 }), 400, "max_tokens -1");
  assert(/max_tokens/.test(e.message), e.message);
  await expectStatus(openai.chat.completions.create({ model, messages: chatMessages, n: 3 }), 400, "n=3");
  const bad = new OpenAI({ baseURL: url + "/v1", apiKey: "wrong", maxRetries: 0 });
  await expectStatus(bad.models.list(), 401, "wrong key");
});

await check("openai embeddings: float and base64, unit length, deterministic", async () => {
  const r = await openai.embeddings.create({ model, input: ["the fox", "a different sentence"] });
  assert(r.data.length === 2 && r.data[0].embedding.length > 0, JSON.stringify(r).slice(0, 200));
  const norm = Math.hypot(...r.data[0].embedding);
  assert(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
  const f = await openai.embeddings.create({ model, input: "the fox", encoding_format: "float" });
  const a = r.data[0].embedding, b = f.data[0].embedding;
  assert(a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-6), "base64 and float differ");
  assert(r.usage.prompt_tokens > 0, "usage");
});

// ---- Structured outputs and tools (constrained decoding makes even the random tiny model comply) ----
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string", maxLength: 16 }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["city", "unit"],
      additionalProperties: false,
    },
  },
};
const timeTool = { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } };
function checkWeatherArgs(text) {
  const args = JSON.parse(text);
  assert(typeof args === "object" && args !== null && !Array.isArray(args), `arguments ${text}`);
  // maxLength counts code points, as JSON Schema does (JS .length counts UTF-16 units).
  assert(typeof args.city === "string" && [...args.city].length <= 16, `city in ${text}`);
  assert(["celsius", "fahrenheit"].includes(args.unit), `unit in ${text}`);
  assert(Object.keys(args).every((k) => k === "city" || k === "unit"), `extra keys in ${text}`);
}
const petSchema = {
  type: "object",
  properties: {
    name: { type: "string", maxLength: 10 },
    age: { type: "integer" },
    pet: { enum: ["cat", "dog"] },
    tags: { type: "array", items: { type: "string", maxLength: 6 }, maxItems: 2 },
  },
  required: ["name", "age", "pet"],
  additionalProperties: false,
};
function checkPet(text) {
  const v = JSON.parse(text);
  assert(typeof v === "object" && v !== null && !Array.isArray(v), `not an object: ${text}`);
  assert(typeof v.name === "string" && [...v.name].length <= 10, `name: ${text}`);
  assert(Number.isInteger(v.age) && ["cat", "dog"].includes(v.pet), `required keys: ${text}`);
  if ("tags" in v) assert(Array.isArray(v.tags) && v.tags.length <= 2 && v.tags.every((t) => typeof t === "string" && [...t].length <= 6), `tags: ${text}`);
  assert(Object.keys(v).every((k) => k in petSchema.properties), `extra keys: ${text}`);
}

await check("openai tools: tool_choice forcing a function gives a call with matching arguments", async () => {
  const r = await openai.chat.completions.create({
    model, messages: [{ role: "user", content: "Weather in Oslo?" }], tools: [weatherTool, timeTool],
    tool_choice: { type: "function", function: { name: "get_weather" } }, max_tokens: 200, temperature: 0.8, seed: 5,
  });
  const c = r.choices[0];
  assert(c.finish_reason === "tool_calls", `finish_reason ${c.finish_reason}: ${JSON.stringify(c.message)}`);
  assert(c.message.tool_calls.length === 1, JSON.stringify(c.message));
  const call = c.message.tool_calls[0];
  assert(call.type === "function" && typeof call.id === "string" && call.id.length > 0, JSON.stringify(call));
  assert(call.function.name === "get_weather", call.function.name);
  checkWeatherArgs(call.function.arguments);
});

await check("openai tools: a streamed call (tool_choice required) arrives as delta.tool_calls, its arguments piece by piece", async () => {
  const stream = await openai.chat.completions.create({
    model, messages: [{ role: "user", content: "Use a tool." }], tools: [weatherTool], tool_choice: "required",
    max_tokens: 200, temperature: 1, seed: 9, stream: true,
  });
  const calls = [];
  let finish = null, content = "", argumentChunks = 0;
  for await (const chunk of stream) {
    for (const ch of chunk.choices) {
      if (ch.delta && ch.delta.content) content += ch.delta.content;
      for (const tc of (ch.delta && ch.delta.tool_calls) || []) {
        if (!calls[tc.index]) {
          assert(typeof tc.id === "string" && tc.id.length > 0 && tc.type === "function", `first delta: ${JSON.stringify(tc)}`);
          calls[tc.index] = { name: "", arguments: "" };
        }
        if (tc.function.name) calls[tc.index].name += tc.function.name;
        if (tc.function.arguments) {
          calls[tc.index].arguments += tc.function.arguments;
          ++argumentChunks;
        }
      }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
  }
  assert(finish === "tool_calls", `finish ${finish}, content ${JSON.stringify(content)}`);
  assert(calls.length === 1 && calls[0].name === "get_weather", JSON.stringify(calls));
  checkWeatherArgs(calls[0].arguments);
  // The arguments stream as the model writes them, not in one piece at the end.
  assert(argumentChunks >= 2, `arguments came in ${argumentChunks} chunk(s)`);
});

await check("openai tools: a conversation with a call and its result is accepted", async () => {
  const r = await openai.chat.completions.create({
    model, tools: [weatherTool], max_tokens: 4, temperature: 0,
    messages: [
      { role: "user", content: "Weather in Oslo?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Oslo\",\"unit\":\"celsius\"}" } }] },
      { role: "tool", tool_call_id: "call_1", content: "sunny, 21" },
    ],
  });
  assert(r.choices[0].message.role === "assistant", JSON.stringify(r.choices[0]));
  const none = await openai.chat.completions.create({ model, messages: chatMessages, tools: [weatherTool], tool_choice: "none", max_tokens: 4 });
  assert(!none.choices[0].message.tool_calls && none.choices[0].finish_reason !== "tool_calls", JSON.stringify(none.choices[0]));
});

await check("openai response_format json_object: the content parses as an object", async () => {
  for (const seed of [1, 2]) {
    const r = await openai.chat.completions.create({
      model, messages: chatMessages, response_format: { type: "json_object" }, max_tokens: 40, temperature: 1, seed,
    });
    const v = JSON.parse(r.choices[0].message.content);
    assert(typeof v === "object" && v !== null && !Array.isArray(v), r.choices[0].message.content);
  }
});

await check("openai response_format json_schema: parses and validates (required keys, types, enum)", async () => {
  const r = await openai.chat.completions.create({
    model, messages: chatMessages, max_tokens: 150, temperature: 0.9, seed: 4,
    response_format: { type: "json_schema", json_schema: { name: "pet", strict: true, schema: petSchema } },
  });
  checkPet(r.choices[0].message.content);
  // Streamed: the pieces join into the same kind of document.
  const stream = await openai.chat.completions.create({
    model, messages: chatMessages, max_tokens: 150, temperature: 0.9, seed: 7, stream: true,
    response_format: { type: "json_schema", json_schema: { name: "pet", strict: true, schema: petSchema } },
  });
  let text = "";
  for await (const chunk of stream) for (const c of chunk.choices) if (c.delta && c.delta.content) text += c.delta.content;
  checkPet(text);
  const e = await expectStatus(openai.chat.completions.create({
    model, messages: chatMessages,
    response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "string", pattern: "^a" } } },
  }), 400, "unsupported keyword");
  assert(/pattern/.test(e.message), e.message);
});

// ---- Ollama client ----
await check("ollama format: a JSON schema on chat, \"json\" on generate", async () => {
  const r = await ollama.chat({ model, messages: chatMessages, format: petSchema, options: { num_predict: 150, temperature: 0.9, seed: 3 } });
  checkPet(r.message.content);
  const g = await ollama.generate({ model, prompt: "JSON please", format: "json", options: { num_predict: 40, seed: 2 } });
  const v = JSON.parse(g.response);
  assert(typeof v === "object" && v !== null && !Array.isArray(v), g.response);
  const t = await ollama.chat({ model, messages: chatMessages, tools: [weatherTool], options: { num_predict: 4 } });
  assert(t.done === true, JSON.stringify(t));
});

await check("ollama list and show", async () => {
  const list = await ollama.list();
  const m = list.models.find((x) => x.name === model);
  assert(m, JSON.stringify(list));
  assert(m.details.format === "gguf" && m.details.family === "qwen3moe", JSON.stringify(m.details));
  const s = await ollama.show({ model });
  assert(s.details.family === "qwen3moe", JSON.stringify(s.details));
  assert(s.model_info["general.architecture"] === "qwen3moe", "model_info");
  assert(s.capabilities.includes("tools"), JSON.stringify(s.capabilities));
});

let genText = "";
await check("ollama generate non-streaming: durations in ns", async () => {
  const r = await ollama.generate({ model, prompt: "Tell me a story", options: { num_predict: 8, temperature: 0, seed: 1 } });
  assert(r.done === true && ["stop", "length"].includes(r.done_reason), JSON.stringify(r));
  assert(r.eval_count <= 8 && r.prompt_eval_count > 0, JSON.stringify(r));
  assert(Number.isInteger(r.total_duration) && r.total_duration > 0, "total_duration");
  assert(r.total_duration >= r.eval_duration, "total >= eval");
  // A 12-token reply cannot take a whole minute on a tiny model: nanoseconds, not ms or s.
  assert(r.total_duration < 60e9 && r.total_duration > 1e3, `total_duration ${r.total_duration}`);
  genText = r.response;
});

await check("ollama generate streaming equals non-streaming", async () => {
  const stream = await ollama.generate({ model, prompt: "Tell me a story", stream: true, options: { num_predict: 8, temperature: 0, seed: 1 } });
  let text = "", last = null;
  for await (const part of stream) { text += part.response; last = part; }
  assert(text === genText, `${JSON.stringify(text)} vs ${JSON.stringify(genText)}`);
  assert(last.done === true && last.eval_count <= 8 && last.done_reason, JSON.stringify(last));
});

await check("ollama chat non-streaming and streaming agree", async () => {
  const r = await ollama.chat({ model, messages: chatMessages, options: { num_predict: 10, temperature: 0 } });
  assert(r.message.role === "assistant" && r.done, JSON.stringify(r));
  const stream = await ollama.chat({ model, messages: chatMessages, stream: true, options: { num_predict: 10, temperature: 0 } });
  let text = "";
  for await (const part of stream) text += part.message.content;
  assert(text === r.message.content, `${JSON.stringify(text)} vs ${JSON.stringify(r.message.content)}`);
});

await check("ollama ps and version", async () => {
  const ps = await ollama.ps();
  assert(ps.models.some((m) => m.name === model), JSON.stringify(ps));
  const v = await ollama.version();
  assert(typeof v.version === "string", JSON.stringify(v));
});

await check("ollama embed: one vector per input, unit length", async () => {
  const r = await ollama.embed({ model, input: ["one", "two", "three"] });
  assert(r.embeddings.length === 3, JSON.stringify(r).slice(0, 200));
  for (const e of r.embeddings) assert(Math.abs(Math.hypot(...e) - 1) < 1e-4, "norm");
  assert(r.embeddings[0].some((x, i) => x !== r.embeddings[1][i]), "different inputs, same vector");
  const again = await ollama.embed({ model, input: "one" });
  assert(again.embeddings[0].every((x, i) => Math.abs(x - r.embeddings[0][i]) < 1e-6), "not deterministic");
});

await check("ollama errors: unknown model 404, bad option 400", async () => {
  await expectStatus(ollama.generate({ model: "nope:latest", prompt: "x" }), 404, "unknown model");
  await expectStatus(ollama.generate({ model, prompt: "x", options: { num_predict: -5 } }), 400, "num_predict -5");
  await expectStatus(ollama.generate({ model, prompt: "x", options: { top_k: -1 } }), 400, "top_k -1");
});

await check("ollama pull from a local HTTP server, then delete", async () => {
  const file = fs.readFileSync(ggufPath);
  const srv = http.createServer((req, res) => {
    if (req.url !== "/models/pulled-tiny.gguf") { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "Content-Length": file.length, "Content-Type": "application/octet-stream" });
    res.end(file);
  });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const src = `http://127.0.0.1:${srv.address().port}/models/pulled-tiny.gguf`;
    const stream = await ollama.pull({ model: src, stream: true });
    const statuses = [];
    for await (const p of stream) statuses.push(p.status);
    assert(statuses[statuses.length - 1] === "success", JSON.stringify(statuses));
    const list = await ollama.list();
    assert(list.models.some((m) => m.name === "pulled-tiny:latest"), JSON.stringify(list.models.map((m) => m.name)));
    const g = await ollama.generate({ model: "pulled-tiny", prompt: "hi", options: { num_predict: 3 } });
    assert(g.done, "generate with the pulled model");
    await ollama.delete({ model: "pulled-tiny" });
    const after = await ollama.list();
    assert(!after.models.some((m) => m.name === "pulled-tiny:latest"), "still listed after delete");
    await expectStatus(ollama.delete({ model: "pulled-tiny" }), 404, "delete twice");
    // A redirect is refused, not followed.
    const redir = http.createServer((req, res) => { res.writeHead(302, { Location: "http://169.254.169.254/x.gguf" }); res.end(); });
    await new Promise((r) => redir.listen(0, "127.0.0.1", r));
    const r2 = await raw("POST", "/api/pull", { body: JSON.stringify({ model: `http://127.0.0.1:${redir.address().port}/x.gguf`, stream: false }) });
    redir.close();
    assert(r2.status === 400 && /redirect/.test(r2.json.error), r2.text);
  } finally {
    srv.close();
  }
});

// ---- Bad input, raw ----
await check("bad input table", async () => {
  const gen = (obj) => raw("POST", "/api/generate", { body: JSON.stringify(obj) });
  const cases = [
    ["malformed JSON", await raw("POST", "/api/generate", { body: "{\"model\": " }), 400, /JSON/],
    ["wrong type", await gen({ model, prompt: 5 }), 400, /prompt/],
    ["deep nesting", await raw("POST", "/api/chat", { body: "[".repeat(30000) }), 400, /deeper/],
    ["invalid UTF-8", await raw("POST", "/api/generate", { body: Buffer.concat([Buffer.from('{"model":"x","prompt":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]) }), 400, /JSON/],
    ["oversize body", await raw("POST", "/api/generate", { body: JSON.stringify({ model, prompt: "x".repeat(200000) }) }), 413, /too large/],
    ["chunked body", await raw("POST", "/api/generate", { body: "{}", headers: { "Transfer-Encoding": "chunked" } }), 411, /Content-Length/],
    ["../ model name", await raw("POST", "/api/show", { body: JSON.stringify({ model: "../../etc/passwd" }) }), 400, /invalid model name/],
    ["unknown model", await raw("POST", "/api/show", { body: JSON.stringify({ model: "ghost" }) }), 404, /not found/],
    ["prompt longer than the context", await gen({ model, prompt: "word ".repeat(3000), stream: false }), 400, /context/],
    ["missing key", await raw("GET", "/api/tags", { auth: false }), 401, /API key/],
    ["wrong key", await raw("GET", "/api/tags", { headers: { Authorization: "Bearer nope" } }), 401, /API key/],
    ["foreign Host (DNS rebinding)", await raw("GET", "/api/tags", { headers: { Host: "evil.example:11434" } }), 403, /Host/],
    ["foreign Origin", await raw("GET", "/api/tags", { headers: { Origin: "https://evil.example" } }), 403, /origin/],
    ["OpenAI shape on /v1", await raw("POST", "/v1/chat/completions", { body: "nope" }), 400, /JSON/],
    ["unknown endpoint", await raw("GET", "/api/nothing"), 404, /endpoint/],
  ];
  for (const [what, r, status, re] of cases) {
    const msg = r.json ? (typeof r.json.error === "string" ? r.json.error : r.json.error && r.json.error.message) : r.text;
    assert(r.status === status, `${what}: status ${r.status}, expected ${status}: ${r.text.slice(0, 200)}`);
    assert(re.test(msg || ""), `${what}: message ${JSON.stringify(msg)} does not match ${re}`);
  }
  const v1 = await raw("POST", "/v1/chat/completions", { body: "nope" });
  assert(v1.json.error.type === "invalid_request_error", "OpenAI error type");
  const health = await raw("GET", "/health", { auth: false });
  assert(health.status === 200, "health without key");
});

// ---- Slots: concurrency, disconnects, health while busy ----
await check("parallel streams complete; a disconnect frees its slot; /health answers while busy", async () => {
  const streamReq = (n, abortAfterChunks) => new Promise((resolve, reject) => {
    const u = new URL(url + "/api/generate");
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" } }, (res) => {
      let chunks = 0, last = null, buf = "";
      res.on("data", (c) => {
        buf += c.toString();
        const lines = buf.split("\n");
        buf = lines.pop();
        for (const l of lines) if (l.trim()) { last = JSON.parse(l); chunks++; }
        if (abortAfterChunks && chunks >= abortAfterChunks) { req.destroy(); resolve({ aborted: true }); }
      });
      res.on("end", () => resolve({ chunks, last }));
      res.on("error", () => resolve({ aborted: true }));
    });
    req.on("error", (e) => abortAfterChunks ? resolve({ aborted: true }) : reject(e));
    req.end(JSON.stringify({ model, prompt: `request ${n}`, options: { num_predict: 40, temperature: 0.7, seed: n } }));
  });
  const before = (await raw("GET", "/metrics")).text;
  const cancelledBefore = Number((before.match(/^holo_generations_cancelled_total (\S+)/m) || [0, 0])[1]);
  const jobs = [streamReq(1), streamReq(2, 2), streamReq(3), streamReq(4)];
  const t0 = Date.now();
  const h = await raw("GET", "/health", { auth: false });
  assert(h.status === 200 && Date.now() - t0 < 2000, `health took ${Date.now() - t0} ms`);
  const out = await Promise.all(jobs);
  for (const [i, r] of out.entries()) {
    if (i === 1) { assert(r.aborted, "the aborting client"); continue; }
    assert(r.last && r.last.done === true && r.last.eval_count > 0, `request ${i + 1}: ${JSON.stringify(r)}`);
  }
  // The cancelled generation is counted within a few steps.
  let cancelled = cancelledBefore;
  for (let i = 0; i < 50 && cancelled <= cancelledBefore; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const m = (await raw("GET", "/metrics")).text;
    cancelled = Number((m.match(/^holo_generations_cancelled_total (\S+)/m) || [0, 0])[1]);
  }
  assert(cancelled > cancelledBefore, "holo_generations_cancelled_total did not move");
  const m = (await raw("GET", "/metrics")).text;
  assert(/^holo_slots_total 2$/m.test(m), "two slots");
});

const failed = results.filter((x) => !x).length;
console.log(`${results.length - failed}/${results.length} checks passed`);
process.exit(failed ? 1 : 0);
