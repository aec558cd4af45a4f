//! Time as the portal and JavaScript count it: milliseconds since the Unix epoch (UTC).
//!
//! The core never reads a clock. Callers pass `now`, or a [`Clock`] where an object needs one
//! (the browser layer implements it with `Date.now()`; tests use [`FixedClock`]).

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// One day in milliseconds.
pub const DAY_MS: Millis = 86_400_000;

/// One year as the one-year key limit counts it (366 days, so a key generated on
/// 29 February or across a leap day is never refused for a legitimate "one year").
pub const MAX_KEY_LIFETIME_MS: Millis = 366 * DAY_MS;

/// The range of instants a JavaScript `Date` can hold (±8.64e15 ms).
pub const JS_DATE_LIMIT: Millis = 8_640_000_000_000_000;

/// A source of the current time.
pub trait Clock {
    /// The current instant in epoch milliseconds.
    fn now_ms(&self) -> Millis;
}

/// A clock that always answers the same instant (for tests and replays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub Millis);

impl Clock for FixedClock {
    fn now_ms(&self) -> Millis {
        self.0
    }
}

/// Converts a JavaScript number of milliseconds into [`Millis`], refusing NaN, infinities and
/// values outside the range of a JavaScript `Date`. Fractions are truncated toward zero, as
/// `new Date(x)` does.
pub fn millis_from_f64(value: f64) -> Option<Millis> {
    if !value.is_finite() {
        return None;
    }
    let t = value.trunc();
    if t.abs() > JS_DATE_LIMIT as f64 {
        return None;
    }
    Some(t as Millis)
}

/// Formats an instant as `YYYYMMDDTHHMMSSZ` (iCalendar UTC form). `None` outside years 0–9999.
pub fn ical_utc(ms: Millis) -> Option<String> {
    let p = civil(ms)?;
    let mut out = String::with_capacity(16);
    push_num(&mut out, p.0, 4);
    push_num(&mut out, p.1, 2);
    push_num(&mut out, p.2, 2);
    out.push('T');
    push_num(&mut out, p.3, 2);
    push_num(&mut out, p.4, 2);
    push_num(&mut out, p.5, 2);
    out.push('Z');
    Some(out)
}

/// Formats an instant as an ISO 8601 date (`YYYY-MM-DD`, UTC). `None` outside years 0–9999.
pub fn iso_date(ms: Millis) -> Option<String> {
    let p = civil(ms)?;
    let mut out = String::with_capacity(10);
    push_num(&mut out, p.0, 4);
    out.push('-');
    push_num(&mut out, p.1, 2);
    out.push('-');
    push_num(&mut out, p.2, 2);
    Some(out)
}

/// (year, month, day, hour, minute, second) in UTC, for years 0–9999.
fn civil(ms: Millis) -> Option<(u32, u32, u32, u32, u32, u32)> {
    use chrono::{Datelike, Timelike};
    let dt = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)?;
    let year = u32::try_from(dt.year()).ok().filter(|y| *y <= 9999)?;
    Some((
        year,
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
    ))
}

/// Appends `n` zero-padded to `width` digits (without the float/format machinery in wasm).
fn push_num(out: &mut String, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut v = n;
    let mut len = 0;
    let cap = digits.len();
    while len < cap {
        if let Some(d) = digits.get_mut(cap - 1 - len) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        len += 1;
        if v == 0 && len >= width {
            break;
        }
    }
    let start = cap - len;
    if let Some(s) = digits
        .get(start..)
        .and_then(|d| core::str::from_utf8(d).ok())
    {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_numbers_are_checked() {
        assert_eq!(millis_from_f64(1.9), Some(1));
        assert_eq!(millis_from_f64(-1.9), Some(-1));
        assert_eq!(millis_from_f64(f64::NAN), None);
        assert_eq!(millis_from_f64(f64::INFINITY), None);
        assert_eq!(millis_from_f64(8.64e15), Some(JS_DATE_LIMIT));
        assert_eq!(millis_from_f64(8.64e15 + 1.0), None);
    }

    #[test]
    fn formats_utc() {
        assert_eq!(ical_utc(0).as_deref(), Some("19700101T000000Z"));
        assert_eq!(iso_date(1_735_689_600_000).as_deref(), Some("2025-01-01"));
    }
}
