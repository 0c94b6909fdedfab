//! Throughput of the money and date recognisers together on news text: CoNLL-2003
//! English train (Reuters, 1996), detokenised at run time from
//! `../shared/data/conll2003/train.txt` (or `$GAZETTE_CONLL`); the data is never committed.
//!
//! Run: `cargo bench --bench money_time`. Throughput is reported in bytes of article text.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gazette::document::{Document, Sentence, SentenceKind, Span};
use gazette::money::MoneyRecognizer;
use gazette::time::DateRecognizer;

/// Joins CoNLL tokens with spaces, without a space before closing punctuation; one
/// document per `-DOCSTART-`, one sentence per blank-line block, sentences on their own
/// lines (so datelines stay at line starts, as in the wire copy).
fn conll_documents() -> Option<Vec<Document>> {
    let path = std::env::var_os("GAZETTE_CONLL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/conll2003/train.txt")
        });
    let raw = std::fs::read_to_string(&path).ok()?;
    let mut docs = Vec::new();
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut sentence_start = 0;
    let flush_sentence = |text: &mut String, spans: &mut Vec<Span>, start: &mut usize| {
        if text.len() > *start {
            spans.push(Span::new(*start, text.len()));
            text.push('\n');
        }
        *start = text.len();
    };
    for line in raw.lines() {
        if line.starts_with("-DOCSTART-") {
            flush_sentence(&mut text, &mut spans, &mut sentence_start);
            if !spans.is_empty() {
                docs.push(document(
                    std::mem::take(&mut text),
                    std::mem::take(&mut spans),
                ));
            }
            sentence_start = 0;
            continue;
        }
        let Some(tok) = line.split(' ').next().filter(|t| !t.is_empty()) else {
            flush_sentence(&mut text, &mut spans, &mut sentence_start);
            continue;
        };
        let glue = matches!(
            tok,
            "." | "," | ";" | ":" | "!" | "?" | ")" | "'s" | "%" | "'"
        ) || text.ends_with('(')
            || text.ends_with('$');
        if text.len() > sentence_start && !glue {
            text.push(' ');
        }
        text.push_str(tok);
    }
    flush_sentence(&mut text, &mut spans, &mut sentence_start);
    if !spans.is_empty() {
        docs.push(document(text, spans));
    }
    Some(docs)
}

fn document(text: String, spans: Vec<Span>) -> Document {
    let mut doc = Document::new("conll", text);
    doc.published = chrono::NaiveDate::from_ymd_opt(1996, 8, 22);
    doc.sentences = spans
        .into_iter()
        .map(|span| Sentence {
            span,
            tokens: 0..0,
            kind: SentenceKind::Body,
        })
        .collect();
    doc
}

fn bench(c: &mut Criterion) {
    let Some(mut docs) = conll_documents() else {
        eprintln!("money_time: CoNLL-2003 train.txt not found; set GAZETTE_CONLL");
        return;
    };
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let money = MoneyRecognizer::new();
    let time = DateRecognizer::new();
    let mut group = c.benchmark_group("conll2003-train");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("money+time", |b| {
        b.iter(|| {
            let mut n = 0;
            for doc in docs.iter_mut() {
                doc.mentions.clear();
                money.annotate(doc);
                time.annotate(doc);
                n += doc.mentions.len();
            }
            n
        })
    });
    group.bench_function("money", |b| {
        b.iter(|| {
            let mut n = 0;
            for doc in docs.iter_mut() {
                doc.mentions.clear();
                money.annotate(doc);
                n += doc.mentions.len();
            }
            n
        })
    });
    group.bench_function("time", |b| {
        b.iter(|| {
            let mut n = 0;
            for doc in docs.iter_mut() {
                doc.mentions.clear();
                time.annotate(doc);
                n += doc.mentions.len();
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
