// The chat page at `/`: plain HTML + CSS + JS, no build step. It lists models
// (/api/tags), streams /api/chat as NDJSON, can stop a reply (AbortController),
// and shows tokens/s from the final message's eval_count / eval_duration.
#include "server/routes.h"

namespace holo::server {

const char* web_page_html() {
    return R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Holobiont</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; display: flex; flex-direction: column; height: 100vh; background: #f6f6f4; }
  header { display: flex; gap: .5em; align-items: center; padding: .6em 1em; background: #20302a; color: #eee; }
  header h1 { font-size: 1.1em; margin: 0 1em 0 0; }
  #log { flex: 1; overflow-y: auto; padding: 1em; }
  .msg { max-width: 52em; margin: .4em 0; padding: .6em .8em; border-radius: 8px; white-space: pre-wrap; }
  .user { background: #dfe9e3; margin-left: auto; }
  .assistant { background: #fff; border: 1px solid #ddd; }
  .error { background: #fde2e2; }
  form { display: flex; gap: .5em; padding: .8em 1em; background: #fff; border-top: 1px solid #ddd; }
  textarea { flex: 1; resize: vertical; min-height: 2.5em; font: inherit; }
  #stats { font-size: .85em; color: #bbb; margin-left: auto; }
</style>
</head>
<body>
<header>
  <h1>Holobiont</h1>
  <label>model <select id="model"></select></label>
  <input id="key" type="password" placeholder="API key (if any)" size="14">
  <span id="stats"></span>
</header>
<div id="log"></div>
<form id="form">
  <textarea id="input" placeholder="Say something… (Enter sends, Shift+Enter breaks the line)"></textarea>
  <button id="send" type="submit">Send</button>
  <button id="stop" type="button" disabled>Stop</button>
</form>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const history = [];
let controller = null;

function headers() {
  const h = { "Content-Type": "application/json" };
  const k = $("key").value.trim();
  if (k) h["Authorization"] = "Bearer " + k;
  return h;
}

function add(role, text) {
  const div = document.createElement("div");
  div.className = "msg " + role;
  div.textContent = text;
  $("log").appendChild(div);
  $("log").scrollTop = $("log").scrollHeight;
  return div;
}

async function loadModels() {
  try {
    const r = await fetch("/api/tags", { headers: headers() });
    const j = await r.json();
    const sel = $("model");
    sel.textContent = "";
    for (const m of (j.models || [])) {
      const o = document.createElement("option");
      o.value = o.textContent = m.name;
      sel.appendChild(o);
    }
  } catch (e) { add("error", "cannot list models: " + e); }
}

async function send(text) {
  history.push({ role: "user", content: text });
  add("user", text);
  const out = add("assistant", "");
  out.dataset.streaming = "1";
  controller = new AbortController();
  $("send").disabled = true; $("stop").disabled = false;
  let reply = "";
  try {
    const r = await fetch("/api/chat", {
      method: "POST", headers: headers(), signal: controller.signal,
      body: JSON.stringify({ model: $("model").value, messages: history, stream: true }),
    });
    if (!r.ok) {
      const j = await r.json().catch(() => ({}));
      throw new Error(j.error || ("HTTP " + r.status));
    }
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const j = JSON.parse(line);
        if (j.error) throw new Error(j.error);
        if (j.message && j.message.content) {
          reply += j.message.content;
          out.textContent = reply;
          $("log").scrollTop = $("log").scrollHeight;
        }
        if (j.done) {
          const tps = j.eval_duration > 0 ? j.eval_count / (j.eval_duration / 1e9) : 0;
          $("stats").textContent = j.eval_count + " tokens, " + tps.toFixed(1) + " tokens/s";
        }
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") { out.className = "msg error"; out.textContent = reply + "\n[" + e.message + "]"; }
  } finally {
    history.push({ role: "assistant", content: reply });
    delete out.dataset.streaming;
    out.dataset.done = "1";
    controller = null;
    $("send").disabled = false; $("stop").disabled = true;
  }
}

$("form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("input").value.trim();
  if (!text || controller) return;
  $("input").value = "";
  send(text);
});
$("input").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("form").requestSubmit(); }
});
$("stop").addEventListener("click", () => { if (controller) controller.abort(); });
$("key").addEventListener("change", loadModels);
loadModels();
</script>
</body>
</html>
)HTML";
}

}  // namespace holo::server
