//! The `PortalSession`'s and `ApiKeyCredentials`' part of the `.d.ts` (package `apikey-credentials-owner`).

use wasm_bindgen::prelude::*;

/// The `PortalSession`'s part of the typings (package `apikey-credentials-owner`).
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
