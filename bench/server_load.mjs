// Load test of `holo serve` on loopback (issues #5 and #8): throughput with
// --parallel 1 and 8, an overload phase, /health latency throughout, how fast a
// cancelled stream frees its slot, and RSS against idle. Prints PASS/FAIL per
// criterion and exits 1 on any FAIL. Bounded: every request and phase has a time limit.
//
// node bench/server_load.mjs --holo build/holo --model MODEL.gguf
//   [--threads 2] [--n 200] [--rounds 2] [--ctx 512] [--drop 0.1] [--json FILE]
//   [--smaps DIR]  (copies /proc/PID/smaps at idle and after each round, to see what grew)
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

const opt = { holo: "build/holo", model: "", threads: 2, n: 200, rounds: 2, ctx: 512, drop: 0.1, json: "", smaps: "",
              overloadParallel: 2, overloadQueue: 4, overloadN: 30, cancels: 20 };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, "").replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(k in opt)) { console.error(`unknown option ${process.argv[i]}`); process.exit(2); }
  opt[k] = typeof opt[k] === "number" ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
if (!opt.model) { console.error("--model MODEL.gguf is required"); process.exit(2); }

const LIMITS = { healthMs: 100, rssShare: 0.05, ratio: 4, cancelSteps: 1 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const report = { machine: {}, runs: [], overload: null, health: {}, criteria: [] };

// Whole run bounded: a hang is a FAIL, not a stuck CI job.
const watchdog = setTimeout(() => { console.error("FAIL: the whole run took longer than 15 minutes"); cleanup(); process.exit(1); }, 15 * 60 * 1000);

// ---- the server ----
const servers = new Set();
function cleanup() { for (const s of servers) try { s.proc.kill("SIGKILL"); } catch {} }
process.on("exit", cleanup);

async function startServer(parallel, maxQueue) {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), "holo-load-"));
  const args = ["serve", opt.model, "--host", "127.0.0.1", "--port", "0", "--parallel", String(parallel),
                "--ctx", String(opt.ctx), "--threads", String(opt.threads), "--max-queue", String(maxQueue),
                "--keep-alive", "-1", "--models", store];
  const proc = spawn(opt.holo, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => { log += d; });
  proc.stderr.on("data", (d) => { log += d; });
  const s = { proc, parallel, maxQueue, store, url: "" };
  servers.add(s);
  for (let i = 0; i < 300 && !s.url; i++) {
    const m = log.match(/http:\/\/127\.0\.0\.1:[0-9]+/);
    if (m) s.url = m[0]; else await sleep(100);
  }
  if (!s.url) throw new Error(`holo serve did not start:\n${log}`);
  const tags = JSON.parse((await request(s.url, "GET", "/api/tags")).body);
  s.model = tags.models[0].name;
  // Idle, as docs/server.md defines it: the model loaded (the slots' KV caches are
  // allocated and touched at load), a warm-up of 16 streams served (it reads the
  // weights' pages that generation reads: the model file is mapped, and its pages
  // count in RSS once read), and their connection threads gone.
  for (let i = 0; i < 16; i += 4) {  // 4 at a time: within every configuration's slots + queue
    const warm = await Promise.all([0, 1, 2, 3].map((j) => stream(s, 100000 + i + j, { long: j === 0, drop: false })));
    const bad = warm.find((r) => r.kind !== "completed");
    if (bad) throw new Error(`warm-up: ${JSON.stringify(bad)}`);
  }
  await waitIdle(s);
  s.rssIdle = rssKb(proc.pid);
  s.rssIdleParts = rssParts(proc.pid);
  saveSmaps(proc.pid, `p${parallel}-q${maxQueue}-idle.smaps`);
  return s;
}

async function stopServer(s) {
  s.proc.kill("SIGTERM");
  await Promise.race([new Promise((r) => s.proc.once("exit", r)), sleep(5000)]);
  try { s.proc.kill("SIGKILL"); } catch {}
  servers.delete(s);
  fs.rmSync(s.store, { recursive: true, force: true });
}

function rssKb(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/);
  return Number(m[1]);
}

// RSS split: anonymous (heap, stacks, KV caches: where a leak shows) and file pages
// (the mapped model and the binary's libraries).
function rssParts(pid) {
  const st = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number((st.match(new RegExp(`${k}:\\s+(\\d+)`)) || [0, 0])[1]);
  return { anon_kb: kb("RssAnon"), file_kb: kb("RssFile") };
}
const mib = (kb) => (kb / 1024).toFixed(1);
function saveSmaps(pid, name) {
  if (opt.smaps) { fs.mkdirSync(opt.smaps, { recursive: true }); fs.writeFileSync(path.join(opt.smaps, name), fs.readFileSync(`/proc/${pid}/smaps`)); }
}

function request(url, method, p, body, timeoutMs = 60000) {
  return new Promise((resolve) => {
    const u = new URL(url + p);
    const headers = body ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {};
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method, headers, agent, timeout: timeoutMs }, (res) => {
      let b = "";
      res.on("data", (c) => { b += c; });
      res.on("end", () => resolve({ status: res.statusCode, body: b }));
      res.on("error", (e) => resolve({ status: 0, body: String(e) }));
    });
    req.on("error", (e) => resolve({ status: 0, body: String(e) }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(body);
  });
}

async function metrics(s) {
  const r = await request(s.url, "GET", "/metrics");
  const out = {};
  for (const line of r.body.split("\n")) {
    const m = line.match(/^([a-z_]+(?:\{[^}]*\})?) (\S+)$/);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

// Idle again: no slot busy, nothing queued, the burst's connection threads ended
// (they end after 2 s idle; /health polls and this probe keep at most two).
async function waitIdle(s) {
  const end = Date.now() + 20000;
  while (Date.now() < end) {
    const m = await metrics(s);
    if (m.holo_slots_busy === 0 && m.holo_queue_depth === 0 && m.holo_http_threads <= 2) break;
    await sleep(250);
  }
  await sleep(300);
}

// ---- /health, polled every 50 ms on a thread of its own (its timings do not wait for this one's work) ----
const poller = new Worker(`
  const { parentPort } = require("node:worker_threads");
  const http = require("node:http");
  const agent = new http.Agent({ keepAlive: false });
  let url = "", phase = "", stop = false, t_phase = 0;
  const samples = {};
  parentPort.on("message", (m) => {
    if (m.url !== undefined) { url = m.url; phase = m.phase; t_phase = performance.now(); }
    if (m.stop) { stop = true; }
  });
  const once = (u) => new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(u + "/health", { agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ms: performance.now() - t0, ok: res.statusCode === 200 }));
    });
    req.on("error", () => resolve({ ms: performance.now() - t0, ok: false }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
  (async () => {
    while (!stop) {
      const t0 = performance.now();
      if (url) {
        const p = phase, at = t0 - t_phase, r = await once(url);
        r.at_s = +(at / 1000).toFixed(2);  // seconds into the phase (a round starts at 0)
        if (url && p === phase) (samples[p] ||= []).push(r);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 50 - (performance.now() - t0))));
    }
    parentPort.postMessage(samples);
  })();
`, { eval: true });
const healthPhase = (url, phase) => poller.postMessage({ url, phase });

// ---- one round: N concurrent streams, mixed short/long, a share disconnecting mid-stream ----
function stream(s, i, { long, drop, numPredict }) {
  const body = JSON.stringify({ model: s.model, prompt: (long ? "Write a long story about request " : "Hi ") + i,
                                options: { num_predict: numPredict ?? (long ? 64 : 16), temperature: 0.8, seed: i } });
  return new Promise((resolve) => {
    const u = new URL(s.url + "/api/generate");
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent, timeout: 300000,
      headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 200) {
        let b = "";
        res.on("data", (c) => { b += c; });
        res.on("end", () => resolve({ kind: res.statusCode === 503 ? "refused" : "failed", status: res.statusCode, body: b }));
        return;
      }
      let buf = "", chunks = 0, last = null;
      res.on("data", (c) => {
        buf += c;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          last = JSON.parse(line); chunks++;
          if (drop && chunks >= 3) { req.destroy(); return resolve({ kind: "cancelled" }); }
        }
      });
      res.on("end", () => resolve(last && last.done ? { kind: "completed", tokens: last.eval_count } : { kind: "failed", last }));
      res.on("error", (e) => resolve({ kind: drop ? "cancelled" : "failed", error: String(e) }));
    });
    req.on("error", (e) => resolve({ kind: drop ? "cancelled" : "failed", error: String(e) }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(body);
  });
}

async function round(s, n, dropShare) {
  const every = dropShare > 0 ? Math.round(1 / dropShare) : 0;
  const t0 = performance.now();
  const out = await Promise.all(Array.from({ length: n }, (_, i) => {
    const drop = every > 0 && i % every === Math.floor(every / 2);
    return stream(s, i, { long: drop || i % 4 === 0, drop });
  }));
  const seconds = (performance.now() - t0) / 1000;
  const count = (k) => out.filter((r) => r.kind === k).length;
  const tokens = out.reduce((a, r) => a + (r.tokens || 0), 0);
  return { requests: n, completed: count("completed"), cancelled: count("cancelled"), failed: count("failed") + count("refused"),
           tokens, seconds: +seconds.toFixed(2), tokens_per_s: +(tokens / seconds).toFixed(1),
           failures: out.filter((r) => r.kind === "failed" || r.kind === "refused").slice(0, 3) };
}

function cancelHistogram(m) {
  const le = (x) => m[`holo_cancel_free_steps_bucket{le="${x}"}`] ?? 0;
  return { count: m.holo_cancel_free_steps_count ?? 0, le0: le("0"), le1: le("1"), le2: le("2"), le4: le("4"),
           sum: m.holo_cancel_free_steps_sum ?? 0 };
}

// ---- the run ----
report.machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg_start: os.loadavg().map((x) => +x.toFixed(2)),
                   node: process.version, model: path.basename(opt.model), threads: opt.threads, ctx: opt.ctx };
console.log(`machine: ${report.machine.cpus} CPUs (${report.machine.cpu}), load average ${report.machine.loadavg_start.join(" ")}`);
console.log(`model ${report.machine.model}, --threads ${opt.threads}, --ctx ${opt.ctx}, ${opt.n} streams per round, ${opt.rounds} rounds\n`);

try {
  // --parallel 1 and 8 side by side, their rounds alternating, so a change in the
  // machine's load (it is shared) hits both.
  const runs = [];
  for (const parallel of [1, 8]) {
    const s = await startServer(parallel, opt.n * 2);
    const run = { parallel, rss_idle_kb: s.rssIdle, rss_idle_parts: s.rssIdleParts, rounds: [], server: s,
                  before: cancelHistogram(await metrics(s)) };
    console.log(`--parallel ${parallel}: idle RSS ${mib(s.rssIdle)} MiB (anon ${mib(s.rssIdleParts.anon_kb)}, file ${mib(s.rssIdleParts.file_kb)})`);
    runs.push(run);
  }
  for (let r = 1; r <= opt.rounds; r++) {
    for (const run of runs) {
      const s = run.server, parallel = run.parallel;
      healthPhase(s.url, `parallel ${parallel}`);
      const res = await round(s, opt.n, opt.drop);
      healthPhase("", "");
      await waitIdle(s);
      res.rss_after_kb = rssKb(s.proc.pid);
      res.rss_after_parts = rssParts(s.proc.pid);
      saveSmaps(s.proc.pid, `p${parallel}-round${r}.smaps`);
      run.rounds.push(res);
      console.log(`  --parallel ${parallel} round ${r}: completed ${res.completed}, cancelled ${res.cancelled}, failed ${res.failed}, ` +
                  `${res.tokens} tokens in ${res.seconds} s = ${res.tokens_per_s} tok/s; ` +
                  `RSS after ${mib(res.rss_after_kb)} MiB (anon ${mib(res.rss_after_parts.anon_kb)}, file ${mib(res.rss_after_parts.file_kb)})` +
                  (res.failures.length ? `\n    failures: ${JSON.stringify(res.failures)}` : ""));
    }
  }
  for (const run of runs) {
    const s = run.server;
    const m = await metrics(s);
    const after = cancelHistogram(m);
    run.cancel = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - run.before[k]]));
    run.generations_cancelled = m.holo_generations_cancelled_total;
    run.decode_steps = m.holo_decode_steps_total;
    run.mean_batch = +(m.holo_decode_step_tokens_total / m.holo_decode_steps_total).toFixed(2);
    console.log(`  --parallel ${run.parallel}: cancelled generations ${run.cancel.count}; decode steps from the last one their client was seen in to the slot freed: ` +
                `<=0: ${run.cancel.le0}, <=1: ${run.cancel.le1}, <=2: ${run.cancel.le2}, <=4: ${run.cancel.le4}; mean decode batch ${run.mean_batch}`);
    delete run.server;
    delete run.before;
    report.runs.push(run);
    await stopServer(s);
  }

  // Cancel timing, seen from the client: --parallel 2, one long stream keeps the
  // steps going while a second one is opened and closed after 3 chunks, 20 times.
  // Around each close the client reads holo_decode_steps_total just before (b) and
  // just after (a); the server records the step count at which it freed the slot
  // (f). Steps between the disconnect and the free lie in [f - a, f - b]: f - b also
  // counts steps that ended while the counter's answer was on its way.
  {
    const s = await startServer(2, 4);
    const bg = stream(s, 7, { long: true, drop: false, numPredict: 400 });
    const rows = [];
    for (let k = 0; k < opt.cancels && rows.length < opt.cancels; k++) {
      const r = await new Promise((resolve) => {
        const body = JSON.stringify({ model: s.model, prompt: "Tell a story " + k, options: { num_predict: 200, seed: k } });
        const u = new URL(s.url + "/api/generate");
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent,
          headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, (res) => {
          let chunks = 0, closing = false;
          res.on("data", async (c) => {
            chunks += String(c).split("\n").filter((x) => x.trim()).length;
            if (chunks < 3 || closing) return;
            closing = true;
            const m0 = await metrics(s);
            req.destroy();
            const m1 = await metrics(s);
            const end = Date.now() + 5000;
            let m2 = m1;
            while (m2.holo_generations_cancelled_total <= m0.holo_generations_cancelled_total && Date.now() < end) {
              await sleep(2);
              m2 = await metrics(s);
            }
            if (m2.holo_generations_cancelled_total <= m0.holo_generations_cancelled_total) return resolve(null);
            const f = m2.holo_last_cancel_decode_step;
            resolve({ upper: f - m0.holo_decode_steps_total, lower: f - m1.holo_decode_steps_total });
          });
          res.on("error", () => {});
        });
        req.on("error", () => {});
        req.end(body);
      });
      rows.push(r);
    }
    bg.then(() => {});
    const ok = rows.filter((r) => r);
    const hist = (key) => ok.reduce((h, r) => { h[r[key]] = (h[r[key]] || 0) + 1; return h; }, {});
    report.cancel_timing = { tries: rows.length, measured: ok.length, lower: hist("lower"), upper: hist("upper") };
    console.log(`\ncancel timing (client side), --parallel 2, ${rows.length} streams closed after 3 chunks: ` +
                `steps from the disconnect to the slot freed, at least ${JSON.stringify(report.cancel_timing.lower)}, ` +
                `at most ${JSON.stringify(report.cancel_timing.upper)} (steps: count)`);
    await stopServer(s);
  }

  // Overload: more concurrent streams than slots + queue.
  {
    const P = opt.overloadParallel, Q = opt.overloadQueue, N = opt.overloadN;
    const s = await startServer(P, Q);
    console.log(`\noverload: --parallel ${P} --max-queue ${Q}, ${N} concurrent streams (64 tokens each); idle RSS ${mib(s.rssIdle)} MiB`);
    healthPhase(s.url, "overload");
    const out = await Promise.all(Array.from({ length: N }, (_, i) => stream(s, i, { long: true, drop: false, numPredict: 64 })));
    healthPhase("", "");
    const refused = out.filter((r) => r.kind === "refused");
    const o = { parallel: P, max_queue: Q, streams: N, refused_503: refused.length,
                completed: out.filter((r) => r.kind === "completed").length,
                failed: out.filter((r) => r.kind === "failed").length,
                refusal_message: refused[0] ? JSON.parse(refused[0].body).error : "" };
    await waitIdle(s);
    o.rss_idle_kb = s.rssIdle;
    o.rss_after_kb = rssKb(s.proc.pid);
    console.log(`  503: ${o.refused_503}, completed: ${o.completed}, failed: ${o.failed}; RSS after ${mib(o.rss_after_kb)} MiB` +
                (o.refusal_message ? `\n  503 says: "${o.refusal_message}"` : ""));
    report.overload = o;
    await stopServer(s);
  }
} catch (e) {
  console.error(`FAIL: ${e.stack || e}`);
  cleanup();
  process.exit(1);
}

// /health latencies per phase.
poller.postMessage({ stop: true });
const samples = await new Promise((r) => poller.once("message", r));
const pct = (a, q) => a[Math.min(a.length - 1, Math.floor(q * a.length))];
let all = [];
for (const [phase, list] of Object.entries(samples)) {
  const ms = list.map((x) => x.ms).sort((a, b) => a - b);
  all = all.concat(list);
  const slowest = list.reduce((a, x) => (x.ms > a.ms ? x : a), list[0]);
  report.health[phase] = { polls: list.length, failed: list.filter((x) => !x.ok).length,
                           p50_ms: +pct(ms, 0.5).toFixed(1), p99_ms: +pct(ms, 0.99).toFixed(1), max_ms: +ms[ms.length - 1].toFixed(1),
                           max_at_s: slowest.at_s };
}
const allMs = all.map((x) => x.ms).sort((a, b) => a - b);
report.health.all = { polls: all.length, failed: all.filter((x) => !x.ok).length,
                      p50_ms: +pct(allMs, 0.5).toFixed(1), p99_ms: +pct(allMs, 0.99).toFixed(1), max_ms: +allMs[allMs.length - 1].toFixed(1) };
console.log("\n/health every 50 ms (a new connection each time):");
for (const [phase, h] of Object.entries(report.health)) {
  console.log(`  ${phase.padEnd(12)} ${String(h.polls).padStart(5)} polls, ${h.failed} failed, p50 ${h.p50_ms} ms, p99 ${h.p99_ms} ms, max ${h.max_ms} ms` +
              (h.max_at_s !== undefined ? ` (${h.max_at_s} s into a round)` : ""));
}
report.machine.loadavg_end = os.loadavg().map((x) => +x.toFixed(2));

// ---- criteria ----
const crit = (name, pass, detail) => { report.criteria.push({ name, pass, detail }); };
for (const run of report.runs) {
  const ok = run.rounds.every((r) => r.failed === 0 && r.completed + r.cancelled === r.requests);
  crit(`--parallel ${run.parallel}: every non-cancelled request completes`, ok,
       run.rounds.map((r) => `${r.completed} completed + ${r.cancelled} cancelled of ${r.requests}, ${r.failed} failed`).join("; "));
}
const mean = (run) => run.rounds.reduce((a, r) => a + r.tokens_per_s, 0) / run.rounds.length;
const [p1, p8] = report.runs;
const ratio = mean(p8) / mean(p1);
report.ratio = +ratio.toFixed(2);
crit(`throughput --parallel 8 >= ${LIMITS.ratio}x --parallel 1`, ratio >= LIMITS.ratio,
     `${mean(p8).toFixed(0)} / ${mean(p1).toFixed(0)} tok/s = ${ratio.toFixed(2)}x`);
const o = report.overload;
crit("overload: streams past slots + queue get 503, the rest complete",
     o.refused_503 >= o.streams - (o.parallel + o.max_queue) && o.failed === 0 && o.refused_503 + o.completed === o.streams,
     `${o.refused_503} x 503 (at least ${o.streams - (o.parallel + o.max_queue)} expected), ${o.completed} completed, ${o.failed} failed`);
const h = report.health.all;
crit(`/health answers within ${LIMITS.healthMs} ms throughout`, h.failed === 0 && h.max_ms < LIMITS.healthMs,
     `${h.polls} polls, ${h.failed} failed, p99 ${h.p99_ms} ms, max ${h.max_ms} ms`);
{
  const t = report.cancel_timing, n = (h, pred) => Object.entries(h).filter(([k]) => pred(Number(k))).reduce((a, [, v]) => a + v, 0);
  crit(`client side: at most one decode step starts with a closed stream's slot after the disconnect`,
       t.measured === t.tries && t.measured > 0 && n(t.lower, (k) => k > 1) === 0,
       `${t.measured} of ${t.tries} measured; steps at least ${JSON.stringify(t.lower)}, at most ${JSON.stringify(t.upper)}`);
}
const cancels = report.runs.reduce((a, r) => a + r.cancel.count, 0);
const within = report.runs.reduce((a, r) => a + r.cancel.le1, 0);
crit(`cancelled streams free their slot within ${LIMITS.cancelSteps} decode step`, cancels > 0 && within === cancels,
     `${within} of ${cancels} cancelled generations freed within 1 step (${report.runs.map((r) => `--parallel ${r.parallel}: ${r.cancel.le0} at 0, ${r.cancel.le1 - r.cancel.le0} at 1, ${r.cancel.count - r.cancel.le1} later`).join("; ")})`);
const rssRows = [];
let rssOk = true;
for (const run of report.runs) {
  for (const [i, r] of run.rounds.entries()) {
    const d = r.rss_after_kb / run.rss_idle_kb - 1;
    const anon = r.rss_after_parts.anon_kb - run.rss_idle_parts.anon_kb, file = r.rss_after_parts.file_kb - run.rss_idle_parts.file_kb;
    rssOk &&= Math.abs(d) <= LIMITS.rssShare;
    rssRows.push(`P${run.parallel} round ${i + 1}: ${d >= 0 ? "+" : ""}${(d * 100).toFixed(1)}% (anon ${anon >= 0 ? "+" : ""}${anon} kB, file ${file >= 0 ? "+" : ""}${file} kB)`);
  }
}
{
  const d = o.rss_after_kb / o.rss_idle_kb - 1;
  rssOk &&= Math.abs(d) <= LIMITS.rssShare;
  rssRows.push(`overload: ${d >= 0 ? "+" : ""}${(d * 100).toFixed(1)}%`);
}
crit(`RSS back to idle within ${LIMITS.rssShare * 100}% after every round`, rssOk, rssRows.join(", "));

console.log("");
for (const c of report.criteria) console.log(`${c.pass ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`);
console.log(`load average at the end: ${report.machine.loadavg_end.join(" ")}`);
if (opt.json) fs.writeFileSync(opt.json, JSON.stringify(report, null, 2) + "\n");
clearTimeout(watchdog);
await poller.terminate();
process.exit(report.criteria.every((c) => c.pass) ? 0 : 1);
