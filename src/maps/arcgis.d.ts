import type { CredentialManager } from "../index.js";

/** What `esriConfig.request.interceptors` takes (the parts this module fills in). */
export interface ArcGISInterceptor {
  urls: Array<string | RegExp>;
  before(params: { url: string; requestOptions: any }): any;
  error(error: any): void;
}

/** An interceptor for `esriConfig.request.interceptors`: the manager's current key on requests
 * for its portal and ArcGIS hosts. With `esriRequest` (Esri's `request`), a request refused for
 * its key is sent once more with the other key after the manager fails over; with `esriConfig`,
 * `esriConfig.apiKey` follows the manager's current key. */
export function arcgisInterceptor(
  manager: CredentialManager,
  options?: { esriRequest?: (url: string, options?: any) => Promise<{ data: any }>; esriConfig?: { apiKey?: string | null } },
): ArcGISInterceptor;
