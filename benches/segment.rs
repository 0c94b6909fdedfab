//! Segmenter throughput: sentences + tokens on detokenised CoNLL-2003 news text, and
//! the 10 MB worst cases (no punctuation, only dots, one line).
//!
//! The news text is built at run time from `../shared/data/conll2003/train.txt` (or
//! `$GAZETTE_CONLL`): tokens joined with spaces, no space before punctuation, one line
//! per sentence, a blank line between documents. Run with `scripts/bench-segment`.
//!
//! Times are the benchmark thread's CPU time (Linux `/proc/thread-self/schedstat`),
//! so the figures are per core even on a shared, loaded machine; elsewhere, or with
//! `GAZETTE_BENCH_WALL=1`, wall time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use gazette::segment::Segmenter;
use gazette::Document;

/// Detokenised CoNLL-2003 text, or `None` when the data is not there.
fn conll() -> Option<String> {
    let path = std::env::var_os("GAZETTE_CONLL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/conll2003/train.txt")
        });
    let raw = std::fs::read_to_string(path).ok()?;
    let mut out = String::with_capacity(raw.len() / 2);
    let mut line = String::new();
    let flush = |line: &mut String, out: &mut String| {
        if !line.is_empty() {
            out.push_str(line);
            out.push('\n');
            line.clear();
        }
    };
    for l in raw.lines() {
        let Some(tok) = l.split(' ').next().filter(|t| !t.is_empty()) else {
            flush(&mut line, &mut out);
            continue;
        };
        if tok == "-DOCSTART-" {
            flush(&mut line, &mut out);
            if !out.is_empty() {
                out.push('\n');
            }
            continue;
        }
        let glue = matches!(
            tok,
            "." | "," | ";" | ":" | "!" | "?" | ")" | "%" | "'s" | "n't"
        ) || line.ends_with('(')
            || line.ends_with('$');
        if !line.is_empty() && !glue {
            line.push(' ');
        }
        line.push_str(tok);
    }
    flush(&mut line, &mut out);
    Some(out)
}

/// CPU time of this thread so far, if the OS tells.
fn thread_cpu() -> Option<Duration> {
    if std::env::var_os("GAZETTE_BENCH_WALL").is_some() {
        return None;
    }
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Runs `f` `iters` times and returns the CPU (or wall) time it took.
fn timed<T>(iters: u64, mut f: impl FnMut() -> T) -> Duration {
    let (cpu, wall) = (thread_cpu(), Instant::now());
    for _ in 0..iters {
        black_box(f());
    }
    match (cpu, thread_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall.elapsed(),
    }
}

fn annotate(seg: &Segmenter, text: &str) -> usize {
    let mut doc = Document::new("bench", text);
    seg.annotate(&mut doc);
    doc.tokens.len() + doc.sentences.len()
}

fn news(c: &mut Criterion) {
    let Some(text) = conll() else {
        eprintln!("CoNLL-2003 train.txt not found; skipping the news benchmark");
        return;
    };
    let seg = Segmenter::new();
    let mut g = c.benchmark_group("news");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    g.bench_function("sentences+tokens", |b| {
        b.iter_custom(|n| timed(n, || annotate(&seg, black_box(&text))))
    });
    g.bench_function("tokens", |b| {
        b.iter_custom(|n| timed(n, || seg.tokens(black_box(&text)).len()))
    });
    g.finish();
}

fn worst_cases(c: &mut Criterion) {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let seg = Segmenter::new();
    let news_line = conll()
        .map(|t| t.replace('\n', " "))
        .unwrap_or_else(|| "The cat sat on the mat. It was happy. ".to_string());
    let mut one_line = String::with_capacity(TEN_MB + news_line.len());
    while one_line.len() < TEN_MB {
        one_line.push_str(&news_line);
    }
    let inputs = [
        ("no-punctuation", "word ".repeat(TEN_MB / 5)),
        ("dots", ".".repeat(TEN_MB)),
        ("spaced-dots", ". ".repeat(TEN_MB / 2)),
        ("one-line", one_line),
    ];
    let mut g = c.benchmark_group("10MB");
    g.sample_size(10);
    for (name, text) in &inputs {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(*name, |b| {
            b.iter_custom(|n| timed(n, || annotate(&seg, black_box(text))))
        });
    }
    g.finish();
}

criterion_group!(benches, news, worst_cases);
criterion_main!(benches);
