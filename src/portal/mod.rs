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
