// What each fuzz target checks. Shared by the cargo-fuzz targets (`fuzz_targets/*.rs`) and by
// the plain `cargo test` replay of the seeds and regressions (`tests/fuzz_replay.rs`), so a
// crash found by the fuzzer becomes a test by saving its input under `regressions/TARGET/`.
//
// Each check panics when an invariant breaks; that is what the fuzzer looks for.

use gazette::ingest::{IngestOptions, JsonLines};
use gazette::{Document, Span};

fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} {span:?} out of bounds ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} {span:?} not on a character boundary"
    );
}

/// Ingest: any bytes as JSON lines (with the first byte choosing `--lossy` and a size
/// limit) give one record per line, each a document or an error naming its line.
pub fn ingest(data: &[u8]) {
    let (flags, rest) = match data.split_first() {
        Some((f, r)) => (*f, r),
        None => (0, data),
    };
    let options = IngestOptions {
        lossy: flags & 1 == 1,
        max_bytes: if flags & 2 == 2 { 64 } else { 1 << 20 },
        ..IngestOptions::default()
    };
    let newlines = rest.iter().filter(|&&b| b == b'\n').count();
    let mut lines = JsonLines::new(rest, "fuzz.jsonl".into(), "", options.clone());
    let mut n = 0;
    while let Some(record) = lines.next_record() {
        n += 1;
        assert_eq!(record.line, n);
        match &record.result {
            Ok(Some(doc)) => {
                assert!(!doc.text.trim().is_empty());
                assert!(!doc.id.is_empty());
            }
            Ok(None) => {}
            Err(e) => {
                assert_eq!(e.origin().and_then(|o| o.line), Some(n), "{e}");
                if !options.lossy && e.reason() == "utf8" {
                    assert!(e.to_string().contains("invalid UTF-8"));
                }
            }
        }
    }
    assert!(
        n == newlines || n == newlines + 1,
        "{n} records for {newlines} newlines"
    );
    // And as a plain-text article.
    let _ = gazette::ingest::read_stdin_text(rest, &options);
}

fn segmented(data: &[u8]) -> Document {
    let mut doc = Document::new("fuzz", text_of(data));
    gazette::segment::Segmenter::new().annotate(&mut doc);
    doc
}

/// Segment: sentences and tokens are in bounds, on character boundaries, in order and
/// without overlap; every token lies in its sentence.
pub fn segment(data: &[u8]) {
    let doc = segmented(data);
    let text = &doc.text;
    let mut last_end = 0;
    for s in &doc.sentences {
        assert_span(text, s.span, "sentence");
        assert!(s.span.start >= last_end, "sentences overlap or go back");
        assert!(!s.span.is_empty(), "empty sentence");
        last_end = s.span.end;
        for t in doc
            .tokens
            .get(s.tokens.clone())
            .expect("token range in bounds")
        {
            assert!(
                s.span.contains(t.span),
                "token {:?} outside its sentence",
                t.span
            );
        }
    }
    let mut last = 0;
    for t in &doc.tokens {
        assert_span(text, t.span, "token");
        assert!(t.span.start >= last, "tokens overlap or go back");
        assert!(!t.span.is_empty(), "empty token");
        last = t.span.end;
    }
}

/// Money: mentions are in bounds, in their sentence, with a finite value (JSON has no
/// infinity) and a three-letter currency code.
pub fn money(data: &[u8]) {
    let mut doc = segmented(data);
    gazette::money::MoneyRecognizer::new().annotate(&mut doc);
    for m in &doc.mentions {
        assert_span(&doc.text, m.span, "money mention");
        let sentence = doc.sentences.get(m.sentence).expect("sentence index");
        assert!(sentence.span.contains(m.span));
        if let Some(money) = m.money() {
            assert!(!money.value.is_nan(), "NaN amount");
            assert!(
                money.value.is_finite(),
                "amount {} is not finite",
                money.value
            );
            assert_eq!(money.currency.len(), 3, "currency {:?}", money.currency);
        }
    }
}

/// Dates: mentions are in bounds and in their sentence; resolved values look like ISO
/// 8601 dates or times. The first two bytes pick the article date.
pub fn dates(data: &[u8]) {
    let (day, rest) = match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) as i64, rest),
        _ => (0, data),
    };
    let mut doc = segmented(rest);
    doc.published = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(day % 20000)));
    gazette::time::DateRecognizer::new().annotate(&mut doc);
    for m in &doc.mentions {
        assert_span(&doc.text, m.span, "date mention");
        let sentence = doc.sentences.get(m.sentence).expect("sentence index");
        assert!(sentence.span.contains(m.span));
        if let Some(v) = m.date().and_then(|d| d.value.as_deref()) {
            // A year first (`2025`, `2025-10-27`, `2025-W44`), or an ISO 8601 time of day
            // (`T02:00`, which the fuzzer found the date stage writes for "2 a.m."-like text).
            let b = v.as_bytes();
            let year = b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit);
            let time = b.len() >= 3 && b[0] == b'T' && b[1..3].iter().all(u8::is_ascii_digit);
            assert!(year || time, "date value {v:?}");
        }
    }
}
