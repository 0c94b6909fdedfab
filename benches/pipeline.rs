//! Criterion benches: each stage on its own, the whole pipeline, and output rendering, on
//! the seed article (`../shared/seeds/`, read at run time) and a longer wire-style text.
//! `cargo bench --bench pipeline`; `cargo test --all-targets` runs each once as a test.
//! End-to-end throughput of the binary is `scripts/bench`; memory is `scripts/bench-soak`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use gazette::output::{Emit, Writer};
use gazette::{Document, Pipeline, PipelineOptions};

fn seed() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds/tokyo-minerals-pact.txt");
    std::fs::read_to_string(path).unwrap_or_else(|_| wire(6))
}

/// A wire-style article of `n` paragraphs, generated so the bench needs no data file.
fn wire(n: usize) -> String {
    let mut s = String::from("Trump visits Tokyo for talks on minerals\n\n");
    for i in 0..n {
        s.push_str(&format!(
            "TOKYO, Oct. 27 (Reuters) - U.S. President Donald Trump arrived in Tokyo on Monday \
             for a visit and a meeting with Prime Minister Sanae Takaichi, officials said. \
             Japan pledged over ${} billion of investment into the US economy, and the two \
             leaders signed a framework agreement on critical minerals. \"We will work \
             together,\" Takaichi said in a statement on Tuesday, adding that Japan would \
             consider buying more American soybeans and gas.\n\n",
            500 + i
        ));
    }
    s
}

fn doc(text: &str) -> Document {
    let mut d = Document::new("bench", text);
    d.published = chrono::NaiveDate::from_ymd_opt(2025, 10, 27);
    d
}

fn stages(c: &mut Criterion) {
    let options = PipelineOptions::default();
    let pipeline = Pipeline::new(&options).expect("default pipeline");
    for (name, text) in [("seed", seed()), ("wire-40", wire(40))] {
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.sample_size(20);

        let segmenter = gazette::segment::Segmenter::new();
        g.bench_function("segment", |b| {
            b.iter_batched(
                || doc(&text),
                |mut d| segmenter.annotate(&mut d),
                BatchSize::SmallInput,
            )
        });
        let mut segmented = doc(&text);
        pipeline.segment(&mut segmented);

        let gazetteer = gazette::gazetteer::Gazetteer::load(&[]).expect("gazetteer");
        g.bench_function("gazetteer", |b| {
            b.iter_batched(
                || segmented.clone(),
                |mut d| gazetteer.annotate(&mut d),
                BatchSize::SmallInput,
            )
        });
        let money = gazette::money::MoneyRecognizer::new();
        g.bench_function("money", |b| {
            b.iter_batched(
                || segmented.clone(),
                |mut d| money.annotate(&mut d),
                BatchSize::SmallInput,
            )
        });
        let dates = gazette::time::DateRecognizer::new();
        g.bench_function("dates", |b| {
            b.iter_batched(
                || segmented.clone(),
                |mut d| dates.annotate(&mut d),
                BatchSize::SmallInput,
            )
        });
        let ner = gazette::ner::build(&options).expect("ner");
        g.bench_function("ner", |b| b.iter(|| ner.recognize(&segmented)));

        g.bench_function("mentions (gazetteer+money+dates+ner)", |b| {
            b.iter_batched(
                || segmented.clone(),
                |mut d| pipeline.mentions(&mut d),
                BatchSize::SmallInput,
            )
        });
        let mut mentioned = segmented.clone();
        pipeline.mentions(&mut mentioned);
        let resolver = gazette::resolve::Resolver::new();
        g.bench_function("resolve", |b| {
            b.iter_batched(
                || mentioned.clone(),
                |mut d| resolver.annotate(&mut d),
                BatchSize::SmallInput,
            )
        });
        let mut resolved = mentioned.clone();
        resolver.annotate(&mut resolved);
        let assembler = gazette::assemble::Assembler::new();
        g.bench_function("assemble", |b| {
            b.iter_batched(
                || resolved.clone(),
                |mut d| assembler.annotate(&mut d),
                BatchSize::SmallInput,
            )
        });
        let mut full = doc(&text);
        pipeline.annotate(&mut full);
        g.bench_function("output events", |b| {
            b.iter(|| {
                let w = Writer::new(&full);
                let mut n = 0;
                w.for_each_record(Emit::Events, false, |r| {
                    n += serde_json::to_string(&r).map_or(0, |s| s.len())
                });
                n
            })
        });
        g.bench_function("output documents", |b| {
            b.iter(|| Writer::new(&full).document_json().len())
        });
        g.bench_function("whole pipeline", |b| {
            b.iter_batched(
                || doc(&text),
                |mut d| pipeline.annotate(&mut d),
                BatchSize::SmallInput,
            )
        });
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
