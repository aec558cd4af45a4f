//! The credential manager's decisions, as plain data: which key to use and what a failure
//! means (the [`KeyRing`]), usage counts, the clock-skew rule, which expiry warnings to give
//! (each key and state once), and how to read a 403. Every method takes the time as an
//! argument and returns the events to tell, so the web layer only delivers them.

use crate::core::expiry::{key_status, legacy_key_status, KeyState, KeyStatus, Thresholds};
use crate::core::keyring::{KeyEntry, KeyRing, Outcome, Sent, Step};
use crate::core::persist::{key_id, KeyUsage, Persisted};
use crate::core::referrer::policy::{effective_referrer, ReferrerPolicy};
use crate::core::referrer::ReferrerRules;
use crate::core::time::{iso_date, Millis};

/// Clock differences larger than this make expiry decisions use the portal's time (5 min).
pub const SKEW_LIMIT_MS: Millis = 5 * 60 * 1000;

/// The page a manager runs in, for predicting the `Referer` it sends (none in Node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageContext {
    /// The document's URL.
    pub href: String,
    /// Its referrer policy (`<meta name="referrer">` or the default).
    pub policy: ReferrerPolicy,
    /// Whether its origin is opaque (a sandboxed frame).
    pub opaque: bool,
}

impl PageContext {
    /// The `Referer` this page sends with a request to `url` (`None`: none is sent).
    pub fn referrer_for(&self, url: &str) -> Option<String> {
        effective_referrer(&self.href, url, self.policy, self.opaque)
            .ok()
            .and_then(|p| p.referrer)
    }
}

/// Something a listener should hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A key entered the `expiring`, `critical` or `expired` state.
    Expiry(Warning),
    /// A key was refused as invalid (498) for the first time.
    Invalid {
        /// The key's slot (`None`: legacy).
        slot: Option<u8>,
        /// Its mask.
        masked: String,
        /// Where the 498 came from (no query).
        url: String,
        /// What happened, in a sentence.
        message: String,
    },
    /// Requests moved from one key to the other.
    Failover {
        /// The key given up.
        from: Option<u8>,
        /// Its mask.
        from_masked: String,
        /// The key used now.
        to: Option<u8>,
        /// Its mask.
        to_masked: String,
        /// What happened, in a sentence.
        message: String,
    },
    /// A key marked dead worked again, and its mark is cleared.
    Healed {
        /// The key's slot.
        slot: Option<u8>,
        /// Its mask.
        masked: String,
        /// What happened, in a sentence.
        message: String,
    },
    /// Storage could not be read or written.
    StorageError {
        /// `corrupt`, `foreign`, `otherSchema`, `tooLarge` or `writeFailed`.
        reason: &'static str,
        /// What happened, in a sentence.
        message: &'static str,
    },
    /// The portal's clock differs from the device's by more than [`SKEW_LIMIT_MS`].
    ClockSkew {
        /// Portal time minus local time.
        skew_ms: Millis,
        /// The portal's time.
        portal_time: Millis,
        /// What it means, in a sentence.
        message: String,
    },
}

/// An expiry warning: an event for listeners (once per key and state per manager) and a
/// console line (once per key per page load).
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The key's slot (`None`: legacy).
    pub slot: Option<u8>,
    /// Its mask.
    pub masked: String,
    /// Its status (`status.state` is the state entered).
    pub status: KeyStatus,
    /// Whether it is a legacy key.
    pub legacy: bool,
    /// What to do, in a sentence.
    pub message: String,
    /// Tell the listeners (first time for this key and state).
    pub event: bool,
    /// Write it to the console (first time for this key in this page load).
    pub console: bool,
}

/// How to read a 403 from a request with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read403 {
    /// The referrer list refuses the `Referer` this page sends.
    ReferrerNotAllowed,
    /// Something else: a missing privilege or item access.
    Forbidden,
    /// Without the key's referrer list, ask `portals/self` with the same key: it needs no
    /// privilege, so a 403 there can only be the referrer.
    AskPortal,
}

/// Reads a 403: with the key's referrer list (`rules`), the local checker decides for the
/// `Referer` the page sends (`sent`); without it, the portal must be asked.
pub fn read_403(rules: Option<&ReferrerRules>, sent: Option<&str>) -> Read403 {
    match rules {
        Some(r) if !r.allows(sent) => Read403::ReferrerNotAllowed,
        Some(_) => Read403::Forbidden,
        None => Read403::AskPortal,
    }
}

/// A short service name for usage counts: the privilege catalogue's name for a location
/// service, `portal:<first two path segments>` for the sharing API, else the host.
pub fn service_name(url: &str) -> String {
    if let Some((_, name)) = crate::core::privileges::required_privilege(url) {
        return name.to_string();
    }
    if let Some(i) = crate::core::find_str(url, "/sharing/rest/") {
        let rest = url.get(i + 14..).unwrap_or("");
        let mut op = String::from("portal:");
        let path = rest.split(['?', '#']).next().unwrap_or("");
        for (i, segment) in path.split('/').take(2).enumerate() {
            if i > 0 {
                op.push('/');
            }
            op.push_str(segment);
        }
        return op;
    }
    crate::core::referrer::url::parse_url(url).map_or_else(|| "other".to_string(), |u| u.host)
}

/// The manager's state: the keys, their usage, the thresholds, the clock skew, and the
/// warnings already given.
#[derive(Debug, Clone)]
pub struct ManagerState {
    /// The keys and their dead marks.
    pub ring: KeyRing,
    /// Usage per key (same order as the ring).
    pub usage: Vec<KeyUsage>,
    /// Warning thresholds.
    pub thresholds: Thresholds,
    skew_ms: Millis,
    reported: Vec<String>,
}

impl ManagerState {
    /// A manager's state for `ring`.
    pub fn new(ring: KeyRing, thresholds: Thresholds) -> Self {
        let n = ring.entries().len();
        ManagerState {
            ring,
            usage: vec![KeyUsage::default(); n],
            thresholds,
            skew_ms: 0,
            reported: Vec::new(),
        }
    }

    /// The time expiry decisions use at local time `local`: the portal's, when the clocks
    /// differ by more than [`SKEW_LIMIT_MS`].
    pub fn now(&self, local: Millis) -> Millis {
        local.saturating_add(self.skew_ms)
    }

    /// The status of key `i` at `now` (portal time): a legacy key counts down to Esri's
    /// retirement of legacy keys; a key marked dead is `invalidated`.
    pub fn status(&self, i: usize, now: Millis) -> Option<KeyStatus> {
        let e = self.ring.get(i)?;
        Some(if e.is_legacy() {
            legacy_key_status(now, self.thresholds)
        } else {
            key_status(e.expires_at, now, self.thresholds, Some(!e.is_dead()))
        })
    }

    /// Takes in the portal's `Date` (`portal`, ms) seen at local time `local`. Returns the
    /// `clockSkew` event when the skew in use changes by more than the limit; the caller then
    /// re-evaluates the warnings. A skew back within the limit is dropped quietly.
    pub fn observe_portal_time(&mut self, portal: Millis, local: Millis) -> Option<Event> {
        let skew = portal.saturating_sub(local);
        if skew.abs() > SKEW_LIMIT_MS {
            if (skew - self.skew_ms).abs() > SKEW_LIMIT_MS {
                self.skew_ms = skew;
                return Some(Event::ClockSkew {
                    skew_ms: skew,
                    portal_time: portal,
                    message: "The portal's clock differs from this device's by more than 5 minutes; expiry warnings use the portal's time.".into(),
                });
            }
        } else {
            self.skew_ms = 0;
        }
        None
    }

    /// The expiry warnings due at `now` (portal time) for live keys in the `expiring`,
    /// `critical` or `expired` state: an event the first time this manager sees a key in a
    /// state, a console line the first time this page load sees the key (`console_seen` is the
    /// page's list, shared by its managers). Runs at start-up, on `inspect()`, and on every
    /// request, so a page left open hears a key cross its thresholds.
    pub fn warnings(&mut self, now: Millis, console_seen: &mut Vec<String>) -> Vec<Event> {
        let mut out = Vec::new();
        for (i, e) in self.ring.entries().iter().enumerate() {
            if e.is_dead() {
                continue;
            }
            let Some(status) = self.status(i, now) else {
                continue;
            };
            let name = match status.state {
                KeyState::Expiring => "expiring",
                KeyState::Critical => "critical",
                KeyState::Expired => "expired",
                _ => continue,
            };
            let masked = e.key.masked();
            let id = key_id(&masked, e.slot);
            let mut tag = id.clone();
            tag.push(':');
            tag.push_str(name);
            let event = insert_new(&mut self.reported, &tag);
            let console = insert_new(console_seen, &id);
            if !event && !console {
                continue;
            }
            let other = self.ring.entries().iter().find(|o| o.slot != e.slot);
            out.push(Event::Expiry(Warning {
                slot: e.slot,
                message: warning_text(e, &status, other),
                masked,
                status,
                legacy: e.is_legacy(),
                event,
                console,
            }));
        }
        out
    }

    /// Counts a request with key `i` to `service`, and its failure code if it failed.
    pub fn record(&mut self, i: usize, service: &str, failure: Option<&str>) {
        if let Some(u) = self.usage.get_mut(i) {
            u.record_request(service);
            if let Some(code) = failure {
                u.record_failure(code);
            }
        }
    }

    /// Starts a request at `now`: the key to send, a re-probe, or every key dead.
    pub fn begin(&mut self, now: Millis) -> Step {
        self.ring.begin(now)
    }

    /// After a send to `url` answered with `outcome`: the next step, and the events (a key
    /// newly refused, the failover to the other, a key that healed).
    pub fn after(
        &mut self,
        now: Millis,
        sent: Sent,
        outcome: Outcome,
        url: &str,
    ) -> (Step, Vec<Event>) {
        let (step, change) = self.ring.after(now, sent, outcome, url);
        let mut events = Vec::new();
        if change.newly_dead {
            events.extend(self.invalid_event(sent.index));
            if let Step::Send(next) = step {
                let (from, from_masked, label) = self.names(sent.index);
                let (to, to_masked, to_label) = self.names(next.index);
                events.push(Event::Failover {
                    from,
                    from_masked,
                    to,
                    to_masked,
                    message: format!(
                        "apikey-credentials: {label} was refused as invalid; switched to {to_label}."
                    ),
                });
            }
        }
        if change.healed {
            let (slot, masked, label) = self.names(sent.index);
            events.push(Event::Healed {
                slot,
                masked,
                message: format!(
                    "{label} works again: the portal accepted it, so it is no longer marked invalid."
                ),
            });
        }
        (step, events)
    }

    /// Key `i`'s slot, mask and label (`API key 1 (AAPT…e1HB)`).
    fn names(&self, i: usize) -> (Option<u8>, String, String) {
        self.ring
            .get(i)
            .map_or((None, String::new(), String::new()), |e| {
                (e.slot, e.key.masked(), e.label())
            })
    }

    /// The `invalid` event of key `i`, from its dead mark.
    fn invalid_event(&self, i: usize) -> Option<Event> {
        let url = self.ring.get(i)?.dead.as_ref()?.url.clone();
        let (slot, masked, label) = self.names(i);
        Some(Event::Invalid {
            slot,
            masked,
            message: format!("{label} was refused as invalid, expired or invalidated by {url}."),
            url,
        })
    }

    /// A key's success outside a request (an `inspect()` answer): heals its mark.
    pub fn succeeded(&mut self, i: usize, now: Millis) -> Option<Event> {
        let sent = Sent {
            index: i,
            attempt: 0,
            probe: false,
        };
        self.after(now, sent, Outcome::Ok, "").1.pop()
    }

    /// A key's 498 outside a request (an `inspect()` answer from `url`).
    pub fn refused(&mut self, i: usize, now: Millis, url: &str) -> Option<Event> {
        if self.ring.mark_dead(i, now, url) {
            self.invalid_event(i)
        } else {
            None
        }
    }

    /// The message of the error given when every key is marked dead.
    pub fn all_dead_message(&self, now: Millis) -> String {
        let names: Vec<String> = self.ring.entries().iter().map(KeyEntry::label).collect();
        let retry = self.ring.last_checked().map(|t| {
            t.saturating_add(self.ring.retry_window())
                .saturating_sub(now)
                .max(0)
                / 1000
        });
        let mut msg = format!(
            "Every API key was refused as invalid: {}. Generate or regenerate a key in the API key credentials and deploy it",
            names.join(" and ")
        );
        if let Some(s) = retry {
            msg.push_str(&format!(
                "; the keys are tried again in {s} s, or at once by inspect()."
            ));
        } else {
            msg.push('.');
        }
        msg
    }

    /// The state to store.
    pub fn snapshot(&self, portal: &str, persist_keys: bool) -> Persisted {
        Persisted::snapshot(portal, &self.ring, &self.usage, persist_keys)
    }

    /// Merges a stored state into this one (see [`Persisted::apply`]).
    pub fn apply(&mut self, stored: &Persisted, now: Millis) {
        stored.apply(&mut self.ring, &mut self.usage, now);
    }
}

/// Adds `item` to a small set; `true` when it was not there.
fn insert_new(set: &mut Vec<String>, item: &str) -> bool {
    if set.iter().any(|s| s == item) {
        return false;
    }
    set.push(item.to_string());
    true
}

/// The advice of an expiry warning, from the key's state and what the manager holds in the
/// other slot.
fn warning_text(e: &KeyEntry, st: &KeyStatus, other: Option<&KeyEntry>) -> String {
    let label = e.label();
    let day = st.expires_at.and_then(iso_date).unwrap_or_default();
    if e.is_legacy() {
        return if st.state == KeyState::Expired {
            format!("apikey-credentials: {label} stopped working on {day}, when Esri retired legacy API keys. Create API key credentials, generate a key and deploy it.")
        } else {
            format!("apikey-credentials: {label} stops working on {day}, when Esri retires legacy API keys. Create API key credentials, generate a key and deploy it before then.")
        };
    }
    let slot = e.slot.unwrap_or(1);
    let other_slot = if slot == 1 { 2 } else { 1 };
    let plan = match other {
        Some(o) if !o.is_dead() => format!(
            "{} is deployed too and takes over; regenerate key {slot} before it is needed again.",
            o.label()
        ),
        // The rotation plan's words: the app holds a dead key 2, so it is regenerated; it holds
        // no key 2, and only the owner knows whether that slot has one, so deploy it (after
        // generating it, if the slot is empty).
        Some(o) => format!(
            "{} was refused as invalid: regenerate key {other_slot} and deploy it",
            o.label()
        ),
        None => format!(
            "Deploy key {other_slot} (generate it first if slot {other_slot} is empty) and switch the app to it"
        ),
    };
    if st.state == KeyState::Expired {
        format!("apikey-credentials: {label} expired on {day}; requests with it fail. {plan}")
    } else {
        let days = st.days_left.unwrap_or(0);
        let plural = if days == 1 { "" } else { "s" };
        let deadline = if other.is_some_and(|o| !o.is_dead()) {
            String::new()
        } else {
            format!(" before {day}.")
        };
        format!(
            "apikey-credentials: {label} expires in {days} day{plural} ({day}). {plan}{deadline}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::keys::ApiKey;
    use crate::core::time::DAY_MS;

    /// The message of the first warning `m` gives now.
    fn again_message(m: &mut ManagerState) -> String {
        match m.warnings(NOW, &mut Vec::new()).first() {
            Some(Event::Expiry(w)) => w.message.clone(),
            _ => String::new(),
        }
    }

    const NOW: Millis = 1_790_000_000_000;
    const U: &str = "https://p/sharing/rest/portals/self";

    fn state(exp1: Option<Millis>, exp2: Option<Millis>) -> ManagerState {
        let k = |s: u8| {
            ApiKey::new(format!(
                "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT{s}_{s}aaaaaaa"
            ))
            .unwrap()
        };
        ManagerState::new(
            KeyRing::new(vec![(k(1), exp1), (k(2), exp2)]).unwrap(),
            Thresholds::default(),
        )
    }

    fn names(events: &[Event]) -> Vec<&'static str> {
        events
            .iter()
            .map(|e| match e {
                Event::Expiry(w) => w.status.state.as_str(),
                Event::Invalid { .. } => "invalid",
                Event::Failover { .. } => "failover",
                Event::Healed { .. } => "healed",
                Event::ClockSkew { .. } => "clockSkew",
                Event::StorageError { .. } => "storageError",
            })
            .collect()
    }

    #[test]
    fn each_key_and_state_is_reported_once() {
        let mut m = state(Some(NOW + 20 * DAY_MS), Some(NOW + 300 * DAY_MS));
        let mut console = Vec::new();
        let first = m.warnings(NOW, &mut console);
        assert_eq!(names(&first), ["expiring"]);
        let Event::Expiry(w) = &first[0] else {
            panic!()
        };
        assert!(w.event && w.console);
        assert_eq!(w.slot, Some(1));
        assert!(w.message.contains("API key 2"), "{}", w.message);
        assert!(m.warnings(NOW + DAY_MS, &mut console).is_empty(), "once");
        // Crossing into critical: an event, but the console already heard of this key.
        let crit = m.warnings(NOW + 15 * DAY_MS, &mut console);
        let Event::Expiry(w) = &crit[0] else { panic!() };
        assert_eq!(
            (w.status.state, w.event, w.console),
            (KeyState::Critical, true, false)
        );
        // A second manager in the same page: events again, no console line.
        let mut m2 = state(Some(NOW + 20 * DAY_MS), None);
        let again = m2.warnings(NOW, &mut console);
        let Event::Expiry(w) = &again[0] else {
            panic!()
        };
        assert!(w.event && !w.console);
        // With key 2 marked dead, the advice is to generate a new one.
        let mut m4 = state(Some(NOW + 20 * DAY_MS), None);
        m4.ring.mark_dead(1, NOW, U);
        let Event::Expiry(w) = &m4.warnings(NOW, &mut Vec::new())[0] else {
            panic!()
        };
        assert!(
            w.message.contains("regenerate key 2 and deploy it"),
            "{}",
            w.message
        );
        // Without key 2, the advice is the plan's for an app that does not know slot 2.
        let one = ApiKey::new("AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT1_1aaaaaaa").unwrap();
        let mut alone = ManagerState::new(
            KeyRing::new(vec![(one, Some(NOW + 20 * DAY_MS))]).unwrap(),
            Thresholds::default(),
        );
        let said = again_message(&mut alone);
        assert!(
            said.contains("Deploy key 2 (generate it first if slot 2 is empty)"),
            "{said}"
        );
        // Dead keys are not warned about.
        let mut m3 = state(Some(NOW - DAY_MS), None);
        m3.ring.mark_dead(0, NOW, U);
        assert!(m3.warnings(NOW, &mut Vec::new()).is_empty());
    }

    #[test]
    fn skew_is_adopted_past_the_limit_and_dropped_within_it() {
        let mut m = state(Some(NOW + 31 * DAY_MS), None);
        assert!(m.observe_portal_time(NOW + 60_000, NOW).is_none());
        assert_eq!(m.now(NOW), NOW);
        let e = m.observe_portal_time(NOW + 25 * DAY_MS, NOW);
        assert!(matches!(e, Some(Event::ClockSkew { skew_ms, .. }) if skew_ms == 25 * DAY_MS));
        assert_eq!(m.now(NOW), NOW + 25 * DAY_MS);
        assert_eq!(
            m.status(0, m.now(NOW)).unwrap().state,
            KeyState::Critical,
            "6 days by the portal's clock"
        );
        // The same skew again: no second event.
        assert!(m
            .observe_portal_time(NOW + 25 * DAY_MS + 1_000, NOW)
            .is_none());
        // Clocks agree again: the skew goes, quietly.
        assert!(m.observe_portal_time(NOW, NOW).is_none());
        assert_eq!(m.now(NOW), NOW);
    }

    #[test]
    fn failover_events_and_healing() {
        let mut m = state(Some(NOW + 300 * DAY_MS), Some(NOW + 200 * DAY_MS));
        let Step::Send(s) = m.begin(NOW) else {
            panic!()
        };
        assert_eq!(s.index, 0);
        let (step, events) = m.after(NOW, s, Outcome::InvalidToken, "https://x.example/a?token=k");
        assert_eq!(names(&events), ["invalid", "failover"]);
        let Event::Failover {
            from, to, message, ..
        } = &events[1]
        else {
            panic!()
        };
        assert_eq!((*from, *to), (Some(1), Some(2)));
        assert!(!message.contains("AAPTabcdefgh"), "masked only: {message}");
        let Step::Send(retry) = step else { panic!() };
        let (_, events) = m.after(NOW, retry, Outcome::Ok, U);
        assert!(events.is_empty());
        // inspect() sees key 1 work again: healed.
        let healed = m.succeeded(0, NOW + 1);
        assert!(matches!(healed, Some(Event::Healed { slot: Some(1), .. })));
        assert!(m.succeeded(0, NOW + 2).is_none(), "nothing to heal twice");
        assert!(m.refused(1, NOW, U).is_some());
        assert!(m.refused(1, NOW, U).is_none(), "told once");
    }

    #[test]
    fn legacy_keys_are_expired_after_the_retirement() {
        let legacy = ApiKey::new("AAPKabcdefghijklmnopqrstuvwxyz0123456789").unwrap();
        let mut m = ManagerState::new(
            KeyRing::new(vec![(legacy, None)]).unwrap(),
            Thresholds::default(),
        );
        let after = crate::core::expiry::LEGACY_RETIREMENT_MS + DAY_MS;
        assert_eq!(m.status(0, after).unwrap().state, KeyState::Expired);
        let mut console = Vec::new();
        let events = m.warnings(after, &mut console);
        assert_eq!(names(&events), ["expired"]);
        let Event::Expiry(w) = &events[0] else {
            panic!()
        };
        assert!(w.legacy && w.slot.is_none());
        assert!(w.message.contains("API key credentials"), "{}", w.message);
        assert!(
            m.warnings(after + DAY_MS, &mut console).is_empty(),
            "fired once"
        );
        let before = crate::core::expiry::LEGACY_RETIREMENT_MS - 60 * DAY_MS;
        assert_eq!(m.status(0, before).unwrap().state, KeyState::Expiring);
    }

    #[test]
    fn a_403_is_read_with_the_referrer_list_or_asked() {
        let rules =
            ReferrerRules::new(&["https://app.example.com".to_string()], Default::default())
                .unwrap();
        assert_eq!(
            read_403(Some(&rules), Some("https://other.example/")),
            Read403::ReferrerNotAllowed
        );
        assert_eq!(read_403(Some(&rules), None), Read403::ReferrerNotAllowed);
        assert_eq!(
            read_403(Some(&rules), Some("https://app.example.com/")),
            Read403::Forbidden
        );
        assert_eq!(read_403(None, Some("https://x/")), Read403::AskPortal);
        let page = PageContext {
            href: "https://app.example.com/map/index.html".into(),
            policy: ReferrerPolicy::default(),
            opaque: false,
        };
        assert_eq!(
            page.referrer_for("https://www.arcgis.com/sharing/rest/portals/self")
                .as_deref(),
            Some("https://app.example.com/")
        );
    }

    #[test]
    fn service_names() {
        assert_eq!(service_name(U), "portal:portals/self");
        assert_eq!(service_name("https://h/x/y?z"), "h");
        assert_eq!(service_name("nonsense"), "other");
    }
}
