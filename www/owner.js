// The owner view: sign in, prerequisites, the credentials as cards with a timeline, and the
// rotation actions (generate, regenerate, invalidate, referrers, privileges, reminder).
import { PortalSession, ReferrerRules, checkReferrer, maskKey, privilegeCatalog, rotationReminderIcs } from "/pkg-owner/index.js";
import { el, badge, fmtDate, daysText, ask, banner, errorText } from "./ui.js";
import { timeline } from "./timeline.js";
import { shared, rememberKey, notify, portalReady } from "./state.js";

const DAY = 86_400_000;
let session = null;

const GROUP_LABEL = {
  locationServices: "Location services", itemAccess: "Item access", generalPortal: "General portal",
  administrativePortal: "Administrative portal", spatialAnalysis: "Spatial analysis", other: "Other",
};

export async function setupOwner() {
  const form = document.getElementById("signin");
  const hint = document.getElementById("login-hint");
  try {
    const r = await fetch("/emulator/demo-login");
    if (r.ok) {
      const { username, password, oauthClientId } = await r.json();
      if (oauthClientId) document.getElementById("client-id").value = oauthClientId;
      hint.hidden = false;
      hint.replaceChildren("Demo owner on this emulator: ", el("code", {}, username), " / ", el("code", {}, password), " ",
        el("button", { type: "button", onclick: () => { form.username.value = username; form.password.value = password; } }, "Fill in"));
    }
  } catch { /* not the emulator: no hint */ }
  // Either way in ends the same: the session, its prerequisites and its credentials.
  const signInWith = async (button, how) => {
    const err = document.getElementById("signin-error");
    err.hidden = true;
    if (!portalReady(err)) return;
    button.disabled = true;
    try {
      session = await how();
      form.password.value = "";
      renderPrereqs();
      await refresh();
      form.replaceChildren(el("p", {}, "Signed in as ", el("b", {}, session.username), " to ", el("code", {}, session.portal), " ",
        el("button", { type: "button", onclick: () => location.reload() }, "Sign out")));
    } catch (e) {
      err.textContent = errorText(e);
      err.hidden = false;
    } finally {
      button.disabled = false;
    }
  };
  const oauth = document.getElementById("oauth-signin");
  oauth.addEventListener("click", () => signInWith(oauth, () => PortalSession.signInWithOAuth(shared.portal,
    { clientId: document.getElementById("client-id").value.trim(), redirectUri: `${location.origin}/oauth-callback.html` })));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    signInWith(form.querySelector("button[type=submit]"), () => PortalSession.signIn(shared.portal, form.username.value, form.password.value));
  });
}

function renderPrereqs() {
  const box = document.getElementById("prereqs");
  const reqs = session.prerequisites();
  const ok = reqs.every((r) => r.ok);
  box.replaceChildren(el("details", { class: "card", open: ok ? undefined : true },
    el("summary", {}, ok ? "✔ This account can create API key credentials" : "✖ This account cannot create API key credentials"),
    el("ul", { class: "plain" }, reqs.map((r) => el("li", {}, el("span", { class: r.ok ? "yes" : "no" }, r.ok ? "✔ " : "✖ "), r.message)))));
}

export async function refresh() {
  if (!session) return;
  const box = document.getElementById("creds");
  try {
    const list = await session.listCredentials();
    shared.credentials = new Map(list.map((c) => [c.itemId, c]));
    box.replaceChildren(...(list.length ? list.map(card) : [el("p", { class: "card hint" }, "This account owns no API key credentials.")]));
    notify("credentials");
  } catch (e) {
    banner("error", `Could not list the credentials: ${errorText(e)}`);
  }
}

function slotRows(c, statuses) {
  const known = shared.keys.get(c.itemId) ?? {};
  return statuses.flatMap((s) => {
    const state = s.generated ? s.state : "notgenerated";
    const live = s.generated && s.state !== "invalidated";
    return [el("tr", {},
      el("td", {}, `Key ${s.slot}`),
      el("td", { class: "mono", title: known[s.slot] ? undefined : "The portal shows a key only once, when it is generated." },
        known[s.slot] ? maskKey(known[s.slot]) : s.generated ? "not shown" : "—"),
      el("td", {}, badge(state)),
      el("td", {}, s.generated && s.state !== "invalidated" ? daysText(s.daysLeft) : "—"),
      el("td", {}, fmtDate(s.expiresAt))),
    el("tr", { class: "actions-row", "data-slot": s.slot }, el("td", { colspan: 5 }, el("div", { class: "actions" },
      !live ? el("button", { type: "button", onclick: () => generate(c, s.slot, false) }, s.generated ? `Generate new key ${s.slot}` : `Generate key ${s.slot}`) : null,
      live ? el("button", { type: "button", onclick: () => generate(c, s.slot, true) }, `Regenerate key ${s.slot}`) : null,
      live ? el("button", { type: "button", class: "danger", onclick: () => invalidate(c, s.slot) }, `Invalidate key ${s.slot}`) : null)))];
  });
}

function card(c) {
  const now = Date.now();
  const statuses = c.status();
  const plan = c.rotationPlan();
  const referrers = c.httpReferrers;
  const diags = referrers.length ? checkReferrer(referrers, null).diagnostics.filter((d) => d.pattern !== null) : [];
  const groups = new Map();
  for (const p of c.privilegeDetails.filter((p) => p.group !== "itemAccess")) {
    groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  }
  const slots = statuses.map((s) => ({ slot: s.slot, state: s.generated ? s.state : "notgenerated", expiresAt: s.expiresAt, generated: s.generated }));
  const urgent = ["generateSecondary", "regenerate", "deploySecondary"].includes(plan.action);
  return el("article", { class: "card", "data-item": c.itemId },
    el("div", { class: "cred-head" }, el("h3", {}, c.title), el("code", { class: "muted" }, c.itemId)),
    el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ["Slot", "Key", "Status", "Days left", "Expires"].map((h) => el("th", {}, h)))),
      el("tbody", {}, slotRows(c, statuses)))),
    timeline(slots, plan, now),
    el("div", { class: `plan${urgent ? " urgent" : ""}` },
      el("b", {}, planTitle(plan)), plan.actBy ? ` — by ${fmtDate(plan.actBy)}. ` : ". ", plan.reason, " ",
      plan.actBy ? el("button", { type: "button", onclick: () => downloadIcs(plan) }, "Add reminder (.ics)") : null),
    el("div", { class: "group" }, el("b", {}, "Referrers"),
      referrers.length === 0 ? el("p", { class: "hint" }, "None: the keys work from any page.") :
        el("ul", { class: "plain" }, referrers.map((r) => el("li", {}, el("code", {}, r),
          ...diags.filter((d) => d.pattern === r).map((d) => el("div", { class: `diag ${d.severity}` }, `${d.code}: ${d.message}`))))),
      el("button", { type: "button", onclick: () => editReferrers(c) }, "Edit referrers")),
    el("div", { class: "group" }, el("b", {}, "Privileges"),
      ...[...groups].map(([g, ps]) => el("div", {}, el("span", { class: "muted" }, `${GROUP_LABEL[g] ?? g}: `), ps.map((p) => el("span", { class: "chip", title: p.privilege }, p.label)))),
      el("button", { type: "button", onclick: () => editPrivileges(c) }, "Edit privileges")),
    el("div", { class: "group" }, el("b", {}, "Item access"),
      c.itemAccess.length ? c.itemAccess.map((i) => el("code", { class: "chip" }, i)) : el("span", { class: "hint" }, "No items.")),
  );
}

function planTitle(plan) {
  switch (plan.action) {
    case "generateSecondary": return `Generate a secondary key in slot ${plan.actionSlot}`;
    case "deploySecondary": return `Deploy key ${plan.actionSlot} to the app`;
    case "invalidateOld": return `Invalidate the old key ${plan.actionSlot}`;
    case "regenerate": return `Regenerate key ${plan.actionSlot}: no usable key left`;
    default: return plan.useSlot ? `Nothing to do — the app should use key ${plan.useSlot}` : "Nothing to do";
  }
}

function downloadIcs(plan) {
  const ics = rotationReminderIcs(plan);
  const a = el("a", { href: URL.createObjectURL(new Blob([ics], { type: "text/calendar" })), download: "rotate-api-key.ics" });
  document.body.append(a);
  a.click();
  a.remove();
}

function dateInput(defaultDays) {
  const max = new Date(Date.now() + 365 * DAY).toISOString().slice(0, 10);
  const min = new Date(Date.now() + DAY).toISOString().slice(0, 10);
  const value = new Date(Date.now() + defaultDays * DAY).toISOString().slice(0, 10);
  return el("label", {}, "Expiration date (at most one year from today)", el("input", { type: "date", name: "expires", min, max, value, required: true }));
}

async function generate(c, slot, regenerate) {
  const warn = regenerate
    ? [el("p", {}, `The current key ${slot} stops working immediately: every app that still uses it gets “invalid token” errors. Deploy the new key right away.`)]
    : [el("p", {}, `Creates key ${slot}. Key ${slot === 1 ? 2 : 1} is not affected.`)];
  const data = await ask({ title: `${regenerate ? "Regenerate" : "Generate"} API key ${slot} — ${c.title}`, body: [...warn, dateInput(regenerate ? 365 : 180)], ok: regenerate ? "Yes, regenerate" : "Generate key", danger: regenerate });
  if (!data) return;
  const expires = new Date(`${data.get("expires")}T23:59:59Z`);
  try {
    const fresh = regenerate ? await session.regenerateKey(c.itemId, slot, expires) : await session.generateKey(c.itemId, slot, expires);
    rememberKey(c.itemId, slot, fresh.key);
    await showNewKey(c, fresh);
    await refresh();
  } catch (e) {
    banner("error", `Could not ${regenerate ? "regenerate" : "generate"} key ${slot}: ${errorText(e)}`);
  }
}

async function showNewKey(c, fresh) {
  const text = el("div", { class: "newkey", id: "new-key" }, fresh.key);
  const copied = el("span", { class: "hint", "aria-live": "polite" });
  const copy = el("button", { type: "button", onclick: async () => {
    try { await navigator.clipboard.writeText(fresh.key); copied.textContent = " Copied."; } catch { copied.textContent = " Select the key and copy it."; }
  } }, "Copy");
  await ask({
    title: `New API key ${fresh.slot} — ${c.title}`,
    body: [el("p", {}, "Copy it now: the portal never shows a key again, and this page does not store it."), text,
      el("p", {}, copy, copied), el("p", { class: "hint" }, `Expires ${fmtDate(fresh.expiresAt)}. It is also filled into the app view as key ${fresh.slot}.`)],
    ok: "Done", cancel: null,
  });
  const input = document.getElementById(`key${fresh.slot}`);
  if (input) input.value = fresh.key;
}

async function invalidate(c, slot) {
  const data = await ask({
    title: `Invalidate API key ${slot} — ${c.title}?`,
    body: [el("p", {}, `Key ${slot} stops working everywhere, immediately; the credentials and the other key stay. Apps that still use key ${slot} fail over to key ${slot === 1 ? 2 : 1} if they have it, or break.`)],
    ok: "Yes, invalidate", danger: true,
  });
  if (!data) return;
  try {
    await session.invalidateKey(c.itemId, slot);
    banner("info", `Key ${slot} of “${c.title}” was invalidated.`, `inv-${c.itemId}-${slot}`);
    notify("invalidated");
    await refresh();
  } catch (e) {
    banner("error", `Could not invalidate key ${slot}: ${errorText(e)}`);
  }
}

async function editReferrers(c) {
  const area = el("textarea", { name: "referrers", "aria-describedby": "ref-diags" }, c.httpReferrers.join("\n"));
  const diags = el("div", { id: "ref-diags", "aria-live": "polite" });
  const validate = () => {
    const lines = area.value.split("\n").map((l) => l.trim()).filter(Boolean);
    const d = new ReferrerRules(lines).diagnostics;
    diags.replaceChildren(...(d.length ? d.map((x) => el("div", { class: `diag ${x.severity}` }, el("code", {}, x.pattern), ` ${x.code}: ${x.message}`)) : [el("div", { class: "diag info" }, lines.length ? "All entries are valid." : "An empty list means the keys work from any page.")]));
    return d.some((x) => x.severity === "error");
  };
  area.addEventListener("input", validate);
  validate();
  const data = await ask({ title: `Referrers — ${c.title}`, body: [el("label", {}, "One entry per line, e.g. https://app.example.com", area), diags], ok: "Save referrers" });
  if (!data) return;
  const list = String(data.get("referrers")).split("\n").map((l) => l.trim()).filter(Boolean);
  try {
    await session.updateReferrers(c.itemId, list);
    await refresh();
  } catch (e) {
    banner("error", `Referrers not saved: ${errorText(e)}${e.details ? " — " + e.details.join("; ") : ""}`);
  }
}

async function editPrivileges(c) {
  const current = new Set(c.privileges);
  const catalog = privilegeCatalog().filter((p) => p.group === "locationServices");
  const boxes = catalog.map((p) => el("label", { style: "flex-direction:row;align-items:center;gap:.4rem;color:inherit" },
    el("input", { type: "checkbox", name: "p", value: p.privilege, checked: current.has(p.privilege) }), p.label));
  const data = await ask({
    title: `Privileges — ${c.title}`,
    body: [el("p", { class: "error" }, "Saving new privileges invalidates BOTH API keys of these credentials: generate and deploy new keys afterwards."), el("div", { style: "columns:2" }, boxes)],
    ok: "Save and invalidate keys", danger: true,
  });
  if (!data) return;
  const others = c.privileges.filter((p) => !catalog.some((x) => x.privilege === p) && !p.startsWith("portal:app:access:item:"));
  try {
    await session.updatePrivileges(c.itemId, [...others, ...data.getAll("p")], { confirmInvalidatesKeys: true });
    await refresh();
  } catch (e) {
    banner("error", `Privileges not saved: ${errorText(e)}`);
  }
}
