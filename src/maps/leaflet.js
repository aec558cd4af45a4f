// Leaflet 1.9 with esri-leaflet-vector 4 (`L.esri.Vector.vectorBasemapLayer`), which draws Esri's
// basemap styles with a MapLibre map inside the layer: the same key handling as
// apikey-credentials/maplibre, attached to that inner map. See the package README, "Maps".
import { transformRequest, bindMapLibre } from "./maplibre.js";

export { transformRequest };

/** Binds a vector basemap or vector tile layer of esri-leaflet-vector to `manager`: the layer's
 * MapLibre map gets this module's `transformRequest` (the manager's current key on every
 * request for ArcGIS) and `bindMapLibre` (refused keys reported; after the failover the style or
 * the sources that failed load again with the new key). Create the layer with
 * `apikey: manager.currentKey()`; call this before or after `addTo(map)`. Returns a function
 * that unbinds. */
export function bindLeaflet(layer, manager) {
  let unbind = () => {};
  const attach = () => {
    const gl = layer._maplibreGL?.getMaplibreMap?.();
    if (!gl) return false;
    gl.setTransformRequest(transformRequest(manager));
    unbind = bindMapLibre(gl, manager);
    return true;
  };
  if (!attach()) layer.once("add", attach);
  return () => { layer.off("add", attach); unbind(); };
}
