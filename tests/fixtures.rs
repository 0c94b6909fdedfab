//! The fixture articles (`fixtures/articles/*.txt`, written for gazette in wire-service
//! style) against their expected events (`fixtures/expected/NAME.jsonl`, gold format of
//! `gazette eval events`: a header line naming the article and its date, then one event
//! per line). Every expected event must come out with its roles, and nothing else.

use std::path::PathBuf;

use gazette::eval;
use gazette::{Pipeline, PipelineOptions};

#[test]
fn every_fixture_article_yields_its_expected_events() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/expected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "at least five fixture articles");
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    let mut problems = Vec::new();
    for f in &files {
        let gold = eval::load(f).unwrap_or_else(|e| panic!("{e}"));
        let report = eval::evaluate(&pipeline, &gold);
        eprintln!("{}:\n{report}", f.display());
        for d in report.failures() {
            for m in &d.missed {
                problems.push(format!("{}: missed {m}", d.id));
            }
            for s in &d.spurious {
                problems.push(format!("{}: extra {s}", d.id));
            }
            for r in &d.role_errors {
                problems.push(format!("{}: role {r}", d.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
