// An SVG timeline of both keys' validity windows, with today, the warning window and the
// rotation deadline marked.
const NS = "http://www.w3.org/2000/svg";
const DAY = 86_400_000;

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

/**
 * slots: [{ slot, state, expiresAt: Date|null, generated }], plan: RotationPlan, warnDays.
 */
export function timeline(slots, plan, now, warnDays = 30) {
  const W = 640, H = 118, left = 52, right = 12, top = 22, rowH = 30;
  const ends = slots.map((s) => s.expiresAt?.getTime()).filter(Boolean);
  const t0 = Math.min(now - 60 * DAY, ...ends.map((e) => e - 365 * DAY));
  const t1 = Math.max(now + 60 * DAY, ...ends.map((e) => e + 20 * DAY));
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "timeline", role: "img" });
  const title = node("title", {}, "Validity of key 1 and key 2 over time, with today, the warning window and the rotation deadline");
  svg.append(title);
  // Month ticks.
  const d = new Date(t0);
  d.setUTCDate(1);
  for (let m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)); m.getTime() < t1; m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 2, 1))) {
    svg.append(node("line", { x1: x(m), x2: x(m), y1: top - 4, y2: H - 14, stroke: "#eaeef2" }));
    svg.append(node("text", { x: x(m) + 2, y: H - 3 }, m.toISOString().slice(0, 7)));
  }
  slots.forEach((s, i) => {
    const y = top + i * rowH;
    svg.append(node("text", { x: 4, y: y + 15 }, `Key ${s.slot}`));
    if (!s.generated || !s.expiresAt) {
      svg.append(node("rect", { x: left, y: y + 4, width: W - left - right, height: 16, fill: "none", stroke: "#d0d7de", "stroke-dasharray": "4 3", rx: 3 }));
      svg.append(node("text", { x: left + 8, y: y + 16 }, s.generated ? "expiry unknown" : "not generated"));
      return;
    }
    const end = s.expiresAt.getTime();
    const start = end - 365 * DAY;
    const color = COLORS[s.state] ?? "#8c959f";
    svg.append(node("rect", { x: x(start), y: y + 4, width: Math.max(2, x(end) - x(start)), height: 16, fill: color, opacity: s.state === "invalidated" ? 0.3 : 0.85, rx: 3 }));
    // Warning window.
    svg.append(node("rect", { x: x(end - warnDays * DAY), y: y + 2, width: x(end) - x(end - warnDays * DAY), height: 20, fill: "url(#hatch)", stroke: "#9a6700", "stroke-width": 0.6, rx: 2 }));
    const label = s.expiresAt.toISOString().slice(0, 10);
    const nearEdge = x(end) > W - right - 66;
    svg.append(node("text", { x: nearEdge ? x(end) - 3 : x(end) + 3, y: y + 15, "text-anchor": nearEdge ? "end" : "start", fill: "#1b1f24" }, label));
  });
  const defs = node("defs", {});
  const pat = node("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pat.append(node("rect", { width: 3, height: 6, fill: "rgba(212,167,44,.45)" }));
  defs.append(pat);
  svg.prepend(defs);
  // Today and the deadline.
  svg.append(node("line", { x1: x(now), x2: x(now), y1: 8, y2: H - 14, stroke: "#0969da", "stroke-width": 2 }));
  svg.append(node("text", { x: x(now) + 3, y: 14, fill: "#0969da" }, "today"));
  if (plan?.actBy && plan.action !== "none") {
    const t = plan.actBy.getTime();
    svg.append(node("line", { x1: x(t), x2: x(t), y1: 8, y2: H - 14, stroke: "#bc4c00", "stroke-width": 2, "stroke-dasharray": "5 3" }));
    const close = Math.abs(x(t) - x(now)) < 44;
    svg.append(node("text", { x: x(t) + (close ? -3 : 3), y: close ? H - 18 : 14, fill: "#bc4c00", "text-anchor": close ? "end" : "start" }, `act by ${plan.actBy.toISOString().slice(0, 10)}`));
  }
  return svg;
}
