//! The credential manager's work with the portal: the request loop (failover, re-probes,
//! usage, the 403 rule), `inspect`, `preflight` and `refreshCredentials`, over any
//! [`Transport`]. Decisions come from [`crate::core::manager`]; what the platform must provide
//! (a clock, the page, delivering events, storage) comes through [`Host`]. The web layer
//! implements `Host` and converts; the native tests run this same code over scripted and real
//! HTTP transports.

use std::cell::RefCell;
use std::rc::Rc;

use super::client::{PortalClient, Transport};
use super::error::{classify, Envelope, Kind, PortalError};
use super::request::{self, Method};
use super::types::AppInfoJson;
use crate::core::expiry::{KeyStatus, Thresholds};
use crate::core::keyring::{DeadMark, KeyRing, Outcome, Step};
use crate::core::keys::ApiKey;
use crate::core::manager::{read_403, service_name, Event, ManagerState, PageContext, Read403};
use crate::core::persist::{Persisted, StorageProblem};
use crate::core::privileges::{grants, item_access_privilege, required_privilege};
use crate::core::referrer::policy::effective_referrer;
use crate::core::referrer::{ReferrerRules, RulesOptions};
use crate::core::time::{parse_http_date, Clock, Millis};

/// The default timeout of one manager operation (a request with its failover, an `inspect()`).
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// What the platform gives the manager.
pub trait Host: Clock {
    /// The page the manager runs in (`None` in Node or a worker).
    fn page(&self) -> Option<PageContext>;
    /// Tells listeners (called with no state borrowed: a listener may call the manager).
    fn deliver(&self, events: Vec<Event>);
    /// Writes the state to storage (`Ok` when the manager has none).
    fn store(&self, state: &Persisted) -> Result<(), StorageProblem>;
}

/// How a manager is set up (already validated).
#[derive(Debug, Clone)]
pub struct ManagerConfig {
    /// The portal URL (any form [`request::rest_root`] takes).
    pub portal: String,
    /// One or two keys with their known expirations; empty: the raw keys in `stored` (only
    /// with `persist_keys`).
    pub keys: Vec<(ApiKey, Option<Millis>)>,
    /// Warning thresholds.
    pub thresholds: Thresholds,
    /// Timeout of one operation.
    pub timeout_ms: u32,
    /// How long a dead mark is trusted.
    pub retry_window_ms: Millis,
    /// The keys' referrer list, when the app knows it (decides 403s locally).
    pub http_referrers: Option<Vec<String>>,
    /// Store the raw keys too.
    pub persist_keys: bool,
}

/// A manager's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagerError {
    /// A portal or service error (or a network one).
    Portal(PortalError),
    /// Every key is marked dead and no re-probe is due.
    AllDead {
        /// The message (keys masked).
        message: String,
        /// The portal's code, when a request just learnt it.
        portal_code: Option<i64>,
    },
    /// Bad setup.
    Invalid(crate::core::Error),
}

impl ManagerError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ManagerError::Portal(e) => e.code(),
            ManagerError::AllDead { .. } => "INVALID_TOKEN",
            ManagerError::Invalid(e) => e.code(),
        }
    }
}

impl From<PortalError> for ManagerError {
    fn from(e: PortalError) -> Self {
        ManagerError::Portal(e)
    }
}

/// What `inspect()` learnt of one key.
#[derive(Debug, Clone)]
pub struct KeyReport {
    /// The key and its status after the probe.
    pub key: StatusRow,
    /// It was marked dead and the portal accepted it now.
    pub healed: bool,
    /// What the portal says of it.
    pub app_info: Option<AppInfoJson>,
    /// The `Referer` this page sends to the portal (`None`: none).
    pub referrer_sent: Option<String>,
    /// Why none is sent, when none is.
    pub no_referrer_cause: Option<&'static str>,
    /// Whether the portal accepted this page's referrer (`None`: the answer does not say).
    pub accepted_by_portal: Option<bool>,
    /// The probe's error.
    pub error: Option<PortalError>,
}

/// How a request sends the key (see [`request::call`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sending {
    /// GET or POST for services other than the sharing API (GET when `None`).
    pub method: Option<Method>,
    /// On a GET, the key in `X-Esri-Authorization` instead of the query.
    pub header: bool,
}

/// A key's status row (`status()`).
#[derive(Debug, Clone)]
pub struct StatusRow {
    /// Slot (`None`: legacy).
    pub slot: Option<u8>,
    /// Mask.
    pub masked: String,
    /// Legacy key.
    pub legacy: bool,
    /// Status.
    pub status: KeyStatus,
    /// Dead mark.
    pub dead: Option<DeadMark>,
}

/// `preflight()`'s verdict on the referrer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerVerdict {
    /// The `Referer` this page will send (`None`: none).
    pub sent: Option<String>,
    /// Why none is sent.
    pub no_referrer_cause: Option<&'static str>,
    /// Allowed (`None`: unknown).
    pub allowed: Option<bool>,
    /// How it was decided: a checker reason, `ACCEPTED_BY_PORTAL`, `REFERRER_NOT_ALLOWED` or
    /// `UNKNOWN`.
    pub reason: String,
}

/// `preflight()`'s answer: can a call to a URL work with the key the manager would use?
#[derive(Debug, Clone)]
pub struct Preflight {
    /// Nothing stands in the way (and the key's privileges are known).
    pub ok: bool,
    /// The key's slot.
    pub slot: Option<u8>,
    /// Its mask.
    pub masked: String,
    /// The referrer verdict.
    pub referrer: ReferrerVerdict,
    /// Each privilege wanted: granted (`None`: not known).
    pub privileges: Vec<(String, Option<bool>)>,
    /// Each item wanted: access granted (`None`: not known).
    pub items: Vec<(String, Option<bool>)>,
    /// Problem codes: `REFERRER_NOT_ALLOWED`, `MISSING_PRIVILEGE`, `MISSING_ITEM_ACCESS`, or a
    /// portal error code.
    pub problems: Vec<&'static str>,
}

/// The manager: its keys and their state, the portal client, and the platform.
pub struct Manager<T, H> {
    client: PortalClient<T>,
    state: RefCell<ManagerState>,
    app_info: RefCell<Vec<Option<AppInfoJson>>>,
    rules: Option<ReferrerRules>,
    timeout_ms: u32,
    persist_keys: bool,
    console_seen: Rc<RefCell<Vec<String>>>,
    /// The platform.
    pub host: H,
}

impl<T: Transport + Clone, H: Host> Manager<T, H> {
    /// A manager. `stored` is what storage held (already validated); `console_seen` the page's
    /// list of keys already warned about on the console (shared by its managers).
    pub fn new(
        transport: T,
        host: H,
        config: ManagerConfig,
        stored: Option<&Persisted>,
        console_seen: Rc<RefCell<Vec<String>>>,
    ) -> Result<Self, ManagerError> {
        let client = PortalClient::new(transport, &config.portal)?;
        let keys = if config.keys.is_empty() {
            stored
                .filter(|_| config.persist_keys)
                .and_then(|p| p.raw_keys.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|k| ApiKey::new(k).map(|k| (k, None)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(ManagerError::Invalid)?
        } else {
            config.keys
        };
        if keys.is_empty() {
            return Err(ManagerError::Invalid(crate::core::Error::invalid(
                "options.keys",
                "one or two API keys are required.",
            )));
        }
        let rules = match &config.http_referrers {
            Some(list) => Some(
                ReferrerRules::new(list, RulesOptions::default()).map_err(ManagerError::Invalid)?,
            ),
            None => None,
        };
        let ring = KeyRing::new(keys)
            .map_err(ManagerError::Invalid)?
            .with_retry_window(config.retry_window_ms);
        let n = ring.entries().len();
        let mut state = ManagerState::new(ring, config.thresholds);
        if let Some(p) = stored {
            state.apply(p, host.now_ms());
        }
        Ok(Manager {
            client,
            state: RefCell::new(state),
            app_info: RefCell::new(vec![None; n]),
            rules,
            timeout_ms: config.timeout_ms,
            persist_keys: config.persist_keys,
            console_seen,
            host,
        })
    }

    /// The portal's sharing REST root.
    pub fn root(&self) -> &str {
        self.client.root()
    }

    /// The state (keys, usage), to read.
    pub fn state(&self) -> std::cell::Ref<'_, ManagerState> {
        self.state.borrow()
    }

    /// The time expiry decisions use now (the portal's, when the clocks differ).
    pub fn now(&self) -> Millis {
        self.state.borrow().now(self.host.now_ms())
    }

    /// Gives the expiry warnings due now.
    pub fn evaluate(&self) {
        let now = self.now();
        let events = self
            .state
            .borrow_mut()
            .warnings(now, &mut self.console_seen.borrow_mut());
        self.host.deliver(events);
    }

    /// Takes in the portal's `Date` header.
    fn observe_date(&self, date: Option<&str>) {
        let Some(portal) = date.and_then(parse_http_date) else {
            return;
        };
        let event = self
            .state
            .borrow_mut()
            .observe_portal_time(portal, self.host.now_ms());
        if let Some(e) = event {
            self.host.deliver(vec![e]);
            self.evaluate();
        }
    }

    /// Writes the state; a failure is told as a `storageError`.
    pub fn save(&self) {
        let snapshot = self.state.borrow().snapshot(self.root(), self.persist_keys);
        if let Err(problem) = self.host.store(&snapshot) {
            self.host.deliver(vec![Event::StorageError {
                reason: problem.as_str(),
                message: "Could not write the manager's state to storage (quota exceeded or storage disabled); it is kept in memory.",
            }]);
        }
    }

    /// Takes in another tab's stored state.
    pub fn apply_stored(&self, stored: &Persisted) {
        let now = self.now();
        self.state.borrow_mut().apply(stored, now);
    }

    /// The raw key at `i` (empty when out of range).
    fn raw_key(&self, i: usize) -> String {
        self.state
            .borrow()
            .ring
            .get(i)
            .map(|e| e.key.expose().to_string())
            .unwrap_or_default()
    }

    /// The deadline of an operation starting now.
    fn deadline(&self) -> Millis {
        self.host
            .now_ms()
            .saturating_add(i64::from(self.timeout_ms))
    }

    fn all_dead(&self, last: Option<&PortalError>) -> ManagerError {
        ManagerError::AllDead {
            message: self.state.borrow().all_dead_message(self.now()),
            portal_code: last.and_then(|e| e.portal_code).or(Some(498)),
        }
    }

    /// Key `i`'s status row at `now`.
    fn row(&self, i: usize, now: Millis) -> Option<StatusRow> {
        let st = self.state.borrow();
        let e = st.ring.get(i)?;
        Some(StatusRow {
            slot: e.slot,
            masked: e.key.masked(),
            legacy: e.is_legacy(),
            status: st.status(i, now)?,
            dead: e.dead.clone(),
        })
    }

    /// Status rows of every key now.
    pub fn status(&self) -> Vec<StatusRow> {
        let now = self.now();
        let n = self.state.borrow().ring.entries().len();
        (0..n).filter_map(|i| self.row(i, now)).collect()
    }

    /// The key to use now (`getToken`), when that needs no request: `None` when every key is
    /// marked dead and a re-probe is due (then [`Manager::token`]). The common case answers at
    /// once, so a caller can hand out a settled promise.
    pub fn token_now(&self, url: Option<&str>) -> Option<Result<String, ManagerError>> {
        self.evaluate();
        let now = self.now();
        let pick = self.state.borrow().ring.pick(now);
        let i = match pick {
            Some(i) => i,
            None if self.state.borrow().ring.probe_due(now) => return None,
            None => return Some(Err(self.all_dead(None))),
        };
        if let Some(u) = url {
            self.state.borrow_mut().record(i, &service_name(u), None);
        }
        Some(Ok(self.raw_key(i)))
    }

    /// The key to use now (`getToken`). When every key is marked dead and a re-probe is due,
    /// the keys are probed with `portals/self` first; a key the portal accepts heals and is
    /// handed out.
    pub async fn token(&self, url: Option<&str>) -> Result<String, ManagerError> {
        if let Some(answer) = self.token_now(url) {
            return answer;
        }
        // The probe round starts now (begin() restarts the window, so no concurrent call
        // probes too).
        let now = self.now();
        if !matches!(self.state.borrow_mut().begin(now), Step::Send(s) if s.probe) {
            return self
                .token_now(url)
                .unwrap_or_else(|| Err(self.all_dead(None)));
        }
        self.probe_all(self.deadline()).await;
        self.save();
        self.token_now(url)
            .unwrap_or_else(|| Err(self.all_dead(None)))
    }

    /// Asks the portal about every key in turn, within `deadline` (see [`Manager::probe`]).
    async fn probe_all(&self, deadline: Millis) -> Vec<Result<bool, PortalError>> {
        let n = self.state.borrow().ring.entries().len();
        let mut probes = Vec::with_capacity(n);
        for i in 0..n {
            probes.push(self.probe(i, deadline).await);
        }
        probes
    }

    /// After a 498 seen by Esri's client (`refreshCredentials`): checks the current key with
    /// `portals/self`, marks it dead when the portal refuses it, and fails over. `Ok` while a
    /// key is left.
    pub async fn refresh(&self) -> Result<(), ManagerError> {
        let now = self.now();
        let Some(i) = self.state.borrow().ring.pick(now) else {
            return Err(self.all_dead(None));
        };
        let client = self.client.until(self.deadline());
        let key = self.raw_key(i);
        let answer = client.portal_self(Some(&key)).await;
        if let Err(e) = answer {
            if e.kind == Kind::InvalidToken {
                let sent = crate::core::keyring::Sent {
                    index: i,
                    attempt: 0,
                    probe: false,
                };
                let url = format!("{}/portals/self", self.root());
                let (step, events) =
                    self.state
                        .borrow_mut()
                        .after(now, sent, Outcome::InvalidToken, &url);
                self.host.deliver(events);
                self.save();
                if !matches!(step, Step::Send(_)) {
                    return Err(self.all_dead(Some(&e)));
                }
            }
        }
        Ok(())
    }

    /// One send: the parsed JSON, or a typed error. The body is parsed by the platform and
    /// handed back as it is.
    async fn send_once(
        &self,
        url: &str,
        params: &[(String, String)],
        key: &str,
        how: Sending,
        deadline: Millis,
    ) -> Result<T::Json, PortalError> {
        let mut req = request::call(url, params.to_vec(), key, how.method, how.header);
        req.deadline = Some(deadline);
        let answer = self.client.transport().send_json(&req).await?;
        self.observe_date(answer.date.as_deref());
        let (status, json) = (answer.status, answer.body);
        // Errors first (either style), read from the parsed value; then the value itself.
        if let Some(e) = classify(status, json.as_ref().map(Envelope::read)) {
            return Err(e);
        }
        json.ok_or_else(|| {
            PortalError::new(
                Kind::BadResponse,
                "The response is not JSON (or is truncated).",
            )
        })
    }

    /// REFERRER_NOT_ALLOWED or FORBIDDEN for a 403 from `url` with `key` (see
    /// [`read_403`]).
    async fn read_403(&self, key: &str, url: &str, deadline: Millis) -> Kind {
        let sent = self.host.page().and_then(|p| p.referrer_for(url));
        match read_403(self.rules.as_ref(), sent.as_deref()) {
            Read403::ReferrerNotAllowed => Kind::ReferrerNotAllowed,
            Read403::Forbidden => Kind::Forbidden,
            Read403::AskPortal => match self.client.until(deadline).portal_self(Some(key)).await {
                Err(e) if e.kind == Kind::Forbidden => Kind::ReferrerNotAllowed,
                _ => Kind::Forbidden,
            },
        }
    }

    /// Calls `url` with the best key: on a 498 marks the key dead and retries once with the
    /// other; never retries other errors. When every key is marked dead, a re-probe is sent
    /// once per retry window, else the call is refused with `INVALID_TOKEN` without a request.
    /// The whole call, failover included, is over within the timeout.
    pub async fn request(
        &self,
        url: &str,
        params: Vec<(String, String)>,
        how: Sending,
    ) -> Result<T::Json, ManagerError> {
        let service = service_name(url);
        // A page may stay open while a key crosses a warning threshold: check on every call
        // (each key and state is reported once, so this is cheap and quiet).
        self.evaluate();
        let deadline = self.deadline();
        let now = self.now();
        let mut step = self.state.borrow_mut().begin(now);
        let mut last: Option<Result<T::Json, PortalError>> = None;
        loop {
            match step {
                Step::AllDead => {
                    let err = last.and_then(|r| r.err());
                    return Err(self.all_dead(err.as_ref()));
                }
                Step::Done => {
                    return match last {
                        Some(Ok(v)) => Ok(v),
                        Some(Err(e)) => Err(ManagerError::Portal(e)),
                        None => Err(self.all_dead(None)),
                    };
                }
                Step::Send(sent) => {
                    let key = self.raw_key(sent.index);
                    let mut result = self.send_once(url, &params, &key, how, deadline).await;
                    if let Err(e) = &mut result {
                        if e.kind == Kind::Forbidden {
                            e.kind = self.read_403(&key, url, deadline).await;
                        }
                    }
                    let failure = result.as_ref().err().map(PortalError::code);
                    let outcome = match &result {
                        Ok(_) => Outcome::Ok,
                        Err(e) if e.kind == Kind::InvalidToken => Outcome::InvalidToken,
                        Err(_) => Outcome::OtherError,
                    };
                    let (next, events) = {
                        let mut st = self.state.borrow_mut();
                        st.record(sent.index, &service, failure);
                        st.after(now, sent, outcome, url)
                    };
                    // Requests in flight together all learn of a dead key; the first tells
                    // the listeners, the others retry with the other key quietly.
                    self.host.deliver(events);
                    self.save();
                    step = next;
                    last = Some(result);
                }
            }
        }
    }

    /// Asks the portal about key `i` (`portals/self` → `appInfo`): records its expiration and
    /// privileges, heals its mark when accepted, marks it dead on a 498, and reads a 403 as
    /// the referrer (`portals/self` needs no privilege). `Ok(healed)`.
    async fn probe(&self, i: usize, deadline: Millis) -> Result<bool, PortalError> {
        let key = self.raw_key(i);
        let client = self.client.until(deadline);
        match client.portal_self(Some(&key)).await {
            Ok((s, raw)) => {
                self.observe_date(raw.date.as_deref());
                let now = self.now();
                if let Some(info) = s.app_info {
                    let exp = info
                        .expiration_date
                        .and_then(crate::core::time::millis_from_f64);
                    self.state.borrow_mut().ring.set_expiry(i, exp);
                    if let Some(slot) = self.app_info.borrow_mut().get_mut(i) {
                        *slot = Some(info);
                    }
                }
                let healed = self.state.borrow_mut().succeeded(i, now);
                let was_dead = healed.is_some();
                self.host.deliver(healed.into_iter().collect());
                Ok(was_dead)
            }
            Err(mut e) => {
                if e.kind == Kind::InvalidToken {
                    let now = self.now();
                    let url = format!("{}/portals/self", self.root());
                    let event = self.state.borrow_mut().refused(i, now, &url);
                    self.host.deliver(event.into_iter().collect());
                } else if e.kind == Kind::Forbidden {
                    e.kind = Kind::ReferrerNotAllowed;
                }
                Err(e)
            }
        }
    }

    /// Asks the portal about every key, whatever its marks: expiration, privileges, whether
    /// this page's referrer is accepted. Heals keys the portal accepts, marks those it
    /// refuses, fires the expiry warnings. Over within the timeout.
    pub async fn inspect(&self) -> Vec<KeyReport> {
        let prediction = self
            .host
            .page()
            .and_then(|p| effective_referrer(&p.href, self.root(), p.policy, p.opaque).ok());
        let probes = self.probe_all(self.deadline()).await;
        self.save();
        self.evaluate();
        let now = self.now();
        probes
            .into_iter()
            .enumerate()
            .filter_map(|(i, probe)| {
                let (healed, error) = match probe {
                    Ok(h) => (h, None),
                    Err(err) => (false, Some(err)),
                };
                Some(KeyReport {
                    key: self.row(i, now)?,
                    healed,
                    app_info: self.app_info.borrow().get(i).cloned().flatten(),
                    referrer_sent: prediction.as_ref().and_then(|p| p.referrer.clone()),
                    no_referrer_cause: prediction
                        .as_ref()
                        .and_then(|p| p.cause.map(|c| c.as_str())),
                    accepted_by_portal: match &error {
                        Some(err) if err.kind == Kind::ReferrerNotAllowed => Some(false),
                        Some(_) => None,
                        None => Some(true),
                    },
                    error,
                })
            })
            .collect()
    }

    /// Whether a call to `url` can work with the key the manager would use: the referrer this
    /// page will send, the privilege the service needs (and any listed), and access to
    /// `item_ids`. Asks the portal about the key once if its privileges are not known yet.
    pub async fn preflight(
        &self,
        url: &str,
        privileges: Vec<String>,
        item_ids: Vec<String>,
    ) -> Result<Preflight, ManagerError> {
        let now = self.now();
        let Some(i) = self.state.borrow().ring.pick(now) else {
            return Err(self.all_dead(None));
        };
        let mut portal_error: Option<PortalError> = None;
        if self.app_info.borrow().get(i).is_none_or(Option::is_none) {
            portal_error = self.probe(i, self.deadline()).await.err();
        }
        let granted: Option<Vec<String>> = self
            .app_info
            .borrow()
            .get(i)
            .cloned()
            .flatten()
            .map(|a| a.privileges);
        let prediction = self
            .host
            .page()
            .and_then(|p| effective_referrer(&p.href, url, p.policy, p.opaque).ok());
        let sent = prediction.as_ref().and_then(|p| p.referrer.clone());
        let mut problems: Vec<&'static str> = Vec::new();
        let (allowed, reason) = match (&self.rules, &portal_error) {
            (Some(r), _) => {
                let d = r.check(sent.as_deref());
                (Some(d.allowed), d.reason.as_str().to_string())
            }
            (None, Some(e)) if e.kind == Kind::ReferrerNotAllowed => {
                (Some(false), "REFERRER_NOT_ALLOWED".to_string())
            }
            (None, Some(_)) => (None, "UNKNOWN".to_string()),
            (None, None) => (Some(true), "ACCEPTED_BY_PORTAL".to_string()),
        };
        if allowed == Some(false) {
            problems.push("REFERRER_NOT_ALLOWED");
        }
        if let Some(e) = portal_error
            .as_ref()
            .filter(|e| e.kind != Kind::ReferrerNotAllowed)
        {
            problems.push(e.code());
        }
        let mut wanted = privileges;
        if let Some((p, _)) = required_privilege(url) {
            if !wanted.iter().any(|w| w == p) {
                wanted.insert(0, p.to_string());
            }
        }
        let verdict = |ok: bool, missing: &'static str, problems: &mut Vec<&'static str>| {
            granted.as_ref().map(|_| {
                if !ok {
                    problems.push(missing);
                }
                ok
            })
        };
        let has = |p: &str| granted.as_ref().is_some_and(|g| grants(g, p));
        let privileges = wanted
            .into_iter()
            .map(|p| {
                let v = verdict(has(&p), "MISSING_PRIVILEGE", &mut problems);
                (p, v)
            })
            .collect();
        let items = item_ids
            .into_iter()
            .map(|id| {
                let ok = granted
                    .as_ref()
                    .is_some_and(|g| g.contains(&item_access_privilege(&id)));
                let v = verdict(ok, "MISSING_ITEM_ACCESS", &mut problems);
                (id, v)
            })
            .collect();
        let (slot, masked) = self
            .state
            .borrow()
            .ring
            .get(i)
            .map_or((None, String::new()), |e| (e.slot, e.key.masked()));
        Ok(Preflight {
            ok: problems.is_empty() && granted.is_some(),
            slot,
            masked,
            referrer: ReferrerVerdict {
                sent,
                no_referrer_cause: prediction.and_then(|p| p.cause.map(|c| c.as_str())),
                allowed,
                reason,
            },
            privileges,
            items,
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::client::RawResponse;
    use crate::portal::request::PortalRequest;
    use std::cell::Cell;

    const K1: &str = "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT1_aaaaaaaa";
    const K2: &str = "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT2_bbbbbbbb";
    const PORTAL: &str = "https://p.example/portal";
    const SELF_URL: &str = "https://p.example/portal/sharing/rest/portals/self";
    const FOREIGN: &str = "https://foreign.example/thing";

    /// `(url, key) → (status, body)`.
    type Answer = Rc<dyn Fn(&str, &str) -> (u16, String)>;
    /// `(url, key)` of every request sent.
    type Log = Rc<RefCell<Vec<(String, String)>>>;

    /// A portal in a closure; every request is logged.
    #[derive(Clone)]
    struct Scripted {
        answer: Answer,
        log: Log,
        deadlines: Rc<RefCell<Vec<Option<Millis>>>>,
    }

    impl Transport for Scripted {
        type Json = serde_json::Value;

        async fn send(&self, req: &PortalRequest) -> Result<RawResponse, PortalError> {
            let key = req.token.clone().unwrap_or_default();
            self.log.borrow_mut().push((req.url.clone(), key.clone()));
            self.deadlines.borrow_mut().push(req.deadline);
            let (status, body) = (self.answer)(&req.url, &key);
            Ok(RawResponse {
                status,
                body,
                date: None,
            })
        }

        fn parse(&self, text: &str) -> Option<serde_json::Value> {
            serde_json::from_str(text).ok()
        }
    }

    /// A host with a settable clock that records events and stored states.
    #[derive(Default)]
    struct TestHost {
        now: Cell<Millis>,
        events: RefCell<Vec<Event>>,
        stored: RefCell<Option<Persisted>>,
    }

    impl Clock for TestHost {
        fn now_ms(&self) -> Millis {
            self.now.get()
        }
    }

    impl Host for TestHost {
        fn page(&self) -> Option<PageContext> {
            None
        }
        fn deliver(&self, events: Vec<Event>) {
            self.events.borrow_mut().extend(events);
        }
        fn store(&self, state: &Persisted) -> Result<(), StorageProblem> {
            *self.stored.borrow_mut() = Some(state.clone());
            Ok(())
        }
    }

    use crate::portal::testing::run;

    const OK: &str = r#"{"appInfo":{"appId":"a","appTitle":"t","itemId":"i","expirationDate":-1,"privileges":["premium:user:basemaps"]}}"#;
    const INVALID: &str = r#"{"error":{"code":498,"message":"Invalid token.","details":[]}}"#;

    fn manager(
        answer: impl Fn(&str, &str) -> (u16, String) + 'static,
        stored: Option<&Persisted>,
        now: Millis,
    ) -> (Manager<Scripted, TestHost>, Log) {
        let log = Rc::new(RefCell::new(Vec::new()));
        let t = Scripted {
            answer: Rc::new(answer),
            log: log.clone(),
            deadlines: Rc::default(),
        };
        let host = TestHost::default();
        host.now.set(now);
        let config = ManagerConfig {
            portal: PORTAL.into(),
            keys: vec![
                (ApiKey::new(K1).unwrap(), Some(now + 300 * 86_400_000)),
                (ApiKey::new(K2).unwrap(), Some(now + 200 * 86_400_000)),
            ],
            thresholds: Thresholds::default(),
            timeout_ms: 1_000,
            retry_window_ms: 600_000,
            http_referrers: None,
            persist_keys: false,
        };
        let m = Manager::new(t, host, config, stored, Rc::default()).unwrap();
        (m, log)
    }

    fn event_names(m: &Manager<Scripted, TestHost>) -> Vec<&'static str> {
        m.host
            .events
            .borrow()
            .iter()
            .map(|e| match e {
                Event::Expiry(_) => "expiry",
                Event::Invalid { .. } => "invalid",
                Event::Failover { .. } => "failover",
                Event::Healed { .. } => "healed",
                Event::StorageError { .. } => "storageError",
                Event::ClockSkew { .. } => "clockSkew",
            })
            .collect()
    }

    /// The production failure: one 498 from a URL that is not the portal, with both keys, and
    /// storage. Before: both keys dead for good, even after a reload and a successful
    /// inspect(). Now: the reload keeps the marks for the retry window, inspect() heals the
    /// keys the portal accepts, and requests work again.
    #[test]
    fn a_foreign_498_does_not_strand_the_keys() {
        let portal_ok = |url: &str, _: &str| {
            if url.starts_with(FOREIGN) {
                (200, INVALID.to_string())
            } else {
                (200, OK.to_string())
            }
        };
        let (m, log) = manager(portal_ok, None, 1_000);
        let err = run(m.request(FOREIGN, vec![], Sending::default())).unwrap_err();
        assert_eq!(err.code(), "INVALID_TOKEN");
        assert_eq!(log.borrow().len(), 2, "one try per key");
        assert!(m.state().ring.all_dead());
        assert_eq!(event_names(&m), ["invalid", "failover", "invalid"]);
        let stored = m.host.stored.borrow().clone().unwrap();
        assert_eq!(
            stored.keys[0].dead.as_ref().map(|d| d.url.as_str()),
            Some(FOREIGN)
        );
        // A reload within the window: the marks come back, so no request is sent...
        let (m2, log2) = manager(portal_ok, Some(&stored), 2_000);
        assert!(matches!(
            run(m2.request(SELF_URL, vec![], Sending::default())),
            Err(ManagerError::AllDead { .. })
        ));
        assert!(log2.borrow().is_empty());
        // ...until inspect() asks the portal, which accepts both keys: healed.
        let reports = run(m2.inspect());
        assert!(reports
            .iter()
            .all(|r| r.healed && r.key.dead.is_none() && r.error.is_none()));
        assert_eq!(event_names(&m2), ["healed", "healed"]);
        assert!(run(m2.request(SELF_URL, vec![], Sending::default())).is_ok());
        // A reload after the window: the old marks are not restored at all.
        let (m3, _) = manager(portal_ok, Some(&stored), 1_000 + 600_000);
        assert!(!m3.state().ring.all_dead());
        assert!(run(m3.request(SELF_URL, vec![], Sending::default())).is_ok());
    }

    #[test]
    fn every_key_dead_is_reprobed_once_per_window() {
        let accepted = Rc::new(Cell::new(false));
        let a = accepted.clone();
        let (m, log) = manager(
            move |_, _| {
                if a.get() {
                    (200, OK.into())
                } else {
                    (200, INVALID.into())
                }
            },
            None,
            0,
        );
        run(m.request(SELF_URL, vec![], Sending::default())).unwrap_err();
        assert_eq!(log.borrow().len(), 2);
        m.host.now.set(599_999);
        run(m.request(SELF_URL, vec![], Sending::default())).unwrap_err();
        assert_eq!(
            log.borrow().len(),
            2,
            "refused without a request inside the window"
        );
        // The portal accepts the keys again (a regenerated key redeployed): at the window,
        // one request probes, and it works.
        accepted.set(true);
        m.host.now.set(600_000);
        run(m.request(SELF_URL, vec![], Sending::default())).unwrap();
        assert_eq!(log.borrow().len(), 3);
        assert!(event_names(&m).contains(&"healed"));
        // getToken re-probes too, with portals/self.
        accepted.set(false);
        m.host.now.set(700_000);
        run(m.request(SELF_URL, vec![], Sending::default())).unwrap_err();
        accepted.set(true);
        m.host.now.set(1_400_000);
        assert_eq!(run(m.token(None)).unwrap(), K1);
    }

    /// A 403 without the key's referrer list: `portals/self` with the same key decides.
    #[test]
    fn a_403_is_classified_by_asking_the_portal() {
        let forbidden = r#"{"error":{"code":403,"message":"You do not have permissions."}}"#;
        let (m, log) = manager(move |_, _| (200, forbidden.into()), None, 0);
        let e = run(m.request(FOREIGN, vec![], Sending::default())).unwrap_err();
        assert_eq!(e.code(), "REFERRER_NOT_ALLOWED");
        assert_eq!(log.borrow()[1].0, SELF_URL);
        let (m, _) = manager(
            move |url, _| {
                if url == SELF_URL {
                    (200, OK.into())
                } else {
                    (200, forbidden.into())
                }
            },
            None,
            0,
        );
        assert_eq!(
            run(m.request(FOREIGN, vec![], Sending::default()))
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
        assert!(!m.state().ring.all_dead(), "a 403 never marks a key dead");
    }

    /// The three bodies that froze the page come back as bounded errors.
    #[test]
    fn hostile_error_bodies_settle_bounded() {
        let huge = format!(
            r#"{{"error":{{"code":400,"message":"{}","details":["{}"]}}}}"#,
            "m".repeat(400_000),
            "d".repeat(200_000)
        );
        let (m, _) = manager(move |_, _| (200, huge.clone()), None, 0);
        let started = std::time::Instant::now();
        let ManagerError::Portal(e) =
            run(m.request(SELF_URL, vec![], Sending::default())).unwrap_err()
        else {
            panic!("a portal error")
        };
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(e.to_string().chars().count() <= 1_001);
    }

    /// One operation, one deadline: the retry after a 498, and the portals/self that reads a
    /// 403, get only what is left of the first send's timeout, not a timeout of their own.
    #[test]
    fn one_deadline_per_operation() {
        let (m, _) = manager(|_, _| (200, INVALID.into()), None, 5_000);
        run(m.request(SELF_URL, vec![], Sending::default())).unwrap_err();
        let seen = m.client.transport().deadlines.borrow().clone();
        assert_eq!(
            seen,
            [Some(6_000), Some(6_000)],
            "start + timeoutMs, both sends"
        );
        let forbidden = r#"{"error":{"code":403,"message":"No."}}"#;
        let (m, _) = manager(move |_, _| (200, forbidden.into()), None, 5_000);
        run(m.request(FOREIGN, vec![], Sending::default())).unwrap_err();
        let seen = m.client.transport().deadlines.borrow().clone();
        assert_eq!(seen, [Some(6_000), Some(6_000)]);
        let (m, _) = manager(|_, _| (200, OK.into()), None, 5_000);
        run(m.inspect());
        let seen = m.client.transport().deadlines.borrow().clone();
        assert_eq!(
            seen,
            [Some(6_000), Some(6_000)],
            "inspect: both keys within one timeout"
        );
    }
}
