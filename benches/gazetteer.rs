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

/// Nanoseconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`): on a
/// shared, loaded machine wall time overstates the cost, CPU time gives "per core".
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Prints load time and match MB/s per CPU-second (not wall time), next to criterion's
/// wall-clock figures.
fn per_core(_c: &mut Criterion) {
    let Some(t0) = cpu_ns() else { return };
    let runs = 10;
    for _ in 0..runs {
        black_box(Gazetteer::load(&[]).expect("loads"));
    }
    let load_ms = (cpu_ns().unwrap_or(t0) - t0) as f64 / runs as f64 / 1e6;
    println!("per-core: load default lists {load_ms:.1} ms CPU");
    let gz = Gazetteer::load(&[]).expect("loads");
    for (name, text) in corpora() {
        let t0 = cpu_ns().unwrap_or(0);
        let runs = 20;
        for _ in 0..runs {
            black_box(gz.find(&text, &[]).len());
        }
        let secs = (cpu_ns().unwrap_or(t0) - t0) as f64 / 1e9;
        let mb = (text.len() * runs) as f64 / 1e6;
        println!(
            "per-core: match {name} {:.0} MB/s per CPU-second",
            mb / secs
        );
    }
}

criterion_group!(benches, per_core, load, find, aho_corasick_reference);
criterion_main!(benches);
