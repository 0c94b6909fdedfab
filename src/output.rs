//! Output records: the JSON contract (version 1) of events, entities, documents, mentions
//! and sentences.
//!
//! Owns the conversion from annotated [`Document`]s to JSON values, including byte →
//! Unicode code point offsets. Does not write files or decide where records go (the CLI
//! does); the schemas in `src/schema/` describe exactly what this module writes.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};

use crate::document::{Argument, CharOffsets, Document, Mention, MentionValue, Span};
use crate::error::Error;

/// Which records `--emit` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Emit {
    #[default]
    Events,
    Entities,
    Documents,
    Mentions,
    Sentences,
}

impl Emit {
    pub fn as_str(&self) -> &'static str {
        match self {
            Emit::Events => "events",
            Emit::Entities => "entities",
            Emit::Documents => "documents",
            Emit::Mentions => "mentions",
            Emit::Sentences => "sentences",
        }
    }
}

/// Builds the JSON records of one document.
pub struct Writer<'d> {
    doc: &'d Document,
    offsets: CharOffsets<'d>,
}

impl<'d> Writer<'d> {
    pub fn new(doc: &'d Document) -> Writer<'d> {
        Writer {
            doc,
            offsets: CharOffsets::new(&doc.text),
        }
    }

    /// The records `emit` asks for, in document order.
    pub fn records(&self, emit: Emit, tokens: bool) -> Vec<Value> {
        let mut out = Vec::new();
        self.for_each_record(emit, tokens, |v| out.push(v));
        out
    }

    /// Calls `f` with each record `emit` asks for, in document order, building one at a
    /// time: a writer then holds one record's JSON tree, not the whole document's (which
    /// for a hostile article can be many times the size of its text).
    pub fn for_each_record(&self, emit: Emit, tokens: bool, mut f: impl FnMut(Value)) {
        let doc = self.doc;
        match emit {
            Emit::Events => (0..doc.events.len()).for_each(|i| f(self.event(i))),
            Emit::Entities => (0..doc.entities.len()).for_each(|i| f(self.entity(i))),
            Emit::Documents => f(self.document()),
            Emit::Mentions => (0..doc.mentions.len()).for_each(|i| f(self.mention(i))),
            Emit::Sentences => (0..doc.sentences.len()).for_each(|i| f(self.sentence(i, tokens))),
        }
    }

    /// The document record as compact JSON, byte for byte `serde_json::to_string(&self.
    /// document())`, but built one nested record at a time so memory stays near the size
    /// of the text written.
    pub fn document_json(&self) -> String {
        let doc = self.doc;
        let mut out = String::with_capacity(doc.text.len() * 4 + 256);
        let head = Value::Object(self.document_head());
        let head = serde_json::to_string(&head).unwrap_or_default();
        // `head` ends with `}`: the nested lists go before it.
        out.push_str(head.strip_suffix('}').unwrap_or(&head));
        let list = |out: &mut String, key: &str, n: usize, item: &dyn Fn(usize) -> Value| {
            out.push_str(",\"");
            out.push_str(key);
            out.push_str("\":[");
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                let v = without_doc_id(item(i));
                out.push_str(&serde_json::to_string(&v).unwrap_or_default());
            }
            out.push(']');
        };
        list(&mut out, "sentences", doc.sentences.len(), &|i| {
            self.sentence(i, false)
        });
        list(&mut out, "mentions", doc.mentions.len(), &|i| {
            self.mention(i)
        });
        list(&mut out, "entities", doc.entities.len(), &|i| {
            self.entity(i)
        });
        list(&mut out, "events", doc.events.len(), &|i| self.event(i));
        out.push('}');
        out
    }

    /// `{"text", "start", "end"}` with code point offsets.
    pub fn span(&self, span: Span) -> Value {
        json!({
            "text": self.doc.span_text(span),
            "start": self.offsets.get(span.start),
            "end": self.offsets.get(span.end),
        })
    }

    fn span_map(&self, span: Span) -> Map<String, Value> {
        match self.span(span) {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    pub fn event_id(&self, index: usize) -> String {
        format!("{}#{}", self.doc.id, index + 1)
    }

    pub fn events(&self) -> Vec<Value> {
        (0..self.doc.events.len()).map(|i| self.event(i)).collect()
    }

    pub fn event(&self, index: usize) -> Value {
        serde_json::to_value(self.event_record(index)).unwrap_or(Value::Null)
    }

    /// Event `index` as compact JSON: `serde_json::to_string(&self.event(index))` byte for
    /// byte, serialised straight from the document (no JSON tree built and dropped per
    /// record, which was most of the output stage's time).
    pub fn event_json(&self, index: usize) -> String {
        serde_json::to_string(&self.event_record(index)).unwrap_or_default()
    }

    /// [`Writer::event_json`], indented as `serde_json::to_string_pretty`.
    pub fn event_json_pretty(&self, index: usize) -> String {
        serde_json::to_string_pretty(&self.event_record(index)).unwrap_or_default()
    }

    /// The one definition of the event record's fields and their order; [`Writer::event`]
    /// and [`Writer::event_json`] both serialise it.
    fn event_record(&self, index: usize) -> EventRecord<'_> {
        let doc = self.doc;
        let e = &doc.events[index];
        let value_mention = |i: Option<usize>| {
            i.and_then(|i| doc.mentions.get(i))
                .map(|m| self.value_mention_record(m))
        };
        EventRecord {
            doc_id: &doc.id,
            event_id: self.event_id(index),
            ty: e.ty.as_str(),
            subtype: &e.subtype,
            cameo: &e.cameo,
            plover: &e.plover,
            trigger: self.span_record(e.trigger),
            modality: e.modality.as_str(),
            agents: e.agents.iter().map(|a| self.argument_record(a)).collect(),
            counterparts: e
                .counterparts
                .iter()
                .map(|a| self.argument_record(a))
                .collect(),
            amount: value_mention(e.amount),
            topic: e.topic.map(|s| self.span_record(s)),
            purpose: e.purpose.map(|s| self.span_record(s)),
            condition: e.condition.map(|s| self.span_record(s)),
            place: e.place.as_ref().map(|a| self.argument_record(a)),
            time: value_mention(e.time),
            sentence: doc.sentences.get(e.sentence).map(|s| SentenceRef {
                span: self.span_record(s.span),
                index: e.sentence,
            }),
            evidence: &e.evidence,
            confidence: round3(e.confidence),
        }
    }

    fn span_record(&self, span: Span) -> SpanRecord<'d> {
        SpanRecord {
            text: self.doc.span_text(span),
            start: self.offsets.get(span.start),
            end: self.offsets.get(span.end),
        }
    }

    /// A role filler: its span, and the entity it refers to when resolved.
    pub fn argument(&self, a: &Argument) -> Value {
        serde_json::to_value(self.argument_record(a)).unwrap_or(Value::Null)
    }

    fn argument_record(&self, a: &Argument) -> ArgumentRecord<'d> {
        let doc = self.doc;
        let span = self.span_record(a.span);
        let entity = a
            .entity
            .or_else(|| a.mention.and_then(|i| doc.mentions.get(i)?.entity))
            .and_then(|i| doc.entities.get(i));
        match entity {
            Some(e) => ArgumentRecord {
                span,
                entity: Some(&e.id),
                name: &e.name,
                ty: Some(e.ty.as_str()),
                kb: e.kb.as_deref(),
            },
            None => ArgumentRecord {
                span,
                entity: None,
                name: doc.span_text(a.span),
                ty: a
                    .mention
                    .and_then(|i| doc.mentions.get(i))
                    .map(|m| m.ty.as_str()),
                kb: None,
            },
        }
    }

    /// A MONEY or DATE mention with its normalised value fields.
    pub fn value_mention(&self, mention: &Mention) -> Value {
        serde_json::to_value(self.value_mention_record(mention)).unwrap_or(Value::Null)
    }

    fn value_mention_record(&self, mention: &'d Mention) -> ValueMentionRecord<'d> {
        ValueMentionRecord {
            span: self.span_record(mention.span),
            mention,
        }
    }

    pub fn entities(&self) -> Vec<Value> {
        (0..self.doc.entities.len())
            .map(|i| self.entity(i))
            .collect()
    }

    pub fn entity(&self, index: usize) -> Value {
        let doc = self.doc;
        let e = &doc.entities[index];
        let mentions: Vec<Value> = e
            .mentions
            .iter()
            .filter_map(|&i| doc.mentions.get(i))
            .map(|m| {
                let mut o = self.span_map(m.span);
                o.insert("sentence".into(), json!(m.sentence));
                o.insert("source".into(), json!(m.source.as_str()));
                Value::Object(o)
            })
            .collect();
        json!({
            "doc_id": doc.id,
            "entity": e.id,
            "name": e.name,
            "type": e.ty.as_str(),
            "kb": e.kb,
            "attributes": e.attributes,
            "mentions": mentions,
        })
    }

    pub fn mentions(&self) -> Vec<Value> {
        (0..self.doc.mentions.len())
            .map(|i| self.mention(i))
            .collect()
    }

    pub fn mention(&self, index: usize) -> Value {
        let doc = self.doc;
        let mention = &doc.mentions[index];
        let mut m = Map::new();
        m.insert("doc_id".into(), json!(doc.id));
        m.extend(self.span_map(mention.span));
        m.insert("type".into(), json!(mention.ty.as_str()));
        m.insert("source".into(), json!(mention.source.as_str()));
        m.insert("sentence".into(), json!(mention.sentence));
        m.insert("score".into(), json!(round3(mention.score)));
        if let Some(e) = mention.entity.and_then(|i| doc.entities.get(i)) {
            m.insert("entity".into(), json!(e.id));
        }
        if let Some(link) = &mention.link {
            m.insert("name".into(), json!(link.name));
            m.insert("kb".into(), json!(link.kb));
        }
        add_value(&mut m, mention);
        Value::Object(m)
    }

    pub fn sentences(&self, tokens: bool) -> Vec<Value> {
        (0..self.doc.sentences.len())
            .map(|i| self.sentence(i, tokens))
            .collect()
    }

    pub fn sentence(&self, index: usize, tokens: bool) -> Value {
        let doc = self.doc;
        let s = &doc.sentences[index];
        let mut m = Map::new();
        m.insert("doc_id".into(), json!(doc.id));
        m.insert("index".into(), json!(index));
        m.extend(self.span_map(s.span));
        m.insert("kind".into(), json!(s.kind));
        if tokens {
            let toks: Vec<Value> = doc
                .sentence_tokens(index)
                .iter()
                .map(|t| {
                    let mut o = self.span_map(t.span);
                    o.insert("kind".into(), json!(t.kind));
                    Value::Object(o)
                })
                .collect();
            m.insert("tokens".into(), Value::Array(toks));
        }
        Value::Object(m)
    }

    /// One record with the article, its sentences, entities and events nested.
    pub fn document(&self) -> Value {
        let strip = without_doc_id;
        let mut m = self.document_head();
        let nested = |v: Vec<Value>| Value::Array(v.into_iter().map(strip).collect());
        m.insert("sentences".into(), nested(self.sentences(false)));
        m.insert("mentions".into(), nested(self.mentions()));
        m.insert("entities".into(), nested(self.entities()));
        m.insert("events".into(), nested(self.events()));
        Value::Object(m)
    }

    /// The article's own fields, first in a documents record (both writers share them).
    fn document_head(&self) -> Map<String, Value> {
        let doc = self.doc;
        let mut m = Map::new();
        m.insert("doc_id".into(), json!(doc.id));
        m.insert("title".into(), json!(doc.title));
        m.insert(
            "published".into(),
            json!(doc.published.map(|d| d.to_string())),
        );
        m.insert("url".into(), json!(doc.url));
        m.insert("source".into(), json!(doc.source));
        m.insert("meta".into(), Value::Object(doc.meta.clone()));
        m.insert("text".into(), json!(doc.text));
        m
    }
}

/// `{"text", "start", "end"}`: [`Writer::span`] as a struct.
#[derive(serde::Serialize)]
struct SpanRecord<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

impl SpanRecord<'_> {
    fn entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("text", self.text)?;
        m.serialize_entry("start", &self.start)?;
        m.serialize_entry("end", &self.end)
    }
}

/// The event record (schema `events`), fields in contract order.
#[derive(serde::Serialize)]
struct EventRecord<'a> {
    doc_id: &'a str,
    event_id: String,
    #[serde(rename = "type")]
    ty: &'a str,
    subtype: &'a str,
    cameo: &'a str,
    plover: &'a str,
    trigger: SpanRecord<'a>,
    modality: &'a str,
    agents: Vec<ArgumentRecord<'a>>,
    counterparts: Vec<ArgumentRecord<'a>>,
    amount: Option<ValueMentionRecord<'a>>,
    topic: Option<SpanRecord<'a>>,
    purpose: Option<SpanRecord<'a>>,
    condition: Option<SpanRecord<'a>>,
    place: Option<ArgumentRecord<'a>>,
    time: Option<ValueMentionRecord<'a>>,
    sentence: Option<SentenceRef<'a>>,
    evidence: &'a [usize],
    confidence: f64,
}

/// An event's sentence: its span and index.
struct SentenceRef<'a> {
    span: SpanRecord<'a>,
    index: usize,
}

impl Serialize for SentenceRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(4))?;
        self.span.entries(&mut m)?;
        m.serialize_entry("index", &self.index)?;
        m.end()
    }
}

/// A role filler (see [`Writer::argument`]).
struct ArgumentRecord<'a> {
    span: SpanRecord<'a>,
    entity: Option<&'a str>,
    name: &'a str,
    ty: Option<&'a str>,
    kb: Option<&'a str>,
}

impl Serialize for ArgumentRecord<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(7))?;
        self.span.entries(&mut m)?;
        m.serialize_entry("entity", &self.entity)?;
        m.serialize_entry("name", self.name)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("kb", &self.kb)?;
        m.end()
    }
}

/// A MONEY or DATE mention's span and value fields (see [`add_value`], which this
/// mirrors for the JSON-tree records).
struct ValueMentionRecord<'a> {
    span: SpanRecord<'a>,
    mention: &'a Mention,
}

impl Serialize for ValueMentionRecord<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        self.span.entries(&mut m)?;
        match &self.mention.value {
            Some(MentionValue::Money(money)) => {
                m.serialize_entry("value", &Number(money.value))?;
                m.serialize_entry("currency", &money.currency)?;
                if let Some(q) = money.qualifier {
                    m.serialize_entry("qualifier", q.as_str())?;
                }
                if let Some(max) = money.value_max {
                    m.serialize_entry("value_max", &Number(max))?;
                }
                if let Some(per) = &money.per {
                    m.serialize_entry("per", per)?;
                }
            }
            Some(MentionValue::Date(date)) => {
                m.serialize_entry("value", &date.value)?;
                if let Some(anchor) = &date.anchor {
                    m.serialize_entry("anchor", anchor)?;
                }
                m.serialize_entry("relative", &date.relative)?;
            }
            None => {}
        }
        m.end()
    }
}

/// An amount serialised as [`number`] makes it.
struct Number(f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            serializer.serialize_i64(x as i64)
        } else {
            serializer.serialize_f64(x)
        }
    }
}

/// A nested record: its `doc_id` dropped, the order of the other fields kept.
fn without_doc_id(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.shift_remove("doc_id");
    }
    v
}

fn add_value(m: &mut Map<String, Value>, mention: &Mention) {
    match &mention.value {
        Some(MentionValue::Money(money)) => {
            m.insert("value".into(), number(money.value));
            m.insert("currency".into(), json!(money.currency));
            if let Some(q) = money.qualifier {
                m.insert("qualifier".into(), json!(q.as_str()));
            }
            if let Some(max) = money.value_max {
                m.insert("value_max".into(), number(max));
            }
            if let Some(per) = &money.per {
                m.insert("per".into(), json!(per));
            }
        }
        Some(MentionValue::Date(date)) => {
            m.insert("value".into(), json!(date.value));
            if let Some(anchor) = &date.anchor {
                m.insert("anchor".into(), json!(anchor));
            }
            m.insert("relative".into(), json!(date.relative));
        }
        None => {}
    }
}

/// The record written in place of a document that could not be read or processed, so
/// that `--emit documents` keeps one output line per input line.
pub fn error_record(doc_id: Option<&str>, error: &Error) -> Value {
    let origin = error.origin();
    json!({
        "doc_id": doc_id,
        "error": error.to_string(),
        "path": origin.map(|o| o.path.clone()),
        "line": origin.and_then(|o| o.line),
        "reason": error.reason(),
    })
}

/// A whole amount as a JSON integer (`550000000000`, not `550000000000.0`) where it fits
/// exactly; consumers summing amounts in jq or SQL then see the number the text gave.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

fn round3(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_json_is_the_document_record_serialised() {
        let pipeline = crate::Pipeline::new(&crate::PipelineOptions::default()).unwrap();
        let mut doc = Document::new(
            "d",
            "Donald Trump arrived in Tokyo on Monday.\nJapan pledged over $550 billion to the US.",
        );
        doc.title = Some("T".into());
        doc.meta.insert("lang".into(), json!("en"));
        pipeline.annotate(&mut doc);
        let w = Writer::new(&doc);
        assert!(!doc.mentions.is_empty());
        assert_eq!(
            w.document_json(),
            serde_json::to_string(&w.document()).unwrap()
        );
        let records = w.records(Emit::Documents, false);
        assert_eq!(records.len(), 1);
        // Nested records keep their field order, without doc_id.
        let first = &records[0]["sentences"][0];
        let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["index", "text", "start", "end", "kind"]);
    }

    #[test]
    fn event_json_is_the_event_record_serialised() {
        let pipeline = crate::Pipeline::new(&crate::PipelineOptions::default()).unwrap();
        let text = "Japan pledged over $550 billion in investments into the US economy \
                    earlier this year, Prime Minister Sanae Takaichi said in Tokyo on Monday.";
        let mut doc = Document::new("d", text);
        doc.published = chrono::NaiveDate::from_ymd_opt(2025, 10, 27);
        pipeline.annotate(&mut doc);
        let w = Writer::new(&doc);
        assert!(!doc.events.is_empty());
        for i in 0..doc.events.len() {
            let v = w.event(i);
            assert_eq!(w.event_json(i), serde_json::to_string(&v).unwrap());
            assert_eq!(
                w.event_json_pretty(i),
                serde_json::to_string_pretty(&v).unwrap()
            );
            let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
            assert_eq!(keys[..3], ["doc_id", "event_id", "type"]);
        }
    }
}
