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
  | "NOT_FOUND" | "BAD_REQUEST" | "SERVER_ERROR" | "NETWORK" | "TIMEOUT" | "BAD_RESPONSE" | "STORAGE"
  | "SIGN_IN_CANCELLED" | "SIGN_IN_FAILED";

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
    /// `Promise<PortalSession | undefined>`
    #[wasm_bindgen(typescript_type = "Promise<PortalSession | undefined>")]
    pub type MaybeSessionPromise;
    /// `Promise<PortalSession | null>`
    #[wasm_bindgen(typescript_type = "Promise<PortalSession | null>")]
    pub type ReturnedSessionPromise;
    /// OAuth sign-in options
    #[wasm_bindgen(
        typescript_type = "{ clientId: string; redirectUri: string; popup?: boolean; expiration?: number }"
    )]
    pub type OAuthOptionsType;
    /// OAuth return options
    #[wasm_bindgen(typescript_type = "{ clientId: string; redirectUri: string }")]
    pub type OAuthReturnOptionsType;
    /// `fromToken` options
    #[wasm_bindgen(typescript_type = "{ username?: string; expires?: DateInput }")]
    pub type TokenOptionsType;
    /// Anything with `getToken(url)` and `portal`, such as rest-js's `ArcGISIdentityManager`
    #[wasm_bindgen(typescript_type = "{ portal: string; getToken(url: string): Promise<string> }")]
    pub type ExistingSessionType;
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
