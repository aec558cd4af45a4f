//! The HTTP layer: the sharing REST API under `/portal/sharing/rest`, two location services
//! (basemap styles with their tiles, geocoding) under `/arcgis/rest/services`, and a few
//! emulator-only helpers under `/emulator`.
//!
//! The sharing API answers errors the way the portal does, with HTTP 200 and an `error` body; the
//! location services use real HTTP statuses (498/499→401/403), as the newer Esri hosts do. Both
//! styles therefore reach the clients under test.

mod auth;
mod helpers;
mod http;
mod land;
mod oauth;
mod params;
mod services;
mod shapes;
mod sharing;
mod tiles;

pub use helpers::{
    demo_login, error_body, error_body_anywhere, expire_sign_ins, not_json, seeded_keys, slow,
    stats, status, truncated,
};
pub use http::{date_header, error_json, not_found};
pub use services::service;
pub use sharing::sharing;

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use crate::config::LogLevel;
use crate::log;
use crate::seed::SeededKey;
use crate::state::{Millis, PortalError, State};
use crate::store::Store;

/// Request bodies larger than this are refused (413).
pub const MAX_BODY: usize = 1024 * 1024;

/// Request counters (for the benchmarks: failover must cost exactly one extra round trip).
#[derive(Debug, Default)]
pub struct Stats {
    /// Every API request.
    pub total: AtomicU64,
    /// Requests that carried an API key.
    pub with_key: AtomicU64,
    /// Requests answered with an error.
    pub errors: AtomicU64,
    /// CORS preflights (`OPTIONS` with `Access-Control-Request-Method`), any path.
    pub preflights: AtomicU64,
}

/// What the handlers share.
pub struct Shared {
    /// The portal's data.
    pub state: Mutex<State>,
    /// Where it is persisted.
    pub store: Option<Store>,
    /// Added to the system clock.
    pub clock_offset_ms: i64,
    /// Log threshold.
    pub log: LogLevel,
    /// Seeded raw keys (memory only).
    pub seeded: Mutex<Vec<SeededKey>>,
    /// Counters.
    pub stats: Stats,
    /// The seeded owner's login, when seeded in this run (shown as a hint by the demo page).
    pub demo_login: Option<(String, String)>,
    /// The demo's OAuth app, when seeded in this run.
    pub oauth_client_id: Option<String>,
    /// The origins allowed to call `/emulator/*`: the emulator's own, and `--helper-origin`s.
    pub helper_origins: Vec<String>,
}

impl Shared {
    /// The emulator's clock.
    pub fn now(&self) -> Millis {
        chrono::Utc::now()
            .timestamp_millis()
            .saturating_add(self.clock_offset_ms)
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another request panicked mid-way; the data is still the
        // last consistent state, since every operation validates before it writes.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn persist(&self, state: &State) -> Result<(), PortalError> {
        if let Some(store) = &self.store {
            store.save(state).map_err(|e| {
                log::line(
                    self.log,
                    LogLevel::Error,
                    &format!("event=persist_failed error={e:?}"),
                );
                PortalError::new(500, "Unable to save the change.")
            })?;
        }
        Ok(())
    }
}
