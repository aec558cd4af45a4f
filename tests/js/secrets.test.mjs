// Secret hygiene: the whole JS API, driven with known keys and a known password in Chromium, never
// puts a raw key or the password in console output, events, errors, toString/toJSON or storage;
// nor does the emulator's log. Only the explicit calls (getToken, rawKey, a new key) return them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator, launchChromium, root } from "./harness.mjs";

test("no raw key or password anywhere the user did not ask for it", async () => {
  const emu = await startEmulator(["--www", join(root, "tests", "js", "pages"), "--log", "debug"]);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const consoleText = [];
    page.on("console", (m) => consoleText.push(m.text()));
    page.on("pageerror", (e) => consoleText.push(`pageerror ${e.message}`));
    await page.goto(`${emu.url}/secrets.html`);
    await page.waitForSelector("body[data-done=true]", { state: "attached", timeout: 60000 });
    const r = await page.evaluate(() => window.__result);
    assert.equal(r.unhandled, 0, "no unhandled promise rejections");
    assert.ok(r.seen.length > 40, `exercised the API (${r.seen.length} observations)`);
    assert.ok(r.seen.some((s) => s.startsWith("event invalid") || s.startsWith("event2 invalid")), "events were observed");
    assert.ok(r.seen.some((s) => s.startsWith("localStorage") && s.includes("apikey-credentials/2")), "storage was written");
    assert.ok(r.seen.some((s) => s.startsWith("event healed")), "dead marks were made and healed");
    assert.ok(r.seen.some((s) => s.startsWith("status dead") && s.includes("/emulator/status/498")), "marks name the URL");
    // The explicit calls did return raw keys…
    assert.ok(r.explicitlyAsked.every((k) => typeof k === "string" && k.startsWith("AAPT")));
    // …and nothing else carries one.
    const sources = [...r.seen.map((s) => ["page", s]), ...consoleText.map((s) => ["console", s]), ["emulator log", emu.stderr()], ["emulator stdout", emu.stdout().replace(/password: \S+/g, "")]];
    for (const secret of r.secrets) {
      assert.ok(secret.length > 12, "a secret long enough not to match by chance");
      const hit = sources.find(([, text]) => text.includes(secret));
      const at = hit ? hit[1].indexOf(secret) : -1;
      const context = hit ? hit[1].slice(Math.max(0, at - 120), at + 40).replaceAll(secret, "<KEY>") : "";
      assert.equal(hit, undefined, hit ? `a secret (${secret.slice(0, 4)}…) leaked into ${hit[0]}: …${context}` : "");
    }
  } finally {
    await browser.close();
    await emu.stop();
  }
});
