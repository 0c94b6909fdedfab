//! Throughput of the `bert` NER backend on CPU: sentences/s and model tokens/s over the
//! seed article's sentences, for the tiny fixture model and a BERT-base-sized random model
//! (`scripts/make-tiny-bert --base` builds it into ~/.cache/gazette/bert-base-random).
//!
//! `cargo bench --features bert --bench bert` (or `scripts/bench-bert`). Two throughputs from
//! one measurement is more than criterion reports, so this is a plain timed loop: one warm-up
//! pass, then whole passes until `GAZETTE_BENCH_SECS` (default 10) have gone by.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gazette::ner::bert::{BertOptions, BertRecognizer};
use gazette::{Device, Document, Pipeline, PipelineOptions};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seed = root.join("../shared/seeds/tokyo-minerals-pact.txt");
    let text = std::fs::read_to_string(&seed).expect("seed article");
    let pipeline = Pipeline::new(&PipelineOptions {
        ner: gazette::NerBackend::Rules,
        ..PipelineOptions::default()
    })
    .expect("pipeline");
    let mut doc = Document::new("seed", text);
    pipeline.segment(&mut doc);
    let sentences: Vec<&str> = doc
        .sentences
        .iter()
        .map(|s| doc.span_text(s.span))
        .collect();

    let secs: u64 = std::env::var("GAZETTE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let batch: usize = std::env::var("GAZETTE_BENCH_BATCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let models = [
        ("tiny-bert-ner", root.join("fixtures/tiny-bert-ner")),
        (
            "bert-base-random",
            home.join(".cache/gazette/bert-base-random"),
        ),
    ];
    // Throughput on a shared machine depends on what else runs: say so next to the figures.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "bert NER on CPU, {} sentences of the seed article, batch {batch}, libtorch threads {}, load average {}",
        sentences.len(),
        tch::get_num_threads(),
        load.split_whitespace().next().unwrap_or("?")
    );
    for (name, dir) in models {
        if !dir.join("config.json").exists() {
            println!(
                "{name}: skipped, {} missing (scripts/make-tiny-bert --base)",
                dir.display()
            );
            continue;
        }
        let mut o = BertOptions::new(&dir);
        o.device = Device::Cpu;
        o.batch_size = batch;
        let rec = BertRecognizer::new(o).expect("model");
        let tokens: usize = rec
            .predict(&sentences)
            .expect("predict")
            .iter()
            .map(|p| p.tokens)
            .sum();
        let (mut passes, start) = (0u32, Instant::now());
        while passes == 0 || start.elapsed() < Duration::from_secs(secs) {
            std::hint::black_box(rec.predict(&sentences).expect("predict"));
            passes += 1;
        }
        let t = start.elapsed().as_secs_f64();
        let n = f64::from(passes);
        println!(
            "{name}: {:.1} sentences/s, {:.0} tokens/s ({} tokens per pass, {passes} passes in {t:.1}s)",
            n * sentences.len() as f64 / t,
            n * tokens as f64 / t,
            tokens
        );
    }
}
