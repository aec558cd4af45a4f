//! The portal's REST contract: request builders, response types and error mapping, behind a
//! small transport trait so that everything is testable natively.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod client;
pub mod error;
pub mod manager;
pub mod owner;
pub mod request;
pub mod types;

pub use client::{JsonResponse, PortalClient, RawResponse, Transport};
pub use error::{Kind, PortalError};

/// What the portal layer's unit tests share.
#[cfg(test)]
pub(crate) mod testing {
    use core::future::Future;

    /// Runs a future whose transport answers at once (no executor needed).
    pub fn run<F: Future>(f: F) -> F::Output {
        let mut f = core::pin::pin!(f);
        let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            core::task::Poll::Ready(v) => v,
            core::task::Poll::Pending => panic!("the scripted transport never waits"),
        }
    }
}
