//! Replays the fuzz targets' seeds and saved regressions (`fuzz/seeds/TARGET/`,
//! `fuzz/regressions/TARGET/`) through the same checks the fuzzer runs
//! (`fuzz/checks.rs`), so every input that once broke a stage stays a plain test, with no
//! nightly toolchain needed. `fuzz/README.md` says how to fuzz for new ones.

use std::fs;
use std::path::Path;

#[path = "../fuzz/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let data = fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(
                result.is_ok(),
                "{target}: {} fails its check",
                path.display()
            );
            n += 1;
        }
    }
    assert!(n > 0, "no seeds for {target}");
}

#[test]
fn ingest_seeds_and_regressions() {
    replay("ingest", checks::ingest);
}

#[test]
fn segment_seeds_and_regressions() {
    replay("segment", checks::segment);
}

#[test]
fn money_seeds_and_regressions() {
    replay("money", checks::money);
}

#[test]
fn dates_seeds_and_regressions() {
    replay("dates", checks::dates);
}
