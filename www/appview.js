// The app view: what a deployed page does with its keys — the manager, its warnings, a live
// map, the referrer prediction for this page, a preflight, calls to the portal, usage and
// failover. Against the emulator it starts at once with the seeded keys of the store locator.
import { CredentialManager, checkPageReferrer, effectiveReferrer, maskKey } from "/pkg/index.js";
import { transformRequest, bindMapLibre } from "/pkg/maps/maplibre.js";
import { el, badge, fmtDate, daysText, banner, errorText } from "./ui.js";
import { shared, onChange, credentialsForKey, serviceUrls, restRoot, portalReady, isOwnPortal } from "./state.js";

let manager = null;
let seeded = [];
/** The map, its unbinding, and what its requests carried (per slot) or met (refused). */
let map = null;
let unbindMap = () => {};
let mapCounts = { 1: 0, 2: 0, refused: 0 };
// Places the map moves to when the owner invalidates a key, so it asks for tiles it has not
// loaded yet (with the dead key first: the failover shows).
const PLACES = [[2.35, 48.86], [139.69, 35.69], [-0.13, 51.51], [-117.18, 34.06]];
let place = 0;

export async function setupApp() {
  const select = document.getElementById("seeded");
  try {
    const r = await fetch("/emulator/seeded-keys");
    if (r.ok) seeded = (await r.json()).keys;
  } catch { /* not the emulator */ }
  const byItem = new Map();
  for (const k of seeded) byItem.set(k.itemId, [...(byItem.get(k.itemId) ?? []), k]);
  for (const [itemId, keys] of byItem) {
    select.append(el("option", { value: itemId }, keys[0].title));
  }
  if (!byItem.size) select.closest("label").hidden = true;
  select.addEventListener("change", () => {
    const keys = byItem.get(select.value) ?? [];
    document.getElementById("key1").value = keys.find((k) => k.slot === 1)?.key ?? "";
    document.getElementById("key2").value = keys.find((k) => k.slot === 2)?.key ?? "";
  });
  document.getElementById("keys").addEventListener("submit", (ev) => { ev.preventDefault(); start(); });
  for (const b of document.querySelectorAll("[data-call]")) b.addEventListener("click", () => call(b.dataset.call));
  document.getElementById("preflight").addEventListener("click", preflight);
  onChange((what) => {
    if (what === "credentials" && manager) renderReferrer();
    if (what === "invalidated" && map) map.jumpTo({ center: PLACES[place++ % PLACES.length], zoom: 4 });
  });
  // Against the emulator, the first load shows keys at work: the store locator's two keys (key 1
  // about to expire, key 2 deployed too).
  const store = [...byItem.keys()].find((id) => byItem.get(id)[0].title.startsWith("Store locator"));
  if (store && isOwnPortal(shared.portal) && shared.portalConfirmed) {
    select.value = store;
    select.dispatchEvent(new Event("change"));
    await start();
  }
}

function keysGiven() {
  return ["key1", "key2"].map((id) => document.getElementById(id).value.trim()).filter(Boolean);
}

function knownReferrers(keys) {
  for (const k of keys) {
    const c = credentialsForKey(k);
    if (c) return c.httpReferrers;
  }
  // Seeded keys: their credentials, if the owner view has loaded them.
  const item = seeded.find((s) => keys.includes(s.key))?.itemId;
  return item && shared.credentials.get(item) ? shared.credentials.get(item).httpReferrers : null;
}

async function start() {
  const err = document.getElementById("keys-error");
  err.hidden = true;
  if (!portalReady(err)) return;
  const keys = keysGiven();
  try {
    const referrers = knownReferrers(keys);
    manager = new CredentialManager({ portal: shared.portal, keys, storage: "session", ...(referrers ? { httpReferrers: referrers } : {}) });
  } catch (e) {
    err.textContent = errorText(e);
    err.hidden = false;
    return;
  }
  for (const kind of ["expiring", "critical", "expired"]) {
    manager.addEventListener(kind, (e) => banner(kind === "expiring" ? "warning" : kind === "critical" ? "critical" : "error", e.detail.message, `exp-${e.detail.maskedKey}`));
  }
  manager.addEventListener("invalid", (e) => banner("error", e.detail.message, `invalid-${e.detail.maskedKey}`));
  manager.addEventListener("healed", (e) => banner("info", e.detail.message, `invalid-${e.detail.maskedKey}`));
  manager.addEventListener("failover", (e) => banner("warning", `Failover: key ${e.detail.from} (${e.detail.fromMaskedKey}) is dead; calls now use key ${e.detail.to} (${e.detail.maskedKey}).`, "failover"));
  manager.addEventListener("clockSkew", (e) => banner("info", e.detail.message, "skew"));
  manager.addEventListener("storageError", (e) => banner("info", e.detail.message, "storage"));
  document.getElementById("app-body").hidden = false;
  renderReferrer();
  const reports = await inspect();
  await showMap(reports ?? []);
}

/** The live map, drawn with the manager's keys (none when no key works from this page). */
async function showMap(reports) {
  const box = document.getElementById("map");
  const status = document.getElementById("map-status");
  unbindMap();
  map?.remove();
  map = null;
  mapCounts = { 1: 0, 2: 0, refused: 0 };
  box.hidden = true;
  if (!reports.some((r) => !r.error)) {
    status.textContent = "No key works from this page (see Keys below), so there is no map.";
    return;
  }
  const probe = document.createElement("canvas");
  if (!(probe.getContext("webgl2") ?? probe.getContext("webgl"))) {
    status.textContent = "This browser has no WebGL, which MapLibre needs to draw the map.";
    return;
  }
  let maplibregl;
  try {
    maplibregl = await import("/vendor/maplibre-gl/dist/maplibre-gl.mjs");
  } catch {
    status.textContent = "MapLibre GL JS is not served here: the emulator serves it at /vendor/ from tests/js/node_modules (make demo installs it).";
    return;
  }
  if (!document.querySelector("link[data-maplibre]")) {
    document.head.append(el("link", { rel: "stylesheet", href: "/vendor/maplibre-gl/dist/maplibre-gl.css", "data-maplibre": "" }));
  }
  box.hidden = false;
  const keys = keysGiven();
  const own = manager;
  const transform = transformRequest(own);
  map = new maplibregl.Map({
    container: box, style: serviceUrls().style, center: [-20, 25], zoom: 0.8,
    transformRequest: (url, type) => {
      const r = transform(url, type);
      const slot = keys.indexOf(new URL(r.url).searchParams.get("token")) + 1;
      if (slot) mapCounts[slot]++;
      return r;
    },
  });
  unbindMap = bindMapLibre(map, own);
  map.on("error", (e) => { if ([401, 403, 498, 499].includes(e.error?.status)) mapCounts.refused++; });
  // The manager counts the map's requests too (currentKey(url)): the usage table follows.
  map.on("idle", () => { renderMapStatus(keys); renderUsage(); });
  own.addEventListener("failover", () => renderMapStatus(keys));
}

function renderMapStatus(keys) {
  const slot = keys.indexOf(manager.currentKey()) + 1;
  const counts = [1, 2].filter((s) => mapCounts[s]).map((s) => `key ${s}: ${mapCounts[s]}`);
  document.getElementById("map-status").replaceChildren(
    el("span", { id: "map-key", "data-slot": String(slot) }, slot ? `Drawing with key ${slot} (${maskKey(keys[slot - 1])})` : "No key left"),
    ` · requests ${counts.join(", ") || "none yet"}`,
    mapCounts.refused ? ` · refused ${mapCounts.refused} (each loaded again after the failover)` : "");
}

function renderReferrer() {
  const box = document.getElementById("referrer");
  const portalUrl = `${restRoot()}/portals/self`;
  const referrers = knownReferrers(keysGiven());
  const sent = effectiveReferrer(location.href, portalUrl);
  const rows = [el("p", {}, "This page (", el("code", {}, location.origin), ") sends ", sent ? el("code", {}, sent) : el("b", {}, "no Referer"), " to the portal.")];
  if (referrers) {
    const d = checkPageReferrer(referrers, portalUrl);
    rows.push(el("p", { id: "prediction", "data-allowed": String(d.allowed) },
      el("span", { class: d.allowed ? "yes" : "no" }, d.allowed ? "✔ Allowed" : "✖ Denied"), ` by the key's referrer list (${d.reason}`,
      d.matchedPattern ? `: ${d.matchedPattern}` : "", ")."));
    const decision = d.diagnostics.find((x) => x.pattern === null);
    if (decision && !d.allowed) rows.push(el("p", { class: "hint" }, decision.message));
  } else {
    rows.push(el("p", { class: "hint" }, "Sign in on the owner view to see the key's referrer list and predict the decision locally; the inspection below shows what the portal answered."));
  }
  box.replaceChildren(...rows);
}

async function inspect() {
  const box = document.getElementById("reports");
  box.replaceChildren(el("p", { class: "hint" }, "Asking the portal…"));
  try {
    const reports = await manager.inspect();
    // Six columns do not fit a phone: below 520 px the rows stack, each cell labelled by its
    // column (`data-label`, see style.css), so "Portal says" stays on screen.
    const heads = ["Slot", "Key", "Status", "Days left", "Expires", "Portal says"];
    const cell = (i, content, attrs = {}) => el("td", { ...attrs, "data-label": heads[i] }, content);
    box.replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "stack" },
      el("thead", {}, el("tr", {}, heads.map((h) => el("th", {}, h)))),
      el("tbody", {}, reports.map((r) => el("tr", { "data-slot": r.slot },
        cell(0, `Key ${r.slot}`), cell(1, r.maskedKey, { class: "mono" }), cell(2, badge(r.dead ? "invalidated" : r.status.state)),
        cell(3, daysText(r.status.daysLeft)), cell(4, fmtDate(r.status.expiresAt)),
        cell(5, r.error ? el("span", { class: "no" }, r.error.code) : el("span", { class: "yes" }, `OK · ${r.appInfo?.appTitle ?? ""}`))))))));
    const denied = reports.find((r) => r.error?.code === "REFERRER_NOT_ALLOWED");
    if (denied) {
      document.getElementById("referrer").append(el("p", { id: "portal-denial" }, el("span", { class: "no" }, "✖ The portal refused this page's referrer"), ` (403 for key ${denied.slot}: REFERRER_NOT_ALLOWED).`));
    } else if (reports.some((r) => !r.error)) {
      document.getElementById("referrer").append(el("p", { id: "portal-accepts" }, el("span", { class: "yes" }, "✔ The portal accepted this page's referrer.")));
    }
    renderUsage();
    return reports;
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, errorText(e)));
  }
  renderUsage();
  return null;
}

async function call(which) {
  const urls = serviceUrls();
  const out = document.getElementById("result");
  const params = which === "geocode" ? { SingleLine: "Redlands", outFields: "*" } : undefined;
  out.replaceChildren(el("p", { class: "hint" }, "Calling…"));
  try {
    const json = await manager.request(urls[which], params);
    const token = await manager.getToken();
    const served = manager.status().find((s) => s.maskedKey === maskKey(token));
    out.replaceChildren(el("p", { id: "call-ok" }, el("span", { class: "yes" }, "✔ OK"), ` — served by key ${served?.slot} (${served?.maskedKey})`),
      el("pre", {}, JSON.stringify(json, null, 2).slice(0, 1500)));
  } catch (e) {
    out.replaceChildren(el("p", { id: "call-error", "data-code": e.code ?? "" }, el("span", { class: "no" }, `✖ ${e.code ?? "Error"}`), ` ${e.message}`));
  }
  renderUsage();
  markDead();
}

/** Keys the manager found dead since the last inspection show as invalidated, with the portal's refusal. */
function markDead() {
  for (const s of manager.status()) {
    if (s.state !== "invalidated") continue;
    const row = document.querySelector(`#reports tr[data-slot="${s.slot}"]`);
    if (!row) continue;
    row.children[2].replaceChildren(badge("invalidated"));
    // The inspection's answer predates the refusal: show what the portal says now.
    row.children[5].replaceChildren(el("span", { class: "no" }, "INVALID_TOKEN"));
  }
}

async function preflight() {
  const urls = serviceUrls();
  const target = document.getElementById("preflight-target").value;
  const out = document.getElementById("result");
  const mapId = [...shared.credentials.values()].flatMap((c) => c.itemAccess)[0];
  try {
    const p = target === "item"
      ? await manager.preflight(`${restRoot()}/content/items/${mapId ?? "unknown"}`, { itemIds: mapId ? [mapId] : [] })
      : await manager.preflight(urls[target]);
    out.replaceChildren(el("div", { id: "preflight-report" },
      el("p", {}, el("span", { class: p.ok ? "yes" : "no" }, p.ok ? "✔ Ready" : "✖ Will fail"), ` with key ${p.slot} (${p.maskedKey})`, p.problems.length ? ` — ${p.problems.join(", ")}` : ""),
      el("ul", { class: "plain" },
        el("li", {}, `Referrer ${p.referrer.sent ?? "(none)"}: `, p.referrer.allowed === null ? "unknown" : el("span", { class: p.referrer.allowed ? "yes" : "no" }, p.referrer.allowed ? "allowed" : "denied"), ` (${p.referrer.reason})`),
        ...p.privileges.map((x) => el("li", {}, `Privilege ${x.privilege}: `, el("span", { class: x.granted ? "yes" : "no" }, x.granted ? "granted" : "missing"))),
        ...p.items.map((x) => el("li", {}, `Item ${x.itemId}: `, el("span", { class: x.granted ? "yes" : "no" }, x.granted ? "accessible" : "no access"))),
        target === "item" && !mapId ? el("li", { class: "hint" }, "Sign in on the owner view to know which item to check.") : null)));
  } catch (e) {
    out.replaceChildren(el("p", { class: "no" }, errorText(e)));
  }
}

function renderUsage() {
  const box = document.getElementById("usage");
  const u = manager.usage();
  box.replaceChildren(el("div", { class: "table-wrap" }, el("table", { id: "usage-table" },
    el("thead", {}, el("tr", {}, ["Key", "Requests", "Failures", "By service"].map((h) => el("th", {}, h)))),
    el("tbody", {}, u.map((k) => el("tr", {},
      el("td", { class: "mono" }, `${k.slot}: ${k.maskedKey}${k.dead ? " (dead)" : ""}`),
      el("td", {}, String(k.requests)),
      el("td", {}, Object.entries(k.failures).map(([c, n]) => `${c} ×${n}`).join(", ") || "—"),
      el("td", {}, Object.entries(k.services).map(([c, n]) => `${c} ×${n}`).join(", ") || "—")))))));
}
