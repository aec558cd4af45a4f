// Runs the wasm-bindgen browser suite (tests/web_browser.rs) in headless Chromium driven by
// playwright, as the JS tests are. The runner's own driver (chromedriver) sometimes never heard
// back from the test page at load, while the tests themselves passed in seconds; here the runner
// only serves the page (its interactive mode, NO_HEADLESS=1) and this script reads the results
// from the page's #output, as the runner would.
//
//   node tests/js/wasm-browser.mjs [-- test-filter …]
//
// Exits 0 when the page reports "test result: ok", 1 when it reports failures or never finishes
// (TEST_TIMEOUT_S, default 300 s after the page opens), or cargo's code if the build fails.
import { spawn } from "node:child_process";
import { launchChromium, root } from "./harness.mjs";

const testTimeoutMs = Number(process.env.TEST_TIMEOUT_S ?? 300) * 1000;
const buildTimeoutMs = 30 * 60 * 1000;
const filter = process.argv.slice(2);

const cargo = spawn(
  "cargo",
  ["test", "-p", "apikey-credentials", "--target", "wasm32-unknown-unknown", "--test", "web_browser", ...filter],
  { cwd: root, env: { ...process.env, NO_HEADLESS: "1" }, stdio: ["ignore", "pipe", "inherit"], detached: true },
);
const stopCargo = () => { try { process.kill(-cargo.pid, "SIGTERM"); } catch { /* already gone */ } };
process.on("exit", stopCargo);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

// The runner prints the page's address once the suite is built and served.
const url = await new Promise((resolve, reject) => {
  let out = "";
  const timer = setTimeout(() => reject(new Error("the wasm test build did not finish in 30 minutes")), buildTimeoutMs);
  cargo.stdout.on("data", (d) => {
    out += d;
    const m = /available at (http:\/\/\S+)/.exec(out);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  cargo.on("exit", (code) => {
    clearTimeout(timer);
    process.stdout.write(out);
    process.exit(code || 1);
  });
});
console.log(`wasm browser tests: ${url}, in Chromium driven by playwright`);

const browser = await launchChromium();
let report = "";
const consoleLines = [];
try {
  const page = await browser.newPage();
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60000 });
  const deadline = Date.now() + testTimeoutMs;
  // Streams #output as it grows, until the summary line is there.
  let shown = 0;
  for (;;) {
    report = await page.locator("#output").textContent() ?? "";
    if (report.startsWith("Loading scripts")) report = report.slice("Loading scripts...".length);
    process.stdout.write(report.slice(shown));
    shown = report.length;
    if (/test result: /.test(report) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
} finally {
  await browser.close();
}

if (/test result: ok/.test(report)) process.exit(0);
if (!/test result: /.test(report)) console.log(`\nwasm browser tests: no result after ${testTimeoutMs / 1000} s`);
console.log("\nthe page's console:\n" + consoleLines.join("\n"));
process.exit(1);
