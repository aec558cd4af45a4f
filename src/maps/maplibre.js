// MapLibre GL JS (5 and 6): the manager's key on every request for ArcGIS, and a map that keeps
// drawing through a key's death. See the package README, "Maps".
import { withKey, withoutKeys, keyIn, maybeRefused, replaced, reportRefused, onFailover } from "./key.js";

/** A `transformRequest` for `new maplibregl.Map({ transformRequest })`: requests for the
 * manager's portal and ArcGIS hosts get the manager's current key as `token`. `next`, when given,
 * is your own `transformRequest`, applied first. */
export function transformRequest(manager, next) {
  return (url, resourceType) => {
    const r = (next && next(url, resourceType)) || { url };
    return { ...r, url: withKey(manager, r.url) };
  };
}

/** Binds `map` (made with this module's `transformRequest`) to `manager`: a style, source or tile
 * refused for its key is reported to the manager, and after the failover the style, or each
 * source that failed, loads again with the new key. Other errors go to `console.error`, as
 * MapLibre does when nobody listens, with any key in them masked. Returns a function that
 * unbinds. */
export function bindMapLibre(map, manager) {
  let style = null; // the style's URL, when the style itself was refused
  let whole = false; // a sprite, glyphs or image was refused: the style is set again
  const failed = new Set(); // ids of the sources with a refused tile or TileJSON
  const reload = () => {
    if (style) {
      const u = new URL(style);
      u.searchParams.delete("token");
      map.setStyle(u.href, { diff: false });
    } else if (whole) {
      map.setStyle(map.getStyle(), { diff: false });
    } else {
      for (const id of failed) readdSource(map, id);
    }
    style = null;
    whole = false;
    failed.clear();
  };
  // Refusals of requests sent before the failover arrive together: one reload for them all.
  let pending = false;
  const reloadSoon = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; reload(); });
  };
  const onError = (e) => {
    const url = e.error?.url;
    if (!url || !keyIn(url) || !maybeRefused(e.error.status)) {
      // As MapLibre logs an error nobody listens to, with the key masked in its URL.
      console.error(withoutKeys(e.error?.stack ?? e.error?.message ?? e.error ?? e));
      return;
    }
    // No source: the style itself (not loaded yet), or a sprite, glyphs or image of a loaded one.
    if (e.sourceId !== undefined) failed.add(e.sourceId);
    else if (map.getStyle()) whole = true;
    else style = url;
    if (replaced(manager, keyIn(url))) reloadSoon();
    else reportRefused(manager, url);
  };
  map.on("error", onError);
  const off = onFailover(manager, reload);
  return () => { map.off("error", onError); off(); };
}

// Loads source `id` afresh: removed and added again with its layers, in their places. (MapLibre
// keeps a refused tile as "errored", and reloading it in place, with refreshTiles or setTiles,
// can draw it before it has an image: the renderer throws (refreshTiles in MapLibre 5 and 6,
// setTiles in 5).)
function readdSource(map, id) {
  const { sources, layers } = map.getStyle();
  if (!sources[id]) return;
  const mine = layers.filter((l) => l.source === id);
  const before = mine.map((l) => layers.slice(layers.indexOf(l) + 1).find((n) => n.source !== id)?.id);
  for (const l of mine) map.removeLayer(l.id);
  map.removeSource(id);
  map.addSource(id, sources[id]);
  mine.forEach((l, i) => map.addLayer(l, before[i]));
}
