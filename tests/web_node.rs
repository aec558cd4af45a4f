//! Boundary tests in Node (`cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

#[path = "web/boundary.rs"]
mod boundary;

#[path = "web/support.rs"]
mod support;

#[path = "web/manager.rs"]
mod manager;

#[path = "web/owner.rs"]
mod owner;
