// Start-up in headless Chromium: from import() to ready (module compiled and instantiated, first
// call answered), median of 20 fresh page loads (a new browser context each). Prints JSON.
import { startEmulator, launchChromium } from "../tests/js/harness.mjs";

const emu = await startEmulator(["--alt-port", "none"]);
const browser = await launchChromium();
try {
  const times = [];
  for (let i = 0; i < 21; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${emu.url}/emulator/stats`);
    const ms = await page.evaluate(async () => {
      const t0 = performance.now();
      const m = await import("/pkg/index.js");
      await m.default();
      m.checkReferrer(["https://app.example.com"], "https://app.example.com/");
      return performance.now() - t0;
    });
    if (i > 0) times.push(ms); // the first load warms the OS file cache
    await ctx.close();
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ medianMs: +times[10].toFixed(1), minMs: +times[0].toFixed(1), maxMs: +times[19].toFixed(1), samples: 20 }));
} finally {
  await browser.close();
  await emu.stop();
}
