// OpenLayers 10 with ol-mapbox-style (Esri's basemap styles, vector or raster): the manager's key
// on every request for ArcGIS, and a refused key failed over within the request itself. See the
// package README, "Maps".
import { takesKey, fetchWithKey, onFailover } from "./key.js";

/** A `transformRequest` for ol-mapbox-style (`apply(map, styleUrl, { transformRequest })`, or
 * `new MapboxVectorLayer({ styleUrl, transformRequest })`): a request for the manager's portal or an
 * ArcGIS host is fetched here with the manager's current key, and when the key is refused and the
 * manager fails over, fetched once more with the new key. `next`, when given, is your own
 * `transformRequest`, applied first. */
export function transformRequest(manager, next) {
  return (url, resourceType) => {
    const r = (next && next(url, resourceType)) || url;
    const href = typeof r === "string" ? r : r.url;
    return href && takesKey(manager, href) ? fetchWithKey(manager, href, typeof r === "string" ? undefined : r) : r;
  };
}

/** Binds `map` to `manager`: after each failover, every tile source of the map that had a tile
 * fail loads its tiles again, now with the new key (this module's `transformRequest` already
 * retries the requests it sees refused; this covers the rest). Returns a function that unbinds. */
export function bindOpenLayers(map, manager) {
  const failed = new Set();
  const onTileError = (e) => failed.add(e.target);
  const watched = new Set();
  const watch = () => {
    for (const layer of map.getAllLayers()) {
      const source = layer.getSource?.();
      if (source?.on && !watched.has(source)) {
        watched.add(source);
        source.on("tileloaderror", onTileError);
      }
    }
  };
  watch();
  map.getLayers().on("add", watch);
  const off = onFailover(manager, () => {
    for (const source of failed) source.refresh();
    failed.clear();
  });
  return () => {
    off();
    map.getLayers().un("add", watch);
    for (const source of watched) source.un("tileloaderror", onTileError);
  };
}
