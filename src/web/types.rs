//! TypeScript names for the values that cross the boundary as plain objects, and the curated
//! part of the `.d.ts` (interfaces, unions, the error codes).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = r#"
/** Stable machine-readable error codes carried by `CredentialError.code`. */
export type CredentialErrorCode =
  | "INVALID_ARGUMENT" | "INPUT_TOO_LARGE" | "INVALID_SLOT" | "TOO_MANY_KEYS"
  | "EXPIRY_TOO_FAR" | "EXPIRY_IN_PAST" | "CONFIRMATION_REQUIRED" | "INVALID_REFERRER"
  | "KEY_EXPIRED" | "INVALID_TOKEN" | "TOKEN_REQUIRED" | "SESSION_EXPIRED" | "REFERRER_NOT_ALLOWED" | "FORBIDDEN"
  | "NOT_FOUND" | "BAD_REQUEST" | "SERVER_ERROR" | "NETWORK" | "TIMEOUT" | "BAD_RESPONSE" | "STORAGE";

/**
 * The one error type this package throws: a real `Error` subclass.
 *
 * ```js
 * try { await manager.request(url); }
 * catch (e) { if (e instanceof CredentialError && e.code === "INVALID_TOKEN") rotateKeys(); }
 * ```
 */
export class CredentialError extends Error {
  readonly name: "CredentialError";
  /**
   * Stable code; branch on this, never on the message.
   *
   * ```js
   * if (e.code === "REFERRER_NOT_ALLOWED") showReferrerHelp();
   * ```
   */
  readonly code: CredentialErrorCode;
  /**
   * The portal's numeric error code, when the portal gave one.
   *
   * ```js
   * e.portalCode; // 498
   * ```
   */
  readonly portalCode?: number;
  /**
   * Extra details (for INVALID_REFERRER: one line per malformed entry).
   *
   * ```js
   * if (e.code === "INVALID_REFERRER") e.details.forEach((line) => console.warn(line));
   * ```
   */
  readonly details?: unknown;
  toJSON(): { name: string; code: CredentialErrorCode; message: string; portalCode?: number; details?: unknown };
}

/** Dates are accepted as `Date` objects or numbers of milliseconds since 1970; dates come out as `Date`. */
export type DateInput = Date | number;

export type ReferrerDiagnosticCode =
  | "EMPTY_ENTRY" | "ENTRY_TOO_LONG" | "WHITESPACE_INSIDE" | "MALFORMED_SCHEME" | "BACKSLASH"
  | "USERINFO" | "INVALID_PORT" | "PORT_WILDCARD" | "INVALID_HOST" | "WILDCARD_POSITION"
  | "PUBLIC_SUFFIX_WILDCARD" | "IP_WILDCARD" | "PATH_WILDCARD" | "WHITESPACE_TRIMMED"
  | "DEFAULT_PORT_DROPPED" | "PATH_INEFFECTIVE" | "QUERY_IGNORED" | "FRAGMENT_IGNORED"
  | "HOST_NORMALISED" | ReferrerDecisionReason;

export type ReferrerDecisionReason =
  | "MATCHED" | "UNRESTRICTED" | "NO_REFERRER" | "EMPTY_REFERRER" | "REFERRER_NOT_URL"
  | "REFERRER_SCHEME" | "REFERRER_TOO_LONG" | "NO_VALID_ENTRY" | "NO_MATCH";

export interface ReferrerDiagnostic {
  /** The entry the diagnostic is about, or null for the decision itself. */
  pattern: string | null;
  code: ReferrerDiagnosticCode;
  severity: "error" | "warning" | "info";
  /** What it means and how to fix it. */
  message: string;
}

export interface ReferrerDecision {
  allowed: boolean;
  /** The entry that matched, as written. */
  matchedPattern: string | null;
  reason: ReferrerDecisionReason;
  diagnostics: ReferrerDiagnostic[];
}

export interface PageReferrerDecision extends ReferrerDecision {
  /** The Referer this document will send (null: none). */
  referrer: string | null;
  noReferrerCause: "policy" | "opaqueOrigin" | "localScheme" | "downgrade" | null;
}

export interface ReferrerOptions {
  /** How many labels `*.` matches: one or more (default) or exactly one. */
  wildcardDepth?: "multi" | "single";
}

export type ReferrerPolicyName =
  | "no-referrer" | "no-referrer-when-downgrade" | "same-origin" | "origin" | "strict-origin"
  | "origin-when-cross-origin" | "strict-origin-when-cross-origin" | "unsafe-url";

export type KeyState = "active" | "expiring" | "critical" | "expired" | "invalidated" | "unknown";

export interface KeyStatus {
  state: KeyState;
  expiresAt: Date | null;
  msLeft: number | null;
  daysLeft: number | null;
  /** A legacy `AAPK` key (no slot): it counts down to Esri's retirement of legacy keys, June 2026. Set by `keyStatus` and the manager. */
  legacy?: boolean;
}

export interface KeyStatusOptions {
  now?: DateInput;
  warnDays?: number;
  criticalDays?: number;
  active?: boolean;
  /** The key: a legacy `AAPK…` key reports `legacy: true` and counts down to the retirement (June 2026), `expired` after it. */
  key?: string;
}

/** The warning thresholds, in days (defaults 30 and 7). */
export interface ThresholdOptions {
  warnDays?: number;
  criticalDays?: number;
}

export type PrivilegeGroupName =
  | "locationServices" | "itemAccess" | "generalPortal" | "administrativePortal" | "spatialAnalysis" | "other";

export interface PrivilegeInfo {
  privilege: string;
  group: PrivilegeGroupName;
  label: string;
  known: boolean;
}

export interface ServicePrivilege {
  privilege: string;
  service: string;
}


"#;

/// The `CredentialManager`'s part of the typings (package `apikey-credentials`).
#[cfg(feature = "manager")]
#[wasm_bindgen(typescript_custom_section)]
const TS_MANAGER: &'static str = r#"
export interface ManagedKey {
  key: string;
  expiresAt?: DateInput;
}

export interface CredentialManagerOptions {
  /** Any portal URL: "https://www.arcgis.com", "https://host/portal", or a ".../sharing/rest" root. */
  portal: string;
  /** One or two API keys (slot 1 and slot 2). Optional only with storage + persistKeys and stored keys. */
  keys?: string | (string | ManagedKey)[];
  /** Warning window in days (default 30). */
  warnDays?: number;
  /** Critical window in days (default 7). */
  criticalDays?: number;
  /** Timeout of one call in ms, failover and decoding included (default 15000). */
  timeoutMs?: number;
  /** How long a key marked dead after a 498 is trusted before it is tried again, in ms (default 600000: 10 minutes; 1000 to 86400000). When every key is marked dead, the keys are re-probed once per window; `inspect()` tries them at once. */
  retryWindowMs?: number;
  /** Persist dead marks and usage ("local" or "session"); off by default. */
  storage?: "local" | "session";
  /** Also persist the raw keys (default false). */
  persistKeys?: boolean;
  /** The keys' referrer list, when the app knows it: enables local referrer predictions. */
  httpReferrers?: string[];
}

export interface ManagerRequestOptions {
  /** For services other than the sharing API: GET (the default; the key in the `token` query parameter, as Esri's clients send it) or POST (the key in the form body). Sharing API URLs always go as a form POST: the sharing API answers no CORS preflight. */
  method?: "GET" | "POST";
  /** On a GET, send the key in the `X-Esri-Authorization` header instead of the query (keeps it out of the URL). Costs a CORS preflight, one extra round trip, for each distinct URL called from another origin. Default false. */
  authHeader?: boolean;
}

export interface PreflightOptions {
  privileges?: string[];
  itemIds?: string[];
}

/** A key's slot: 1 or 2, or `null` for a legacy `AAPK` key. */
export type KeySlot = 1 | 2 | null;

/** Why a key is believed dead: the portal (or the service at `deadUrl`) answered 498 for it at `deadSince`. The mark heals when the key works again, and expires after `retryWindowMs`. */
export interface DeadMarkFields {
  dead: boolean;
  deadSince: Date | null;
  deadUrl: string | null;
}

/** `status()`: one key now. */
export interface ManagedKeyStatus extends KeyStatus, DeadMarkFields {
  slot: KeySlot;
  maskedKey: string;
  legacy: boolean;
}

export interface PreflightReport {
  ok: boolean;
  slot: KeySlot;
  maskedKey: string;
  referrer: { sent: string | null; noReferrerCause: string | null; allowed: boolean | null; reason: string };
  privileges: { privilege: string; granted: boolean | null }[];
  items: { itemId: string; granted: boolean | null }[];
  problems: string[];
}

export interface KeyReport extends DeadMarkFields {
  slot: KeySlot;
  maskedKey: string;
  legacy: boolean;
  status: KeyStatus;
  /** The key was marked dead and the portal accepted it now: the mark is cleared. */
  healed: boolean;
  appInfo: { appId: string; appTitle: string; itemId: string; privileges: string[]; expirationDate: Date | null } | null;
  referrer: { sent: string | null; noReferrerCause: string | null; acceptedByPortal: boolean | null };
  error: { code: CredentialErrorCode; portalCode: number | null; message: string } | null;
}

export interface KeyUsageReport {
  slot: KeySlot;
  maskedKey: string;
  dead: boolean;
  requests: number;
  failures: Record<string, number>;
  services: Record<string, number>;
}

export interface KeyEventDetail {
  slot: KeySlot;
  maskedKey: string;
  /** `expiring`, `critical`, `expired`: a legacy key (its date is Esri's retirement of legacy keys). */
  legacy?: boolean;
  daysLeft?: number | null;
  expiresAt?: Date | null;
  /** `invalid`: where the 498 came from (no query). */
  url?: string;
  message: string;
}

export interface FailoverEventDetail extends KeyEventDetail {
  from: KeySlot;
  to: KeySlot;
  fromMaskedKey: string;
}

/** `clockSkew`: the portal's clock differs from this device's by more than 5 minutes. */
export interface ClockSkewEventDetail {
  skewMs: number;
  portalTime: Date;
  message: string;
}

/** `storageError`: the stored state could not be read (and was replaced) or written. */
export interface StorageErrorEventDetail {
  code: "STORAGE";
  reason: string;
  message: string;
}

/** `CredentialManager.toJSON()`: a safe summary, keys masked. */
export interface CredentialManagerJSON {
  type: "CredentialManager";
  portal: string;
  keys: { slot: KeySlot; maskedKey: string; dead: boolean; expiresAt: Date | null }[];
}

/** The manager's events and what each carries in `detail`. */
export interface CredentialManagerEventMap {
  expiring: CustomEvent<KeyEventDetail>;
  critical: CustomEvent<KeyEventDetail>;
  expired: CustomEvent<KeyEventDetail>;
  invalid: CustomEvent<KeyEventDetail>;
  failover: CustomEvent<FailoverEventDetail>;
  /** A key marked dead worked again (a request or `inspect()`); its mark is cleared. */
  healed: CustomEvent<KeyEventDetail>;
  clockSkew: CustomEvent<ClockSkewEventDetail>;
  storageError: CustomEvent<StorageErrorEventDetail>;
}

// Merged into the class: listeners typed by event name (wasm-bindgen cannot declare overloads).
export interface CredentialManager {
  /**
   * `EventTarget.addEventListener`: events `expiring`, `critical`, `expired`, `invalid`,
   * `failover`, `healed`, `clockSkew`, `storageError` (a `CustomEvent`; the data is in `detail`, typed by
   * `CredentialManagerEventMap`). A `type` that is not a string, or a listener that is neither a
   * function nor an object, throws a `CredentialError` (`INVALID_ARGUMENT`).
   *
   * ```js
   * manager.addEventListener("critical", (e) => banner(e.detail.message));
   * ```
   */
  addEventListener<K extends keyof CredentialManagerEventMap>(type: K, listener: ((this: CredentialManager, ev: CredentialManagerEventMap[K]) => unknown) | null, options?: boolean | AddEventListenerOptions | null): void;
  /**
   * Any other event type, as on any `EventTarget`.
   *
   * ```js
   * manager.addEventListener("my-event", { handleEvent(e) { console.log(e.type); } });
   * ```
   */
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions | null): void;
  /**
   * `EventTarget.removeEventListener`.
   *
   * ```js
   * manager.removeEventListener("failover", onFailover);
   * ```
   */
  removeEventListener<K extends keyof CredentialManagerEventMap>(type: K, listener: ((this: CredentialManager, ev: CredentialManagerEventMap[K]) => unknown) | null, options?: boolean | EventListenerOptions | null): void;
  /**
   * Any other event type, as on any `EventTarget`.
   *
   * ```js
   * manager.removeEventListener("my-event", handler);
   * ```
   */
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions | null): void;
}
"#;

/// The `PortalSession`'s part of the typings (package `apikey-credentials-owner`).
#[cfg(feature = "owner")]
#[wasm_bindgen(typescript_custom_section)]
const TS_OWNER: &'static str = r#"
// The credentials item and its rotation plan: the owner's model (`ApiKeyCredentials`).
export interface SlotStatus extends KeyStatus {
  slot: 1 | 2;
  /** false when no key was ever generated in the slot ("not generated"). */
  generated: boolean;
  /** The masked key, when the key is held. */
  maskedKey: string | null;
}

export type RotationActionName = "none" | "generateSecondary" | "deploySecondary" | "invalidateOld" | "regenerate";

export interface RotationPlan {
  now: Date;
  /** The slot the app should use now (null: no usable key). */
  useSlot: 1 | 2 | null;
  action: RotationActionName;
  actionSlot: 1 | 2 | null;
  /** Act by this date (for "none": when to look again). */
  actBy: Date | null;
  reason: string;
  slots: [KeyStatus, KeyStatus];
  itemId: string | null;
  title: string | null;
}

export interface RotationPlanOptions {
  now?: DateInput;
  warnDays?: number;
  criticalDays?: number;
  /** Days to allow for deploying a new key (default 7). */
  deployLeadDays?: number;
  /** The slot the app currently runs, when known. */
  inUse?: 1 | 2;
}

export interface KeySlotOptions {
  expiresAt?: DateInput | null;
  active?: boolean | null;
  key?: string | null;
}

export interface ApiKeyCredentialsOptions {
  itemId: string;
  title?: string;
  owner?: string;
  portalUrl?: string;
  clientId?: string;
  privileges?: string[];
  httpReferrers?: string[];
  key1?: KeySlotOptions;
  key2?: KeySlotOptions;
  isPersonalAPIToken?: boolean;
}

/** One slot in `ApiKeyCredentials.toJSON()` (the key masked). */
export interface SlotJSON {
  expiresAt: Date | null;
  active: boolean | null;
  maskedKey: string | null;
}

/** `ApiKeyCredentials.toJSON()`: a safe summary, keys masked. */
export interface ApiKeyCredentialsJSON {
  itemId: string;
  title: string;
  owner: string;
  privileges: string[];
  httpReferrers: string[];
  key1: SlotJSON;
  key2: SlotJSON;
}
export interface AccountFacts {
  userType?: string;
  privileges?: string[];
  isEnterprise?: boolean;
  portalVersion?: string;
}

export interface Requirement {
  id: "userType" | "generateApiKeys" | "assignPrivileges" | "portalVersion";
  ok: boolean;
  message: string;
}

/** `PortalSession.toJSON()`: a safe summary, no token. */
export interface PortalSessionJSON {
  type: "PortalSession";
  portal: string;
  username: string;
}

export interface NewKey {
  /** The raw key: shown this once, never stored by the library. */
  key: string;
  slot: 1 | 2;
  maskedKey: string;
  expiresAt: Date;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `string` (read as a `JsValue` so a wrong type becomes a `CredentialError`, not a coercion)
    #[wasm_bindgen(typescript_type = "string")]
    pub type Str;
    /// `1 | 2 | null`
    #[wasm_bindgen(typescript_type = "1 | 2 | null")]
    pub type SlotOrNull;
    /// `string | null | undefined`
    #[wasm_bindgen(typescript_type = "string | null")]
    pub type OptStr;
    /// `string[]`
    #[wasm_bindgen(typescript_type = "string[]")]
    pub type StringArray;
    /// `ReferrerDecision`
    #[wasm_bindgen(typescript_type = "ReferrerDecision")]
    pub type ReferrerDecisionJs;
    /// `PageReferrerDecision`
    #[wasm_bindgen(typescript_type = "PageReferrerDecision")]
    pub type PageReferrerDecisionJs;
    /// `ReferrerDiagnostic[]`
    #[wasm_bindgen(typescript_type = "ReferrerDiagnostic[]")]
    pub type ReferrerDiagnosticArray;
    /// `ReferrerOptions | undefined`
    #[wasm_bindgen(typescript_type = "ReferrerOptions")]
    pub type ReferrerOptionsJs;
    /// `DateInput | null | undefined`
    #[wasm_bindgen(typescript_type = "DateInput | null")]
    pub type DateInputJs;
    /// `KeyStatus`
    #[wasm_bindgen(typescript_type = "KeyStatus")]
    pub type KeyStatusJs;
    /// `(string | null | undefined)[]` (referrers, `null` for no header)
    #[wasm_bindgen(typescript_type = "(string | null | undefined)[]")]
    pub type ReferrerList;
    /// `KeyStatusOptions`
    #[wasm_bindgen(typescript_type = "KeyStatusOptions")]
    pub type KeyStatusOptionsJs;
    /// `[SlotStatus, SlotStatus]`
    #[wasm_bindgen(typescript_type = "[SlotStatus, SlotStatus]")]
    pub type SlotStatusPair;
    /// `RotationPlan`
    #[wasm_bindgen(typescript_type = "RotationPlan")]
    pub type RotationPlanJs;
    /// `DateInput` (for optional parameters, which add `| null` themselves)
    #[wasm_bindgen(typescript_type = "DateInput")]
    pub type OptDateInput;
    /// `ApiKeyCredentialsJSON`
    #[wasm_bindgen(typescript_type = "ApiKeyCredentialsJSON")]
    pub type ApiKeyCredentialsJson;
    /// `CredentialManagerJSON`
    #[wasm_bindgen(typescript_type = "CredentialManagerJSON")]
    pub type CredentialManagerJson;
    /// `PortalSessionJSON`
    #[wasm_bindgen(typescript_type = "PortalSessionJSON")]
    pub type PortalSessionJson;
    /// `typeof CredentialError`
    #[wasm_bindgen(typescript_type = "typeof CredentialError")]
    pub type CredentialErrorClass;
    /// `ThresholdOptions`
    #[wasm_bindgen(typescript_type = "ThresholdOptions")]
    pub type ThresholdOptionsType;
    /// `RotationPlanOptions`
    #[wasm_bindgen(typescript_type = "RotationPlanOptions")]
    pub type RotationPlanOptionsJs;
    /// `ApiKeyCredentialsOptions`
    #[wasm_bindgen(typescript_type = "ApiKeyCredentialsOptions")]
    pub type ApiKeyCredentialsOptionsJs;
    /// `PrivilegeInfo`
    #[wasm_bindgen(typescript_type = "PrivilegeInfo")]
    pub type PrivilegeInfoJs;
    /// `PrivilegeInfo[]`
    #[wasm_bindgen(typescript_type = "PrivilegeInfo[]")]
    pub type PrivilegeInfoArray;
    /// `ServicePrivilege | null`
    #[wasm_bindgen(typescript_type = "ServicePrivilege | null")]
    pub type ServicePrivilegeJs;
    /// `AccountFacts`
    #[wasm_bindgen(typescript_type = "AccountFacts")]
    pub type AccountFactsJs;
    /// `Requirement[]`
    #[wasm_bindgen(typescript_type = "Requirement[]")]
    pub type RequirementArray;
    /// `Date | null`
    #[wasm_bindgen(typescript_type = "Date | null")]
    pub type DateOrNull;
    /// `CredentialManagerOptions`
    #[wasm_bindgen(typescript_type = "CredentialManagerOptions")]
    pub type ManagerOptionsType;
    /// `RequestOptions`
    #[wasm_bindgen(typescript_type = "ManagerRequestOptions")]
    pub type RequestOptionsType;
    /// `PreflightOptions`
    #[wasm_bindgen(typescript_type = "PreflightOptions")]
    pub type PreflightOptionsType;
    /// `KeyUsage[]`
    #[wasm_bindgen(typescript_type = "KeyUsageReport[]")]
    pub type UsageArray;
    /// `ManagedKeyStatus[]`
    #[wasm_bindgen(typescript_type = "ManagedKeyStatus[]")]
    pub type KeyStatusArray;
    /// `Promise<PortalSession>`
    #[wasm_bindgen(typescript_type = "Promise<PortalSession>")]
    pub type SessionPromise;
    /// `Promise<ApiKeyCredentials[]>`
    #[wasm_bindgen(typescript_type = "Promise<ApiKeyCredentials[]>")]
    pub type CredentialsArrayPromise;
    /// `Promise<ApiKeyCredentials>`
    #[wasm_bindgen(typescript_type = "Promise<ApiKeyCredentials>")]
    pub type CredentialsPromise;
    /// `Promise<NewKey>`
    #[wasm_bindgen(typescript_type = "Promise<NewKey>")]
    pub type NewKeyPromise;
    /// `{ confirmInvalidatesKeys?: boolean }`
    #[wasm_bindgen(typescript_type = "{ confirmInvalidatesKeys?: boolean }")]
    pub type ConfirmOptionsType;
    /// `{ title, privileges?, httpReferrers? }`
    #[wasm_bindgen(
        typescript_type = "{ title: string; privileges?: string[]; httpReferrers?: string[] }"
    )]
    pub type CreateOptionsType;
    /// `Promise<string>`
    #[wasm_bindgen(typescript_type = "Promise<string>")]
    pub type StringPromise;
    /// `Promise<CredentialManager>`
    #[wasm_bindgen(typescript_type = "Promise<CredentialManager>")]
    pub type ManagerPromise;
    /// `Promise<KeyReport[]>`
    #[wasm_bindgen(typescript_type = "Promise<KeyReport[]>")]
    pub type KeyReportsPromise;
    /// `Promise<PreflightReport>`
    #[wasm_bindgen(typescript_type = "Promise<PreflightReport>")]
    pub type PreflightPromise;
    /// `Promise<any>` (the service's JSON)
    #[wasm_bindgen(typescript_type = "Promise<any>")]
    pub type AnyPromise;
    /// `object` (the portal's JSON, as parsed)
    #[wasm_bindgen(typescript_type = "Record<string, unknown>")]
    pub type JsonObject;
}
