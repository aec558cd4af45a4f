//! Random keys, secrets and tokens shaped like a portal's, and the hash that is all it keeps of them.

use rand::distr::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

/// SHA-256 as hex.
pub fn sha256_hex(data: &[u8]) -> String {
    let d = Sha256::digest(data);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub(crate) fn random_hex(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A new random key for `slot`, shaped like a real one.
pub fn new_key(slot: u8) -> String {
    const BODY: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    let body: String = (0..120)
        .map(|_| char::from(BODY[rng.random_range(0..BODY.len())]))
        .collect();
    format!("AAPT{body}.AT{slot}_{}", random_string(8))
}
