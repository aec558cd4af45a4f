// The map integrations against the map libraries' own typings (maplibre-gl, ol with
// ol-mapbox-style, @arcgis/core): what the modules return is what the libraries' options take,
// and the maps the libraries make are what the binders take. Type-checked, not executed.
import type { CredentialManager } from "apikey-credentials";
import * as maplibregl from "maplibre-gl";
import OlMap from "ol/Map.js";
import olms from "ol-mapbox-style";
import esriConfig from "@arcgis/core/config.js";
import esriRequest from "@arcgis/core/request.js";
import { transformRequest as maplibreTransform, bindMapLibre } from "apikey-credentials/maplibre";
import { transformRequest as olTransform, bindOpenLayers } from "apikey-credentials/openlayers";
import { arcgisInterceptor } from "apikey-credentials/arcgis";

// The map integrations, against the map libraries' own typings: what they return is what the
// libraries' options take.
export function maps(manager: CredentialManager, container: HTMLElement): Array<() => void> {
  const map = new maplibregl.Map({
    container,
    style: "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation",
    transformRequest: maplibreTransform(manager),
  });
  const olMap = new OlMap({ target: container });
  void olms(olMap, "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation", { transformRequest: olTransform(manager) });
  esriConfig.request.interceptors?.push(arcgisInterceptor(manager, { esriRequest, esriConfig }));
  const current: string | undefined = manager.currentKey("https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation");
  console.log(current);
  return [bindMapLibre(map, manager), bindOpenLayers(olMap, manager)];
}
