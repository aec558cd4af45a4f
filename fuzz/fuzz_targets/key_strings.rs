#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| apikey_credentials::fuzzing::key_strings(data));
