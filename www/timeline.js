// A timeline of both keys' validity windows, with today, each key's warning window and the
// rotation plan's deadline, and a legend. The SVG is drawn at the width it is shown at (again
// when that changes), so its text is 11 px at any width, and labels that would not fit are left
// out rather than clipped or overlapped (the legend and the plan line say the same in words).
const NS = "http://www.w3.org/2000/svg";
const DAY = 86_400_000;
const FONT = 11;
// A generous width per character of an 11 px label (digits and dashes of system-ui).
const CHAR = 6.6;

function node(tag, attrs, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

const COLORS = {
  active: "#2da44e", expiring: "#d4a72c", critical: "#fb8f44", expired: "#cf222e",
  invalidated: "#cf222e", unknown: "#8c959f", notgenerated: "#d0d7de",
};
const iso = (t) => new Date(t).toISOString().slice(0, 10);
const textWidth = (s) => s.length * CHAR;
// Each drawing's hatch pattern has its own id (several timelines share the page).
let drawings = 0;

/** The SVG for a width of `W` pixels. */
function draw(W, slots, plan, now, warnDays) {
  const left = 44, right = 6, top = 18, rowH = 36, axisH = 18;
  const H = top + slots.length * rowH + axisH;
  const ends = slots.map((s) => s.expiresAt?.getTime()).filter(Boolean);
  const t0 = Math.min(now - 60 * DAY, ...ends.map((e) => e - 365 * DAY));
  const t1 = Math.max(now + 60 * DAY, ...ends.map((e) => e + 20 * DAY));
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const svg = node("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "timeline", role: "img",
    "aria-label": "Validity of key 1 and key 2 over time, with today, the warning windows and the rotation deadline" });
  const defs = node("defs", {});
  const hatch = `hatch-${++drawings}`;
  const pat = node("pattern", { id: hatch, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pat.append(node("rect", { width: 3, height: 6, fill: "rgba(154,103,0,.55)" }));
  defs.append(pat);
  svg.append(defs);

  // Month ticks, as many as fit: every 1, 2, 3, 4, 6 or 12 months.
  const label = "2026-04";
  const perMonth = (x(t0 + 30.44 * DAY) - x(t0));
  const step = [1, 2, 3, 4, 6, 12].find((k) => k * perMonth >= textWidth(label) + 10) ?? 12;
  const first = new Date(t0);
  for (let m = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1)); m.getTime() < t1;
    m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + step, 1))) {
    const mx = x(m.getTime());
    svg.append(node("line", { x1: mx, x2: mx, y1: top - 2, y2: H - axisH + 2, stroke: "#eaeef2" }));
    if (mx + 2 + textWidth(label) <= W - right) svg.append(node("text", { x: mx + 2, y: H - 5 }, m.toISOString().slice(0, 7)));
  }

  slots.forEach((s, i) => {
    const y = top + i * rowH;
    svg.append(node("text", { x: 2, y: y + 15 }, `Key ${s.slot}`));
    if (!s.generated || !s.expiresAt) {
      svg.append(node("rect", { x: left, y: y + 5, width: W - left - right, height: 14, fill: "none", stroke: "#8c959f", "stroke-dasharray": "4 3", rx: 3 }));
      svg.append(node("text", { x: left + 6, y: y + 16 }, s.generated ? "expiry unknown" : "no key"));
      return;
    }
    const end = s.expiresAt.getTime();
    const start = end - 365 * DAY;
    svg.append(node("rect", { x: x(start), y: y + 5, width: Math.max(2, x(end) - x(start)), height: 14,
      fill: COLORS[s.state] ?? "#8c959f", opacity: s.state === "invalidated" ? 0.3 : 0.85, rx: 3 }));
    const w0 = x(end - warnDays * DAY);
    svg.append(node("rect", { x: w0, y: y + 3, width: x(end) - w0, height: 18, fill: `url(#${hatch})`, stroke: "#9a6700", "stroke-width": 0.8, rx: 2 }));
    // The end date under the bar, ending at the key's last day, kept inside the drawing.
    const text = iso(end);
    const tx = Math.min(Math.max(x(end), left + textWidth(text)), W - right);
    svg.append(node("text", { x: tx, y: y + 32, "text-anchor": "end", fill: "#1b1f24" }, text));
  });

  // Today, and the plan's deadline (its date is in the legend and the plan line).
  const nowX = x(now);
  svg.append(node("line", { x1: nowX, x2: nowX, y1: 4, y2: H - axisH + 2, stroke: "#0969da", "stroke-width": 2 }));
  const todayEnd = nowX + 3 + textWidth("today") <= W - right;
  svg.append(node("text", { x: todayEnd ? nowX + 3 : nowX - 3, y: 12, fill: "#0969da", "text-anchor": todayEnd ? "start" : "end" }, "today"));
  if (plan?.actBy && plan.action !== "none") {
    const ax = x(plan.actBy.getTime());
    svg.append(node("line", { x1: ax, x2: ax, y1: 4, y2: H - axisH + 2, stroke: "#bc4c00", "stroke-width": 2, "stroke-dasharray": "5 3" }));
  }
  return svg;
}

/**
 * slots: [{ slot, state, expiresAt: Date|null, generated }], plan: RotationPlan, now (ms),
 * warnDays. Returns a figure that draws itself at its own width, with its legend.
 */
export function timeline(slots, plan, now, warnDays = 30) {
  const figure = document.createElement("figure");
  figure.className = "timeline-box";
  const legend = document.createElement("figcaption");
  legend.className = "legend";
  const item = (cls, text) => {
    const span = document.createElement("span");
    const mark = document.createElement("i");
    mark.className = cls;
    mark.setAttribute("aria-hidden", "true");
    span.append(mark, text);
    return span;
  };
  legend.append(item("lg-today", "today"));
  if (plan?.actBy && plan.action !== "none") legend.append(item("lg-actby", `act by ${iso(plan.actBy.getTime())} (the plan's deadline)`));
  legend.append(item("lg-warn", `warning window (each key's last ${warnDays} days)`));
  if (slots.some((s) => !s.generated || !s.expiresAt)) legend.append(item("lg-empty", "no key in the slot"));
  figure.append(legend);
  let drawnAt = 0;
  const redraw = () => {
    const w = Math.floor(figure.clientWidth);
    if (!w || w === drawnAt) return;
    drawnAt = w;
    figure.querySelector("svg")?.remove();
    figure.prepend(draw(w, slots, plan, now, warnDays));
  };
  new ResizeObserver(redraw).observe(figure);
  return figure;
}
