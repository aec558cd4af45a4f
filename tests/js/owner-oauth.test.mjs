// Owners sign in with OAuth 2.0 and PKCE, in real Chromium against the emulator's OAuth app
// (seeded, redirect URIs on its own origins): the popup flow, the redirect flow, each refusal of
// the portal (an unregistered redirect URI at oauth2/authorize; a wrong verifier, a reused code,
// an expired code and another redirect URI at oauth2/token), the renewal with the refresh token
// and the "sign in again" when it fails, fromToken, and Esri's own ArcGISIdentityManager
// (beginOAuth2 / completeOAuth2, unchanged) adopted with fromSession. A sweep checks that no code,
// verifier, token or refresh token shows up in the console, errors, toJSON, toString, storage
// or the address bar.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startEmulator, launchChromium } from "./harness.mjs";

const PASSWORD = "oauth-owner-password";
const restjs = join(root, "tests", "js", "node_modules", "@esri", "arcgis-rest-request", "dist", "bundled", "request.esm.js");

/** A www folder: a blank page, the callback page (blank, or rest-js's completeOAuth2), rest-js. */
function site(callbackScript = "") {
  const dir = mkdtempSync(join(tmpdir(), "oauth-www-"));
  const html = (body) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>t</title></head><body>${body}</body></html>`;
  writeFileSync(join(dir, "index.html"), html(""));
  writeFileSync(join(dir, "oauth-callback.html"), html(callbackScript));
  copyFileSync(restjs, join(dir, "rest.js"));
  return dir;
}

/** Signs in on the emulator's page in `popup` (fills the form, submits). */
async function signInOnPortal(popup) {
  await popup.waitForSelector("input[name=username]");
  await popup.fill("input[name=username]", "demo_owner");
  await popup.fill("input[name=password]", PASSWORD);
  await popup.click("button[value=sign-in]");
}

/** Records what could leak: console lines, and the secrets the network carried. */
function watch(page, seen) {
  const onConsole = (m) => { seen.console.push(m.text()); if (m.type() === "error") seen.errors.push(m.text()); };
  page.on("console", onConsole);
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.context().on("request", (r) => {
    const code = new URL(r.url()).searchParams.get("code");
    if (code) seen.secrets.add(code);
    if (r.url().includes("/oauth2/token") && r.postData()) {
      const p = new URLSearchParams(r.postData());
      for (const k of ["code", "code_verifier", "refresh_token"]) if (p.get(k)) seen.secrets.add(p.get(k));
    }
  });
  page.context().on("response", async (r) => {
    if (!r.url().includes("/oauth2/token")) return;
    try {
      const body = await r.json();
      for (const k of ["access_token", "refresh_token"]) if (body[k]) seen.secrets.add(body[k]);
    } catch { /* not JSON */ }
  });
}

const newSeen = () => ({ console: [], errors: [], secrets: new Set() });

function assertNoSecret(seen, places, atLeast = 3) {
  assert.ok(seen.secrets.size >= atLeast, `secrets captured from the network: ${seen.secrets.size}`);
  for (const s of seen.secrets) {
    for (const [where, text] of Object.entries(places)) assert.ok(!String(text).includes(s), `a secret (${s.slice(0, 4)}…) is in ${where}`);
    for (const line of seen.console) assert.ok(!line.includes(s), "a secret is in the console");
  }
}

test("OAuth 2.0 with PKCE: popup and redirect flows, renewal, refusals, Esri's client", { timeout: 180000 }, async () => {
  const www = site();
  const emu = await startEmulator(["--www", www, "--demo-password", PASSWORD, "--alt-port", "none"]);
  const browser = await launchChromium();
  try {
    const login = await (await fetch(`${emu.url}/emulator/demo-login`)).json();
    const clientId = login.oauthClientId;
    assert.match(clientId, /^\w{16}$/);
    assert.match(emu.stdout(), new RegExp(`client id ${clientId}`), "the emulator prints the demo's OAuth client id");
    const redirectUri = `${emu.url}/oauth-callback.html`;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const seen = newSeen();
    watch(page, seen);
    await page.goto(`${emu.url}/index.html?keep=1`);
    await page.evaluate(async () => { window.pkg = await import("/pkg-owner/index.js"); await window.pkg.default(); });
    const args = { portal: emu.portal, clientId, redirectUri, password: PASSWORD };

    // 1. Popup: the session resolves in the opening page; the popup is gone.
    const popupOpened = page.waitForEvent("popup");
    popupOpened.catch(() => {}); // awaited below; a failure before that is reported instead
    await page.evaluate(({ portal, clientId, redirectUri }) => {
      window.flow = window.pkg.PortalSession.signInWithOAuth(portal, { clientId, redirectUri, expiration: 60 })
        .then((s) => { window.session = s; return { username: s.username, json: JSON.stringify(s), text: String(s) }; },
          (e) => ({ error: e.code, message: e.message }));
    }, args);
    const popup = await popupOpened;
    assert.match(popup.url(), /\/oauth2\/authorize\?client_id=.*&response_type=code&.*code_challenge_method=S256/);
    await signInOnPortal(popup);
    const signedIn = await page.evaluate(() => window.flow);
    assert.equal(signedIn.username, "demo_owner", JSON.stringify(signedIn));
    assert.ok(popup.isClosed(), "the popup is closed");
    const listed = await page.evaluate(async () => (await window.session.listCredentials()).map((c) => c.title));
    assert.ok(listed.some((t) => t.startsWith("Store locator")), listed.join());
    assert.ok(!listed.some((t) => t.includes("demo console")), "the OAuth app itself is not API key credentials");

    // 2. Renewal: a token that expires within 5 minutes is renewed with the refresh token before
    //    the next call; when the portal refuses the refresh, calls say "sign in again".
    const short = page.waitForEvent("popup");
    short.catch(() => {}); // awaited below; a failure before that is reported instead
    await page.evaluate(({ portal, clientId, redirectUri }) => {
      window.flow2 = window.pkg.PortalSession.signInWithOAuth(portal, { clientId, redirectUri, expiration: 4 })
        .then((s) => { window.shortSession = s; return s.username; });
    }, args);
    await signInOnPortal(await short);
    assert.equal(await page.evaluate(() => window.flow2), "demo_owner");
    const refreshes = [];
    ctx.on("request", (r) => { if (r.url().includes("/oauth2/token") && /grant_type=refresh_token/.test(r.postData() ?? "")) refreshes.push(r.url()); });
    assert.ok((await page.evaluate(async () => (await window.shortSession.listCredentials()).length)) >= 3);
    assert.ok(refreshes.length >= 1, "the short-lived token was renewed with the refresh token");
    await fetch(`${emu.url}/emulator/expire-sign-ins`, { method: "POST" });
    const expired = await page.evaluate(async () => {
      try { await window.shortSession.listCredentials(); return null; } catch (e) { return { code: e.code, message: e.message, json: JSON.stringify(e) }; }
    });
    assert.equal(expired?.code, "SESSION_EXPIRED", JSON.stringify(expired));
    assert.match(expired.message, /sign in again/);

    // 3. Redirect: the page goes to the portal, comes back, and completeOAuth finishes; the code
    //    and state leave the address bar and the flow's record leaves sessionStorage.
    await page.evaluate(({ portal, clientId, redirectUri }) => {
      window.pkg.PortalSession.signInWithOAuth(portal, { clientId, redirectUri, popup: false });
    }, args);
    await page.waitForURL(/oauth2\/authorize/);
    await signInOnPortal(page);
    await page.waitForURL(/oauth-callback\.html\?code=/);
    const completed = await page.evaluate(async ({ portal, clientId, redirectUri }) => {
      const pkg = await import("/pkg-owner/index.js");
      await pkg.default();
      window.pkg = pkg;
      const s = await pkg.PortalSession.completeOAuth(portal, { clientId, redirectUri });
      const again = await pkg.PortalSession.completeOAuth(portal, { clientId, redirectUri });
      window.session3 = s;
      return { username: s?.username, again, url: location.href, stored: JSON.stringify({ ...sessionStorage }), local: JSON.stringify({ ...localStorage }) };
    }, args);
    assert.equal(completed.username, "demo_owner");
    assert.equal(completed.again, null, "nothing left to complete");
    assert.equal(completed.url, redirectUri, "code and state are gone from the address bar");
    assert.doesNotMatch(completed.stored, /apikey-credentials/, "the verifier left sessionStorage");

    // 4. The portal's refusals, from the page as an app would meet them.
    const refusals = await page.evaluate(async ({ portal, clientId, redirectUri, password }) => {
      const rest = `${portal}/sharing/rest`;
      const b64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      const verifier = "v".repeat(50);
      const challenge = b64(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
      const code = async () => {
        // The redirect's Location is not readable from a page (opaque); sign in through a hidden
        // frame instead and read the callback's address.
        const f = document.createElement("iframe");
        const q = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: "code", state: "s", code_challenge: challenge, code_challenge_method: "S256" });
        f.src = `${rest}/oauth2/authorize?${q}`;
        document.body.append(f);
        await new Promise((r) => f.addEventListener("load", r, { once: true }));
        const d = f.contentDocument;
        d.querySelector("input[name=username]").value = "demo_owner";
        d.querySelector("input[name=password]").value = password;
        d.querySelector("button[value=sign-in]").click();
        await new Promise((r) => f.addEventListener("load", r, { once: true }));
        const c = new URL(f.contentWindow.location.href).searchParams.get("code");
        f.remove();
        return c;
      };
      const exchange = async (c, v, redirect = redirectUri) => {
        const r = await fetch(`${rest}/oauth2/token`, { method: "POST", body: new URLSearchParams({ client_id: clientId, grant_type: "authorization_code", redirect_uri: redirect, code: c, code_verifier: v, f: "json" }) });
        const j = await r.json();
        return j.error ? `${j.error.error}: ${j.error.error_description}` : "ok";
      };
      const c1 = await code();
      const wrongVerifier = await exchange(c1, "w".repeat(50));
      const c2 = await code();
      const first = await exchange(c2, verifier);
      const reused = await exchange(c2, verifier);
      const c3 = await code();
      const otherRedirect = await exchange(c3, verifier, `${location.origin}/`);
      const c4 = await code();
      await fetch("/emulator/expire-sign-ins", { method: "POST" });
      const expiredCode = await exchange(c4, verifier);
      return { wrongVerifier, first, reused, otherRedirect, expiredCode };
    }, args);
    // (An unregistered redirect URI is asked for from here: its 400 is not the page's error.)
    const unregistered = await fetch(`${emu.portal}/sharing/rest/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: "https://evil.example/cb", response_type: "code", code_challenge: "c".repeat(43), code_challenge_method: "S256" })}`, { redirect: "manual" });
    refusals.unregistered = [unregistered.status, await unregistered.text()];
    assert.equal(refusals.unregistered[0], 400);
    assert.match(refusals.unregistered[1], /Invalid redirect_uri/);
    assert.equal(refusals.wrongVerifier, "invalid_grant: Invalid code_verifier");
    assert.equal(refusals.first, "ok");
    assert.equal(refusals.reused, "invalid_grant: Invalid authorization code");
    assert.equal(refusals.otherRedirect, "invalid_grant: Invalid redirect_uri");
    assert.equal(refusals.expiredCode, "invalid_grant: Invalid authorization code");

    // 5. A popup at an unregistered redirect URI: the portal refuses to show a sign-in, nothing is
    //    redirected, and closing the popup rejects the sign-in as cancelled.
    const bad = page.waitForEvent("popup");
    bad.catch(() => {}); // awaited below; a failure before that is reported instead
    await page.evaluate(({ portal, clientId }) => {
      window.flow5 = window.pkg.PortalSession.signInWithOAuth(portal, { clientId, redirectUri: `${location.origin}/elsewhere.html` })
        .then(() => "signed in", (e) => e.code);
    }, args);
    const badPopup = await bad;
    await badPopup.waitForLoadState();
    assert.match(await badPopup.textContent("body"), /Sign-in refused.*Invalid redirect_uri/s);
    await badPopup.close();
    assert.equal(await page.evaluate(() => window.flow5), "SIGN_IN_CANCELLED");

    // 6. fromToken: a token from elsewhere; a username that is not the token's is refused.
    const viaToken = await page.evaluate(async ({ portal, password }) => {
      const r = await fetch(`${portal}/sharing/rest/generateToken`, { method: "POST", body: new URLSearchParams({ username: "demo_owner", password, client: "referer", referer: location.origin, f: "json" }) });
      const { token } = await r.json();
      const s = await window.pkg.PortalSession.fromToken(portal, token, { username: "demo_owner" });
      const wrong = await window.pkg.PortalSession.fromToken(portal, token, { username: "someone_else" }).then(() => null, (e) => e.code);
      return { username: s.username, count: (await s.listCredentials()).length, wrong, json: JSON.stringify(s), token };
    }, args);
    assert.equal(viaToken.username, "demo_owner");
    assert.ok(viaToken.count >= 3);
    assert.equal(viaToken.wrong, "INVALID_ARGUMENT");
    assert.ok(!viaToken.json.includes(viaToken.token), "toJSON has no token");

    // The sweep over everything the page shows or keeps.
    const shown = await page.evaluate(() => ({
      session: JSON.stringify(window.session) + String(window.session) + JSON.stringify(window.session3) + String(window.session3),
      storage: JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }),
      url: location.href,
    }));
    assertNoSecret(seen, { ...shown, signedIn: JSON.stringify(signedIn), expired: JSON.stringify(expired), completed: JSON.stringify(completed) });
    assert.deepEqual(seen.errors, [], "no console errors");
    await ctx.close();
  } finally {
    await browser.close();
    await emu.stop();
    rmSync(www, { recursive: true, force: true });
  }
});

test("Esri's ArcGISIdentityManager signs in against the emulator unchanged, and PortalSession.fromSession adopts it", { timeout: 120000 }, async () => {
  const www = site(`<script type="module">
    import { ArcGISIdentityManager } from "/rest.js";
    ArcGISIdentityManager.completeOAuth2({ clientId: localStorage.getItem("clientId"), portal: localStorage.getItem("portal"),
      redirectUri: location.origin + "/oauth-callback.html", popup: true });
  </script>`);
  const emu = await startEmulator(["--www", www, "--demo-password", PASSWORD, "--alt-port", "none"]);
  const browser = await launchChromium();
  try {
    const { oauthClientId: clientId } = await (await fetch(`${emu.url}/emulator/demo-login`)).json();
    const page = await browser.newPage();
    const seen = newSeen();
    watch(page, seen);
    await page.goto(`${emu.url}/index.html`);
    const portal = `${emu.portal}/sharing/rest`;
    const popupOpened = page.waitForEvent("popup");
    popupOpened.catch(() => {}); // awaited below; a failure before that is reported instead
    await page.evaluate(({ clientId, portal }) => {
      localStorage.setItem("clientId", clientId);
      localStorage.setItem("portal", portal);
      window.flow = import("/rest.js").then(({ ArcGISIdentityManager }) =>
        ArcGISIdentityManager.beginOAuth2({ clientId, portal, redirectUri: `${location.origin}/oauth-callback.html`, popup: true }))
        .then((m) => { window.manager = m; return m.username; }, (e) => `error: ${e.message}`);
    }, { clientId, portal });
    await signInOnPortal(await popupOpened);
    assert.equal(await page.evaluate(() => window.flow), "demo_owner");
    const adopted = await page.evaluate(async () => {
      const pkg = await import("/pkg-owner/index.js");
      await pkg.default();
      const s = await pkg.PortalSession.fromSession(window.manager);
      return { username: s.username, titles: (await s.listCredentials()).map((c) => c.title), json: JSON.stringify(s) };
    });
    assert.equal(adopted.username, "demo_owner");
    assert.ok(adopted.titles.some((t) => t.startsWith("Store locator")));
    // The code and the verifier at least (the popup may close before its token answer is read).
    assertNoSecret(seen, { adopted: JSON.stringify(adopted) }, 2);
    assert.deepEqual(seen.errors, []);
  } finally {
    await browser.close();
    await emu.stop();
    rmSync(www, { recursive: true, force: true });
  }
});
