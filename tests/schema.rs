//! Real output of every record kind validates against its JSON Schema (`src/schema/`).
//! Articles: the user's seed article and every fixture article.

use std::path::PathBuf;

use gazette::output::{Emit, Writer};
use gazette::{Document, Pipeline, PipelineOptions};
use serde_json::Value;

fn articles() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("../shared/seeds/tokyo-minerals-pact.txt")];
    if let Ok(dir) = std::fs::read_dir(root.join("fixtures/articles")) {
        let mut more: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        more.sort();
        paths.extend(
            more.into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "txt")),
        );
    }
    paths
        .into_iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect()
}

fn validator(kind: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(gazette::schema::get(kind).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema {kind}: {e}"))
}

fn check(kind: &str, records: &[Value]) {
    let v = validator(kind);
    for r in records {
        let errors: Vec<String> = v
            .iter_errors(r)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{kind} record does not validate: {errors:?}\n{r:#}"
        );
    }
}

#[test]
fn every_record_kind_validates_on_real_output() {
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    let mut counts = [0usize; 5];
    for (id, text) in articles() {
        let mut doc = Document::new(id, text);
        doc.published = chrono::NaiveDate::from_ymd_opt(2025, 10, 27);
        pipeline.annotate(&mut doc);
        let w = Writer::new(&doc);
        for (i, (kind, emit)) in [
            ("events", Emit::Events),
            ("entities", Emit::Entities),
            ("documents", Emit::Documents),
            ("mentions", Emit::Mentions),
            ("sentences", Emit::Sentences),
        ]
        .into_iter()
        .enumerate()
        {
            let records = w.records(emit, true);
            counts[i] += records.len();
            check(kind, &records);
        }
    }
    // The seed article alone has events, entities, mentions and sentences: an empty
    // output would validate trivially, so make sure there was something to check.
    assert!(counts.iter().all(|&c| c > 0), "record counts {counts:?}");
}

#[test]
fn error_records_validate_as_documents() {
    let e = gazette::Error::input(
        gazette::Origin {
            path: "in.jsonl".into(),
            line: Some(3),
        },
        "malformed JSON",
    );
    check("documents", &[gazette::output::error_record(None, &e)]);
}

#[test]
fn schemas_reject_broken_records() {
    let v = validator("events");
    let bad = serde_json::json!({"doc_id": "x", "type": "party"});
    assert!(!v.is_valid(&bad));
    // A nested definition (reached through `$ref`) is enforced too.
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    let mut doc = Document::new(
        "d",
        "Trump and Takaichi signed a framework agreement on critical minerals.",
    );
    pipeline.annotate(&mut doc);
    let mut event = Writer::new(&doc)
        .events()
        .into_iter()
        .next()
        .expect("an event");
    assert!(v.is_valid(&event));
    event["agents"] = serde_json::json!([{"text": "Japan", "start": -1, "end": 5}]);
    assert!(!v.is_valid(&event));
}

#[test]
fn offsets_are_code_points_into_the_text() {
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    for (id, text) in articles() {
        let mut doc = Document::new(id, text.clone());
        pipeline.annotate(&mut doc);
        let chars: Vec<char> = text.chars().collect();
        for m in Writer::new(&doc).mentions() {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            let span: String = chars[s..e].iter().collect();
            assert_eq!(span, m["text"].as_str().unwrap());
        }
    }
}
