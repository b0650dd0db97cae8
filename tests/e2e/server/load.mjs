// Load: N concurrent streaming /api/generate requests (mixed short and long, a
// share of clients disconnecting mid-stream) against a running `holo serve`.
// node load.mjs URL MODEL [N=200] [DISCONNECT_SHARE=0.1] [KEY]
// Prints one JSON line: completed, cancelled, failed, tokens, seconds, tokens/s.
import http from "node:http";

const [url, model, nArg, dropArg, key] = process.argv.slice(2);
const n = Number(nArg || 200), dropShare = Number(dropArg ?? 0.1);
const u = new URL(url + "/api/generate");
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function one(i) {
  const long = i % 4 === 0;
  const drop = i % Math.round(1 / Math.max(dropShare, 1e-9)) === 5 && dropShare > 0;
  const body = JSON.stringify({ model, prompt: (long ? "Write a long story about request " : "Hi ") + i,
                                options: { num_predict: long ? 64 : 16, temperature: 0.8, seed: i } });
  return new Promise((resolve) => {
    const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) };
    if (key) headers.Authorization = `Bearer ${key}`;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers, agent, timeout: 600000 }, (res) => {
      if (res.statusCode !== 200) { res.resume(); return resolve({ kind: "failed", status: res.statusCode }); }
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
      res.on("error", () => resolve({ kind: drop ? "cancelled" : "failed" }));
    });
    req.on("error", (e) => resolve({ kind: drop ? "cancelled" : "failed", error: String(e) }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(body);
  });
}

const t0 = Date.now();
const out = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
const secs = (Date.now() - t0) / 1000;
const count = (k) => out.filter((r) => r.kind === k).length;
const tokens = out.reduce((a, r) => a + (r.tokens || 0), 0);
console.log(JSON.stringify({ requests: n, completed: count("completed"), cancelled: count("cancelled"), failed: count("failed"),
  tokens, seconds: secs, tokens_per_s: tokens / secs, failures: out.filter((r) => r.kind === "failed").slice(0, 3) }));
process.exit(count("failed") ? 1 : 0);
