//! The app's keys and the failover rule: use the best live key; when the portal says a key is
//! invalid (498), mark it dead and retry once with the other; never loop, never retry other
//! errors.
//!
//! A dead mark is evidence, not a verdict: it records when it was made and which URL answered,
//! and it heals. A success with the key (a request, or `inspect()`) clears it. When every key is
//! marked dead, the oldest mark is re-probed once per retry window before requests are refused,
//! so a spurious or foreign 498 strands an app for one window at most, never for good.

use crate::core::error::{Error, Result};
use crate::core::keys::{ApiKey, KeyKind};
use crate::core::time::Millis;

/// The default retry window: how long a dead mark is trusted before the key is tried again
/// (10 minutes).
pub const DEFAULT_RETRY_WINDOW_MS: Millis = 10 * 60 * 1000;

/// Why a key is believed dead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadMark {
    /// When the portal (or a service) first answered 498 for it.
    pub since: Millis,
    /// When it was last tried: marked, or re-probed. The retry window counts from here.
    pub checked: Millis,
    /// Where the 498 came from: the URL without its query (never a key).
    pub url: String,
}

/// One key the app holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// The key.
    pub key: ApiKey,
    /// Its slot (from the `.ATn_` tail, or the order given); `None` for a legacy `AAPK` key,
    /// which has no slot.
    pub slot: Option<u8>,
    /// Its expiration, when known.
    pub expires_at: Option<Millis>,
    /// Set after a 498 for it; cleared by a success.
    pub dead: Option<DeadMark>,
    /// When the key last worked (a success), if it has in this manager's memory or storage.
    pub ok_at: Option<Millis>,
}

impl KeyEntry {
    /// Whether the key is marked dead.
    pub fn is_dead(&self) -> bool {
        self.dead.is_some()
    }

    /// `"key 1 (AAPT…e1HB)"`, `"the legacy key (AAPK…x7Qa)"`: how messages name it.
    pub fn label(&self) -> String {
        match self.slot {
            Some(s) => format!("API key {s} ({})", self.key.masked()),
            None => format!("the legacy API key ({})", self.key.masked()),
        }
    }

    /// Whether this is a legacy `AAPK` key.
    pub fn is_legacy(&self) -> bool {
        self.key.kind() == KeyKind::Legacy
    }
}

/// One or two keys, and the retry window of their dead marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRing {
    entries: Vec<KeyEntry>,
    window: Millis,
}

/// What a request attempt came back with, as far as failover cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success.
    Ok,
    /// The key is invalid (498).
    InvalidToken,
    /// Any other error: no failover.
    OtherError,
}

/// One send of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The key's index.
    pub index: usize,
    /// 0 for the first send of a request, 1 for the retry.
    pub attempt: usize,
    /// Every key was marked dead and this request re-probes them.
    pub probe: bool,
}

/// The next step of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send with this key.
    Send(Sent),
    /// Done: the last attempt's outcome stands.
    Done,
    /// Every key is marked dead (and no re-probe is due).
    AllDead,
}

/// What [`KeyRing::after`] changed, for the listeners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Change {
    /// The key used was alive and is now marked dead (the first to learn it reports it).
    pub newly_dead: bool,
    /// The key used was marked dead and has worked again.
    pub healed: bool,
}

impl KeyRing {
    /// One or two keys (`(key, expires_at)`), placed by their slot tails; two keys naming the
    /// same slot, or more than two keys, are refused. Legacy keys have no slot.
    pub fn new(keys: Vec<(ApiKey, Option<Millis>)>) -> Result<Self> {
        if keys.is_empty() {
            return Err(Error::invalid("keys", "pass one or two API keys."));
        }
        if keys.len() > 2 {
            return Err(Error::TooManyKeys);
        }
        let mut entries: Vec<KeyEntry> = Vec::with_capacity(2);
        for (i, (key, expires_at)) in keys.into_iter().enumerate() {
            if entries.iter().any(|e| e.key == key) {
                return Err(Error::invalid("keys", "the same key is given twice."));
            }
            let slot = match key.kind() {
                KeyKind::Legacy => None,
                _ => Some(key.slot().unwrap_or(i as u8 + 1)),
            };
            if let Some(s) = slot.filter(|s| entries.iter().any(|e| e.slot == Some(*s))) {
                return Err(Error::invalid(
                    "keys",
                    format!("two keys are for slot {s}."),
                ));
            }
            entries.push(KeyEntry {
                key,
                slot,
                expires_at: expires_at.filter(|e| *e != -1),
                dead: None,
                ok_at: None,
            });
        }
        Ok(KeyRing {
            entries,
            window: DEFAULT_RETRY_WINDOW_MS,
        })
    }

    /// The same keys with another retry window (at least 1 ms).
    pub fn with_retry_window(mut self, window: Millis) -> Self {
        self.window = window.max(1);
        self
    }

    /// The retry window.
    pub fn retry_window(&self) -> Millis {
        self.window
    }

    /// The entries.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// One entry.
    pub fn get(&self, i: usize) -> Option<&KeyEntry> {
        self.entries.get(i)
    }

    /// Sets an entry's expiration (from the portal's `appInfo`).
    pub fn set_expiry(&mut self, i: usize, expires_at: Option<Millis>) {
        if let Some(e) = self.entries.get_mut(i) {
            e.expires_at = expires_at.filter(|e| *e != -1);
        }
    }

    /// Marks key `i` dead after a 498 from `url` at `now`. `true` when it was alive until now,
    /// so the caller that learnt it first can tell the listeners, once. A key already marked
    /// keeps its first date and URL; its retry window restarts.
    pub fn mark_dead(&mut self, i: usize, now: Millis, url: &str) -> bool {
        let Some(e) = self.entries.get_mut(i) else {
            return false;
        };
        match &mut e.dead {
            Some(mark) => {
                mark.checked = mark.checked.max(now);
                false
            }
            None => {
                e.dead = Some(DeadMark {
                    since: now,
                    checked: now,
                    url: url_without_query(url),
                });
                true
            }
        }
    }

    /// Records that key `i` worked at `now`: its dead mark, if any, is cleared. `true` when
    /// there was one (the key healed).
    pub fn heal(&mut self, i: usize, now: Millis) -> bool {
        let Some(e) = self.entries.get_mut(i) else {
            return false;
        };
        e.ok_at = Some(e.ok_at.map_or(now, |t| t.max(now)));
        e.dead.take().is_some()
    }

    /// Takes in what storage (this page's last run, or another tab) knows of key `i`: whichever
    /// happened last wins, a 498 (`dead`, by its `checked` time) or a success (`ok_at`). Marks
    /// older than the retry window at `now` are not taken in: after a window the key is worth
    /// trying again anyway.
    pub fn merge(&mut self, i: usize, dead: Option<&DeadMark>, ok_at: Option<Millis>, now: Millis) {
        let window = self.window;
        let Some(e) = self.entries.get_mut(i) else {
            return;
        };
        if let Some(t) = ok_at {
            e.ok_at = Some(e.ok_at.map_or(t, |x| x.max(t)));
            if e.dead.as_ref().is_some_and(|m| m.checked <= t) {
                e.dead = None;
            }
        }
        if let Some(m) = dead {
            // A mark from the future (a clock changed, or storage written with the portal's
            // time) is not trusted either.
            let fresh = (0..window).contains(&now.saturating_sub(m.checked));
            let newer_than_success = e.ok_at.is_none_or(|t| m.checked > t);
            if fresh && newer_than_success {
                match &mut e.dead {
                    Some(mine) => {
                        mine.since = mine.since.min(m.since);
                        mine.checked = mine.checked.max(m.checked);
                    }
                    None => e.dead = Some(m.clone()),
                }
            }
        }
    }

    /// The best live key at `now`: unexpired keys first, then the latest known expiry, then an
    /// unknown expiry; `None` when every key is marked dead.
    pub fn pick(&self, now: Millis) -> Option<usize> {
        self.best_live(now, None)
    }

    fn best_live(&self, now: Millis, exclude: Option<usize>) -> Option<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, e)| !e.is_dead() && Some(*i) != exclude)
            .max_by_key(|(i, e)| {
                let unexpired = e.expires_at.is_none_or(|x| x > now);
                // Known expiries rank by date; unknown ones just after an unexpired known one,
                // before an expired one. Earlier index wins ties.
                let rank = e.expires_at.unwrap_or(Millis::MAX / 2);
                (
                    unexpired,
                    e.expires_at.is_some() && unexpired,
                    rank,
                    core::cmp::Reverse(*i),
                )
            })
            .map(|(i, _)| i)
    }

    /// Whether every key is marked dead.
    pub fn all_dead(&self) -> bool {
        self.entries.iter().all(KeyEntry::is_dead)
    }

    /// When every key is marked dead: the time of the newest news of any of them (a mark or a
    /// re-probe). A re-probe is due a retry window after it.
    pub fn last_checked(&self) -> Option<Millis> {
        if !self.all_dead() {
            return None;
        }
        self.entries
            .iter()
            .filter_map(|e| e.dead.as_ref().map(|m| m.checked))
            .max()
    }

    /// Whether every key is marked dead and nothing was learnt of them for a retry window
    /// (or the newest news is dated in the future: a clock changed): a re-probe is due.
    pub fn probe_due(&self, now: Millis) -> bool {
        self.last_checked().is_some_and(|t| {
            let age = now.saturating_sub(t);
            age >= self.window || age < 0
        })
    }

    /// Starts a request: the key to send with, or `AllDead`. When every key is marked dead and
    /// nothing was learnt of them for a retry window, this request re-probes them (the mark
    /// checked longest ago first, then the other on a 498), and the window restarts now, so
    /// concurrent requests do not probe as well: one probe per window.
    pub fn begin(&mut self, now: Millis) -> Step {
        if let Some(index) = self.pick(now) {
            return Step::Send(Sent {
                index,
                attempt: 0,
                probe: false,
            });
        }
        if !self.probe_due(now) {
            return Step::AllDead;
        }
        let oldest = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.dead.as_ref().map(|m| (m.checked, i)))
            .min()
            .map(|(_, i)| i);
        for e in &mut self.entries {
            if let Some(m) = e.dead.as_mut() {
                m.checked = now;
            }
        }
        match oldest {
            Some(index) => Step::Send(Sent {
                index,
                attempt: 0,
                probe: true,
            }),
            None => Step::AllDead,
        }
    }

    /// After a send, answered from `url`: records the outcome (a success heals, a 498 marks
    /// dead) and says what to do next. At most one retry: the second send always ends the
    /// request.
    pub fn after(
        &mut self,
        now: Millis,
        sent: Sent,
        outcome: Outcome,
        url: &str,
    ) -> (Step, Change) {
        let used = sent.index;
        match outcome {
            Outcome::Ok => (
                Step::Done,
                Change {
                    healed: self.heal(used, now),
                    newly_dead: false,
                },
            ),
            Outcome::OtherError => (Step::Done, Change::default()),
            Outcome::InvalidToken => {
                let change = Change {
                    newly_dead: self.mark_dead(used, now, url),
                    healed: false,
                };
                if sent.attempt >= 1 {
                    let step = if self.all_dead() {
                        Step::AllDead
                    } else {
                        Step::Done
                    };
                    return (step, change);
                }
                // The retry: the other live key; in a probe, the other dead one.
                let next = self.best_live(now, Some(used)).or_else(|| {
                    sent.probe
                        .then(|| (0..self.entries.len()).find(|i| *i != used))
                        .flatten()
                });
                let step = match next {
                    Some(index) => Step::Send(Sent {
                        index,
                        attempt: 1,
                        probe: sent.probe,
                    }),
                    None => Step::AllDead,
                };
                (step, change)
            }
        }
    }
}

/// `url` without its query and fragment (a token may sit in a query).
pub fn url_without_query(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url.get(..end).unwrap_or("").chars().take(512).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(slot: u8, tail: &str) -> ApiKey {
        ApiKey::new(format!(
            "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT{slot}_{tail}"
        ))
        .unwrap()
    }

    fn ring() -> KeyRing {
        KeyRing::new(vec![
            (key(1, "aaaaaaaa"), Some(100)),
            (key(2, "bbbbbbbb"), Some(200)),
        ])
        .unwrap()
    }

    const U: &str = "https://p/sharing/rest/portals/self";

    #[test]
    fn picks_the_latest_unexpired() {
        let r = ring();
        assert_eq!(r.pick(0), Some(1));
        assert_eq!(r.pick(150), Some(1));
        let r = KeyRing::new(vec![
            (key(1, "aaaaaaaa"), Some(300)),
            (key(2, "bbbbbbbb"), None),
        ])
        .unwrap();
        assert_eq!(r.pick(0), Some(0));
        assert_eq!(
            r.pick(400),
            Some(1),
            "an unknown expiry beats an expired key"
        );
        assert_eq!(KeyRing::new(vec![]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(
            KeyRing::new(vec![(key(1, "aaaaaaaa"), None), (key(1, "cccccccc"), None)])
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
    }

    #[test]
    fn legacy_keys_have_no_slot() {
        let legacy = ApiKey::new("AAPKabcdefghijklmnopqrstuvwxyz0123456789").unwrap();
        let r = KeyRing::new(vec![(legacy, None), (key(1, "aaaaaaaa"), None)]).unwrap();
        assert_eq!(r.get(0).unwrap().slot, None);
        assert!(r.get(0).unwrap().is_legacy());
        assert_eq!(r.get(1).unwrap().slot, Some(1));
        assert!(r.get(0).unwrap().label().contains("legacy"));
    }

    fn first(index: usize) -> Sent {
        Sent {
            index,
            attempt: 0,
            probe: false,
        }
    }

    #[test]
    fn fails_over_once() {
        let mut r = ring();
        assert_eq!(r.begin(0), Step::Send(first(1)));
        let (step, change) = r.after(0, first(1), Outcome::InvalidToken, U);
        let retry = Sent {
            index: 0,
            attempt: 1,
            probe: false,
        };
        assert_eq!(step, Step::Send(retry));
        assert!(change.newly_dead);
        assert_eq!(r.after(0, retry, Outcome::Ok, U).0, Step::Done);
        assert!(r.get(1).unwrap().is_dead());
        assert_eq!(r.begin(0), Step::Send(first(0)));
        assert_eq!(
            r.after(0, first(0), Outcome::InvalidToken, U).0,
            Step::AllDead
        );
        assert_eq!(r.begin(0), Step::AllDead);
        let mut r = ring();
        assert_eq!(r.after(0, first(1), Outcome::OtherError, U).0, Step::Done);
        assert!(!r.get(1).unwrap().is_dead());
    }

    #[test]
    fn a_mark_records_when_and_where_and_heals() {
        let mut r = ring();
        r.after(
            1_000,
            first(1),
            Outcome::InvalidToken,
            "https://evil.example/x?token=AAPTsecret#f",
        );
        let mark = r.get(1).unwrap().dead.clone().unwrap();
        assert_eq!(mark.since, 1_000);
        assert_eq!(mark.url, "https://evil.example/x", "no query kept");
        // A success with the key clears the mark and says so.
        let (step, change) = r.after(2_000, first(1), Outcome::Ok, U);
        assert_eq!(step, Step::Done);
        assert!(change.healed);
        assert!(!r.get(1).unwrap().is_dead());
        assert_eq!(r.get(1).unwrap().ok_at, Some(2_000));
        assert!(!r.heal(1, 3_000), "nothing left to heal");
    }

    #[test]
    fn all_dead_reprobes_once_per_window_oldest_mark_first() {
        let mut r = ring().with_retry_window(600);
        r.mark_dead(0, 100, U);
        r.mark_dead(1, 200, U);
        assert_eq!(r.begin(500), Step::AllDead, "inside the window");
        assert_eq!(
            r.begin(799),
            Step::AllDead,
            "the newest news is 600 ms old at 800"
        );
        let probe = Sent {
            index: 0,
            attempt: 0,
            probe: true,
        };
        assert_eq!(
            r.begin(800),
            Step::Send(probe),
            "key 1's mark is the oldest"
        );
        assert_eq!(r.begin(801), Step::AllDead, "one probe per window");
        // Key 1 is still refused: the same probe tries key 2, which works and heals.
        let (step, _) = r.after(800, probe, Outcome::InvalidToken, U);
        let partner = Sent {
            index: 1,
            attempt: 1,
            probe: true,
        };
        assert_eq!(step, Step::Send(partner));
        let (step, change) = r.after(800, partner, Outcome::Ok, U);
        assert_eq!(step, Step::Done);
        assert!(change.healed);
        assert_eq!(r.begin(900), Step::Send(first(1)));
        // A probe refused for both keys waits another window.
        let mut r = ring().with_retry_window(600);
        r.mark_dead(0, 100, U);
        r.mark_dead(1, 100, U);
        let Step::Send(p) = r.begin(700) else {
            panic!("a probe is due")
        };
        let (Step::Send(p2), _) = r.after(700, p, Outcome::InvalidToken, U) else {
            panic!("the partner is probed")
        };
        assert_eq!(r.after(700, p2, Outcome::InvalidToken, U).0, Step::AllDead);
        assert_eq!(r.begin(1_299), Step::AllDead);
        assert!(matches!(
            r.begin(1_300),
            Step::Send(Sent { probe: true, .. })
        ));
    }

    #[test]
    fn merge_takes_the_latest_news() {
        let mark = DeadMark {
            since: 100,
            checked: 100,
            url: U.into(),
        };
        // A fresh mark from storage is taken in; an old one is not.
        let mut r = ring().with_retry_window(600);
        r.merge(0, Some(&mark), None, 500);
        assert!(r.get(0).unwrap().is_dead());
        let mut r = ring().with_retry_window(600);
        r.merge(0, Some(&mark), None, 800);
        assert!(!r.get(0).unwrap().is_dead(), "stored marks expire");
        // A later success (another tab) heals; an earlier one does not.
        let mut r = ring().with_retry_window(600);
        r.mark_dead(0, 300, U);
        r.merge(0, None, Some(200), 350);
        assert!(r.get(0).unwrap().is_dead());
        r.merge(0, None, Some(400), 450);
        assert!(!r.get(0).unwrap().is_dead());
        // A mark older than our last success is stale.
        r.merge(0, Some(&mark), None, 450);
        assert!(!r.get(0).unwrap().is_dead());
    }

    proptest! {
        /// Over any sequence of requests and outcomes: each request sends at most twice, never
        /// twice with the same key, and retries only after INVALID_TOKEN; a key marked dead is
        /// sent only in a probe.
        #[test]
        fn failover_never_loops(
            two in any::<bool>(),
            exp in proptest::collection::vec(proptest::option::of(0i64..1000), 2),
            outcomes in proptest::collection::vec(0u8..3, 0..60),
            times in proptest::collection::vec(0i64..400, 60),
        ) {
            let mut keys = vec![(key(1, "aaaaaaaa"), exp[0])];
            if two { keys.push((key(2, "bbbbbbbb"), exp[1])); }
            let mut r = KeyRing::new(keys).unwrap().with_retry_window(500);
            let mut it = outcomes.into_iter();
            let mut now = 0;
            for gap in times {
                now += gap;
                let all_dead_before = r.all_dead();
                let mut step = r.begin(now);
                let mut sent: Vec<usize> = Vec::new();
                loop {
                    match step {
                        Step::Send(s) => {
                            let i = s.index;
                            prop_assert_eq!(s.probe, all_dead_before, "probes only when every key is dead");
                            prop_assert!(!r.get(i).unwrap().is_dead() || s.probe, "a dead key sent outside a probe");
                            prop_assert!(!sent.contains(&i), "same key twice in one request");
                            sent.push(i);
                            prop_assert!(sent.len() <= 2, "more than one retry");
                            prop_assert_eq!(s.attempt, sent.len() - 1);
                            let Some(o) = it.next() else { return Ok(()) };
                            let outcome = match o { 0 => Outcome::Ok, 1 => Outcome::InvalidToken, _ => Outcome::OtherError };
                            step = r.after(now, s, outcome, U).0;
                            if outcome != Outcome::InvalidToken { prop_assert_eq!(step, Step::Done); }
                        }
                        Step::Done => break,
                        Step::AllDead => {
                            prop_assert!(r.all_dead());
                            break;
                        }
                    }
                }
            }
        }

        /// Requests at random times against a portal whose acceptance of each key changes at
        /// random times, with reloads that carry the state over as storage would: at most one
        /// probe per retry window, and a key the portal accepts is never refused for longer
        /// than the window (a request refused at `now`, with no send, means that nothing
        /// could have been learnt within the window: no key has been accepted for a whole
        /// window since the last send).
        #[test]
        fn dead_marks_heal_within_a_window(
            window in 1i64..500,
            gaps in proptest::collection::vec(0i64..300, 1..80),
            flips in proptest::collection::vec((0i64..6000, 0usize..2, any::<bool>()), 0..12),
            reloads in proptest::collection::vec(any::<bool>(), 80),
        ) {
            let mut flips = flips;
            flips.sort_by_key(|f| f.0);
            // Whether the portal accepts key k at t, and since when without a break.
            let accepted_at = |k: usize, t: Millis| -> bool {
                flips.iter().rev().find(|f| f.1 == k && f.0 <= t).is_none_or(|f| f.2)
            };
            let accepted_since = |k: usize, t: Millis| -> Option<Millis> {
                if !accepted_at(k, t) {
                    return None;
                }
                let last_refusal = flips.iter().rev().find(|f| f.1 == k && f.0 <= t && !f.2);
                Some(last_refusal.map_or(Millis::MIN / 2, |refused| {
                    flips.iter().find(|f| f.1 == k && f.0 > refused.0 && f.2).map_or(refused.0, |f| f.0)
                }))
            };
            let mut r = ring().with_retry_window(window);
            let mut now = 0;
            let mut last_send = Millis::MIN / 2;
            let mut probes: Vec<Millis> = Vec::new();
            for (n, gap) in gaps.into_iter().enumerate() {
                now += gap;
                if reloads.get(n).copied().unwrap_or(false) {
                    let mut fresh = ring().with_retry_window(window);
                    for i in 0..2 {
                        let e = r.get(i).unwrap();
                        fresh.merge(i, e.dead.as_ref(), e.ok_at, now);
                    }
                    r = fresh;
                }
                let mut step = r.begin(now);
                let mut sends = 0;
                loop {
                    match step {
                        Step::Send(s) => {
                            if s.probe && s.attempt == 0 {
                                probes.push(now);
                            }
                            sends += 1;
                            prop_assert!(sends <= 2, "looped");
                            last_send = now;
                            let outcome = if accepted_at(s.index, now) { Outcome::Ok } else { Outcome::InvalidToken };
                            step = r.after(now, s, outcome, U).0;
                        }
                        Step::Done => break,
                        Step::AllDead => {
                            if sends == 0 {
                                for k in 0..2 {
                                    if let Some(since) = accepted_since(k, now) {
                                        let learnable_from = since.max(last_send);
                                        prop_assert!(now - learnable_from < window,
                                            "key {} accepted since {}, last send {}, refused at {} (window {})",
                                            k, since, last_send, now, window);
                                    }
                                }
                            }
                            break;
                        }
                    }
                }
            }
            for pair in probes.windows(2) {
                if let [a, b] = pair {
                    prop_assert!(b - a >= window, "two probes within one window: {} and {}", a, b);
                }
            }
        }
    }
}
