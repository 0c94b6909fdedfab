//! Throughput of the money and date recognisers together on news text: CoNLL-2003
//! English train (Reuters, 1996), detokenised at run time from
//! `../shared/data/conll2003/train.txt` (or `$GAZETTE_CONLL`); the data is never committed.
//!
//! Run: `cargo bench --bench money_time`. Throughput is reported in bytes of article text
//! per second of this thread's CPU time (`/proc/thread-self/schedstat`), which is the
//! per-core figure even on a machine shared with other jobs; wall time would count the
//! time other processes hold the core. Off Linux it falls back to wall time.

use std::path::PathBuf;
use std::time::Instant;

use criterion::measurement::{Measurement, ValueFormatter};
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

/// CPU time of the calling thread, in nanoseconds.
struct CpuTime;

fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

impl Measurement for CpuTime {
    type Intermediate = (Option<u64>, Instant);
    type Value = u64;

    fn start(&self) -> Self::Intermediate {
        (thread_cpu_ns(), Instant::now())
    }

    fn end(&self, (cpu, wall): Self::Intermediate) -> u64 {
        match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall.elapsed().as_nanos() as u64,
        }
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = if typical >= 1e9 {
            (1e9, "s cpu")
        } else if typical >= 1e6 {
            (1e6, "ms cpu")
        } else if typical >= 1e3 {
            (1e3, "µs cpu")
        } else {
            (1.0, "ns cpu")
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        match throughput {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => {
                // ns per iteration → MB (10^6 bytes) per CPU second
                values.iter_mut().for_each(|v| *v = *b as f64 * 1e3 / *v);
                "MB/s cpu"
            }
            Throughput::Elements(e) => {
                values.iter_mut().for_each(|v| *v = *e as f64 * 1e9 / *v);
                "elem/s cpu"
            }
        }
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn bench(c: &mut Criterion<CpuTime>) {
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

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_main!(benches);
