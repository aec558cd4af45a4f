// Loads the release package (pkg/) in a real headless Chromium page served by the emulator and
// fails on any console error, page error or failed request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, launchChromium, expectedWarning } from "./harness.mjs";

test("release pkg loads in Chromium without console errors", async () => {
  const emu = await startEmulator();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems = [];
    // The demo starts with the seeded store locator's keys, whose key 1 is about to expire, and
    // draws a map: the library's own warning and the software GL's notes are expected (see
    // expectedWarning); nothing else is.
    page.on("console", (m) => {
      if (m.type() === "warning" && expectedWarning(m.text())) return;
      if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()}`));
    await page.goto(`${emu.url}/`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
    const shown = await page.textContent("#version");
    const pkg = JSON.parse(await (await fetch(`${emu.url}/pkg/package.json`)).text());
    assert.equal(shown, pkg.version);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await emu.stop();
  }
});
