//! Boundary tests in Node (`cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

#[path = "web/common.rs"]
mod common;

#[path = "web/manager.rs"]
mod manager;

#[path = "web/owner.rs"]
mod owner;
