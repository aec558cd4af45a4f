import type { CredentialManager } from "../index.js";

/** What MapLibre's `transformRequest` returns (its `RequestParameters`). */
export interface RequestParameters {
  url: string;
  [option: string]: unknown;
}

/** A `transformRequest` for `new maplibregl.Map({ transformRequest })`: requests for the
 * manager's portal and ArcGIS hosts get the manager's current key as `token`. `next`, when given,
 * is your own `transformRequest`, applied first. */
export function transformRequest(
  manager: CredentialManager,
  next?: (url: string, resourceType?: string) => RequestParameters | undefined,
): (url: string, resourceType?: string) => RequestParameters;

/** The parts of a MapLibre `Map` that `bindMapLibre` uses. */
export interface MapLibreMap {
  on(type: "error", listener: (e: any) => void): unknown;
  off(type: "error", listener: (e: any) => void): unknown;
  getSource(id: string): unknown;
  setStyle(style: string, options?: { diff?: boolean }): unknown;
}

/** Binds `map` (made with this module's `transformRequest`) to `manager`: a style, source or tile
 * refused for its key is reported to the manager, and after the failover the style and the
 * sources that failed load again with the new key. Returns a function that unbinds. */
export function bindMapLibre(map: MapLibreMap, manager: CredentialManager): () => void;
