// What the example pages share: a CredentialManager over the keys given in the page's fragment
// (#portal=…&key1=…&key2=…; the fragment never reaches a server, and is cleared once read), or,
// on the portal emulator, its seeded "Store locator" keys; the basemap style URL; and a log of what
// the manager reports, with the key that draws the map now.
import init, { CredentialManager, maskKey } from "/pkg/index.js";

export async function setup() {
  await init();
  const hash = new URLSearchParams(location.hash.slice(1));
  const portal = hash.get("portal") ?? `${location.origin}/portal`;
  let keys = [hash.get("key1"), hash.get("key2")].filter(Boolean);
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  if (!keys.length) {
    const r = await fetch("/emulator/seeded-keys").catch(() => null);
    if (r?.ok) {
      keys = (await r.json()).keys.filter((k) => k.title.startsWith("Store locator"))
        .sort((a, b) => a.slot - b.slot).map((k) => k.key);
    }
  }
  const manager = new CredentialManager({ portal, keys });
  // ArcGIS Online's basemap styles service, or the emulator's (which serves it beside its portal).
  const origin = new URL(portal).origin;
  const styles = /(^|\.)arcgis\.com$/.test(new URL(portal).hostname)
    ? "https://basemapstyles-api.arcgis.com" : origin;
  const styleUrl = `${styles}/arcgis/rest/services/styles/v2/styles/arcgis/navigation`;

  const status = document.getElementById("status");
  const log = document.getElementById("log");
  const show = () => {
    const slot = keys.indexOf(manager.currentKey()) + 1;
    status.dataset.slot = String(slot);
    status.textContent = slot ? `Key ${slot} (${maskKey(keys[slot - 1])}) is in use.` : "No key left: see the log.";
  };
  for (const type of ["expiring", "critical", "expired", "invalid", "failover", "healed"]) {
    manager.addEventListener(type, (e) => {
      log.append(Object.assign(document.createElement("li"), { textContent: `${type}: ${e.detail.message}` }));
      show();
    });
  }
  // The portal's word on each key (expiry dates, referrer): the warnings fire, and the manager
  // prefers the key that lasts.
  await manager.inspect();
  show();
  return { manager, styleUrl, show };
}
