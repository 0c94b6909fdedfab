//! Speed of the statistical NER model, features included: tagging CoNLL-2003 dev (when
//! `../shared/data/conll2003/dev.txt` is there), recognising names in the seed article
//! through the `Recognizer` trait, and loading the embedded model.
//!
//! `cargo bench --bench ner`; throughput is reported in tokens per second.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gazette::conll;
use gazette::ner::features::TokInfo;
use gazette::ner::statistical::{ModelRecognizer, EMBEDDED};
use gazette::ner::tagger::{TagScratch, Tagger};
use gazette::ner::Recognizer;
use gazette::{Document, Pipeline, PipelineOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tag_conll(c: &mut Criterion) {
    let path = root().join("../shared/data/conll2003/dev.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("{} not found: skipping ner/tag_conll_dev", path.display());
        return;
    };
    let docs = conll::documents(&text);
    let tokens: usize = docs
        .iter()
        .flat_map(|d| &d.sentences)
        .map(|s| s.words.len())
        .sum();
    let model = ModelRecognizer::embedded().unwrap();
    let tagger = model.tagger();
    let mut g = c.benchmark_group("ner");
    g.throughput(Throughput::Elements(tokens as u64));
    g.sample_size(20);
    // Dev's words are cached after the first iteration ("warm", the steady state of a long
    // run); "cold" starts every iteration with an empty word cache.
    let tag_all = |scratch: &mut TagScratch| {
        let mut n = 0usize;
        for d in &docs {
            let sents: Vec<Vec<TokInfo>> = d
                .sentences
                .iter()
                .map(|s| {
                    let w: Vec<&str> = s.words.iter().map(String::as_str).collect();
                    tagger.infos(&w, scratch)
                })
                .collect();
            n += tagger.tag_document(&sents, scratch).len();
        }
        n
    };
    g.bench_function("tag_conll_dev", |b| {
        let mut scratch = TagScratch::default();
        b.iter(|| black_box(tag_all(&mut scratch)))
    });
    g.bench_function("tag_conll_dev_cold", |b| {
        b.iter(|| black_box(tag_all(&mut TagScratch::default())))
    });
    g.finish();
}

fn recognize_seed(c: &mut Criterion) {
    let path = root().join("../shared/seeds/tokyo-minerals-pact.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("{} not found: skipping ner/recognize_seed", path.display());
        return;
    };
    let pipeline = Pipeline::new(&PipelineOptions::default()).unwrap();
    let mut doc = Document::new("seed", text);
    pipeline.segment(&mut doc);
    pipeline.mentions(&mut doc);
    doc.mentions
        .retain(|m| m.source != gazette::MentionSource::Ner);
    let model = ModelRecognizer::embedded().unwrap();
    let mut g = c.benchmark_group("ner");
    g.throughput(Throughput::Elements(doc.tokens.len() as u64));
    g.bench_function("recognize_seed", |b| {
        b.iter(|| black_box(model.recognize(&doc).unwrap().len()))
    });
    g.finish();
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("ner");
    g.sample_size(10);
    g.bench_function("load_embedded_model", |b| {
        b.iter(|| black_box(Tagger::from_bytes(EMBEDDED).unwrap().pass1().len))
    });
    g.finish();
}

criterion_group!(benches, tag_conll, recognize_seed, load);
criterion_main!(benches);
