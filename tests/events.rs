//! The event suite: single sentences in wire, business and politics style, each with every
//! event it must yield (or none), scored by `gazette::eval` exactly as
//! `gazette eval events` does.
//!
//! - `tests/data/events/dev.jsonl`: the development set (the rules were tuned on it).
//! - `tests/data/events/heldout.jsonl`: written before any tuning; never tuned on.
//!
//! Cases that must yield nothing must all yield nothing. The other figures are floors
//! (ratchets): raise them when the assembler or an upstream stage improves; a drop fails.
//! Run `gazette eval events FILE --verbose` to see every miss.

use std::path::PathBuf;

use gazette::eval::{self, Report};
use gazette::{Pipeline, PipelineOptions};

fn run(file: &str) -> Report {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/events")
        .join(file);
    let gold = eval::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    let report = eval::evaluate(&pipeline, &gold);
    eprintln!("{file}:\n{report}");
    report
}

fn check(report: &Report, min_p: f64, min_r: f64, min_roles: f64) {
    let failures: Vec<String> = report
        .failures()
        .map(|d| {
            let mut s = format!("== {}", d.id);
            for m in &d.missed {
                s.push_str(&format!("\n  missed   {m}"));
            }
            for x in &d.spurious {
                s.push_str(&format!("\n  spurious {x}"));
            }
            for r in &d.role_errors {
                s.push_str(&format!("\n  role     {r}"));
            }
            s
        })
        .collect();
    let detail = failures.join("\n");
    assert_eq!(
        report.empty.correct, report.empty.total,
        "sentences that must yield nothing yielded events:\n{detail}"
    );
    assert!(
        report.precision() >= min_p,
        "precision {:.3} < {min_p}\n{detail}",
        report.precision()
    );
    assert!(
        report.recall() >= min_r,
        "recall {:.3} < {min_r}\n{detail}",
        report.recall()
    );
    assert!(
        report.role_accuracy() >= min_roles,
        "role accuracy {:.3} < {min_roles}\n{detail}",
        report.role_accuracy()
    );
}

#[test]
fn suite_is_big_enough() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/events/dev.jsonl");
    let gold = eval::load(&path).unwrap();
    assert!(gold.len() >= 150, "at least 150 sentences");
    assert!(gold.iter().filter(|d| d.events.is_empty()).count() >= 25);
}

#[test]
fn dev_suite() {
    check(&run("dev.jsonl"), 0.92, 0.92, 0.92);
}

#[test]
fn heldout_suite() {
    check(&run("heldout.jsonl"), 0.93, 0.92, 0.90);
}
