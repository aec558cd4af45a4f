#!/usr/bin/env node
// `apikey-credentials check | ics`: a CI guard for the API keys a deployed page embeds. Node 20+,
// on the owner package's module (the rotation planner and the calendar live there). For each
// key it asks the portal, as CredentialManager.inspect() does (`portals/self` with the key,
// sending each origin as the Referer), then checks expiry, each origin and each service's
// privilege, and gives the rotation plan's advice. No key is ever printed: only masked.
// The JSON output (--json) is documented in the README ("A CI guard"); its `version` changes
// if its shape does.
import { readFileSync, writeFileSync } from "node:fs";
import init, { ApiKeyCredentials, keySlot, maskKey, requiredPrivilege, rotationReminderIcs, version } from "./node.js";

const EXIT = { ok: 0, failed: 1, usage: 2, warnings: 3, unreachable: 4 };
const DAY = 86_400_000;
const HELP = `Usage:
  apikey-credentials check [options]   check keys against the portal, the origins and services
  apikey-credentials ics [options]     write the rotation reminder calendar (iCalendar)

Options:
  --portal URL       the portal (default https://www.arcgis.com)
  --key-env NAME     an environment variable holding a key (repeatable)
  --keys-file FILE   a file with one key per line
  --origin URL       a page origin that will use the keys (repeatable; a key restricted to
                     referrers is asked about from each, and needs at least one)
  --service URL      a service those pages call (repeatable)
  --warn-days N      warn when a key expires within N days (default 30)
  --fail-days N      fail when a key expires within N days (default 7)
  --json             the result as JSON
  --format F         table (default), json or github (GitHub Actions annotations)
  --strict           warnings fail the check too (exit 3)
  --out FILE         ics: write the calendar to FILE (default: standard output)
  --timeout-ms N     per request (default 15000)

Exit codes: 0 all checks pass; 1 a key fails a check; 2 bad usage; 3 warnings only, with
--strict; 4 the portal could not be reached. Keys are read from the environment or a file, never
from the command line, and are never printed.`;

class Usage extends Error {}

function parse(argv, env) {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") return { help: true };
  if (command !== "check" && command !== "ics") throw new Usage(command ? `unknown command "${String(command).slice(0, 40)}"` : "a command is required (check or ics)");
  const o = { command, portal: "https://www.arcgis.com", keyEnvs: [], keysFile: null, origins: [], services: [], warnDays: 30, failDays: 7, format: "table", strict: false, out: null, timeoutMs: 15000 };
  const days = (name, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 366) throw new Usage(`${name} must be a whole number of days, 0 to 366`);
    return n;
  };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith("--")) throw new Usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--portal": o.portal = value(); break;
      case "--key-env": o.keyEnvs.push(value()); break;
      case "--keys-file": o.keysFile = value(); break;
      case "--origin": o.origins.push(value()); break;
      case "--service": o.services.push(value()); break;
      case "--warn-days": o.warnDays = days(flag, value()); break;
      case "--fail-days": o.failDays = days(flag, value()); break;
      case "--json": o.format = "json"; break;
      case "--format": o.format = value(); break;
      case "--strict": o.strict = true; break;
      case "--out": o.out = value(); break;
      case "--timeout-ms": o.timeoutMs = Number(value()); break;
      case "--help": case "-h": return { help: true };
      default: throw new Usage(`unknown option "${String(flag).slice(0, 40)}" (a key is never passed on the command line: use --key-env or --keys-file)`);
    }
  }
  if (!["table", "json", "github"].includes(o.format)) throw new Usage("--format must be table, json or github");
  if (!(o.timeoutMs >= 100 && o.timeoutMs <= 600000)) throw new Usage("--timeout-ms must be 100 to 600000");
  if (o.failDays > o.warnDays) throw new Usage("--fail-days must not be more than --warn-days");
  for (const u of [o.portal, ...o.origins, ...o.services]) {
    try { new URL(u); } catch { throw new Usage(`not a URL: ${String(u).slice(0, 80)}`); }
  }
  o.origins = o.origins.map((u) => new URL(u).origin);
  const keys = [];
  for (const name of o.keyEnvs) {
    const v = env[name];
    if (!v || !v.trim()) throw new Usage(`the environment variable ${name} is not set`);
    keys.push(v.trim());
  }
  if (o.keysFile) {
    let text;
    try { text = readFileSync(o.keysFile, "utf8"); } catch { throw new Usage(`cannot read --keys-file ${o.keysFile}`); }
    keys.push(...text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#")));
  }
  if (keys.length === 0) throw new Usage("no keys: give --key-env NAME or --keys-file FILE");
  for (const k of keys) if (!/^AA[A-Z]{2}[A-Za-z0-9._-]{20,}$/.test(k)) throw new Usage(`${maskKey(k)} is not an API key`);
  o.keys = [...new Set(keys)];
  return o;
}

/** `portals/self` with `key`, sending `origin` as the Referer: the answer's kind. */
async function ask(root, key, origin, timeoutMs) {
  const headers = origin ? { referer: `${origin}/` } : {};
  let res;
  try {
    res = await fetch(`${root}/portals/self`, { method: "POST", headers, body: new URLSearchParams({ token: key, f: "json" }), signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    return { kind: "unreachable", reason: e?.name === "TimeoutError" ? "TIMEOUT" : "NETWORK" };
  }
  let body = null;
  try { body = await res.json(); } catch { /* below */ }
  const e = body?.error;
  const code = e?.code ?? (res.ok ? null : res.status);
  if (!body) return { kind: "unreachable", reason: "BAD_RESPONSE" };
  if (code === 498 || code === 401) return { kind: "invalid" };
  // portals/self needs no privilege: a 403 for a key is its referrer list refusing the origin.
  if (code === 403) return { kind: "denied" };
  if (code) return { kind: "error", reason: `${code}` };
  if (!body.appInfo) return { kind: "error", reason: "the portal did not describe the key (no appInfo)" };
  return { kind: "ok", self: body };
}

async function check(o) {
  const base = o.portal.replace(/\/+$/, "");
  const root = base.endsWith("/sharing/rest") ? base : `${base}/sharing/rest`;
  const now = Date.now();
  const results = [];
  let unreachable = false;
  for (const key of o.keys) {
    const r = { maskedKey: maskKey(key), slot: keySlot(key), itemId: null, title: null, state: "unknown", daysLeft: null, expiresAt: null, origins: [], services: [], advice: null, problems: [] };
    results.push(r);
    const problem = (level, code, message) => r.problems.push({ level, code, message });
    const answers = [];
    for (const origin of o.origins.length ? o.origins : [null]) answers.push([origin, await ask(root, key, origin, o.timeoutMs)]);
    const down = answers.find(([, a]) => a.kind === "unreachable");
    if (down) {
      unreachable = true;
      problem("error", down[1].reason, `the portal could not be reached (${down[1].reason})`);
      continue;
    }
    if (answers.some(([, a]) => a.kind === "invalid")) {
      r.state = "invalid";
      problem("error", "INVALID_TOKEN", "the portal rejects the key: it expired or was invalidated; deploy the other key or a new one");
      continue;
    }
    for (const [origin, a] of answers) {
      if (origin) r.origins.push({ origin, allowed: a.kind === "ok" });
      if (a.kind === "denied") {
        problem("error", "REFERRER_NOT_ALLOWED", origin ? `${origin} is not in the key's referrer list`
          : "the key is restricted to referrers: give the origins your pages use with --origin");
      }
      if (a.kind === "error") problem("error", "PORTAL_ERROR", `the portal refused the key${origin ? ` from ${origin}` : ""} (${a.reason})`);
    }
    const self = answers.find(([, a]) => a.kind === "ok")?.[1].self;
    if (!self) continue;
    const creds = ApiKeyCredentials.fromAppInfo(self, key, root);
    r.itemId = creds.itemId;
    r.title = creds.title;
    const status = creds.status(now, { warnDays: o.warnDays, criticalDays: o.failDays })[(r.slot ?? 1) - 1];
    r.state = status.state;
    r.daysLeft = status.daysLeft;
    r.expiresAt = status.expiresAt?.toISOString() ?? null;
    if (status.state === "expired") problem("error", "KEY_EXPIRED", "the key has expired");
    else if (status.daysLeft !== null && status.daysLeft <= o.failDays) problem("error", "KEY_EXPIRING", `the key expires in ${status.daysLeft} day${status.daysLeft === 1 ? "" : "s"} (--fail-days ${o.failDays})`);
    else if (status.daysLeft !== null && status.daysLeft <= o.warnDays) problem("warning", "KEY_EXPIRING", `the key expires in ${status.daysLeft} days (--warn-days ${o.warnDays})`);
    for (const url of o.services) {
      const need = requiredPrivilege(url);
      const granted = need ? creds.hasPrivilege(need.privilege) : null;
      r.services.push({ url, privilege: need?.privilege ?? null, granted });
      if (need && !granted) problem("error", "MISSING_PRIVILEGE", `${need.service} needs the privilege ${need.privilege}`);
      if (!need) problem("warning", "UNKNOWN_SERVICE", `${url} is not a service this tool knows the privilege of`);
    }
    r.creds = creds;
  }
  // The rotation plan of each credentials item, from every key given for it.
  const items = new Map();
  for (const r of results.filter((x) => x.creds)) items.set(r.itemId, [...(items.get(r.itemId) ?? []), r]);
  const plans = [];
  for (const [itemId, rs] of items) {
    const slots = {};
    for (const x of rs) slots[`key${x.slot ?? 1}`] = { expiresAt: x.expiresAt ? new Date(x.expiresAt) : null, active: true };
    const item = new ApiKeyCredentials({ itemId, title: rs[0].title ?? undefined, ...slots });
    const plan = item.rotationPlan({ now, warnDays: o.warnDays, criticalDays: o.failDays });
    plans.push(plan);
    for (const x of rs) x.advice = { action: plan.action, slot: plan.actionSlot, actBy: plan.actBy?.toISOString() ?? null, reason: plan.reason };
  }
  for (const r of results) delete r.creds;
  const errors = results.reduce((n, r) => n + r.problems.filter((p) => p.level === "error").length, 0);
  const warnings = results.reduce((n, r) => n + r.problems.filter((p) => p.level === "warning").length, 0);
  const exitCode = unreachable ? EXIT.unreachable : errors ? EXIT.failed : warnings && o.strict ? EXIT.warnings : EXIT.ok;
  return { report: { version: 1, tool: `apikey-credentials ${version()}`, portal: root, checkedAt: new Date(now).toISOString(), keys: results, summary: { errors, warnings }, exitCode }, plans };
}

function table(report, colour) {
  const paint = (c, s) => (colour ? `\x1b[${c}m${s}\x1b[0m` : s);
  const mark = { error: paint(31, "✖"), warning: paint(33, "!") };
  const lines = [`Portal ${report.portal}`];
  for (const k of report.keys) {
    const left = k.daysLeft === null ? "" : `, ${k.daysLeft} days left`;
    const state = k.problems.some((p) => p.level === "error") ? paint(31, k.state) : k.problems.length ? paint(33, k.state) : paint(32, k.state);
    lines.push("", `${k.maskedKey}  slot ${k.slot ?? "legacy"}  ${k.title ?? ""}  ${state}${left}`);
    for (const x of k.origins) lines.push(`  origin  ${x.origin}  ${x.allowed ? paint(32, "allowed") : paint(31, "denied")}`);
    for (const s of k.services) lines.push(`  service ${s.url}  ${s.privilege ?? "(unknown)"}  ${s.granted === null ? "?" : s.granted ? paint(32, "granted") : paint(31, "missing")}`);
    if (k.advice) lines.push(`  advice  ${k.advice.action}${k.advice.slot ? ` (slot ${k.advice.slot})` : ""}: ${k.advice.reason}`);
    for (const p of k.problems) lines.push(`  ${mark[p.level]} ${p.code}: ${p.message}`);
  }
  lines.push("", `${report.summary.errors} error(s), ${report.summary.warnings} warning(s)`);
  return lines.join("\n");
}

// GitHub Actions workflow commands: one annotation per problem (properties and data escaped).
function github(report) {
  const esc = (s) => String(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const lines = [];
  for (const k of report.keys) {
    for (const p of k.problems) lines.push(`::${p.level} title=${esc(`API key ${k.maskedKey}`).replace(/[:,]/g, (c) => (c === ":" ? "%3A" : "%2C"))}::${esc(`${p.code}: ${p.message}`)}`);
    if (!k.problems.length) lines.push(`::notice title=${esc(`API key ${k.maskedKey}`).replace(/:/g, "%3A")}::${esc(`${k.state}${k.daysLeft === null ? "" : `, ${k.daysLeft} days left`}`)}`);
  }
  return lines.join("\n");
}

async function main(argv, env, out, err) {
  let o;
  try {
    o = parse(argv, env);
  } catch (e) {
    if (!(e instanceof Usage)) throw e;
    err(`apikey-credentials: ${e.message}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (o.help) { out(HELP); return EXIT.ok; }
  await init();
  const { report, plans } = await check(o);
  if (o.command === "ics") {
    if (report.exitCode === EXIT.unreachable) { err(table(report, false)); return EXIT.unreachable; }
    if (!plans.length) { err("apikey-credentials: no key was recognised by the portal; no calendar to write"); return EXIT.failed; }
    const ics = plans.map((p) => rotationReminderIcs(p)).join("");
    if (o.out) writeFileSync(o.out, ics); else out(ics);
    return EXIT.ok;
  }
  if (o.format === "json") out(JSON.stringify(report, null, 2));
  else if (o.format === "github") out(github(report));
  else out(table(report, Boolean(process.stdout.isTTY) && !env.NO_COLOR));
  return report.exitCode;
}

main(process.argv.slice(2), process.env, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`))
  .then((code) => { process.exitCode = code; })
  .catch((e) => { process.stderr.write(`apikey-credentials: ${e?.code ? `${e.code}: ` : ""}${e?.message ?? "failed"}\n`); process.exitCode = EXIT.failed; });
