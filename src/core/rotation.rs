//! The rotation planner: which key an app should use now, and what the owner should do next,
//! following the documented workflow ("generate a secondary key when key 1 is close to expiring,
//! deploy key 2 before key 1 expires").
//!
//! Decision table (each slot is *usable* when active and unexpired; an unknown expiry counts as
//! usable but ranks after any known one):
//!
//! | usable slots | situation                                        | action              | act by                       |
//! |--------------|--------------------------------------------------|---------------------|------------------------------|
//! | none         | –                                                | `regenerate`        | now                          |
//! | one          | it is in the warning window                      | `generateSecondary` | its expiry − `deployLeadDays`|
//! | one          | outside the window                               | `none`              | when the window opens        |
//! | two          | the app already uses the newer key (`inUse`)     | `invalidateOld`     | now                          |
//! | two          | the app uses the older key, which is in the window | `deploySecondary` | the older key's expiry       |
//! | two          | otherwise                                        | `none`              | when the older key's window opens |
//!
//! "The app uses" comes from the `inUse` option; without it the planner assumes the app still
//! runs the older key, which is the safe assumption during a rotation.

use crate::core::expiry::{key_status, KeyState, KeyStatus, Thresholds};
use crate::core::time::{Millis, DAY_MS};

/// Default lead time for deploying a new key, in days.
pub const DEFAULT_DEPLOY_LEAD_DAYS: f64 = 7.0;

/// What the planner knows about one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlotInput {
    /// Expiration in epoch ms (`None` or `-1`: not known).
    pub expires_at: Option<Millis>,
    /// The portal's `apiTokenNActive` (`None`: not reported).
    pub active: Option<bool>,
    /// Whether a key was ever generated in the slot. A slot that was never generated is empty,
    /// not invalidated.
    pub generated: bool,
}

/// The next step of a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationAction {
    /// Nothing to do yet.
    None,
    /// Generate a key in the empty or dead slot.
    GenerateSecondary,
    /// Deploy the newer key to the app.
    DeploySecondary,
    /// Invalidate the older key once the app runs on the newer one.
    InvalidateOld,
    /// No usable key is left: regenerate one now.
    Regenerate,
}

impl RotationAction {
    /// Parses the JavaScript name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "none" => RotationAction::None,
            "generateSecondary" => RotationAction::GenerateSecondary,
            "deploySecondary" => RotationAction::DeploySecondary,
            "invalidateOld" => RotationAction::InvalidateOld,
            "regenerate" => RotationAction::Regenerate,
            _ => return None,
        })
    }

    /// The name JavaScript sees (`"generateSecondary"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RotationAction::None => "none",
            RotationAction::GenerateSecondary => "generateSecondary",
            RotationAction::DeploySecondary => "deploySecondary",
            RotationAction::InvalidateOld => "invalidateOld",
            RotationAction::Regenerate => "regenerate",
        }
    }
}

/// Options of the planner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanOptions {
    /// The instant the plan is for.
    pub now: Millis,
    /// Warning and critical windows.
    pub thresholds: Thresholds,
    /// Days to allow for deploying a new key.
    pub deploy_lead_days: f64,
    /// The slot the app currently runs, when the caller knows it.
    pub in_use: Option<u8>,
}

/// The plan.
#[derive(Debug, Clone, PartialEq)]
pub struct RotationPlan {
    /// The instant the plan was made for.
    pub now: Millis,
    /// The slot the app should use now (`None` when no key is usable).
    pub use_slot: Option<u8>,
    /// The next action.
    pub action: RotationAction,
    /// The slot the action applies to.
    pub action_slot: Option<u8>,
    /// The date to act by (for `none`: when to look again).
    pub act_by: Option<Millis>,
    /// The status of slot 1 and slot 2.
    pub slots: [KeyStatus; 2],
    /// Whether each slot was ever generated.
    pub generated: [bool; 2],
    /// One sentence saying what to do and why.
    pub reason: String,
}

fn slot_status(s: &SlotInput, opts: &PlanOptions) -> KeyStatus {
    let mut st = key_status(s.expires_at, opts.now, opts.thresholds, s.active);
    if !s.generated && st.state != KeyState::Expired {
        // An empty slot is not "invalidated" and not usable.
        st.state = KeyState::Invalidated;
    }
    st
}

fn usable(s: &SlotInput, st: &KeyStatus) -> bool {
    s.generated && st.state.is_usable()
}

/// Ranks a usable key: a later known expiry first, unknown expiries last.
fn rank(st: &KeyStatus) -> (bool, Millis) {
    match st.expires_at {
        Some(e) => (true, e),
        None => (false, 0),
    }
}

fn days_ms(days: f64) -> Millis {
    (days * DAY_MS as f64) as Millis
}

/// Plans the next rotation step for two slots.
pub fn plan_rotation(slots: [SlotInput; 2], opts: PlanOptions) -> RotationPlan {
    let [in1, in2] = slots;
    let st = [slot_status(&in1, &opts), slot_status(&in2, &opts)];
    let [st1, st2] = st;
    let ok = [usable(&in1, &st1), usable(&in2, &st2)];
    let generated = [in1.generated, in2.generated];
    let mk = |use_slot, action, action_slot, act_by, reason: String| RotationPlan {
        now: opts.now,
        use_slot,
        action,
        action_slot,
        act_by,
        slots: st,
        generated,
        reason,
    };

    let (current, other) = match ok {
        [false, false] => {
            // Regenerate the slot whose key died first (an empty slot counts as oldest).
            let target = if rank(&st2) < rank(&st1) || !in2.generated {
                2
            } else {
                1
            };
            let target = if !in1.generated { 1 } else { target };
            return mk(
                None,
                RotationAction::Regenerate,
                Some(target),
                Some(opts.now),
                "No usable API key is left: regenerate a key now and deploy it.".to_string(),
            );
        }
        [true, false] => (1u8, 2u8),
        [false, true] => (2, 1),
        [true, true] => {
            if rank(&st2) > rank(&st1) {
                (2, 1)
            } else {
                (1, 2)
            }
        }
    };
    let cur = if current == 1 { st1 } else { st2 };
    let oth = if other == 1 { st1 } else { st2 };
    let other_usable = ok.get(usize::from(other - 1)).copied().unwrap_or(false);
    let window = |s: &KeyStatus| {
        s.expires_at
            .map(|e| e.saturating_sub(days_ms(opts.thresholds.warn_days())))
    };

    if !other_usable {
        if cur.state.needs_attention() {
            let act_by = cur.expires_at.map(|e| {
                e.saturating_sub(days_ms(opts.deploy_lead_days))
                    .max(opts.now)
            });
            return mk(
                Some(current),
                RotationAction::GenerateSecondary,
                Some(other),
                act_by,
                format!(
                    "Key {current} expires soon: generate a secondary key in slot {other} and deploy it before key {current} expires."
                ),
            );
        }
        return mk(
            Some(current),
            RotationAction::None,
            None,
            window(&cur),
            format!("Key {current} is healthy; nothing to do until its warning window opens."),
        );
    }

    let in_use = opts.in_use.filter(|s| *s == 1 || *s == 2).unwrap_or(other);
    if in_use == current {
        return mk(
            Some(current),
            RotationAction::InvalidateOld,
            Some(other),
            Some(opts.now),
            format!(
                "The app runs on key {current}: invalidate the older key {other} so a leaked copy cannot be used."
            ),
        );
    }
    if oth.state.needs_attention() {
        return mk(
            Some(current),
            RotationAction::DeploySecondary,
            Some(current),
            oth.expires_at,
            format!("Deploy key {current} to the app before key {other} expires."),
        );
    }
    mk(
        Some(current),
        RotationAction::None,
        None,
        window(&oth),
        format!("Both keys are usable; deploy key {current} before key {other} enters its warning window."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_767_225_600_000;

    fn opts(in_use: Option<u8>) -> PlanOptions {
        PlanOptions {
            now: NOW,
            thresholds: Thresholds::default(),
            deploy_lead_days: DEFAULT_DEPLOY_LEAD_DAYS,
            in_use,
        }
    }

    fn slot(days: Option<i64>, active: bool) -> SlotInput {
        SlotInput {
            expires_at: days.map(|d| NOW + d * DAY_MS),
            active: Some(active),
            generated: true,
        }
    }
    const EMPTY: SlotInput = SlotInput {
        expires_at: None,
        active: Some(false),
        generated: false,
    };

    #[derive(Clone, Copy, Debug)]
    enum S {
        Empty,
        Healthy,
        Expiring,
        Critical,
        Expired,
        Invalidated,
        Unknown,
    }

    fn mk(s: S, base: i64) -> SlotInput {
        match s {
            S::Empty => EMPTY,
            S::Healthy => slot(Some(200 + base), true),
            S::Expiring => slot(Some(20 + base), true),
            S::Critical => slot(Some(3 + base), true),
            S::Expired => slot(Some(-3 - base), true),
            S::Invalidated => slot(Some(100 + base), false),
            S::Unknown => slot(None, true),
        }
    }

    #[test]
    fn every_combination_of_slot_states() {
        use RotationAction as A;
        use S::*;
        let all = [
            Empty,
            Healthy,
            Expiring,
            Critical,
            Expired,
            Invalidated,
            Unknown,
        ];
        for a in all {
            for b in all {
                let p = plan_rotation([mk(a, 0), mk(b, 1)], opts(None));
                let dead = |s: S| matches!(s, Empty | Expired | Invalidated);
                let attention = |s: S| matches!(s, Expiring | Critical);
                let label = format!("{a:?}/{b:?}: {p:?}");
                match (dead(a), dead(b)) {
                    (true, true) => {
                        assert_eq!(p.action, A::Regenerate, "{label}");
                        assert_eq!(p.use_slot, None, "{label}");
                        assert_eq!(p.act_by, Some(NOW), "{label}");
                    }
                    (false, true) | (true, false) => {
                        let (live, cur) = if dead(b) { (a, 1) } else { (b, 2) };
                        assert_eq!(p.use_slot, Some(cur), "{label}");
                        if attention(live) {
                            assert_eq!(p.action, A::GenerateSecondary, "{label}");
                            assert_eq!(p.action_slot, Some(3 - cur), "{label}");
                            assert!(p.act_by.unwrap() >= NOW, "{label}");
                        } else {
                            assert_eq!(p.action, A::None, "{label}");
                        }
                    }
                    (false, false) => {
                        // Both usable: the newer (later known expiry) is recommended.
                        let cur = p.use_slot.unwrap();
                        let older = if cur == 1 { b } else { a };
                        if attention(older) {
                            assert_eq!(p.action, A::DeploySecondary, "{label}");
                            assert_eq!(p.action_slot, Some(cur), "{label}");
                        } else {
                            assert_eq!(p.action, A::None, "{label}");
                        }
                        let p2 = plan_rotation([mk(a, 0), mk(b, 1)], opts(Some(cur)));
                        assert_eq!(p2.action, A::InvalidateOld, "{label}");
                        assert_eq!(p2.action_slot, Some(3 - cur), "{label}");
                    }
                }
            }
        }
    }

    #[test]
    fn documented_workflow() {
        // Key 1 expiring in 20 days, slot 2 never generated.
        let p = plan_rotation([slot(Some(20), true), EMPTY], opts(None));
        assert_eq!(p.action, RotationAction::GenerateSecondary);
        assert_eq!(p.action_slot, Some(2));
        assert_eq!(p.act_by, Some(NOW + 13 * DAY_MS));
        // Key 2 generated for a year: deploy it before key 1 expires.
        let p = plan_rotation([slot(Some(20), true), slot(Some(365), true)], opts(None));
        assert_eq!(p.use_slot, Some(2));
        assert_eq!(p.action, RotationAction::DeploySecondary);
        assert_eq!(p.act_by, Some(NOW + 20 * DAY_MS));
        // Deployed: invalidate key 1.
        let p = plan_rotation([slot(Some(20), true), slot(Some(365), true)], opts(Some(2)));
        assert_eq!(p.action, RotationAction::InvalidateOld);
        assert_eq!(p.action_slot, Some(1));
        // Key 1 invalidated: nothing to do until key 2's window.
        let p = plan_rotation(
            [slot(Some(20), false), slot(Some(365), true)],
            opts(Some(2)),
        );
        assert_eq!(p.action, RotationAction::None);
        assert_eq!(p.act_by, Some(NOW + 335 * DAY_MS));
    }

    #[test]
    fn lead_time_never_puts_the_deadline_in_the_past() {
        let p = plan_rotation([slot(Some(2), true), EMPTY], opts(None));
        assert_eq!(p.action, RotationAction::GenerateSecondary);
        assert_eq!(p.act_by, Some(NOW));
    }
}
