//! The app's keys and the failover rule: use the best live key; when the portal says a key is
//! invalid (498), mark it dead and retry once with the other; never loop, never retry other
//! errors, never use a key marked dead.

use crate::core::error::{Error, Result};
use crate::core::keys::ApiKey;
use crate::core::time::Millis;

/// One key the app holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// The key.
    pub key: ApiKey,
    /// Its slot (from the `.ATn_` tail, or the order given).
    pub slot: u8,
    /// Its expiration, when known.
    pub expires_at: Option<Millis>,
    /// Marked dead after the portal answered 498 for it.
    pub dead: bool,
}

/// One or two keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRing {
    entries: Vec<KeyEntry>,
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

/// The next step of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send with the key at this index.
    Send(usize),
    /// Done: the last attempt's outcome stands.
    Done,
    /// Every key is dead.
    AllDead,
}

impl KeyRing {
    /// One or two keys (`(key, expires_at)`), placed by their slot tails; two keys naming the
    /// same slot, or more than two keys, are refused.
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
            let slot = key.slot().unwrap_or(i as u8 + 1);
            if entries.iter().any(|e| e.slot == slot) {
                return Err(Error::invalid(
                    "keys",
                    format!("two keys are for slot {slot}."),
                ));
            }
            entries.push(KeyEntry {
                key,
                slot,
                expires_at: expires_at.filter(|e| *e != -1),
                dead: false,
            });
        }
        Ok(KeyRing { entries })
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

    /// Marks key `i` dead (a dead key never comes back). `true` when it was alive until now,
    /// so the caller that learnt it first can tell the listeners, once.
    pub fn mark_dead(&mut self, i: usize) -> bool {
        match self.entries.get_mut(i) {
            Some(e) if !e.dead => {
                e.dead = true;
                true
            }
            _ => false,
        }
    }

    /// The best live key at `now`: unexpired keys first, then the latest known expiry, then an
    /// unknown expiry; `None` when every key is dead.
    pub fn pick(&self, now: Millis) -> Option<usize> {
        self.best_excluding(now, None)
    }

    fn best_excluding(&self, now: Millis, exclude: Option<usize>) -> Option<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, e)| !e.dead && Some(*i) != exclude)
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

    /// Starts a request: the key to send with, or `AllDead`.
    pub fn begin(&self, now: Millis) -> Step {
        match self.pick(now) {
            Some(i) => Step::Send(i),
            None => Step::AllDead,
        }
    }

    /// After attempt number `attempt` (0 or 1) with key `used`: marks a 498'd key dead and says
    /// what to do next. At most one retry: the second attempt always ends the request.
    pub fn after(&mut self, now: Millis, attempt: usize, used: usize, outcome: Outcome) -> Step {
        match outcome {
            Outcome::Ok | Outcome::OtherError => Step::Done,
            Outcome::InvalidToken => {
                self.mark_dead(used);
                if attempt >= 1 {
                    return if self.pick(now).is_none() {
                        Step::AllDead
                    } else {
                        Step::Done
                    };
                }
                match self.best_excluding(now, Some(used)) {
                    Some(j) => Step::Send(j),
                    None => Step::AllDead,
                }
            }
        }
    }
}

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
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
    fn fails_over_once() {
        let mut r = ring();
        assert_eq!(r.begin(0), Step::Send(1));
        assert_eq!(r.after(0, 0, 1, Outcome::InvalidToken), Step::Send(0));
        assert_eq!(r.after(0, 1, 0, Outcome::Ok), Step::Done);
        assert!(r.get(1).unwrap().dead);
        assert_eq!(r.begin(0), Step::Send(0));
        assert_eq!(r.after(0, 0, 0, Outcome::InvalidToken), Step::AllDead);
        assert_eq!(r.begin(0), Step::AllDead);
        let mut r = ring();
        assert_eq!(r.after(0, 0, 1, Outcome::OtherError), Step::Done);
        assert!(!r.get(1).unwrap().dead);
    }

    proptest! {
        /// Over any sequence of requests and outcomes: each request sends at most twice, never
        /// with a key already marked dead, never twice with the same key, and retries only
        /// after INVALID_TOKEN.
        #[test]
        fn failover_never_loops_and_never_uses_a_dead_key(
            two in any::<bool>(),
            exp in proptest::collection::vec(proptest::option::of(0i64..1000), 2),
            outcomes in proptest::collection::vec(0u8..3, 0..60),
            now in 0i64..1200,
        ) {
            let mut keys = vec![(key(1, "aaaaaaaa"), exp[0])];
            if two { keys.push((key(2, "bbbbbbbb"), exp[1])); }
            let mut r = KeyRing::new(keys).unwrap();
            let mut it = outcomes.into_iter();
            'requests: loop {
                let mut step = r.begin(now);
                let mut sent: Vec<usize> = Vec::new();
                loop {
                    match step {
                        Step::Send(i) => {
                            prop_assert!(!r.get(i).unwrap().dead, "sent with a dead key");
                            prop_assert!(!sent.contains(&i), "same key twice in one request");
                            sent.push(i);
                            prop_assert!(sent.len() <= 2, "more than one retry");
                            let Some(o) = it.next() else { break 'requests };
                            let outcome = match o { 0 => Outcome::Ok, 1 => Outcome::InvalidToken, _ => Outcome::OtherError };
                            let attempt = sent.len() - 1;
                            step = r.after(now, attempt, i, outcome);
                            if outcome != Outcome::InvalidToken { prop_assert_eq!(step, Step::Done); }
                        }
                        Step::Done => continue 'requests,
                        Step::AllDead => {
                            prop_assert!(r.entries().iter().all(|e| e.dead));
                            break 'requests;
                        }
                    }
                }
            }
        }
    }
}
