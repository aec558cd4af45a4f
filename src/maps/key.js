// What every map integration shares: which requests carry the key, putting the manager's current
// key on them, and telling the manager when a map library saw a key refused. Plain JavaScript
// beside the wasm: it only calls the manager's public methods.

const ARCGIS_HOST = /(^|\.)(arcgis\.com|arcgisonline\.com)$/;
const checks = new WeakMap(); // manager → Map(key → { at, done }): its last check with the portal

const parse = (url) => {
  try { return new URL(url, globalThis.location?.href); } catch { return null; }
};

/** Whether `url` takes the manager's key: the manager's portal origin and ArcGIS hosts
 * (`*.arcgis.com`, `*.arcgisonline.com`). Other hosts never see the key. */
export function takesKey(manager, url) {
  const u = parse(url);
  return !!u && (u.origin === parse(manager.portal)?.origin || ARCGIS_HOST.test(u.hostname));
}

/** The key a request carried (its `token` parameter), if any. */
export const keyIn = (url) => parse(url)?.searchParams.get("token") || null;

/** `url` with the manager's current key as its `token` (replacing one already there), counted in
 * the manager's usage; `url` unchanged when it takes no key or no key is left. */
export function withKey(manager, url) {
  if (!takesKey(manager, url)) return url;
  const key = manager.currentKey(url);
  if (!key) {
    // Every key is marked dead: getToken() asks the portal again once per retry window.
    manager.getToken().catch(() => {});
    return url;
  }
  const u = parse(url);
  u.searchParams.set("token", key);
  return u.href;
}

/** `text` with the value of every `token` parameter in it masked: what the modules log. */
export const withoutKeys = (text) => String(text).replace(/([?&]token=)[^&\s"')]+/g, "$1…");

/** HTTP statuses that may mean the key was refused (the portal then says whether it was). */
export const maybeRefused = (status) => status === 401 || status === 403 || status === 498 || status === 499;

/** The manager's current key when it is not `sent` (the manager has failed over since a request
 * went with `sent`: such a request only needs sending again), else `null`. */
export const replaced = (manager, sent) => {
  const now = manager.currentKey();
  return sent && now && now !== sent ? now : null;
};

/** Tells the manager that a map request with `url` was refused. When it carried the current key,
 * the manager asks the portal about that key (`refreshCredentials`) and fails over when the
 * portal refuses it, firing `invalid` and `failover`. One check per key every 30 s, however many
 * tiles fail: callers in that time share it. Resolves once the check is over. */
export const reportRefused = (manager, url) => checkKey(manager, keyIn(url));

/** `reportRefused` for a request that carried `key`. */
export function checkKey(manager, key) {
  if (!key || key !== manager.currentKey()) return Promise.resolve();
  let seen = checks.get(manager);
  if (!seen) checks.set(manager, (seen = new Map()));
  const last = seen.get(key);
  if (last && Date.now() - last.at < 30_000) return last.done;
  // Rejects when no key is left: the manager has said so in its events.
  const done = manager.refreshCredentials().then(() => {}, () => {});
  seen.set(key, { at: Date.now(), done });
  return done;
}

/** Fetches `url` (a `Request`'s other settings from `init`) with the manager's current key; when
 * the answer may be a refused key, reports it and, if the manager failed over, fetches once more
 * with the new key. For libraries whose request hook may answer with a `Response`. */
export async function fetchWithKey(manager, url, init) {
  const first = withKey(manager, url);
  const answer = await fetch(first, init);
  if (!maybeRefused(answer.status)) return answer;
  await reportRefused(manager, first);
  return replaced(manager, keyIn(first)) ? fetch(withKey(manager, url), init) : answer;
}

/** Calls `reload` after each failover of the manager; returns the function that stops it. */
export function onFailover(manager, reload) {
  manager.addEventListener("failover", reload);
  return () => manager.removeEventListener("failover", reload);
}
