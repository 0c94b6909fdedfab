//! Property: over arbitrary Unicode text (and text built from news-like and hostile
//! pieces), the whole pipeline returns, every span is in bounds and on character
//! boundaries, every record of every kind validates against its JSON Schema, and every
//! `{text, start, end}` in the output is the code point slice it claims to be.

use std::sync::OnceLock;

use gazette::output::{Emit, Writer};
use gazette::{Document, Pipeline, PipelineOptions, Span};
use proptest::prelude::*;
use serde_json::Value;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new(&PipelineOptions::default()).expect("default pipeline"))
}

fn validators() -> &'static Vec<(Emit, jsonschema::Validator)> {
    static V: OnceLock<Vec<(Emit, jsonschema::Validator)>> = OnceLock::new();
    V.get_or_init(|| {
        [
            Emit::Events,
            Emit::Entities,
            Emit::Documents,
            Emit::Mentions,
            Emit::Sentences,
        ]
        .into_iter()
        .map(|emit| {
            let schema: Value =
                serde_json::from_str(gazette::schema::get(emit.as_str()).expect("schema"))
                    .expect("schema is JSON");
            (
                emit,
                jsonschema::validator_for(&schema).expect("valid schema"),
            )
        })
        .collect()
    })
}

fn check_span(text: &str, span: Span, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} {span:?} out of bounds (text is {} bytes)",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} {span:?} not on a character boundary"
    );
    Ok(())
}

/// Every `{text, start, end}` object in `v` must be the code point slice it names.
fn check_offsets(v: &Value, chars: &[char]) -> Result<(), TestCaseError> {
    match v {
        Value::Object(m) => {
            if let (Some(Value::String(t)), Some(s), Some(e)) =
                (m.get("text"), m.get("start"), m.get("end"))
            {
                let (s, e) = (
                    s.as_u64().unwrap_or(0) as usize,
                    e.as_u64().unwrap_or(0) as usize,
                );
                prop_assert!(
                    s <= e && e <= chars.len(),
                    "offsets {s}..{e} of {} chars",
                    chars.len()
                );
                let slice: String = chars[s..e].iter().collect();
                prop_assert_eq!(&slice, t, "text[{}:{}]", s, e);
            }
            for child in m.values() {
                check_offsets(child, chars)?;
            }
        }
        Value::Array(a) => {
            for child in a {
                check_offsets(child, chars)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn check(text: String) -> Result<(), TestCaseError> {
    let mut doc = Document::new("prop", text);
    doc.published = chrono::NaiveDate::from_ymd_opt(2025, 10, 27);
    pipeline().annotate(&mut doc);
    let t = &doc.text;
    for s in &doc.sentences {
        check_span(t, s.span, "sentence")?;
        prop_assert!(s.tokens.end <= doc.tokens.len());
    }
    for tok in &doc.tokens {
        check_span(t, tok.span, "token")?;
    }
    for m in &doc.mentions {
        check_span(t, m.span, "mention")?;
        prop_assert!(m.sentence < doc.sentences.len().max(1));
    }
    for e in &doc.events {
        check_span(t, e.trigger, "trigger")?;
        for a in e
            .agents
            .iter()
            .chain(&e.counterparts)
            .chain(e.place.as_ref())
        {
            check_span(t, a.span, "argument")?;
        }
        for s in [e.topic, e.purpose, e.condition].into_iter().flatten() {
            check_span(t, s, "event span")?;
        }
    }
    let chars: Vec<char> = doc.text.chars().collect();
    let writer = Writer::new(&doc);
    for (emit, validator) in validators() {
        for record in writer.records(*emit, true) {
            if let Err(e) = validator.validate(&record) {
                return Err(TestCaseError::fail(format!(
                    "{} record does not validate: {e}\n{record}",
                    emit.as_str()
                )));
            }
            check_offsets(&record, &chars)?;
        }
    }
    let compact = writer.document_json();
    prop_assert_eq!(compact, serde_json::to_string(&writer.document()).unwrap());
    Ok(())
}

/// Pieces news text is made of, and pieces that have broken tokenisers and regexes.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "Donald Trump", "Trump", "Sanae Takaichi", "Tokyo", "Japan", "the US", "U.S.", "Mr.",
            "Prime Minister", "President", "Emperor Naruhito", "visited", "met", "signed",
            "pledged", "said", "on Monday", "earlier this year", "Oct. 27", "2025-10-27",
            "over $550 billion", "€3.5bn", "550 billion yen", "¥", "$", "%", ".", ",", "!",
            "?", "\"", "“", "”", "’s", "—", "(", ")", "\n", "\n\n", "\r\n", " ", "  ", "\t",
            "•", "- ", "1.", "10,000", "3.14", "APEC", "G7", "NATO", "Ltd.", "Inc.",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
        1 => "[A-Z][a-z]{0,8}",
        1 => "\\PC{1,6}",
    ]
}

fn article() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..60).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_unicode_keeps_every_invariant(text in any::<String>()) {
        check(text)?;
    }

    #[test]
    fn news_like_and_hostile_text_keeps_every_invariant(text in article()) {
        check(text)?;
    }

    #[test]
    fn repeated_patterns_keep_every_invariant(unit in piece(), times in 1usize..400) {
        check(unit.repeat(times))?;
    }
}

/// Found by the properties above: a non-ASCII text whose length is a multiple of the
/// code point index's block size gave end offsets of 0.
#[test]
fn spans_ending_at_a_block_boundary() {
    check("€3.5bn".repeat(32)).unwrap();
    check(format!("{}é", "a".repeat(510))).unwrap();
}
