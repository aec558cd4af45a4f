//! Expiry status of one key: active, expiring, critical, expired, invalidated or unknown.

use crate::core::error::{Error, Result};
use crate::core::time::{Millis, DAY_MS};

/// Default warning window, in days (as hhkaos' toolkit and jf990's CLI use: 30).
pub const DEFAULT_WARN_DAYS: f64 = 30.0;
/// Default critical window, in days (hhkaos' toolkit: under 7 days is critical).
pub const DEFAULT_CRITICAL_DAYS: f64 = 7.0;

/// The state of a key, decided in this order: invalidated, unknown, expired, critical,
/// expiring, active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyState {
    /// Valid and outside the warning window.
    Active,
    /// Inside the warning window (`warnDays`).
    Expiring,
    /// Inside the critical window (`criticalDays`).
    Critical,
    /// Past its expiration.
    Expired,
    /// Marked inactive by the portal (`apiTokenNActive: false`).
    Invalidated,
    /// No expiration known (absent or `-1`).
    Unknown,
}

impl KeyState {
    /// The name JavaScript sees (`"active"`, `"expiring"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Active => "active",
            KeyState::Expiring => "expiring",
            KeyState::Critical => "critical",
            KeyState::Expired => "expired",
            KeyState::Invalidated => "invalidated",
            KeyState::Unknown => "unknown",
        }
    }

    /// `true` for the states a request can still use (active, expiring, critical, and unknown
    /// expiry: the portal often reports `-1`, so an unknown date alone does not make a key dead).
    pub fn is_usable(self) -> bool {
        matches!(
            self,
            KeyState::Active | KeyState::Expiring | KeyState::Critical | KeyState::Unknown
        )
    }

    /// `true` inside the warning or critical window.
    pub fn needs_attention(self) -> bool {
        matches!(self, KeyState::Expiring | KeyState::Critical)
    }
}

/// The warning thresholds, in days (fractions allowed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    warn_days: f64,
    critical_days: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            warn_days: DEFAULT_WARN_DAYS,
            critical_days: DEFAULT_CRITICAL_DAYS,
        }
    }
}

impl Thresholds {
    /// Validated thresholds: both finite and non-negative.
    pub fn new(warn_days: f64, critical_days: f64) -> Result<Self> {
        check_days("warnDays", warn_days)?;
        check_days("criticalDays", critical_days)?;
        Ok(Thresholds {
            warn_days,
            critical_days,
        })
    }

    /// The warning window in days.
    pub fn warn_days(&self) -> f64 {
        self.warn_days
    }

    /// The critical window in days.
    pub fn critical_days(&self) -> f64 {
        self.critical_days
    }

    /// The warning window in milliseconds.
    pub fn warn_ms(&self) -> f64 {
        self.warn_days * DAY_MS as f64
    }

    /// The critical window in milliseconds.
    pub fn critical_ms(&self) -> f64 {
        self.critical_days * DAY_MS as f64
    }
}

fn check_days(what: &'static str, v: f64) -> Result<()> {
    if !v.is_finite() || v < 0.0 {
        return Err(Error::invalid(
            what,
            "expected a finite number of days, zero or more.",
        ));
    }
    Ok(())
}

/// The status of one key at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyStatus {
    /// The decided state.
    pub state: KeyState,
    /// The expiration, when known.
    pub expires_at: Option<Millis>,
    /// `expires_at − now`, when the expiration is known.
    pub ms_left: Option<Millis>,
    /// `floor(ms_left / 86 400 000)`, when the expiration is known.
    pub days_left: Option<i64>,
}

/// Normalises a portal expiration value: `-1` (the portal's "not set") becomes `None`.
pub fn normalize_expiry(expires_at: Option<Millis>) -> Option<Millis> {
    expires_at.filter(|v| *v != -1)
}

/// Decides a key's state. `active: Some(false)` (the portal's `apiTokenNActive`) wins over any
/// date; `expires_at` of `None` or `-1` is unknown.
pub fn key_status(
    expires_at: Option<Millis>,
    now: Millis,
    thresholds: Thresholds,
    active: Option<bool>,
) -> KeyStatus {
    let expires_at = normalize_expiry(expires_at);
    let ms_left = expires_at.map(|e| e.saturating_sub(now));
    let days_left = ms_left.map(|ms| ms.div_euclid(DAY_MS));
    let state = if active == Some(false) {
        KeyState::Invalidated
    } else {
        match ms_left {
            None => KeyState::Unknown,
            Some(ms) if ms <= 0 => KeyState::Expired,
            Some(ms) if (ms as f64) <= thresholds.critical_ms() => KeyState::Critical,
            Some(ms) if (ms as f64) <= thresholds.warn_ms() => KeyState::Expiring,
            Some(_) => KeyState::Active,
        }
    };
    KeyStatus {
        state,
        expires_at,
        ms_left,
        days_left,
    }
}

/// When Esri retired legacy API keys (`AAPK…`): 2026-06-27T00:00:00Z. After it "they can no
/// longer be used to authenticate with ArcGIS services" (developers.arcgis.com, "API key
/// (legacy)", retirement timeline: mature support from June 2024, extended support from June
/// 2025, retired in June 2026). The official page names only the month; the day is June 27,
/// 2026, as a secondary source gives it. This constant is the one place the date lives.
pub const LEGACY_RETIREMENT_MS: Millis = 1_782_518_400_000;

/// The status of a legacy key at `now`. Legacy keys never expired on their own; they die with
/// the retirement: `expired` from [`LEGACY_RETIREMENT_MS`] on, and before it at least
/// `expiring` (`critical` inside the critical window), counting down to the retirement.
pub fn legacy_key_status(now: Millis, thresholds: Thresholds) -> KeyStatus {
    let mut st = key_status(Some(LEGACY_RETIREMENT_MS), now, thresholds, None);
    if st.state == KeyState::Active {
        st.state = KeyState::Expiring;
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    #[test]
    fn legacy_keys_count_down_to_the_retirement() {
        let t = Thresholds::default();
        let before = legacy_key_status(NOW, t);
        assert_eq!(before.state, KeyState::Expiring, "half a year before");
        assert_eq!(before.expires_at, Some(LEGACY_RETIREMENT_MS));
        assert_eq!(before.days_left, Some(177));
        let close = legacy_key_status(LEGACY_RETIREMENT_MS - 2 * crate::core::time::DAY_MS, t);
        assert_eq!(close.state, KeyState::Critical);
        assert_eq!(
            legacy_key_status(LEGACY_RETIREMENT_MS, t).state,
            KeyState::Expired
        );
        // The date is 2026-06-27 (UTC), checked against the calendar code.
        assert_eq!(
            crate::core::time::iso_date(LEGACY_RETIREMENT_MS).as_deref(),
            Some("2026-06-27")
        );
    }

    fn st(expires: Option<Millis>, active: Option<bool>) -> KeyStatus {
        key_status(expires, NOW, Thresholds::default(), active)
    }

    #[test]
    fn boundaries_to_the_millisecond() {
        type Case = (Option<Millis>, Option<bool>, KeyState, Option<i64>);
        let cases: &[Case] = &[
            (None, None, KeyState::Unknown, None),
            (Some(-1), None, KeyState::Unknown, None),
            (Some(-1), Some(true), KeyState::Unknown, None),
            (Some(NOW), None, KeyState::Expired, Some(0)),
            (Some(NOW - 1), None, KeyState::Expired, Some(-1)),
            (Some(NOW + 1), None, KeyState::Critical, Some(0)),
            (Some(NOW + 7 * DAY_MS), None, KeyState::Critical, Some(7)),
            (
                Some(NOW + 7 * DAY_MS + 1),
                None,
                KeyState::Expiring,
                Some(7),
            ),
            (Some(NOW + 30 * DAY_MS), None, KeyState::Expiring, Some(30)),
            (
                Some(NOW + 30 * DAY_MS + 1),
                None,
                KeyState::Active,
                Some(30),
            ),
            (
                Some(NOW + 365 * DAY_MS),
                Some(true),
                KeyState::Active,
                Some(365),
            ),
            (
                Some(NOW + 365 * DAY_MS),
                Some(false),
                KeyState::Invalidated,
                Some(365),
            ),
            (None, Some(false), KeyState::Invalidated, None),
            (
                Some(NOW - DAY_MS),
                Some(false),
                KeyState::Invalidated,
                Some(-1),
            ),
        ];
        for (exp, active, state, days) in cases {
            let s = st(*exp, *active);
            assert_eq!(s.state, *state, "{exp:?} {active:?}");
            assert_eq!(s.days_left, *days, "{exp:?} {active:?}");
        }
    }

    #[test]
    fn days_left_floors_like_math_floor() {
        assert_eq!(st(Some(NOW - 1), None).days_left, Some(-1));
        assert_eq!(st(Some(NOW + DAY_MS - 1), None).days_left, Some(0));
        assert_eq!(st(Some(NOW + DAY_MS), None).ms_left, Some(DAY_MS));
    }

    #[test]
    fn thresholds_are_validated() {
        assert!(Thresholds::new(-1.0, 7.0).is_err());
        assert!(Thresholds::new(30.0, f64::NAN).is_err());
        assert_eq!(
            Thresholds::new(1.0, -0.5).unwrap_err().code(),
            "INVALID_ARGUMENT"
        );
        let t = Thresholds::new(0.0, 0.0).unwrap();
        assert_eq!(
            key_status(Some(NOW + 1), NOW, t, None).state,
            KeyState::Active
        );
        let t = Thresholds::new(0.5, 0.25).unwrap();
        assert_eq!(
            key_status(Some(NOW + DAY_MS / 4), NOW, t, None).state,
            KeyState::Critical
        );
        assert_eq!(
            key_status(Some(NOW + DAY_MS / 2), NOW, t, None).state,
            KeyState::Expiring
        );
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let s = key_status(Some(i64::MAX), i64::MIN, Thresholds::default(), None);
        assert_eq!(s.state, KeyState::Active);
        let s = key_status(Some(i64::MIN), i64::MAX, Thresholds::default(), None);
        assert_eq!(s.state, KeyState::Expired);
    }
}
