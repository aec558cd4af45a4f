// An owner's OAuth 2.0 sign-in in the browser, for src/web/sign_in.rs: the authorization code
// grant with PKCE (S256), as rest-js's ArcGISIdentityManager.beginOAuth2 / completeOAuth2 run it.
// It ends in a session object ({ portal, username, getToken(url) }) that PortalSession.fromSession
// adopts, and that renews its token with the refresh token before the token expires. The code,
// the verifier and the tokens stay in closures: never in errors, toJSON or the address bar; the
// state and verifier sit in sessionStorage only between a redirect and its return page.
const KEY = "apikey-credentials:oauth";
const RENEW_MARGIN_MS = 5 * 60_000;
const POPUP_TIMEOUT_MS = 10 * 60_000;
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const cut = (s, n) => String(s ?? "").slice(0, n);

function checkOptions(options, Err, full) {
  const allowed = full ? ["clientId", "redirectUri", "popup", "expiration"] : ["clientId", "redirectUri"];
  if (options === null || typeof options !== "object") throw new Err("INVALID_ARGUMENT", "options must be an object with clientId and redirectUri.");
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new Err("INVALID_ARGUMENT", `options.${cut(k, 40)} is not an option (${allowed.join(", ")}).`);
  }
  for (const k of ["clientId", "redirectUri"]) {
    if (typeof options[k] !== "string" || !options[k].trim()) throw new Err("INVALID_ARGUMENT", `options.${k} is required (a string).`);
  }
  try { new URL(options.redirectUri); } catch { throw new Err("INVALID_ARGUMENT", "options.redirectUri must be an absolute URL (a page of this origin)."); }
  const popup = options.popup ?? true;
  const expiration = options.expiration ?? 120;
  if (typeof popup !== "boolean") throw new Err("INVALID_ARGUMENT", "options.popup must be a boolean.");
  if (!Number.isInteger(expiration) || expiration < 1 || expiration > 20160) throw new Err("INVALID_ARGUMENT", "options.expiration must be whole minutes, 1 to 20160.");
  return { clientId: options.clientId, redirectUri: options.redirectUri, popup, expiration };
}

// POST oauth2/token; its JSON, or a CredentialError of `code` that says `what` failed.
async function token(root, params, Err, code, what) {
  let res, body = null;
  try { res = await fetch(`${root}/oauth2/token`, { method: "POST", body: new URLSearchParams({ ...params, f: "json" }) }); }
  catch { throw new Err("NETWORK", `${what}: the portal could not be reached; check the network.`); }
  try { body = await res.json(); } catch { /* not JSON: refused below */ }
  if (!body || body.error || typeof body.access_token !== "string") {
    const e = body?.error;
    throw new Err(code, `${what} (${cut(e?.error_description ?? e?.message ?? `HTTP ${res.status}`, 300)}).`, typeof e?.code === "number" ? e.code : undefined);
  }
  return body;
}

// The session an OAuth sign-in ends in.
function session(root, clientId, t, Err) {
  let access = t.access_token;
  let expires = Date.now() + t.expires_in * 1000;
  const refresh = t.refresh_token;
  const refreshExpires = t.refresh_token_expires_in ? Date.now() + t.refresh_token_expires_in * 1000 : Infinity;
  const username = t.username;
  let renewing = null;
  const renew = async () => {
    if (!refresh || Date.now() >= refreshExpires) throw new Err("SESSION_EXPIRED", "The sign-in expired and cannot be renewed: sign in again.");
    const r = await token(root, { client_id: clientId, grant_type: "refresh_token", refresh_token: refresh }, Err, "SESSION_EXPIRED", "The sign-in expired and the portal did not renew it: sign in again");
    access = r.access_token;
    expires = Date.now() + r.expires_in * 1000;
  };
  return Object.freeze({
    portal: root,
    username,
    // The token, renewed first (once, however many calls wait) when it expires within 5 minutes.
    getToken() {
      if (expires - Date.now() > RENEW_MARGIN_MS) return Promise.resolve(access);
      renewing ??= renew().finally(() => { renewing = null; });
      return renewing.then(() => access);
    },
    toJSON() { return { type: "OAuthSession", portal: root, username }; },
    toString() { return `OAuthSession(${username} @ ${root})`; },
  });
}

// What a redirect back from the portal carries, or null.
function returned(search) {
  const p = new URLSearchParams(search);
  const code = p.get("code"), error = p.get("error");
  return code || error ? { code, state: p.get("state"), error, description: p.get("error_description") } : null;
}

// Opens the sign-in in a popup and waits until it reaches the redirect URI (this origin), then
// closes it: what the redirect carried, or { error } when it was blocked, closed or timed out.
function popupFlow(url, redirectUri) {
  return new Promise((resolve) => {
    const popup = window.open(url, "apikey-credentials-oauth", "popup,width=520,height=680");
    if (!popup) return resolve({ error: "popup_blocked" });
    const target = new URL(redirectUri);
    const started = Date.now();
    const timer = setInterval(() => {
      let done = null;
      if (popup.closed) done = { error: "closed" };
      else if (Date.now() - started > POPUP_TIMEOUT_MS) done = { error: "timeout" };
      else {
        try {
          const at = popup.location;
          if (at.origin === target.origin && at.pathname === target.pathname) done = returned(at.search) ?? { error: "no_code" };
        } catch { /* still on the portal's origin */ }
      }
      if (done) {
        clearInterval(timer);
        popup.close();
        resolve(done);
      }
    }, 100);
  });
}

// The code's exchange, once the redirect is checked: the state first (a redirect this page did
// not ask for is refused), then the portal's own error.
async function exchange(root, o, back, state, verifier, Err) {
  if (back.error === "access_denied" || back.error === "closed") throw new Err("SIGN_IN_CANCELLED", "The sign-in was cancelled: sign in again to continue.");
  if (back.error === "popup_blocked") throw new Err("SIGN_IN_CANCELLED", "The browser blocked the sign-in popup: call signInWithOAuth from a click, or use popup: false.");
  if (back.error === "timeout") throw new Err("SIGN_IN_FAILED", "The sign-in did not finish within 10 minutes: sign in again.");
  if (back.state !== state) throw new Err("SIGN_IN_FAILED", "The sign-in's state does not match the one this page sent: start the sign-in again.");
  if (back.error) throw new Err("SIGN_IN_FAILED", `The portal did not sign you in (${cut(back.error, 60)}: ${cut(back.description, 300)}).`);
  const t = await token(root, { client_id: o.clientId, grant_type: "authorization_code", redirect_uri: o.redirectUri, code: back.code, code_verifier: verifier }, Err, "SIGN_IN_FAILED", "The portal refused the sign-in");
  return session(root, o.clientId, t, Err);
}

export function oauthSignIn(root, options, Err) {
  const o = checkOptions(options, Err, true);
  return (async () => {
    const verifier = random(48);
    const state = random(24);
    const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
    const url = `${root}/oauth2/authorize?${new URLSearchParams({
      client_id: o.clientId, response_type: "code", redirect_uri: o.redirectUri, state,
      code_challenge: challenge, code_challenge_method: "S256", expiration: String(o.expiration),
    })}`;
    if (o.popup) return exchange(root, o, await popupFlow(url, o.redirectUri), state, verifier, Err);
    sessionStorage.setItem(KEY, JSON.stringify({ state, verifier }));
    location.assign(url);
    return undefined;
  })();
}

export function oauthComplete(root, options, Err) {
  const o = checkOptions(options, Err, false);
  return (async () => {
    const url = new URL(location.href);
    const back = returned(url.search);
    let flow = null;
    try { flow = JSON.parse(sessionStorage.getItem(KEY)); } catch { /* none */ }
    sessionStorage.removeItem(KEY);
    if (!back) return null;
    for (const k of ["code", "state", "error", "error_description"]) url.searchParams.delete(k);
    history.replaceState(history.state, "", url.href);
    if (!flow) throw new Err("SIGN_IN_FAILED", "No sign-in was started in this tab: call signInWithOAuth first.");
    return exchange(root, o, back, flow.state, flow.verifier, Err);
  })();
}
