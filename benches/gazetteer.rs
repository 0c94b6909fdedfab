//! Gazetteer load time and matching throughput (issue #4 targets: load ≤ 100 ms, match
//! ≥ 200 MB/s per core), plus `aho-corasick` over the same aliases as the reference the
//! first-word index was chosen against.
//!
//! `cargo bench --bench gazetteer` (criterion prints time per load and MiB/s per corpus).
//! Corpora: the seed article repeated (news prose) and the CoNLL-2003 train documents,
//! detokenised (dense Reuters text, many capitalised words and numbers), both read from
//! `../shared/` and skipped when missing.

use std::path::PathBuf;
use std::time::Duration;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use gazette::gazetteer::Gazetteer;

fn shared(path: &str) -> Option<String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path);
    std::fs::read_to_string(p).ok()
}

/// CoNLL-2003 tokens joined by spaces, one line per sentence, documents apart.
fn conll() -> Option<String> {
    let raw = shared("data/conll2003/train.txt")?;
    let mut out = String::with_capacity(raw.len() / 2);
    for line in raw.lines() {
        if line.starts_with("-DOCSTART-") {
            out.push_str("\n\n");
        } else if line.trim().is_empty() {
            out.push('\n');
        } else if let Some(w) = line.split(' ').next() {
            out.push_str(w);
            out.push(' ');
        }
    }
    Some(out)
}

fn corpora() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(seed) = shared("seeds/tokyo-minerals-pact.txt") {
        out.push(("seed-x250", format!("{seed}\n").repeat(250)));
    }
    if let Some(c) = conll() {
        out.push(("conll2003-train", c));
    }
    out
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("gazetteer-load");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.bench_function("default-lists", |b| {
        b.iter(|| black_box(Gazetteer::load(&[]).expect("loads")))
    });
    g.finish();
}

fn find(c: &mut Criterion) {
    let gz = Gazetteer::load(&[]).expect("loads");
    let mut g = c.benchmark_group("gazetteer-match");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    for (name, text) in corpora() {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| black_box(gz.find(&text, &[]).len())));
    }
    g.finish();
}

/// The alternative measured: aho-corasick, leftmost-longest, over every alias.
fn aho_corasick_reference(c: &mut Criterion) {
    let gz = Gazetteer::load(&[]).expect("loads");
    let aliases: Vec<&str> = gz.alias_texts().collect();
    let mut g = c.benchmark_group("aho-corasick-reference");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let build = |kind| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(kind))
            .build(&aliases)
            .expect("builds")
    };
    g.bench_function("build-contiguous-nfa", |b| {
        b.iter(|| black_box(build(AhoCorasickKind::ContiguousNFA)))
    });
    let ac = build(AhoCorasickKind::ContiguousNFA);
    for (name, text) in corpora() {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("match-contiguous-nfa/{name}"), |b| {
            b.iter(|| black_box(ac.find_iter(&text).count()))
        });
    }
    g.finish();
}

criterion_group!(benches, load, find, aho_corasick_reference);
criterion_main!(benches);
