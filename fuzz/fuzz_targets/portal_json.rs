#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| apikey_credentials::fuzzing::portal_json(data));
