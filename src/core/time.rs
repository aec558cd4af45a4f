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
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let year = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
    let secs = ms.rem_euclid(DAY_MS) / 1000;
    let (h, min, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    Some((year, m, d, h as u32, min as u32, s as u32))
}

/// The proleptic Gregorian date (year, month 1–12, day 1–31) of a day count since 1970-01-01.
///
/// Howard Hinnant's `civil_from_days` (<https://howardhinnant.github.io/date_algorithms.html>):
/// exact for every day a JavaScript `Date` can hold, and a few hundred bytes of wasm where a
/// date library is a few kilobytes. The native tests check it against chrono.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The day count since 1970-01-01 of a proleptic Gregorian date (the inverse of
/// [`civil_from_days`]; `month` 1–12, `day` 1–31).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // [0, 11]
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Reads an HTTP `Date` header in its one current form, IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7); `None` for anything else.
pub fn parse_http_date(s: &str) -> Option<Millis> {
    let mut parts = s.trim().split(' ');
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|x| x.parse::<i64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * DAY_MS + (h * 3600 + m * 60 + sec) * 1000)
}

/// The same instant one calendar year later (29 February goes to 28 February), or `None`
/// when that is outside the range of a JavaScript `Date`.
pub fn one_year_later(ms: Millis) -> Option<Millis> {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let d = if m == 2 && d == 29 { 28 } else { d };
    let later = days_from_civil(y + 1, m, d)
        .checked_mul(DAY_MS)?
        .checked_add(ms.rem_euclid(DAY_MS))?;
    (later.abs() <= JS_DATE_LIMIT).then_some(later)
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
    #[test]
    fn http_dates() {
        assert_eq!(
            super::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(
            super::parse_http_date("Sun, 29 Nov 2026 14:31:04 GMT")
                .and_then(super::iso_date)
                .as_deref(),
            Some("2026-11-29")
        );
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
        ] {
            assert_eq!(super::parse_http_date(bad), None, "{bad}");
        }
    }

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

    /// chrono is the oracle for the calendar arithmetic (it is a test dependency only: in
    /// the wasm module these few lines replace it).
    fn chrono_civil(ms: Millis) -> Option<(i64, u32, u32)> {
        use chrono::Datelike;
        let dt = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)?;
        Some((i64::from(dt.year()), dt.month(), dt.day()))
    }

    proptest::proptest! {
        #[test]
        fn civil_dates_agree_with_chrono(ms in -JS_DATE_LIMIT..=JS_DATE_LIMIT) {
            let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
            if let Some(expected) = chrono_civil(ms) {
                proptest::prop_assert_eq!((y, m, d), expected);
            }
            proptest::prop_assert_eq!(days_from_civil(y, m, d), ms.div_euclid(DAY_MS));
        }

        #[test]
        fn one_year_later_agrees_with_chrono(ms in -JS_DATE_LIMIT..=JS_DATE_LIMIT) {
            // chrono's range (±262,000 years) is a little narrower than a `Date`'s: compare
            // wherever chrono has an answer.
            let expected = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
                .and_then(|dt| dt.checked_add_months(chrono::Months::new(12)))
                .map(|dt| dt.timestamp_millis());
            if let Some(expected) = expected {
                proptest::prop_assert_eq!(one_year_later(ms), Some(expected));
            }
        }
    }

    #[test]
    fn calendar_edges() {
        // Every day from 1600 to 2500 (leap centuries included) round-trips and matches chrono.
        let start = days_from_civil(1600, 1, 1);
        let end = days_from_civil(2500, 12, 31);
        for day in start..=end {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(Some((y, m, d)), chrono_civil(day * DAY_MS), "day {day}");
            assert_eq!(days_from_civil(y, m, d), day);
        }
        let leap = days_from_civil(2028, 2, 29) * DAY_MS + 3_600_000;
        assert_eq!(
            one_year_later(leap),
            Some(days_from_civil(2029, 2, 28) * DAY_MS + 3_600_000)
        );
        assert_eq!(one_year_later(JS_DATE_LIMIT), None);
    }

    #[test]
    fn formats_utc() {
        assert_eq!(ical_utc(0).as_deref(), Some("19700101T000000Z"));
        assert_eq!(iso_date(1_735_689_600_000).as_deref(), Some("2025-01-01"));
    }
}
