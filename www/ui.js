// Small DOM helpers shared by the demo's views.

/** Creates an element: el("p", { class: "x" }, "text", child…). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const STATE_LABEL = {
  active: "Active", expiring: "Expiring", critical: "Critical", expired: "Expired",
  invalidated: "Invalidated", unknown: "Unknown expiry", notgenerated: "Not generated",
};

/** A status badge: colour and words. */
export function badge(state) {
  return el("span", { class: `badge b-${state}` }, STATE_LABEL[state] ?? state);
}

export function fmtDate(d) {
  if (!d) return "—";
  return d.toISOString().slice(0, 10);
}

export function daysText(days) {
  if (days === null || days === undefined) return "—";
  if (days < 0) return `${-days} day${days === -1 ? "" : "s"} ago`;
  return `${days} day${days === 1 ? "" : "s"}`;
}

const banners = () => document.getElementById("banners");

/** Shows a banner (kind: info | warning | critical | error); one per key. */
export function banner(kind, text, key = text) {
  const box = banners();
  const old = [...box.children].find((b) => b.dataset.key === key);
  if (old) old.remove();
  const close = el("button", { type: "button", "aria-label": "Dismiss", onclick: () => b.remove() }, "×");
  const b = el("div", { class: `banner ${kind}`, role: kind === "error" || kind === "critical" ? "alert" : "status", "data-key": key }, el("span", {}, text), close);
  box.append(b);
  return b;
}

const dialog = () => document.getElementById("dialog");

/**
 * Opens the shared <dialog>; resolves to the submitted FormData (null when cancelled).
 * `body` is a list of nodes; `ok` the confirm button label.
 */
export function ask({ title, body, ok = "OK", danger = false, cancel = "Cancel" }) {
  const d = dialog();
  const form = document.getElementById("dialog-form");
  form.replaceChildren(
    el("h3", {}, title),
    ...body,
    el("div", { class: "buttons" },
      cancel ? el("button", { type: "submit", value: "cancel", formnovalidate: true }, cancel) : null,
      el("button", { type: "submit", value: "ok", class: danger ? "danger" : "primary" }, ok)),
  );
  return new Promise((resolve) => {
    d.addEventListener("close", () => resolve(d.returnValue === "ok" ? new FormData(form) : null), { once: true });
    d.returnValue = "";
    d.showModal();
  });
}

/** Renders an error (a CredentialError shows its code). */
export function errorText(e) {
  if (e && e.code) return `${e.code}${e.portalCode ? ` (${e.portalCode})` : ""}: ${e.message}`;
  return String(e?.message ?? e);
}
