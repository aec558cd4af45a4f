// Start-up in headless Chromium: from import() to ready (module compiled and instantiated, first
// call answered), median of 20 fresh page loads. "warm": new pages in one browser context, so the
// HTTP and code caches work as on a repeat visit; "cold": a new context (empty caches) each time.
// Also the floor of any JS + wasm package on this machine, measured the same way: a one-line
// module served by the same server that fetches, compiles and instantiates an empty .wasm.
// Prints JSON.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, launchChromium } from "../tests/js/harness.mjs";

// The floor package, served as the emulator's static site (the package stays at /pkg/).
const floorDir = mkdtempSync(join(tmpdir(), "startup-floor-"));
writeFileSync(join(floorDir, "floor.js"),
  'export default () => WebAssembly.instantiateStreaming(fetch(new URL("empty.wasm", import.meta.url)));\n');
writeFileSync(join(floorDir, "empty.wasm"), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));

// One measurement on a fresh page: import() of `specifier`, then its default export awaited
// when it is a function (the package's init; the floor module's instantiation), then one
// checkReferrer when the module has it (the package's first call answered).
// The floors run on pages of their own (so they warm nothing for the package's measurement): a
// fresh page's first import() of a one-line data: module, and of the one-line served module
// that instantiates an empty .wasm (one module fetch + one .wasm fetch, as for the package).
async function timeImport(page, url, specifier) {
  await page.goto(url);
  return page.evaluate(async (spec) => {
    const t0 = performance.now();
    const m = await import(spec);
    if (typeof m.default === "function") await m.default();
    if (m.checkReferrer) m.checkReferrer(["https://app.example.com"], "https://app.example.com/");
    return performance.now() - t0;
  }, specifier);
}
const once = (page, url) => timeImport(page, url, "/pkg/index.js");

// Where the package's time goes, on a fresh page: the module's import(), init() (the .wasm's
// fetch, streaming compilation and instantiation, the start function), and the first call; and,
// on another fresh page, compiling the fetched .wasm bytes alone (WebAssembly.compile).
async function breakdown(page, url) {
  await page.goto(url);
  return page.evaluate(async () => {
    const t0 = performance.now();
    const m = await import("/pkg/index.js");
    const t1 = performance.now();
    await m.default();
    const t2 = performance.now();
    m.checkReferrer(["https://app.example.com"], "https://app.example.com/");
    const t3 = performance.now();
    return { importMs: t1 - t0, initMs: t2 - t1, firstCallMs: t3 - t2 };
  });
}
async function compileOnly(page, url) {
  await page.goto(url);
  return page.evaluate(async () => {
    const bytes = await (await fetch("/pkg/apikey_credentials_bg.wasm")).arrayBuffer();
    const t0 = performance.now();
    await WebAssembly.compile(bytes);
    return performance.now() - t0;
  });
}
const floor = (page, url) => timeImport(page, url, "data:text/javascript,export default 1");
const servedFloor = (page, url) => timeImport(page, url, "/floor.js");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emu = await startEmulator(["--alt-port", "none", "--www", floorDir]);
const browser = await launchChromium();
try {
  const url = `${emu.url}/emulator/stats`;
  const warmCtx = await browser.newContext();
  const warm = [];
  for (let i = 0; i < 21; i++) {
    const page = await warmCtx.newPage();
    const ms = await once(page, url);
    if (i > 0) warm.push(ms); // the first load fills the caches
    await page.close();
  }
  const base = [];
  const served = [];
  for (let i = 0; i < 21; i++) {
    let page = await warmCtx.newPage();
    if (i > 0) base.push(await floor(page, url));
    await page.close();
    page = await warmCtx.newPage();
    const ms = await servedFloor(page, url);
    if (i > 0) served.push(ms); // the first load fills the caches
    await page.close();
  }
  const parts = [];
  const compiles = [];
  for (let i = 0; i < 21; i++) {
    let page = await warmCtx.newPage();
    const b = await breakdown(page, url);
    if (i > 0) parts.push(b);
    await page.close();
    page = await warmCtx.newPage();
    const c = await compileOnly(page, url);
    if (i > 0) compiles.push(c);
    await page.close();
  }
  await warmCtx.close();
  const cold = [];
  for (let i = 0; i < 20; i++) {
    const ctx = await browser.newContext();
    cold.push(await once(await ctx.newPage(), url));
    await ctx.close();
  }
  console.log(JSON.stringify({
    medianMs: +median(warm).toFixed(1), minMs: +Math.min(...warm).toFixed(1), maxMs: +Math.max(...warm).toFixed(1),
    coldMedianMs: +median(cold).toFixed(1), samples: 20,
    trivialImportMedianMs: +median(base).toFixed(1),
    floorMedianMs: +median(served).toFixed(1),
    importMedianMs: +median(parts.map((p) => p.importMs)).toFixed(1),
    initMedianMs: +median(parts.map((p) => p.initMs)).toFixed(1),
    firstCallMedianMs: +median(parts.map((p) => p.firstCallMs)).toFixed(1),
    compileMedianMs: +median(compiles).toFixed(1),
  }));
} finally {
  await browser.close();
  await emu.stop();
  rmSync(floorDir, { recursive: true, force: true });
}
