#![no_main]
//! See `digestlens_fuzz::document` for what is fuzzed and which properties are checked.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| digestlens_fuzz::document(data));
