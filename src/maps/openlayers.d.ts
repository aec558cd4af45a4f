import type { CredentialManager } from "../index.js";

/** What ol-mapbox-style's `transformRequest` may return. */
export type TransformedRequest = string | Request | Response | Promise<string | Request | Response> | void;

/** A `transformRequest` for ol-mapbox-style (`apply(map, styleUrl, { transformRequest })`): a
 * request for the manager's portal or an ArcGIS host is fetched with the manager's current key,
 * and once more with the new key when the key is refused and the manager fails over. `next`,
 * when given, is your own `transformRequest`, applied first. */
export function transformRequest(
  manager: CredentialManager,
  next?: (url: string, resourceType: string) => TransformedRequest,
): (url: string, resourceType: string) => TransformedRequest;

/** The parts of an OpenLayers `Map` that `bindOpenLayers` uses. */
export interface OpenLayersMap {
  getAllLayers(): Array<{ getSource?(): any }>;
  getLayers(): { on(type: "add", listener: () => void): unknown; un(type: "add", listener: () => void): unknown };
}

/** Binds `map` to `manager`: after each failover, the tile sources that had a tile fail load
 * their tiles again with the new key. Returns a function that unbinds. */
export function bindOpenLayers(map: OpenLayersMap, manager: CredentialManager): () => void;
