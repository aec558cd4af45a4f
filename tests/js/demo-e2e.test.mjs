// The demo page end to end in real Chromium against the emulator: sign in, the expiring-key
// warning, generating a secondary key, failover after invalidating key 1, on the second
// origin the predicted and the real referrer denial agreeing, and a link naming another portal
// waiting for the user's click, and the owner's sign-in with OAuth in a popup. Fails on any
// console error.
// Screenshots of each step (desktop and phone width) go to target/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, launchChromium, root, expectedWarning } from "./harness.mjs";

const shots = join(root, "target", "screenshots");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Once a key is invalidated, the map's requests with it are refused (498), and the browser
 * says so on the console: those lines, and only those, are expected from then on. */
const refusedAllowed = new WeakSet();

function watch(page, problems) {
  page.on("console", (m) => {
    // The library's own expiry and failover warnings are the point of the demo; anything else
    // on the console (and every error) fails the test.
    if (m.type() === "error" && refusedAllowed.has(page) && /status of 498/.test(m.text())) return;
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
    if (m.type() === "warning" && !expectedWarning(m.text())) problems.push(`console.warn: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()}`));
}

/** What a reader would see as broken: horizontal overflow, clipped text, SVG text that is
 * outside its drawing, smaller than 11 px, or on top of other text. */
function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const W = window.innerWidth;
    if (document.documentElement.scrollWidth > W) {
      // Name the outermost elements that reach past the right edge.
      const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > W + 1 && !(e.parentElement?.getBoundingClientRect().right > W + 1));
      problems.push(`the page is ${document.documentElement.scrollWidth}px wide at ${W}px: ${wide.slice(0, 3).map((e) => `<${e.tagName.toLowerCase()} ${e.id || e.className}>`).join(", ")}`);
    }
    for (const e of document.querySelectorAll("body *")) {
      const cs = getComputedStyle(e);
      // The map draws itself: its canvas follows the container a frame after a resize (a
      // ResizeObserver), and its attribution is MapLibre's to lay out.
      if (cs.display === "none" || e.closest("svg") || e.closest(".table-wrap") || e.closest(".map")) continue;
      const clips = /hidden|clip/.test(cs.overflowX);
      if (clips && e.scrollWidth > e.clientWidth + 1 && e.textContent.trim()) problems.push(`clipped: <${e.tagName.toLowerCase()} ${e.id || e.className}>`);
    }
    for (const svg of document.querySelectorAll("svg.timeline")) {
      if (!svg.getClientRects().length) continue;
      const box = svg.getBoundingClientRect();
      const vb = svg.viewBox.baseVal;
      const scale = box.width / vb.width;
      const texts = [...svg.querySelectorAll("text")].map((t) => ({ t: t.textContent, b: t.getBBox(), size: parseFloat(getComputedStyle(t).fontSize) * scale }));
      for (const { t, b, size } of texts) {
        if (size < 10.95) problems.push(`"${t}" is ${size.toFixed(1)}px`);
        if (b.x < -0.5 || b.x + b.width > vb.width + 0.5 || b.y < -0.5 || b.y + b.height > vb.height + 0.5) problems.push(`"${t}" is cut at the edge of its timeline`);
      }
      texts.forEach((a, i) => texts.slice(i + 1).forEach((c) => {
        const overlap = a.b.x < c.b.x + c.b.width && c.b.x < a.b.x + a.b.width && a.b.y < c.b.y + c.b.height && c.b.y < a.b.y + a.b.height;
        if (overlap) problems.push(`"${a.t}" overlaps "${c.t}"`);
      }));
    }
    return problems;
  });
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
  // WebGL (software) for the app view's map.
  const browser = await launchChromium({ webgl: true });
  const problems = [];
  try {
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    watch(page, problems);
    await page.goto(`${emu.url}/`);
    await page.waitForSelector("body[data-ready=true]");
    // The first load already shows keys at work: the store locator's keys, a warning for key 1
    // (about to expire), and the map drawn with key 2, which takes over.
    await page.waitForSelector(".banner.critical");
    await page.waitForSelector('#map-key[data-slot="2"]');
    await page.waitForFunction(() => /requests key 2: \d+/.test(document.getElementById("map-status").textContent));
    // The manager counted the map's requests: the usage table shows them.
    await page.waitForFunction(() => /Basemap styles service ×\d+/.test(document.getElementById("usage-table")?.textContent ?? ""));
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
    // The banner's advice and the owner card's plan agree (both: deploy key 2).
    assert.match(await page.locator(".banner.critical").first().textContent(), /API key 2 \(AAPT…[\w-]+\) is deployed too and takes over/);
    assert.match(await store.locator(".plan b").textContent(), /^Deploy key 2 to the app/);
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
    await page.waitForFunction(() => document.getElementById("key2").value !== "");
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

    await page.waitForSelector('#map-key[data-slot="1"]');

    // The owner invalidates key 1: the map moves on, its first tiles are refused, the manager
    // checks key 1 with the portal and fails over, and the map draws with key 2. Calls then go
    // with key 2.
    refusedAllowed.add(page);
    await card(page, "Field app").locator("button", { hasText: "Invalidate key 1" }).click();
    await page.click("#dialog button[value=ok]");
    await page.waitForSelector(".banner.info");
    await page.waitForSelector('.banner[data-key="failover"]');
    assert.match(await page.textContent('.banner[data-key="failover"]'), /Failover: key 1/);
    await page.waitForSelector('#map-key[data-slot="2"]');
    await page.waitForFunction(() => /key 2: \d+/.test(document.getElementById("map-status").textContent));
    await page.click("[data-call=self]");
    await page.waitForSelector("#call-ok");
    assert.match(await page.textContent("#call-ok"), /served by key 2/);
    assert.match(await page.textContent('#reports tr[data-slot="1"]'), /Invalidated/);
    assert.match(await page.textContent('#reports tr[data-slot="1"] td:last-child'), /INVALID_TOKEN/, "the stale inspection answer is replaced");
    await shot(page, "05-failover-desktop");

    // Phone width: the same page stays readable. The timelines redraw at their new width;
    // nothing overflows, no text is clipped or overlapped or smaller than 11 px, and the app
    // view is one tap away (the switch at the top), not below every owner card.
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(200);
    assert.deepEqual(await layoutProblems(page), [], "owner view at phone width");
    await shot(page, "06-owner-phone");
    await page.click(".view-switch button[data-view=app]");
    const appTop = await page.evaluate(() => document.getElementById("app").getBoundingClientRect().top);
    assert.ok(appTop >= 0 && appTop < PHONE.height / 2, `the app view starts at ${appTop}px`);
    assert.deepEqual(await layoutProblems(page), [], "app view at phone width");
    await shot(page, "06-failover-phone");
    await page.setViewportSize(DESKTOP);
    await page.waitForTimeout(200);
    assert.deepEqual(await layoutProblems(page), [], "desktop width");
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
    await p2.waitForTimeout(200);
    assert.deepEqual(await layoutProblems(p2), [], "second origin at phone width");
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

    // The owner's first choice: "Sign in with ArcGIS", the portal's own sign-in in a popup
    // (OAuth 2.0 with PKCE, the emulator's seeded OAuth app).
    const viaOAuth = await browser.newContext({ viewport: PHONE });
    const p4 = await viaOAuth.newPage();
    watch(p4, problems);
    await p4.goto(`${emu.url}/`);
    await p4.waitForSelector("body[data-ready=true]");
    assert.match(await p4.inputValue("#client-id"), /^\w{16}$/, "the emulator's OAuth app is filled in");
    const popupOpened = p4.waitForEvent("popup");
    await p4.click("#oauth-signin");
    const popup = await popupOpened;
    await popup.waitForSelector("input[name=username]");
    await shot(popup, "10-oauth-portal-sign-in-phone");
    await popup.fill("input[name=username]", "demo_owner");
    await popup.fill("input[name=password]", emu.password);
    await popup.click("button[value=sign-in]");
    await p4.waitForSelector("article.card[data-item]");
    assert.match(await p4.textContent("#signin"), /Signed in as demo_owner/);
    assert.deepEqual(await layoutProblems(p4), [], "signed in with OAuth, at phone width");
    await shot(p4, "11-oauth-signed-in-phone");
    await viaOAuth.close();
  } finally {
    await browser.close();
    await emu.stop();
  }
  assert.deepEqual(problems, []);
});
