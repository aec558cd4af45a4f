// The CI guard as a CI job runs it: the packed owner package installed into a fresh project, its
// bin run with `npx apikey-credentials …` against the emulator's seeded keys. Each case checks
// the exit code, and the JSON, table or GitHub annotations; every output is swept for raw keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startEmulator } from "./harness.mjs";

const npmEnv = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

test("npx apikey-credentials check / ics: exit codes, JSON, annotations, no key printed", { timeout: 180000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), "apikey-cli-"));
  const emu = await startEmulator(["--alt-port", "none"]);
  try {
    const tarball = join(tmp, execFileSync("npm", ["pack", "--pack-destination", tmp], { cwd: join(root, "pkg-owner"), env: npmEnv }).toString().trim().split("\n").pop());
    const app = join(tmp, "site");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "site", private: true }));
    execFileSync("npm", ["install", "--save-dev", tarball, "--prefer-offline"], { cwd: app, env: npmEnv, stdio: "pipe" });

    const { keys } = await (await fetch(`${emu.url}/emulator/seeded-keys`)).json();
    const key = (title, slot) => keys.find((k) => k.title.startsWith(title) && k.slot === slot).key;
    const env = {
      ...npmEnv,
      NO_COLOR: "1",
      STORE_1: key("Store locator", 1), // 5 days left
      STORE_2: key("Store locator", 2), // healthy
      FIELD_1: key("Field app", 1), // healthy, basemaps only
      OLD_1: key("Old dashboard", 1), // expired
      OLD_2: key("Old dashboard", 2), // invalidated
    };
    const raw = Object.values(keys).map((k) => k.key);
    const outputs = [];
    const run = (...args) => {
      const r = spawnSync("npx", ["--no", "apikey-credentials", ...args], { cwd: app, env, encoding: "utf8", timeout: 60000 });
      outputs.push(r.stdout, r.stderr);
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const portal = ["--portal", emu.portal];
    const origin = ["--origin", emu.url];
    const geocode = `${emu.url}/arcgis/rest/services/World/GeocodeServer/findAddressCandidates`;
    const basemap = `${emu.url}/arcgis/rest/services/styles/v2/styles/arcgis/navigation`;

    // Healthy: every check passes.
    let r = run("check", ...portal, "--key-env", "FIELD_1", ...origin, "--service", basemap, "--json");
    assert.equal(r.code, 0, r.out + r.err);
    const healthy = JSON.parse(r.out);
    assert.equal(healthy.version, 1);
    assert.deepEqual(healthy.summary, { errors: 0, warnings: 0 });
    const k = healthy.keys[0];
    assert.equal(k.slot, 1);
    assert.equal(k.state, "active");
    assert.ok(k.daysLeft >= 198 && k.daysLeft <= 200, String(k.daysLeft));
    assert.match(k.maskedKey, /^AAPT…/);
    assert.deepEqual(k.origins, [{ origin: emu.url, allowed: true }]);
    assert.deepEqual(k.services, [{ url: basemap, privilege: "premium:user:basemaps", granted: true }]);
    assert.equal(k.advice.action, "none", "key 1 is healthy: nothing to do until its warning window");

    // Critical: within --fail-days it fails; only warned with a smaller --fail-days; --strict makes
    // the warning fail (3). Both keys of the store locator give one plan: deploy key 2.
    r = run("check", ...portal, "--key-env", "STORE_1", "--key-env", "STORE_2", ...origin, "--json");
    assert.equal(r.code, 1);
    const critical = JSON.parse(r.out);
    assert.deepEqual(critical.keys[0].problems.map((p) => p.code), ["KEY_EXPIRING"]);
    assert.deepEqual(critical.keys.map((x) => x.advice.action), ["deploySecondary", "deploySecondary"]);
    assert.equal(critical.keys[0].advice.slot, 2);
    assert.equal(run("check", ...portal, "--key-env", "STORE_1", ...origin, "--fail-days", "2").code, 0);
    assert.equal(run("check", ...portal, "--key-env", "STORE_1", ...origin, "--fail-days", "2", "--strict").code, 3);

    // Expired and invalidated: the portal rejects both.
    for (const name of ["OLD_1", "OLD_2"]) {
      r = run("check", ...portal, "--key-env", name, ...origin, "--json");
      assert.equal(r.code, 1, name);
      assert.equal(JSON.parse(r.out).keys[0].state, "invalid");
    }

    // A wrong origin, and a missing privilege, as GitHub annotations.
    r = run("check", ...portal, "--key-env", "FIELD_1", "--origin", "https://evil.example", "--format", "github");
    assert.equal(r.code, 1);
    assert.match(r.out, /^::error title=API key AAPT…[\w-]{4}::REFERRER_NOT_ALLOWED: https:\/\/evil\.example is not in the key's referrer list$/m);
    r = run("check", ...portal, "--key-env", "FIELD_1", ...origin, "--service", geocode, "--format", "github");
    assert.equal(r.code, 1);
    assert.match(r.out, /^::error title=API key AAPT…[\w-]{4}::MISSING_PRIVILEGE: .* needs the privilege premium:user:geocode$/m);
    r = run("check", ...portal, "--key-env", "FIELD_1", ...origin, "--format", "github");
    assert.match(r.out, /^::notice title=API key AAPT…[\w-]{4}::active, \d+ days left$/m);

    // The table, for people (no colour: not a TTY).
    r = run("check", ...portal, "--keys-file", writeKeys(tmp, [env.STORE_1, env.FIELD_1]), ...origin);
    assert.equal(r.code, 1);
    assert.match(r.out, /AAPT…[\w-]{4} {2}slot 1 {2}Store locator .* critical, [45] days left/);
    // Only key 1 of the store locator given: slot 2 counts as empty (documented).
    assert.match(r.out, /advice {2}generateSecondary \(slot 2\): /);
    assert.doesNotMatch(r.out, /\x1b\[/, "no colour when not on a terminal");

    // The portal cannot be reached: 4, kept apart from a bad key.
    r = run("check", "--portal", "http://127.0.0.1:9/portal", "--key-env", "FIELD_1", ...origin, "--timeout-ms", "3000", "--json");
    assert.equal(r.code, 4, r.out + r.err);
    assert.equal(JSON.parse(r.out).keys[0].problems[0].code, "NETWORK");

    // Bad usage: 2, and the help on stderr.
    for (const args of [["check"], ["check", "--key-env", "UNSET_VARIABLE"], ["check", "--key", env.FIELD_1], ["nope"], ["check", "--key-env", "FIELD_1", "--warn-days", "x"]]) {
      r = run(...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /^apikey-credentials: .*\n\nUsage:/s);
    }

    // The calendar.
    r = run("ics", ...portal, "--key-env", "STORE_1", "--key-env", "STORE_2", ...origin, "--out", join(tmp, "rotation.ics"));
    assert.equal(r.code, 0, r.err);
    const ics = readFileSync(join(tmp, "rotation.ics"), "utf8");
    assert.match(ics, /^BEGIN:VCALENDAR\r\n[\s\S]*SUMMARY:.*deploy API key 2[\s\S]*END:VCALENDAR\r\n$/);
    outputs.push(ics);

    // No raw key in any output, whatever the flags.
    for (const text of outputs) for (const k2 of raw) assert.ok(!String(text).includes(k2), "a raw key was printed");
  } finally {
    await emu.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});

function writeKeys(dir, keys) {
  const file = join(dir, "keys.txt");
  writeFileSync(file, `# deployed keys\n${keys.join("\n")}\n`);
  return file;
}
