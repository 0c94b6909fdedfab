//! Fuzz target `money`: see `../checks.rs` for what it checks and `../README.md` to run it.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::money(data));
