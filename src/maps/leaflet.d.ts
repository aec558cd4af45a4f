import type { CredentialManager } from "../index.js";
export { transformRequest } from "./maplibre.js";

/** The parts of an esri-leaflet-vector layer (`vectorBasemapLayer`, `vectorTileLayer`) that
 * `bindLeaflet` uses. */
export interface EsriVectorLayer {
  once(type: "add", listener: () => unknown): unknown;
  off(type: "add", listener: () => unknown): unknown;
}

/** Binds an esri-leaflet-vector layer to `manager`: its MapLibre map gets the manager's current
 * key on every request for ArcGIS, refused keys are reported, and after the failover what failed
 * loads again with the new key. Create the layer with `apikey: manager.currentKey()`. Returns a
 * function that unbinds. */
export function bindLeaflet(layer: EsriVectorLayer, manager: CredentialManager): () => void;
