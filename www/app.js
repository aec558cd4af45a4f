// The demo page: loads both packages (the owner view uses apikey-credentials-owner, the app view
// apikey-credentials, as an admin console and an app would), then wires the two views.
import init, { version } from "/pkg/index.js";
import initOwner from "/pkg-owner/index.js";
import { shared, isOwnPortal, askToConfirmPortal } from "./state.js";
import { setupOwner } from "./owner.js";
import { setupApp } from "./appview.js";
import { banner } from "./ui.js";

await Promise.all([init(), initOwner()]);
document.getElementById("version").textContent = version();
document.getElementById("origin").textContent = location.origin;
const portalInput = document.getElementById("portal-url");
// A portal named in the link is shown, but nothing is sent to it until the user confirms it:
// a link must not be able to send this page's keys or passwords to a host the user did not
// choose. This server's own portal, or one the user types, needs no confirmation.
const linked = new URLSearchParams(location.search).get("portal");
portalInput.value = linked ?? `${location.origin}/portal`;
shared.portal = portalInput.value;
if (linked !== null && !isOwnPortal(linked)) askToConfirmPortal(linked);
portalInput.addEventListener("change", () => {
  shared.portal = portalInput.value.trim();
  shared.portalConfirmed = true;
  document.getElementById("portal-confirm").hidden = true;
});
// On a narrow screen one view shows at a time, switched from a bar that stays at the top.
for (const b of document.querySelectorAll(".view-switch button")) {
  b.addEventListener("click", () => {
    document.body.dataset.view = b.dataset.view;
    for (const o of document.querySelectorAll(".view-switch button")) o.setAttribute("aria-pressed", String(o === b));
    // The chosen view from its start, just below the bar.
    const bar = document.querySelector(".view-switch");
    const top = document.querySelector("main.views").getBoundingClientRect().top + window.scrollY - bar.offsetHeight;
    if (window.scrollY > top) window.scrollTo(0, top);
  });
}
window.addEventListener("unhandledrejection", (e) => banner("error", `Unexpected: ${e.reason?.message ?? e.reason}`));
await Promise.all([setupOwner(), setupApp()]);
document.body.dataset.ready = "true";
