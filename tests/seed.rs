//! Acceptance on the user's seed article (`../shared/seeds/tokyo-minerals-pact.txt`, read
//! in place, never copied) with `--published 2025-10-27`.
//!
//! The expected events are data: `tests/data/seed/tokyo-minerals-pact.jsonl` (gold format
//! of `gazette eval events`). Events marked `"key": "issue2"` are the acceptance of issue
//! #2 (the visit to Tokyo on Monday, the minerals signing, Japan's $550 billion pledge, the
//! meeting with Emperor Naruhito); the whole file is issue #8's "every event once, roles as
//! a reader would fill them".

use std::path::PathBuf;

use gazette::eval::{self, GoldDoc};
use gazette::{Pipeline, PipelineOptions};

fn gold() -> GoldDoc {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed/tokyo-minerals-pact.jsonl");
    let mut docs = eval::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(docs.len(), 1, "one seed document");
    docs.remove(0)
}

fn problems(gold: &GoldDoc, check_spurious: bool) -> Vec<String> {
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    let report = eval::evaluate(&pipeline, std::slice::from_ref(gold));
    let d = &report.docs[0];
    let mut out: Vec<String> = d.missed.iter().map(|m| format!("missed {m}")).collect();
    out.extend(d.role_errors.iter().map(|r| format!("role {r}")));
    if check_spurious {
        out.extend(d.spurious.iter().map(|s| format!("extra or duplicate {s}")));
    }
    out
}

#[test]
fn issue2_key_events_come_out_with_their_roles() {
    let mut g = gold();
    g.events
        .retain(|e| e.get("key").and_then(|k| k.as_str()) == Some("issue2"));
    assert_eq!(g.events.len(), 4);
    let p = problems(&g, false);
    assert!(
        p.is_empty(),
        "seed article, issue #2 events:\n{}",
        p.join("\n")
    );
}

#[test]
fn every_seed_event_comes_out_once_with_reader_roles() {
    let p = problems(&gold(), true);
    assert!(p.is_empty(), "seed article, all events:\n{}", p.join("\n"));
}
