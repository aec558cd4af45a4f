// Shared helpers for the JS tests: start the emulator binary on free ports, launch Debian's
// Chromium through playwright-core, and load the built package in Node.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join, dirname, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const emulatorBin = process.env.EMULATOR_BIN ?? join(root, "target", "release", "portal-emulator");

/** Starts portal-emulator on free ports; resolves once it prints its URLs. */
export async function startEmulator(args = []) {
  const child = spawn(
    emulatorBin,
    ["--port", "0", "--alt-port", "0", "--www", join(root, "www"), "--pkg", join(root, "pkg"), "--log", "warn", ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${err}`)), 15000);
    const wantAlt = !args.includes("none");
    child.stdout.on("data", (d) => {
      out += d;
      const m = /Demo:\s+(http:\/\/\S+?)\/?\s/.exec(out);
      const ready = /Portal: /.test(out) && (!wantAlt || /Second origin/.test(out));
      if (m && ready) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`emulator exited ${code}: ${err}`)); });
  });
  const alt = /Second origin[^:]*: (http:\/\/\S+?)\/?\s/.exec(out)?.[1] ?? null;
  const login = /username: (\S+)\s+password: (\S+)/.exec(out);
  return {
    url,
    altUrl: alt,
    portal: `${url}/portal`,
    username: login?.[1],
    password: login?.[2],
    stdout: () => out,
    stderr: () => err,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once("exit", (code) => resolve(code));
      child.kill("SIGTERM");
    }),
    kill9: () => new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGKILL"); }),
  };
}

/** Debian's Chromium, headless (playwright gives it a fresh profile), with the flags this
 * closed network needs. `{ webgl: true }`: WebGL on SwiftShader (software), for the map tests. */
export async function launchChromium({ webgl = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
      ...(webgl ? ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"] : ["--disable-gpu"]),
    ],
  });
}

/** Console warnings a page of ours may print: the library's own (its expiry and failover
 * warnings are the point of the demo), and Chromium's software GL's performance notes (a map). */
export const expectedWarning = (text) => text.startsWith("apikey-credentials:") || /GL Driver Message/.test(text);

/** Serves `dir` as static files on a free port of 127.0.0.1; `mounts` serves more directories
 * under URL prefixes (`{ "/pkg/": dir }`). */
export async function serve(dir, mounts = {}) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    // A site has its own icon; the pages under test are not about it.
    if (pathname === "/favicon.ico") { res.writeHead(204).end(); return; }
    const [prefix, base] = Object.entries(mounts).find(([p]) => pathname.startsWith(p)) ?? ["/", dir];
    const path = join(base, pathname.slice(prefix.length - 1));
    if (!path.startsWith(base) || !existsSync(path) || statSync(path).isDirectory()) { res.writeHead(404).end("not found"); return; }
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Imports a built package in Node and initialises it from the .wasm bytes: "pkg" (the app
 * package, apikey-credentials) or "pkg-owner" (the owner package, apikey-credentials-owner).
 */
export async function loadPackage(dir = "pkg") {
  const mod = await import(join(root, dir, "index.js"));
  await mod.default({ module_or_path: readFileSync(join(root, dir, "apikey_credentials_bg.wasm")) });
  return mod;
}

// Signs in to the emulator as its owner (with the owner package) and creates credentials with
// basemap access and both keys (key 1 expiring in 200 days, key 2 in 100, so a manager prefers
// key 1).
export async function twoKeyCredentials(emu, title) {
  const DAY = 86_400_000;
  const owner = await loadPackage("pkg-owner");
  const session = await owner.PortalSession.signIn(emu.portal, emu.username, emu.password);
  const creds = await session.createCredentials({ title, privileges: ["premium:user:basemaps"] });
  const k1 = await session.generateKey(creds.itemId, 1, new Date(Date.now() + 200 * DAY));
  const k2 = await session.generateKey(creds.itemId, 2, new Date(Date.now() + 100 * DAY));
  return { session, creds, k1, k2 };
}
