//! Replays every input kept under `tests/fuzz-regressions/<target>/` (seeds, and any crasher
//! `make fuzz` ever found, once fixed) through the fuzz targets' bodies.
#![cfg(not(target_arch = "wasm32"))]

use apikey_credentials::fuzzing;

fn replay(target: &str, f: fn(&[u8])) -> usize {
    let dir = format!(
        "{}/tests/fuzz-regressions/{target}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        f(&data);
        n += 1;
    }
    assert!(n > 0, "no inputs in {dir}");
    n
}

#[test]
fn fuzz_regressions_replay_cleanly() {
    replay("referrer_pattern", fuzzing::referrer_pattern);
    replay("referrer_policy", fuzzing::referrer_policy);
    replay("portal_json", fuzzing::portal_json);
    replay("persisted_state", fuzzing::persisted_state);
    replay("key_strings", fuzzing::key_strings);
}
