//! NER: the merge rule, CoNLL decoding and scoring, the embedded model on written sentences,
//! the model file format, training determinism and the `tag` / `eval ner` commands.
//! Cases are data files under `tests/data/ner/`.

use std::path::PathBuf;

use assert_cmd::Command;
use gazette::conll;
use gazette::ner::statistical::ModelRecognizer;
use gazette::ner::tagger::Tagger;
use gazette::ner::train::{self, TrainConfig};
use gazette::{Document, EntityType, Mention, MentionSource, Pipeline, PipelineOptions, Span};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ner")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Tab-separated rows, without comments and blank lines, with their line numbers.
fn rows(name: &str) -> Vec<(usize, Vec<String>)> {
    read(name)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split('\t').map(str::to_string).collect()))
        .collect()
}

fn list(field: &str) -> Vec<&str> {
    if field == "-" || field.is_empty() {
        Vec::new()
    } else {
        field.split(';').collect()
    }
}

/// The span of `text@n` (n-th occurrence, default 1) in `doc`.
fn find(doc: &str, what: &str) -> Span {
    let (text, n) = match what.rsplit_once('@') {
        Some((t, n)) if n.parse::<usize>().is_ok() => (t, n.parse().unwrap()),
        _ => (what, 1),
    };
    let start = doc
        .match_indices(text)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("{what:?} not in {doc:?}"))
        .0;
    Span::new(start, start + text.len())
}

fn source(s: &str) -> MentionSource {
    match s {
        "gazetteer" => MentionSource::Gazetteer,
        "ner" => MentionSource::Ner,
        "money" => MentionSource::Money,
        "date" => MentionSource::Date,
        "resolve" => MentionSource::Resolve,
        _ => panic!("unknown source {s}"),
    }
}

#[test]
fn merge_follows_the_documented_rule() {
    for (line, r) in rows("merge.tsv") {
        let (case, text) = (&r[0], &r[1]);
        let mut doc = Document::new(case.as_str(), text.as_str());
        for m in list(&r[2]) {
            let mut p = m.splitn(3, ':');
            let (src, ty, t) = (p.next().unwrap(), p.next().unwrap(), p.next().unwrap());
            doc.mentions.push(Mention::new(
                find(text, t),
                EntityType::parse(ty).unwrap(),
                source(src),
                0,
            ));
        }
        let found: Vec<Mention> = list(&r[3])
            .into_iter()
            .map(|m| {
                let (ty, t) = m.split_once(':').unwrap();
                Mention::new(
                    find(text, t),
                    EntityType::parse(ty).unwrap(),
                    MentionSource::Ner,
                    0,
                )
            })
            .collect();
        gazette::ner::merge(&mut doc, found);
        let got: Vec<String> = doc
            .mentions
            .iter()
            .map(|m| {
                format!(
                    "{}:{}:{}",
                    m.source.as_str(),
                    m.ty.as_str(),
                    doc.span_text(m.span)
                )
            })
            .collect();
        let want: Vec<String> = list(&r[4])
            .into_iter()
            .map(|w| w.rsplit_once('@').map_or(w, |(t, _)| t).to_string())
            .collect();
        assert_eq!(got, want, "merge.tsv:{line} ({case})");
    }
}

#[test]
fn conll_tags_decode_like_conlleval() {
    for (line, r) in rows("chunks.tsv") {
        let tags: Vec<&str> = r[0].split_whitespace().collect();
        let got: Vec<String> = conll::chunks(&tags)
            .into_iter()
            .map(|c| format!("{}-{}:{}", c.start, c.end, c.ty))
            .collect();
        let want: Vec<String> = r
            .get(1)
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        assert_eq!(got, want, "chunks.tsv:{line}");
        // IOB2 written back decodes to the same entities.
        let again = conll::iob2(&conll::chunks(&tags), tags.len());
        let again: Vec<&str> = again.iter().map(String::as_str).collect();
        assert_eq!(
            conll::chunks(&again),
            conll::chunks(&tags),
            "chunks.tsv:{line} round trip"
        );
    }
}

#[test]
fn default_pipeline_finds_names_in_written_sentences() {
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    for (line, r) in rows("mentions.tsv") {
        let mut doc = Document::new("t", r[0].as_str());
        pipeline.segment(&mut doc);
        pipeline.mentions(&mut doc);
        let got: Vec<String> = doc
            .mentions
            .iter()
            .map(|m| format!("{}:{}", m.ty.as_str(), doc.span_text(m.span)))
            .collect();
        for want in list(&r[1]) {
            assert!(
                got.iter().any(|g| g == want),
                "mentions.tsv:{line}: {want} missing; got {got:?}"
            );
        }
        for not in list(&r[2]) {
            assert!(
                !doc.mentions.iter().any(|m| doc.span_text(m.span) == not),
                "mentions.tsv:{line}: {not:?} should not be a mention; got {got:?}"
            );
        }
    }
}

#[test]
fn model_file_round_trips_and_rejects_damage() {
    let model = ModelRecognizer::embedded().unwrap();
    let bytes = model.tagger().to_bytes();
    let again = Tagger::from_bytes(&bytes).unwrap();
    assert_eq!(again.to_bytes(), bytes);
    assert!(Tagger::from_bytes(b"not a model").is_err());
    let step = (bytes.len() / 97).max(1);
    for cut in (0..bytes.len()).step_by(step) {
        assert!(
            Tagger::from_bytes(&bytes[..cut]).is_err(),
            "truncated at {cut}"
        );
    }
    let mut bad = bytes.clone();
    bad[8] = 99; // unknown label scheme
    assert!(Tagger::from_bytes(&bad).is_err());
}

fn tiny_docs() -> Vec<conll::ConllDocument> {
    conll::documents(&read("tag-input.conll"))
}

#[test]
fn training_is_deterministic_and_learns_its_data() {
    let docs = tiny_docs();
    let cfg = TrainConfig {
        epochs: 4,
        folds: 2,
        ..TrainConfig::default()
    };
    let a = train::train(&docs, &docs, None, &cfg, &mut |_| {});
    let b = train::train(&docs, &docs, None, &cfg, &mut |_| {});
    assert_eq!(a.tagger.to_bytes(), b.tagger.to_bytes());
    assert!(
        a.dev_f1 > 99.0,
        "dev F1 on its own training data: {}",
        a.dev_f1
    );
    let c = train::train(
        &docs,
        &docs,
        None,
        &TrainConfig {
            seed: 7,
            ..cfg.clone()
        },
        &mut |_| {},
    );
    assert!(c.dev_f1 > 99.0);
}

#[test]
fn tag_writes_each_line_back_with_a_tag() {
    let input = read("tag-input.conll");
    let out = Command::cargo_bin("gazette")
        .unwrap()
        .args(["tag", "--format", "conll"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let (ins, outs): (Vec<&str>, Vec<&str>) = (input.lines().collect(), out.lines().collect());
    assert_eq!(ins.len(), outs.len());
    for (i, o) in ins.iter().zip(&outs) {
        if i.is_empty() || i.starts_with("-DOCSTART-") {
            assert_eq!(i, o);
            continue;
        }
        let (kept, tag) = o.rsplit_once(' ').unwrap();
        assert_eq!(kept, *i);
        // The gold column of this file is IOB1; compare entity types.
        let gold = i.rsplit(' ').next().unwrap();
        assert_eq!(
            tag.split('-').nth(1),
            gold.split('-').nth(1),
            "{i} tagged {tag}"
        );
        assert!(tag == "O" || tag.starts_with("B-") || tag.starts_with("I-"));
    }
    // The tagged output scores perfectly against its gold column.
    let eval = Command::cargo_bin("gazette")
        .unwrap()
        .args(["eval", "ner", "-"])
        .write_stdin(out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(eval).unwrap().contains("FB1: 100.00"));
}

#[test]
fn eval_prints_conlleval_figures() {
    let out = Command::cargo_bin("gazette")
        .unwrap()
        .args(["eval", "ner"])
        .arg(data("eval-input.conll"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(out).unwrap(), read("eval-expected.txt"));
}

#[test]
fn eval_rejects_files_without_two_tag_columns() {
    Command::cargo_bin("gazette")
        .unwrap()
        .args(["eval", "ner", "-"])
        .write_stdin("Paris I-LOC\n")
        .assert()
        .code(2);
}
