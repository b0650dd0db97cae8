// The web chat page in Debian's Chromium (playwright-core): enter the API key,
// pick the model, send a message, wait for the streamed answer to finish, check
// that text and tokens/s are shown, save a screenshot.
// node page.mjs URL KEY MODEL SCREENSHOT_PATH USER_DATA_DIR
import { chromium } from "playwright-core";

const [url, key, model, shot, userDataDir] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
let code = 1;
try {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url + "/", { timeout: 30000 });
  await page.fill("#key", key);
  await page.evaluate(() => loadModels());
  await page.waitForFunction((m) => [...document.querySelectorAll("#model option")].some((o) => o.value === m), model, { timeout: 15000 });
  await page.selectOption("#model", model);
  const done = ".msg.assistant[data-done='1'], .msg.error[data-done='1']";
  let reply = "", cls = "", stats = "";
  for (let attempt = 1; attempt <= 3; ++attempt) {
    await page.fill("#input", "Hello there, tell me something.");
    await page.press("#input", "Enter");
    await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length >= n, [done, attempt], { timeout: 60000 });
    const last = page.locator(done).last();
    reply = await last.textContent();
    cls = await last.getAttribute("class");
    stats = await page.textContent("#stats");
    // The test model is random: now and then its first token is the end of its turn,
    // and the (correct) reply is empty. Ask again rather than fail on that.
    if (cls.includes("error") || reply.length) break;
    console.log(`attempt ${attempt}: the model ended its reply at once (${stats}); asking again`);
  }
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify({ reply, cls, stats, errors }));
  if (cls.includes("error")) throw new Error("the page shows an error: " + reply);
  if (!/tokens\/s/.test(stats)) throw new Error("no tokens/s shown: " + stats);
  if (!reply || !reply.length) throw new Error("empty reply");
  if (errors.length) throw new Error("page errors: " + errors.join("; "));
  code = 0;
} catch (e) {
  console.log("page test failed: " + (e.stack || e));
} finally {
  await context.close();
}
process.exit(code);
