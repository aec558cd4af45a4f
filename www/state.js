// What the two views share: the portal URL, the keys this page knows (to show their masks), the
// owner's credentials (so the app view can predict referrers), and change notifications.
export const shared = {
  portal: "",
  /** false while the portal came from the page's link and the user has not confirmed it. */
  portalConfirmed: true,
  /** itemId → { 1?: rawKey, 2?: rawKey } — raw keys stay in memory, only masks are displayed. */
  keys: new Map(),
  /** itemId → ApiKeyCredentials (from the owner view). */
  credentials: new Map(),
  listeners: new Set(),
};

export function rememberKey(itemId, slot, key) {
  const k = shared.keys.get(itemId) ?? {};
  k[slot] = key;
  shared.keys.set(itemId, k);
}

export function forgetKey(itemId, slot) {
  const k = shared.keys.get(itemId);
  if (k) delete k[slot];
}

export function notify(what) {
  for (const f of shared.listeners) f(what);
}

export function onChange(f) {
  shared.listeners.add(f);
}

/** The credentials a key belongs to, if the owner view has loaded them. */
export function credentialsForKey(key) {
  for (const [itemId, slots] of shared.keys) {
    if (slots[1] === key || slots[2] === key) return shared.credentials.get(itemId) ?? null;
  }
  return null;
}

/** Service URLs: the emulator's when the portal is this server, Esri's otherwise. */
export function serviceUrls() {
  const local = new URL(shared.portal, location.href).host === location.host;
  const base = local ? location.origin : null;
  return {
    self: `${restRoot()}/portals/self`,
    style: base ? `${base}/arcgis/rest/services/styles/v2/styles/arcgis/navigation` : "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation",
    geocode: base ? `${base}/arcgis/rest/services/World/GeocodeServer/findAddressCandidates` : "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer/findAddressCandidates",
  };
}

export function restRoot() {
  const p = shared.portal.replace(/\/+$/, "");
  return p.endsWith("/sharing/rest") ? p : `${p}/sharing/rest`;
}

/** Whether `portal` is this server's own (the emulator serving the demo). */
export function isOwnPortal(portal) {
  try {
    return new URL(portal, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/** Shows the portal the link names and waits for one click before anything is sent to it. */
export function askToConfirmPortal(portal) {
  shared.portalConfirmed = false;
  const box = document.getElementById("portal-confirm");
  box.querySelector("code").textContent = portal;
  box.hidden = false;
  box.querySelector("button").addEventListener("click", () => {
    shared.portalConfirmed = true;
    box.hidden = true;
  }, { once: true });
}

/**
 * Whether requests may go to the portal now; if not, points the user at the confirmation and
 * puts `message` in `errorBox`.
 */
export function portalReady(errorBox) {
  if (shared.portalConfirmed) return true;
  errorBox.textContent = "This page's link names a portal you have not confirmed: check it at the top of the page and click “Use this portal” first.";
  errorBox.hidden = false;
  document.querySelector("#portal-confirm button")?.focus();
  return false;
}
