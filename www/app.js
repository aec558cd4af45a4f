// The demo page: loads both packages (the owner view uses apikey-credentials-owner, the app view
// apikey-credentials, as an admin console and an app would), then wires the two views.
import init, { version } from "/pkg/index.js";
import initOwner from "/pkg-owner/index.js";
import { shared } from "./state.js";
import { setupOwner } from "./owner.js";
import { setupApp } from "./appview.js";
import { banner } from "./ui.js";

await Promise.all([init(), initOwner()]);
document.getElementById("version").textContent = version();
document.getElementById("origin").textContent = location.origin;
const portalInput = document.getElementById("portal-url");
const saved = new URLSearchParams(location.search).get("portal");
portalInput.value = saved ?? `${location.origin}/portal`;
shared.portal = portalInput.value;
portalInput.addEventListener("change", () => { shared.portal = portalInput.value.trim(); });
window.addEventListener("unhandledrejection", (e) => banner("error", `Unexpected: ${e.reason?.message ?? e.reason}`));
await Promise.all([setupOwner(), setupApp()]);
document.body.dataset.ready = "true";
