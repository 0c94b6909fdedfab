//! The `bert` backend against the Hugging Face pipeline (transformers 4.46.3), on the tiny
//! seeded models that `scripts/make-tiny-bert` writes with their `reference.jsonl`: same
//! per-word labels, scores within 1e-4, same entity spans, for every aggregation strategy,
//! including sentences longer than the window. Cases: `tests/data/bert/models.tsv` (one line
//! per model and batch size) × the reference lines of each model.
#![cfg(feature = "bert")]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gazette::ner::bert::{entity_type, Aggregation, BertOptions, BertRecognizer};
use gazette::ner::Recognizer;
use gazette::{Device, Document, MentionSource, Sentence, SentenceKind, Span};
use serde_json::Value;

const TOLERANCE: f32 = 1e-4;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (fixture folder, batch size) per line of models.tsv.
fn cases() -> Vec<(PathBuf, usize)> {
    let text = std::fs::read_to_string(root().join("tests/data/bert/models.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (root().join(cols[0]), cols[1].parse().unwrap())
        })
        .collect()
}

fn reference(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("reference.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn recognizer(
    dir: &Path,
    batch: usize,
    strategy: &str,
    window: usize,
    stride: usize,
) -> BertRecognizer {
    let mut o = BertOptions::new(dir);
    o.batch_size = batch;
    o.device = Device::Cpu;
    o.aggregation = Aggregation::parse(strategy).unwrap();
    o.window = Some(window);
    o.stride = Some(stride);
    BertRecognizer::new(o).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// (start, end, label, score) from a reference list.
fn expected(list: &Value) -> Vec<(usize, usize, String, f32)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["start"].as_u64().unwrap() as usize,
                w["end"].as_u64().unwrap() as usize,
                w["label"].as_str().unwrap().to_string(),
                w["score"].as_f64().unwrap() as f32,
            )
        })
        .collect()
}

fn assert_same(
    what: &str,
    got: &[(usize, usize, String, f32)],
    want: &[(usize, usize, String, f32)],
) {
    let spans = |v: &[(usize, usize, String, f32)]| -> Vec<(usize, usize, String)> {
        v.iter().map(|(s, e, l, _)| (*s, *e, l.clone())).collect()
    };
    assert_eq!(spans(got), spans(want), "{what}: spans/labels differ");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g.3 - w.3).abs() <= TOLERANCE,
            "{what}: score of {:?} is {}, HF says {}",
            (g.0, g.1, &g.2),
            g.3,
            w.3
        );
    }
}

#[test]
fn predictions_equal_the_hugging_face_pipeline() {
    let mut checked = 0;
    for (dir, batch) in cases() {
        let rows = reference(&dir);
        let texts: Vec<&str> = rows.iter().map(|r| r["text"].as_str().unwrap()).collect();
        let (window, stride) = (
            rows[0]["window"].as_u64().unwrap() as usize,
            rows[0]["stride"].as_u64().unwrap() as usize,
        );
        assert!(
            rows.iter().any(|r| r["chunks"].as_u64() > Some(1)),
            "no long sentence in {}",
            dir.display()
        );
        for strategy in ["simple", "first", "average", "max"] {
            let rec = recognizer(&dir, batch, strategy, window, stride);
            let preds = rec.predict(&texts).unwrap();
            for (row, pred) in rows.iter().zip(&preds) {
                let what = format!(
                    "{} batch {batch} {strategy}: {:?}",
                    dir.display(),
                    row["text"]
                );
                let want = &row["strategies"][strategy];
                assert_eq!(
                    pred.windows as u64,
                    row["chunks"].as_u64().unwrap(),
                    "{what}: windows"
                );
                if let Some(words) = want.get("words") {
                    let got: Vec<_> = pred
                        .words
                        .iter()
                        .map(|w| (w.start, w.end, w.label.clone(), w.score))
                        .collect();
                    assert_same(&format!("{what} words"), &got, &expected(words));
                }
                let got: Vec<_> = pred
                    .entities
                    .iter()
                    .map(|e| (e.start, e.end, e.label.clone(), e.score))
                    .collect();
                assert_same(
                    &format!("{what} entities"),
                    &got,
                    &expected(&want["entities"]),
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4 * 3 * 20, "only {checked} sentence checks");
}

/// The Recognizer on a Document: the same entities as HF, as mentions with byte spans into
/// the article (the sentences joined, so later sentences start at non-zero, multi-byte offsets).
#[test]
fn mentions_are_hf_entities_at_byte_offsets_in_the_article() {
    for (dir, batch) in cases() {
        let rows = reference(&dir);
        let window = rows[0]["window"].as_u64().unwrap() as usize;
        let stride = rows[0]["stride"].as_u64().unwrap() as usize;
        let rec = recognizer(&dir, batch, "first", window, stride);
        let mut text = String::new();
        let mut sentences = Vec::new();
        for r in &rows {
            let s = r["text"].as_str().unwrap();
            let start = text.len();
            text.push_str(s);
            sentences.push(Sentence {
                span: Span::new(start, text.len()),
                tokens: 0..0,
                kind: SentenceKind::Body,
            });
            text.push_str(" \n");
        }
        let mut doc = Document::new("joined", text.clone());
        doc.sentences = sentences;
        let got = rec.recognize(&doc).unwrap();

        let mut want = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let s = r["text"].as_str().unwrap();
            let base = doc.sentences[i].span.start;
            let byte = |c: usize| base + s.char_indices().nth(c).map_or(s.len(), |(b, _)| b);
            for (start, end, label, score) in expected(&r["strategies"]["first"]["entities"]) {
                if let Some(ty) = entity_type(&label) {
                    want.push((Span::new(byte(start), byte(end)), ty, i, score));
                }
            }
        }
        assert!(!want.is_empty());
        assert_eq!(got.len(), want.len(), "{}: mention count", dir.display());
        for (m, (span, ty, sentence, score)) in got.iter().zip(&want) {
            assert_eq!(
                (m.span, m.ty, m.sentence),
                (*span, *ty, *sentence),
                "{}",
                dir.display()
            );
            assert_eq!(m.source, MentionSource::Ner);
            assert!((m.score - score).abs() <= TOLERANCE);
            assert!(
                text.get(m.span.start..m.span.end).is_some(),
                "span off a char boundary"
            );
        }
    }
}

#[test]
fn label_names_map_to_gazette_types() {
    let cases = [
        ("PER", Some("PERSON")),
        ("PERSON", Some("PERSON")),
        ("LOC", Some("PLACE")),
        ("GPE", Some("PLACE")),
        ("FAC", Some("PLACE")),
        ("ORG", Some("ORG")),
        ("NORP", Some("NORP")),
        ("MONEY", Some("MONEY")),
        ("DATE", Some("DATE")),
        ("MISC", Some("MISC")),
        ("EVENT", Some("MISC")),
        ("CARDINAL", None),
        ("PERCENT", None),
    ];
    for (label, want) in cases {
        assert_eq!(entity_type(label).map(|t| t.as_str()), want, "{label}");
    }
}

#[test]
fn bad_model_folders_are_errors_not_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let bert = root().join("fixtures/tiny-bert-ner");
    let copy = |name: &str, files: &[&str]| {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        for f in files {
            std::fs::copy(bert.join(f), d.join(f)).unwrap();
        }
        d
    };
    let cases = [
        (tmp.path().join("missing"), "not a folder"),
        (copy("empty", &[]), "no config.json"),
        (
            copy(
                "no-weights",
                &["config.json", "tokenizer.json", "tokenizer_config.json"],
            ),
            "no model.safetensors",
        ),
        (
            copy("no-tokenizer", &["config.json", "model.safetensors"]),
            "vocab.txt",
        ),
    ];
    for (dir, message) in cases {
        let err = BertRecognizer::new(BertOptions::new(&dir))
            .unwrap_err()
            .to_string();
        assert!(err.contains(message), "{}: {err}", dir.display());
    }
    // Weights of another architecture: a clear list of what is missing.
    let wrong = copy(
        "wrong-weights",
        &["config.json", "tokenizer.json", "tokenizer_config.json"],
    );
    std::fs::copy(
        root().join("fixtures/tiny-roberta-ner/model.safetensors"),
        wrong.join("model.safetensors"),
    )
    .unwrap();
    let err = BertRecognizer::new(BertOptions::new(&wrong))
        .unwrap_err()
        .to_string();
    assert!(err.contains("model.safetensors"), "{err}");
}

fn validator(schema: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(schema).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn gazette(args: &[&str]) -> String {
    let out = Command::cargo_bin("gazette")
        .unwrap()
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gazette {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn extract_with_bert_on_the_seed_article_validates_against_the_schema() {
    let seed = "../shared/seeds/tokyo-minerals-pact.txt";
    let model = "fixtures/tiny-bert-ner";
    for emit in ["events", "documents"] {
        let schema = validator(&gazette(&["schema", emit]));
        let out = gazette(&[
            "extract",
            "--ner",
            "bert",
            "--model",
            model,
            "--device",
            "cpu",
            "--batch-size",
            "8",
            "--emit",
            emit,
            seed,
        ]);
        let records: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(!records.is_empty(), "no {emit} records");
        for r in &records {
            let errors: Vec<String> = schema
                .iter_errors(r)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{emit}: {errors:?}\n{r:#}");
        }
        if emit == "documents" {
            // The model's names made it through the merge into the output.
            let ner = records[0]["mentions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["source"] == "ner")
                .count();
            assert!(ner > 0, "no ner mentions in the output");
        }
    }
}
