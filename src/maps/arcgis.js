// The ArcGIS Maps SDK for JavaScript (@arcgis/core 5): a request interceptor that puts the
// manager's current key on requests for the portal and ArcGIS hosts, fails over and retries once
// when the key is refused, and keeps esriConfig.apiKey on the current key. See the package README,
// "Maps".
import { takesKey, maybeRefused, checkKey, replaced, onFailover } from "./key.js";

const KEY = Symbol("apikey-credentials key"); // marks this module's own calls, with their key

/** An interceptor for `esriConfig.request.interceptors`. Pass Esri's `request` (from
 * `@arcgis/core/request.js`) as `esriRequest` so a refused request is sent once more with the
 * other key, and `esriConfig` (from `@arcgis/core/config.js`) so `esriConfig.apiKey` follows the
 * manager's current key. The `urls` it applies to are the manager's portal and ArcGIS hosts. */
export function arcgisInterceptor(manager, { esriRequest, esriConfig } = {}) {
  if (esriConfig) {
    esriConfig.apiKey = manager.currentKey();
    onFailover(manager, () => { esriConfig.apiKey = manager.currentKey(); });
  }
  const send = (url, options, key) => esriRequest(url, { ...options, [KEY]: key }).then((r) => r.data);
  return {
    urls: [new URL(manager.portal).origin + "/", /^https:\/\/([^/]+\.)?(arcgis\.com|arcgisonline\.com)\//],
    before(params) {
      const options = params.requestOptions;
      if (!takesKey(manager, params.url)) return undefined;
      // This module's own call carries its key (counted when it was chosen).
      const key = options[KEY] ?? manager.currentKey(params.url);
      if (!key) return undefined;
      if (options[KEY] || !esriRequest) {
        // The key goes on as `token`, and the request goes out.
        options.query = { ...options.query, token: key };
        return undefined;
      }
      // Sent here, so a refused key can be reported and the request sent once more.
      return send(params.url, options, key).catch(async (e) => {
        if (!maybeRefused(e?.details?.httpStatus)) throw e;
        await checkKey(manager, key);
        const now = replaced(manager, key);
        if (!now) throw e;
        return send(params.url, options, now);
      });
    },
    error(e) {
      // A refused key seen without esriRequest: the manager checks it (and fails over).
      const key = e?.details?.requestOptions?.query?.token;
      if (!esriRequest && maybeRefused(e?.details?.httpStatus) && key) checkKey(manager, key);
    },
  };
}
