//! The `CredentialManager`'s part of the `.d.ts` (package `apikey-credentials`).

use wasm_bindgen::prelude::*;

/// The `CredentialManager`'s part of the typings (package `apikey-credentials`).
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
