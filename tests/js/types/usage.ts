// A realistic use of the two packages, type-checked with `tsc --noEmit --strict` so the typings
// cannot drift from the code. Not executed.
import init, {
  CredentialError, CredentialManager, ReferrerRules,
  checkReferrer, checkPageReferrer, effectiveReferrer, keyStatus, keySlot, maskKey, isLegacyKey,
  requiredPrivilege, describePrivilege, privilegeCatalog, version,
  credentialErrorClass,
} from "apikey-credentials";
import type {
  CredentialErrorCode, KeyReport, KeyStatus, PreflightReport, ReferrerDecision,
  KeyEventDetail, FailoverEventDetail, KeyUsageReport, ManagedKeyStatus, KeySlot,
} from "apikey-credentials";
import * as app from "apikey-credentials";
import initOwner, {
  PortalSession, checkPrerequisites, rotationReminderIcs, ApiKeyCredentials,
  ApiKeyCredentials as OwnerCredentials,
} from "apikey-credentials-owner";
import type { NewKey, Requirement, RotationPlan, ApiKeyCredentialsJSON } from "apikey-credentials-owner";
import { request } from "@esri/arcgis-rest-request";
// The map integrations' typings, strictly (their fit to the map libraries' own typings is
// checked in maps.ts).
import * as maplibreKeys from "apikey-credentials/maplibre";
import * as openlayersKeys from "apikey-credentials/openlayers";
import * as leafletKeys from "apikey-credentials/leaflet";
import * as arcgisKeys from "apikey-credentials/arcgis";
export const mapModules = [maplibreKeys, openlayersKeys, leafletKeys, arcgisKeys];
import type { IAuthenticationManager } from "@esri/arcgis-rest-request";

export async function main(wasm: Uint8Array, ownerWasm: Uint8Array): Promise<void> {
  await init({ module_or_path: wasm });
  await initOwner({ module_or_path: ownerWasm });
  const v: string = version();

  const d: ReferrerDecision = checkReferrer(["https://*.example.com"], "https://app.example.com/", { wildcardDepth: "single" });
  const allowed: boolean = d.allowed;
  const firstCode: string | undefined = d.diagnostics[0]?.code;
  const sent: string | null = effectiveReferrer("https://app.example.com/map", "https://geocode-api.arcgis.com/x", "strict-origin", false);
  const page = checkPageReferrer(["https://app.example.com"], "https://geocode-api.arcgis.com/x");
  const pageRef: string | null = page.referrer;
  const rules = new ReferrerRules(["https://app.example.com"]);
  const fast: boolean = rules.allows("https://app.example.com/");

  const s: KeyStatus = keyStatus(new Date("2027-01-01"), { now: Date.now(), warnDays: 30, criticalDays: 7 });
  const left: number | null = s.daysLeft;
  const slot: 1 | 2 | null = keySlot("AAPT…");
  const masked: string = maskKey("AAPT…");
  const legacy: boolean = isLegacyKey("AAPK…");

  const creds = new ApiKeyCredentials({ itemId: "0123456789abcdef0123456789abcdef", privileges: ["premium:user:basemaps"], key1: { expiresAt: new Date(), active: true } });
  const plan: RotationPlan = creds.rotationPlan({ inUse: 1, deployLeadDays: 7 });
  const [s1, s2] = creds.status(new Date(), { warnDays: 14, criticalDays: 3 });
  console.log(s1.state, s2.generated, creds.status()[0].daysLeft);
  // @ts-expect-error: a misspelt threshold is a type error (and a CredentialError at run time).
  creds.status(undefined, { warnDay: 14 });
  const summary: ApiKeyCredentialsJSON = creds.toJSON();
  console.log(summary.key1.maskedKey);
  const ErrorClass: typeof CredentialError = credentialErrorClass();
  const ics: string = rotationReminderIcs(plan);
  const need = requiredPrivilege("https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation");
  const needed: string | undefined = need?.privilege;
  const label: string = describePrivilege("premium:user:geocode").label;
  const all: number = privilegeCatalog().length;
  const reqs: Requirement[] = checkPrerequisites({ userType: "creatorUT", privileges: [], isEnterprise: true, portalVersion: "11.4" });

  const manager = new CredentialManager({ portal: "https://host/portal", keys: ["AAPT…", { key: "AAPT…", expiresAt: new Date() }], warnDays: 30, storage: "local" });
  // The manager is an IAuthenticationManager for Esri's client.
  const auth: IAuthenticationManager = manager;
  const self = await request(`${manager.portal}/portals/self`, { authentication: manager });
  // Listeners are typed by event name: no casts.
  manager.addEventListener("expiring", (e) => {
    const detail: KeyEventDetail = e.detail;
    console.log(detail.maskedKey, detail.daysLeft);
  });
  const onFailover = (e: CustomEvent<FailoverEventDetail>) => console.log(e.detail.from, e.detail.to);
  manager.addEventListener("failover", onFailover);
  manager.removeEventListener("failover", onFailover);
  manager.addEventListener("clockSkew", (e) => console.log(e.detail.skewMs, e.detail.portalTime.toISOString()));
  manager.addEventListener("storageError", (e) => console.log(e.detail.reason));
  manager.addEventListener("healed", (e) => console.log(e.detail.maskedKey, e.detail.slot));
  manager.addEventListener("invalid", (e) => console.log(e.detail.url));
  const healing = new CredentialManager({ portal: "https://host/portal", keys: "AAPK…", retryWindowMs: 60_000, timeoutMs: 5_000 });
  const rows: ManagedKeyStatus[] = healing.status();
  const slotOf: KeySlot = rows[0]!.slot;
  const since: Date | null = rows[0]!.deadSince;
  console.log(slotOf, since, rows[0]!.legacy, rows[0]!.deadUrl, keyStatus(null, { key: "AAPK…" }).legacy);
  // @ts-expect-error: an expiry event carries no failover fields.
  manager.addEventListener("expiring", (e) => console.log(e.detail.to));
  // Untyped events and listener objects, as on any EventTarget (and the cast style still works).
  manager.addEventListener("custom", { handleEvent: (e: Event) => console.log(e.type) });
  manager.addEventListener("critical", (e: Event) => console.log((e as CustomEvent<KeyEventDetail>).detail.message));
  const reports: KeyReport[] = await manager.inspect();
  const pre: PreflightReport = await manager.preflight("https://geocode-api.arcgis.com/x", { itemIds: [] });
  const usage: KeyUsageReport[] = manager.usage();
  const token: string = await manager.getToken();
  console.log(manager.toJSON().keys[0].dead);

  const session: PortalSession = await PortalSession.signIn("https://www.arcgis.com", "owner", "secret");
  const list: OwnerCredentials[] = await session.listCredentials();
  const fromJson: OwnerCredentials = OwnerCredentials.fromPortal({ id: "x" }, { client_id: "y" });
  // @ts-expect-error: the credentials item and the owner tools are in the owner package only.
  app.ApiKeyCredentials.fromPortal({}, {});
  const fresh: NewKey = await session.generateKey(list[0]!.itemId, 2, new Date());
  await session.updatePrivileges(list[0]!.itemId, ["premium:user:basemaps"], { confirmInvalidatesKeys: true });

  try {
    await manager.request("https://host/portal/sharing/rest/portals/self");
  } catch (e) {
    if (e instanceof CredentialError) {
      const code: CredentialErrorCode = e.code;
      const portalCode: number | undefined = e.portalCode;
      if (code === "INVALID_TOKEN") console.log(portalCode);
    }
  }
  console.log(v, allowed, firstCode, sent, pageRef, fast, left, slot, masked, legacy, ics, needed, label, all, reqs, auth, self, reports, pre, usage, token, fresh, fromJson);
}

