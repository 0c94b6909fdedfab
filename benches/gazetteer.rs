//! Gazetteer load time and matching throughput (issue #4 targets: load ≤ 100 ms, match
//! ≥ 200 MB/s per core), plus `aho-corasick` over the same aliases as the reference the
//! first-word index was chosen against: an unanchored contiguous NFA over every alias as
//! written (find_iter, raw matches only), and the design that would replace the index —
//! deduplicated lower-cased aliases in a noncontiguous NFA (prefilter off), converted to
//! a contiguous NFA, walked anchored from each capitalised word start with the text
//! lower-cased on the fly, keeping the longest whole-word prefix (raw matches, no case
//! rules, context or choice).
//!
//! `cargo bench --bench gazetteer` (criterion prints time per load and MiB/s per corpus).
//! Corpora: the seed article repeated (news prose) and the CoNLL-2003 train documents,
//! detokenised (dense Reuters text, many capitalised words and numbers), both read from
//! `../shared/` and skipped when missing.

use std::path::PathBuf;
use std::time::Duration;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::{contiguous, noncontiguous};
use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, MatchKind};
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
    // The anchored design: one pattern per lower-cased alias text.
    let mut folded: Vec<Vec<u8>> = aliases
        .iter()
        .filter(|a| a.chars().next().is_some_and(char::is_alphanumeric))
        .map(|a| a.to_ascii_lowercase().into_bytes())
        .collect();
    folded.sort();
    folded.dedup();
    let build_nc = || {
        noncontiguous::NFA::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .prefilter(false)
            .build(&folded)
            .expect("builds")
    };
    g.bench_function("build-noncontiguous-nfa-folded", |b| {
        b.iter(|| black_box(build_nc()))
    });
    let nc = build_nc();
    g.bench_function("build-contiguous-from-noncontiguous", |b| {
        b.iter(|| black_box(to_contiguous(&nc)))
    });
    let cnfa = to_contiguous(&nc);
    for (name, text) in corpora() {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("match-contiguous-nfa/{name}"), |b| {
            b.iter(|| black_box(ac.find_iter(&text).count()))
        });
        g.bench_function(format!("match-anchored-walk/{name}"), |b| {
            b.iter(|| black_box(anchored_walk(&cnfa, text.as_bytes())))
        });
    }
    g.finish();
}

fn to_contiguous(nc: &noncontiguous::NFA) -> contiguous::NFA {
    contiguous::NFA::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .prefilter(false)
        .build_from_noncontiguous(nc)
        .expect("builds")
}

/// Raw matches of the anchored design: at each word start that is a capital, digit or
/// non-ASCII byte, the longest pattern that is a whole-word prefix of the text there.
fn anchored_walk(nfa: &contiguous::NFA, hay: &[u8]) -> usize {
    let word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let Ok(start) = nfa.start_state(Anchored::Yes) else {
        return 0;
    };
    let mut found = 0;
    let mut i = 0;
    while i < hay.len() {
        let b = hay[i];
        if (i > 0 && word(hay[i - 1]))
            || !(b.is_ascii_uppercase() || b.is_ascii_digit() || b >= 0x80)
        {
            i += 1;
            continue;
        }
        let (mut sid, mut j, mut best) = (start, i, 0);
        while j < hay.len() {
            sid = nfa.next_state(Anchored::Yes, sid, hay[j].to_ascii_lowercase());
            j += 1;
            if nfa.is_special(sid) {
                if nfa.is_dead(sid) {
                    break;
                }
                // A state's own pattern comes first; others are suffixes, not prefixes.
                if nfa.is_match(sid)
                    && nfa.pattern_len(nfa.match_pattern(sid, 0)) == j - i
                    && (j == hay.len() || !word(hay[j]))
                {
                    best = j;
                }
            }
        }
        if best > 0 {
            found += 1;
            i = best;
        } else {
            i += 1;
        }
    }
    found
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
