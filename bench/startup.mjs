// Start-up in headless Chromium: from import() to ready (module compiled and instantiated, first
// call answered), median of 20 fresh page loads. "warm": new pages in one browser context, so the
// HTTP and code caches work as on a repeat visit; "cold": a new context (empty caches) each time.
// Prints JSON.
import { startEmulator, launchChromium } from "../tests/js/harness.mjs";

async function once(page, url) {
  await page.goto(url);
  return page.evaluate(async () => {
    const t0 = performance.now();
    const m = await import("/pkg/index.js");
    await m.default();
    m.checkReferrer(["https://app.example.com"], "https://app.example.com/");
    return performance.now() - t0;
  });
}

// The floor: a fresh page's first dynamic import() of a one-line module (measured on its own
// pages, so it does not warm anything for the package's measurement).
async function floor(page, url) {
  await page.goto(url);
  return page.evaluate(async () => {
    const t0 = performance.now();
    await import("data:text/javascript,export default 1");
    return performance.now() - t0;
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emu = await startEmulator(["--alt-port", "none"]);
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
  for (let i = 0; i < 20; i++) {
    const page = await warmCtx.newPage();
    base.push(await floor(page, url));
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
  }));
} finally {
  await browser.close();
  await emu.stop();
}
