//! The API key credentials item: two key slots, privileges, item access and referrers, with the
//! product rules that govern them.
//!
//! Rules (from the product documentation):
//! - at most two keys, slot 1 and slot 2;
//! - a key is valid for at most one year from when it is generated;
//! - regenerating a slot invalidates that slot's previous key;
//! - editing privileges invalidates every key;
//! - invalidating a slot keeps the item and its registration.

use crate::core::error::{Error, Result};
use crate::core::expiry::{key_status, normalize_expiry, KeyStatus, Thresholds};
use crate::core::keys::ApiKey;
use crate::core::privileges::{
    self, grants, item_access_ids, item_access_privilege, MAX_ITEM_ACCESS,
};
use crate::core::referrer::{ReferrerRules, RulesOptions};
use crate::core::rotation::{plan_rotation, PlanOptions, RotationPlan, SlotInput};
use crate::core::time::Millis;

/// At most this many referrer entries are accepted on one credentials item.
pub const MAX_REFERRERS: usize = 100;
/// At most this many privileges are accepted on one credentials item.
pub const MAX_PRIVILEGES: usize = 500;

/// One key slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySlot {
    /// Expiration in epoch ms; `None` when not set (the portal's `-1`).
    pub expires_at: Option<Millis>,
    /// The portal's `apiTokenNActive`; `None` when not reported.
    pub active: Option<bool>,
    /// The key itself, when the app or owner holds it.
    pub key: Option<ApiKey>,
}

impl KeySlot {
    /// Whether a key was ever generated in this slot: a key is held, the portal says it is
    /// active, or an expiration is recorded.
    pub fn generated(&self) -> bool {
        self.key.is_some() || self.active == Some(true) || self.expires_at.is_some()
    }

    /// The slot's status at `now`. An empty slot reports `invalidated` with no date; use
    /// [`KeySlot::generated`] to tell "never generated" apart.
    pub fn status(&self, now: Millis, thresholds: Thresholds) -> KeyStatus {
        let active = if self.generated() {
            self.active
        } else {
            Some(false)
        };
        key_status(self.expires_at, now, thresholds, active)
    }
}

/// The latest expiration allowed for a key generated at `now`: one calendar year later (a
/// 29 February start ends on 28 February).
pub fn latest_expiration(now: Millis) -> Option<Millis> {
    crate::core::time::one_year_later(now)
}

/// Checks an expiration for a key generated at `now`: after `now`, and at most one year later.
pub fn validate_expiration(now: Millis, expires_at: Millis) -> Result<()> {
    if expires_at <= now {
        return Err(Error::ExpiryInPast);
    }
    let latest =
        latest_expiration(now).ok_or_else(|| Error::invalid("now", "the date is out of range."))?;
    if expires_at > latest {
        return Err(Error::ExpiryTooFar {
            requested: expires_at,
            latest,
        });
    }
    Ok(())
}

/// The fields of a credentials item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialsData {
    /// Portal item id.
    pub item_id: String,
    /// Item title.
    pub title: String,
    /// Item owner.
    pub owner: String,
    /// The portal's sharing REST root or home URL.
    pub portal_url: String,
    /// The registered app's `client_id`, when known.
    pub client_id: Option<String>,
    /// All privileges, item access included.
    pub privileges: Vec<String>,
    /// The referrer list (empty: unrestricted).
    pub http_referrers: Vec<String>,
    /// Slot 1 and slot 2.
    pub slots: [KeySlot; 2],
    /// `isPersonalAPIToken`, when known.
    pub is_personal: Option<bool>,
}

/// An API key credentials item and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    data: CredentialsData,
}

fn slot_index(slot: u8) -> Result<usize> {
    match slot {
        1 => Ok(0),
        2 => Ok(1),
        n => Err(Error::InvalidSlot(i64::from(n))),
    }
}

impl Credentials {
    /// Validates and wraps the data: bounded lists, keys that sit in the slot their tail names,
    /// expirations normalised (`-1` → none).
    pub fn new(mut data: CredentialsData) -> Result<Self> {
        if data.http_referrers.len() > MAX_REFERRERS {
            return Err(Error::InputTooLarge {
                what: "referrer list",
                limit: MAX_REFERRERS,
            });
        }
        if data.privileges.len() > MAX_PRIVILEGES {
            return Err(Error::InputTooLarge {
                what: "privilege list",
                limit: MAX_PRIVILEGES,
            });
        }
        if item_access_ids(&data.privileges).len() > MAX_ITEM_ACCESS {
            return Err(Error::InputTooLarge {
                what: "item access list",
                limit: MAX_ITEM_ACCESS,
            });
        }
        for (i, s) in data.slots.iter_mut().enumerate() {
            s.expires_at = normalize_expiry(s.expires_at);
            if let Some(k) = &s.key {
                if let Some(named) = k.slot() {
                    if usize::from(named) != i + 1 {
                        return Err(Error::invalid(
                            "keys",
                            format!(
                                "key {} belongs to slot {named}, not slot {}.",
                                k.masked(),
                                i + 1
                            ),
                        ));
                    }
                }
            }
        }
        Ok(Credentials { data })
    }

    /// Places up to two keys into their slots by their `.ATn_` tails; keys without a tail fill
    /// the first free slot. More than two keys, or two keys for one slot, is an error.
    pub fn assign_keys(keys: Vec<(ApiKey, Option<Millis>)>) -> Result<[KeySlot; 2]> {
        if keys.len() > 2 {
            return Err(Error::TooManyKeys);
        }
        let mut slots: [KeySlot; 2] = Default::default();
        let mut untagged = Vec::new();
        for (k, exp) in keys {
            match k.slot() {
                Some(n) => {
                    let s = slots
                        .get_mut(slot_index(n)?)
                        .ok_or(Error::InvalidSlot(i64::from(n)))?;
                    if s.key.is_some() {
                        return Err(Error::invalid("keys", format!("two keys name slot {n}.")));
                    }
                    *s = KeySlot {
                        expires_at: normalize_expiry(exp),
                        active: None,
                        key: Some(k),
                    };
                }
                None => untagged.push((k, exp)),
            }
        }
        for (k, exp) in untagged {
            let free = slots
                .iter_mut()
                .find(|s| s.key.is_none())
                .ok_or(Error::TooManyKeys)?;
            *free = KeySlot {
                expires_at: normalize_expiry(exp),
                active: None,
                key: Some(k),
            };
        }
        Ok(slots)
    }

    /// The data.
    pub fn data(&self) -> &CredentialsData {
        &self.data
    }

    /// One slot (1 or 2).
    pub fn slot(&self, slot: u8) -> Result<&KeySlot> {
        self.data
            .slots
            .get(slot_index(slot)?)
            .ok_or(Error::InvalidSlot(i64::from(slot)))
    }

    fn slot_mut(&mut self, slot: u8) -> Result<&mut KeySlot> {
        self.data
            .slots
            .get_mut(slot_index(slot)?)
            .ok_or(Error::InvalidSlot(i64::from(slot)))
    }

    /// Both slots' status at `now`.
    pub fn status(&self, now: Millis, thresholds: Thresholds) -> [KeyStatus; 2] {
        let [a, b] = &self.data.slots;
        [a.status(now, thresholds), b.status(now, thresholds)]
    }

    /// `true` when the privileges grant `privilege` (umbrella privileges included).
    pub fn has_privilege(&self, privilege: &str) -> bool {
        grants(&self.data.privileges, privilege)
    }

    /// `true` when item access includes `item_id`.
    pub fn can_access_item(&self, item_id: &str) -> bool {
        self.data
            .privileges
            .iter()
            .any(|p| *p == item_access_privilege(item_id))
    }

    /// The item ids granted.
    pub fn item_access(&self) -> Vec<String> {
        item_access_ids(&self.data.privileges)
    }

    /// The referrer rules of this item.
    pub fn referrer_rules(&self, options: RulesOptions) -> Result<ReferrerRules> {
        ReferrerRules::new(&self.data.http_referrers, options)
    }

    /// The rotation plan at `opts.now`.
    pub fn rotation_plan(&self, opts: PlanOptions) -> RotationPlan {
        let [a, b] = &self.data.slots;
        let input = |s: &KeySlot| SlotInput {
            expires_at: s.expires_at,
            active: s.active,
            generated: s.generated(),
        };
        plan_rotation([input(a), input(b)], opts)
    }

    /// Records a newly generated key in `slot` (first generation or regeneration): the slot's
    /// previous key, if any, is invalid from now on.
    pub fn record_generated(
        &mut self,
        slot: u8,
        now: Millis,
        expires_at: Millis,
        key: Option<ApiKey>,
    ) -> Result<()> {
        validate_expiration(now, expires_at)?;
        if let Some(k) = &key {
            if let Some(named) = k.slot() {
                if named != slot {
                    return Err(Error::invalid(
                        "key",
                        format!("the new key names slot {named}, not slot {slot}."),
                    ));
                }
            }
        }
        *self.slot_mut(slot)? = KeySlot {
            expires_at: Some(expires_at),
            active: Some(true),
            key,
        };
        Ok(())
    }

    /// Records that `slot` was invalidated: the key stops working; item and registration stay.
    pub fn record_invalidated(&mut self, slot: u8) -> Result<()> {
        let s = self.slot_mut(slot)?;
        s.active = Some(false);
        s.key = None;
        Ok(())
    }

    /// Replaces the privileges. Every key is invalidated by this, so it needs `confirm`.
    pub fn set_privileges(
        &mut self,
        privileges: Vec<String>,
        confirm_invalidates_keys: bool,
    ) -> Result<()> {
        if !confirm_invalidates_keys {
            return Err(Error::ConfirmationRequired(
                "Editing privileges invalidates both API keys of these credentials.",
            ));
        }
        let c = Credentials::new(CredentialsData {
            privileges,
            ..self.data.clone()
        })?;
        self.data = c.data;
        for s in self.data.slots.iter_mut() {
            if s.generated() {
                s.active = Some(false);
            }
            s.key = None;
        }
        Ok(())
    }

    /// Replaces the referrer list after checking every entry: malformed entries are refused
    /// with the checker's diagnostics, never stored.
    pub fn set_referrers(&mut self, referrers: Vec<String>) -> Result<()> {
        check_referrers(&referrers)?;
        self.data.http_referrers = referrers;
        Ok(())
    }

    /// Describes every privilege (unknown strings kept).
    pub fn describe_privileges(&self) -> Vec<privileges::PrivilegeInfo> {
        self.data
            .privileges
            .iter()
            .map(|p| privileges::describe(p))
            .collect()
    }
}

/// Whether a referrer list may be stored: at most [`MAX_REFERRERS`] entries, none malformed
/// (the checker's diagnostics come with the refusal).
pub fn check_referrers(referrers: &[String]) -> Result<()> {
    if referrers.len() > MAX_REFERRERS {
        return Err(Error::InputTooLarge {
            what: "referrer list",
            limit: MAX_REFERRERS,
        });
    }
    let problems = ReferrerRules::new(referrers, RulesOptions::default())?.entry_errors();
    if !problems.is_empty() {
        return Err(Error::InvalidReferrers(problems));
    }
    Ok(())
}

/// Whether a new key may be generated into a slot whose key is `active` (the portal's
/// `apiTokenNActive`): into an empty or invalidated slot, yes; over an active key, only as a
/// regeneration, which is asked for explicitly because the current key stops working.
pub fn check_new_key(slot: u8, active: Option<bool>, regenerate: bool) -> Result<()> {
    if !regenerate && active == Some(true) {
        return Err(Error::invalid(
            "slot",
            format!("slot {slot} already holds an active key: use regenerateKey to replace it (the current key stops working)."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_new_key_never_replaces_an_active_one_silently() {
        assert!(check_new_key(2, None, false).is_ok(), "never generated");
        assert!(check_new_key(2, Some(false), false).is_ok(), "invalidated");
        assert_eq!(
            check_new_key(2, Some(true), false).unwrap_err().code(),
            "INVALID_ARGUMENT"
        );
        assert!(check_new_key(2, Some(true), true).is_ok(), "regenerate");
    }

    use super::*;
    use crate::core::time::DAY_MS;

    const NOW: Millis = 1_767_225_600_000; // 2026-01-01

    fn key(slot: u8, tail: &str) -> ApiKey {
        ApiKey::new(format!(
            "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT{slot}_{tail}"
        ))
        .unwrap()
    }

    #[test]
    fn one_year_to_the_millisecond() {
        let latest = latest_expiration(NOW).unwrap();
        assert_eq!(latest, NOW + 365 * DAY_MS);
        assert!(validate_expiration(NOW, latest).is_ok());
        assert_eq!(
            validate_expiration(NOW, latest + 1).unwrap_err().code(),
            "EXPIRY_TOO_FAR"
        );
        assert_eq!(
            validate_expiration(NOW, NOW).unwrap_err().code(),
            "EXPIRY_IN_PAST"
        );
        assert!(validate_expiration(NOW, NOW + 1).is_ok());
        // 2028-02-29 + one year = 2029-02-28.
        let leap = 1_835_395_200_000; // 2028-02-29T00:00:00Z
        assert_eq!(latest_expiration(leap), Some(leap + 365 * DAY_MS));
    }

    #[test]
    fn at_most_two_keys() {
        let three = vec![
            (key(1, "aaaaaaaa"), None),
            (key(2, "bbbbbbbb"), None),
            (key(1, "cccccccc"), None),
        ];
        assert_eq!(
            Credentials::assign_keys(three).unwrap_err().code(),
            "TOO_MANY_KEYS"
        );
        let dup = vec![(key(1, "aaaaaaaa"), None), (key(1, "cccccccc"), None)];
        assert_eq!(
            Credentials::assign_keys(dup).unwrap_err().code(),
            "INVALID_ARGUMENT"
        );
        let legacy = ApiKey::new("AAPKlegacykey1234567890").unwrap();
        let slots =
            Credentials::assign_keys(vec![(key(2, "bbbbbbbb"), Some(-1)), (legacy, None)]).unwrap();
        assert!(slots[0].key.as_ref().unwrap().expose().starts_with("AAPK"));
        assert_eq!(slots[1].expires_at, None);
    }

    #[test]
    fn regenerate_invalidate_and_privilege_edits() {
        let mut c = Credentials::new(CredentialsData {
            item_id: "i".into(),
            privileges: vec!["premium:user:basemaps".into()],
            slots: [
                KeySlot {
                    expires_at: Some(NOW + 10 * DAY_MS),
                    active: Some(true),
                    key: Some(key(1, "aaaaaaaa")),
                },
                KeySlot::default(),
            ],
            ..Default::default()
        })
        .unwrap();
        assert!(!c.slot(2).unwrap().generated());
        c.record_generated(2, NOW, NOW + 300 * DAY_MS, Some(key(2, "bbbbbbbb")))
            .unwrap();
        assert_eq!(c.slot(2).unwrap().active, Some(true));
        assert_eq!(
            c.record_generated(1, NOW, NOW + 400 * DAY_MS, None)
                .unwrap_err()
                .code(),
            "EXPIRY_TOO_FAR"
        );
        assert_eq!(
            c.record_generated(3, NOW, NOW + DAY_MS, None)
                .unwrap_err()
                .code(),
            "INVALID_SLOT"
        );
        // Regenerating slot 1 replaces the old key.
        c.record_generated(1, NOW, NOW + 100 * DAY_MS, Some(key(1, "cccccccc")))
            .unwrap();
        assert!(c
            .slot(1)
            .unwrap()
            .key
            .as_ref()
            .unwrap()
            .expose()
            .ends_with("cccccccc"));
        c.record_invalidated(1).unwrap();
        assert_eq!(c.slot(1).unwrap().active, Some(false));
        assert!(c.slot(1).unwrap().key.is_none());
        assert_eq!(
            c.set_privileges(vec![], false).unwrap_err().code(),
            "CONFIRMATION_REQUIRED"
        );
        c.set_privileges(vec!["premium:user:geocode".into()], true)
            .unwrap();
        assert!(c
            .data()
            .slots
            .iter()
            .all(|s| s.active == Some(false) && s.key.is_none()));
        assert!(c.has_privilege("premium:user:geocode"));
    }

    #[test]
    fn referrer_edits_are_checked() {
        let mut c = Credentials::new(CredentialsData::default()).unwrap();
        assert_eq!(
            c.set_referrers(vec!["https://ok.example.com".into(), "*".into()])
                .unwrap_err()
                .code(),
            "INVALID_REFERRER"
        );
        c.set_referrers(vec!["https://ok.example.com".into()])
            .unwrap();
        assert_eq!(c.data().http_referrers.len(), 1);
    }

    #[test]
    fn keys_must_sit_in_their_slot() {
        let r = Credentials::new(CredentialsData {
            slots: [
                KeySlot {
                    key: Some(key(2, "bbbbbbbb")),
                    ..Default::default()
                },
                KeySlot::default(),
            ],
            ..Default::default()
        });
        assert_eq!(r.unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
