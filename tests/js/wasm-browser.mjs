// Runs the wasm-bindgen browser suite (tests/web_browser.rs) in headless Chromium driven by
// playwright, as the JS tests are. The runner only serves the page (its interactive mode,
// NO_HEADLESS=1) and this script reads the results from the page's #output, as the runner would.
//
// The runner's server sometimes never answers one of the page's parallel module requests (seen 2
// runs in 10 here, with chromedriver and with playwright alike: the page then never loads). So the
// page is served through a proxy on WASM_BINDGEN_TEST_ADDRESS (the origin the emulators' helpers
// allow), which passes the requests to the runner one at a time, each on a connection of its own.
//
//   node tests/js/wasm-browser.mjs [-- test-filter …]
//
// Exits 0 when the page reports "test result: ok", 1 when it reports failures or never finishes
// (TEST_TIMEOUT_S, default 300 s after the page opens), or cargo's code if the build fails.
import { spawn } from "node:child_process";
import { createServer, request } from "node:http";
import { launchChromium, root } from "./harness.mjs";

const testTimeoutMs = Number(process.env.TEST_TIMEOUT_S ?? 300) * 1000;
const buildTimeoutMs = 30 * 60 * 1000;
const filter = process.argv.slice(2);

const cargo = spawn(
  "cargo",
  ["test", "-p", "apikey-credentials", "--target", "wasm32-unknown-unknown", "--test", "web_browser", ...filter],
  { cwd: root, env: { ...process.env, NO_HEADLESS: "1", WASM_BINDGEN_TEST_ADDRESS: "127.0.0.1:0" }, stdio: ["ignore", "pipe", "inherit"], detached: true },
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

// The proxy: one request at a time to the runner, `Connection: close`.
const runner = new URL(url);
let queue = Promise.resolve();
const proxy = createServer((req, res) => {
  queue = queue.then(() => new Promise((done) => {
    const up = request({
      host: runner.hostname, port: runner.port, path: req.url, method: req.method, agent: false,
      headers: { ...req.headers, host: runner.host, connection: "close" },
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
      answer.on("end", done);
      answer.on("error", done);
    });
    up.setTimeout(30_000, () => up.destroy(new Error("the runner did not answer in 30 s")));
    up.on("error", (e) => { res.destroy(e); done(); });
    req.pipe(up);
  }));
});
const [host, port] = (process.env.WASM_BINDGEN_TEST_ADDRESS ?? "127.0.0.1:0").split(":");
await new Promise((r) => proxy.listen(Number(port), host, r));
const pageUrl = `http://${host}:${proxy.address().port}/`;
console.log(`wasm browser tests: ${pageUrl} (the runner at ${url}), in Chromium driven by playwright`);

const browser = await launchChromium();
let report = "";
const consoleLines = [];
try {
  const page = await browser.newPage();
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(pageUrl, { waitUntil: "domcontentloaded", timeout: 60000 });
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
  proxy.close();
}

if (/test result: ok/.test(report)) process.exit(0);
if (!/test result: /.test(report)) console.log(`\nwasm browser tests: no result after ${testTimeoutMs / 1000} s`);
console.log("\nthe page's console:\n" + consoleLines.join("\n"));
process.exit(1);
