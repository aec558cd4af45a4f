// The demo page end to end in real Chromium against the emulator: sign in, the expiring-key
// warning, generating a secondary key, failover after invalidating key 1, on the second
// origin the predicted and the real referrer denial agreeing, and a link naming another portal
// waiting for the user's click. Fails on any console error.
// Screenshots of each step (desktop and phone width) go to target/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, launchChromium, root } from "./harness.mjs";

const shots = join(root, "target", "screenshots");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

function watch(page, problems) {
  page.on("console", (m) => {
    // The library's own expiry and failover warnings are the point of the demo; anything else
    // on the console (and every error) fails the test.
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
    if (m.type() === "warning" && !m.text().startsWith("apikey-credentials:")) problems.push(`console.warn: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()}`));
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function signIn(page) {
  await page.click("#login-hint button");
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("article.card[data-item]");
}

function card(page, titleStart) {
  return page.locator("article.card", { has: page.locator(`h3:text-matches("^${titleStart}")`) });
}

test("demo: sign in, warnings, secondary key, failover, second origin", async () => {
  mkdirSync(shots, { recursive: true });
  const emu = await startEmulator();
  const browser = await launchChromium();
  const problems = [];
  try {
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    watch(page, problems);
    await page.goto(`${emu.url}/`);
    await page.waitForSelector("body[data-ready=true]");
    await shot(page, "01-start-desktop");

    // Owner view: sign in; cards for the seeded credentials with badges in words.
    await signIn(page);
    assert.ok((await page.locator("article.card[data-item]").count()) >= 3);
    const store = card(page, "Store locator");
    assert.match(await store.locator("tbody tr").first().textContent(), /Critical/);
    assert.equal(await store.locator("svg.timeline").count(), 1);
    await shot(page, "02-owner-desktop");

    // App view with the store locator's keys: the critical-expiry banner appears.
    await page.selectOption("#seeded", { label: (await page.locator("#seeded option").nth(1).textContent()).trim() });
    const storeOption = await page.locator("#seeded option", { hasText: "Store locator" }).getAttribute("value");
    await page.selectOption("#seeded", storeOption);
    await page.click("#start");
    await page.waitForSelector(".banner.critical");
    assert.match(await page.locator(".banner.critical").first().textContent(), /expires in [45] days/);
    await page.waitForSelector("#portal-accepts");
    assert.equal(await page.locator("#prediction").getAttribute("data-allowed"), "true");
    await shot(page, "03-expiry-warning-desktop");

    // Generate a secondary key for the field app (slot 2 was never generated).
    const fieldOption = await page.locator("#seeded option", { hasText: "Field app" }).getAttribute("value");
    await page.selectOption("#seeded", fieldOption);
    const field = card(page, "Field app");
    await field.locator("button", { hasText: "Generate key 2" }).click();
    await page.click("#dialog button[value=ok]");
    await page.waitForSelector("#new-key");
    const newKey = (await page.textContent("#new-key")).trim();
    assert.match(newKey, /^AAPT.+\.AT2_[A-Za-z0-9]{8}$/);
    await shot(page, "04-new-key-desktop");
    await page.click("#dialog button[value=ok]");
    assert.equal(await page.inputValue("#key2"), newKey);
    await page.waitForFunction(() => !document.getElementById("dialog").open);
    // The raw key is gone from the page once the dialog is closed; only its mask remains.
    assert.ok(!(await page.locator("main").innerText()).includes(newKey));

    // The app uses the field app's keys; calls are served by key 1 (it expires later).
    await page.click("#start");
    await page.waitForSelector("#reports table");
    await page.click("[data-call=self]");
    await page.waitForSelector("#call-ok");
    assert.match(await page.textContent("#call-ok"), /served by key 1/);

    // The owner invalidates key 1; the next call fails over to key 2.
    await card(page, "Field app").locator("button", { hasText: "Invalidate key 1" }).click();
    await page.click("#dialog button[value=ok]");
    await page.waitForSelector(".banner.info");
    await page.click("[data-call=self]");
    await page.waitForSelector("#call-ok");
    assert.match(await page.textContent("#call-ok"), /served by key 2/);
    await page.waitForSelector('.banner[data-key="failover"]');
    assert.match(await page.textContent('.banner[data-key="failover"]'), /Failover: key 1/);
    assert.match(await page.textContent("#usage-table"), /INVALID_TOKEN ×1/);
    assert.match(await page.textContent('#reports tr[data-slot="1"]'), /Invalidated/);
    assert.match(await page.textContent('#reports tr[data-slot="1"] td:last-child'), /INVALID_TOKEN/, "the stale inspection answer is replaced");
    await shot(page, "05-failover-desktop");

    // Phone width: the same page stays readable.
    await page.setViewportSize(PHONE);
    await shot(page, "06-failover-phone");
    await ctx.close();

    // Second origin: not in the seeded referrers. The page predicts the denial and the portal's
    // 403 confirms it.
    const alt = await browser.newContext({ viewport: DESKTOP });
    const p2 = await alt.newPage();
    watch(p2, problems);
    await p2.goto(`${emu.altUrl}/`);
    await p2.waitForSelector("body[data-ready=true]");
    await signIn(p2);
    const storeAlt = await p2.locator("#seeded option", { hasText: "Store locator" }).getAttribute("value");
    await p2.selectOption("#seeded", storeAlt);
    await p2.click("#start");
    await p2.waitForSelector("#portal-denial");
    assert.equal(await p2.locator("#prediction").getAttribute("data-allowed"), "false");
    assert.match(await p2.textContent("#prediction"), /NO_MATCH/);
    assert.match(await p2.textContent("#portal-denial"), /REFERRER_NOT_ALLOWED/);
    await shot(p2, "07-second-origin-desktop");
    await p2.setViewportSize(PHONE);
    await shot(p2, "08-second-origin-phone");
    await alt.close();

    // A link naming another portal: it is shown, and nothing goes there before one click.
    const linked = await browser.newContext({ viewport: DESKTOP });
    const p3 = await linked.newPage();
    watch(p3, problems);
    const elsewhere = [];
    p3.on("request", (r) => { if (r.url().startsWith(emu.altUrl)) elsewhere.push(r.url()); });
    await p3.goto(`${emu.url}/?portal=${encodeURIComponent(`${emu.altUrl}/portal`)}`);
    await p3.waitForSelector("body[data-ready=true]");
    assert.equal(await p3.inputValue("#portal-url"), `${emu.altUrl}/portal`);
    assert.ok(await p3.locator("#portal-confirm").isVisible());
    await p3.click("#login-hint button");
    await p3.click("#signin button[type=submit]");
    await p3.waitForSelector("#signin-error:not([hidden])");
    await p3.selectOption("#seeded", await p3.locator("#seeded option", { hasText: "Store locator" }).getAttribute("value"));
    await p3.click("#start");
    await p3.waitForSelector("#keys-error:not([hidden])");
    await shot(p3, "09-linked-portal-unconfirmed-desktop");
    assert.deepEqual(elsewhere, [], "nothing was sent to the linked portal before the click");
    await p3.click("#portal-confirm button");
    assert.ok(!(await p3.locator("#portal-confirm").isVisible()));
    await p3.click("#signin button[type=submit]");
    await p3.waitForSelector("article.card[data-item]");
    assert.ok(elsewhere.some((u) => u.includes("/portal/sharing/rest/generateToken")));
    await linked.close();
  } finally {
    await browser.close();
    await emu.stop();
  }
  assert.deepEqual(problems, []);
});
