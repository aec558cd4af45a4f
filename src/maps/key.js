// What every map integration shares: which requests carry the key, putting the manager's current
// key on them, and telling the manager when a map library saw a key refused. Plain JavaScript
// beside the wasm: it only calls the manager's public methods.

const ARCGIS_HOST = /(^|\.)(arcgis\.com|arcgisonline\.com)$/;
const checkedAt = new WeakMap(); // manager → Map(key → when it was last checked)

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

/** HTTP statuses that may mean the key was refused (the portal then says whether it was). */
export const maybeRefused = (status) => status === 401 || status === 403 || status === 498 || status === 499;

/** Whether a failed `url` was sent with a key that is no longer the manager's current one (the
 * manager has failed over since): such a resource only needs loading again. */
export const stale = (manager, url) => {
  const key = keyIn(url);
  return !!key && key !== manager.currentKey();
};

/** Tells the manager that a map request with `url` was refused. When it carried the current key,
 * the manager asks the portal about that key (`refreshCredentials`) and fails over when the
 * portal refuses it, firing `invalid` and `failover`. At most one check per key every 30 s, however
 * many tiles fail. */
export async function reportRefused(manager, url) {
  const key = keyIn(url);
  if (!key || key !== manager.currentKey()) return;
  let seen = checkedAt.get(manager);
  if (!seen) checkedAt.set(manager, (seen = new Map()));
  if (Date.now() - (seen.get(key) ?? -Infinity) < 30_000) return;
  seen.set(key, Date.now());
  // Rejects when no key is left: the manager has said so in its events.
  await manager.refreshCredentials().catch(() => {});
}

/** Calls `reload` after each failover of the manager; returns the function that stops it. */
export function onFailover(manager, reload) {
  manager.addEventListener("failover", reload);
  return () => manager.removeEventListener("failover", reload);
}
