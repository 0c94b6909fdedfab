//! What a page is drawn from: a [`View`] of one article, read from the JSON records of the
//! output contract (a `--emit documents` record, or event and entity records), or built
//! from an annotated [`Document`] through the same records so both paths draw alike.
//!
//! Offsets stay Unicode code points, as in the records. Reading is lenient (missing fields
//! default) because records may come from older or newer gazette versions.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::document::Document;
use crate::error::{Error, Origin, Result};
use crate::output::Writer;

/// `{"text", "start", "end"}`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct SpanRec {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A sentence of a documents record, or the `sentence` of an event record.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct SentenceRec {
    pub index: usize,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub kind: Option<String>,
}

/// A mention of a documents record.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct MentionRec {
    pub text: String,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub ty: String,
    pub source: Option<String>,
    pub sentence: Option<usize>,
    pub entity: Option<String>,
    pub name: Option<String>,
    pub kb: Option<String>,
    /// A number (MONEY) or an ISO date string (DATE).
    pub value: Option<Value>,
    pub value_max: Option<Value>,
    pub currency: Option<String>,
    pub qualifier: Option<String>,
    pub anchor: Option<String>,
}

/// A mention listed under an entity.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct EntityMentionRec {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub sentence: Option<usize>,
    pub source: Option<String>,
}

/// An entity record (also nested in documents records).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct EntityRec {
    pub doc_id: Option<String>,
    pub entity: String,
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub kb: Option<String>,
    pub attributes: BTreeMap<String, Value>,
    pub mentions: Vec<EntityMentionRec>,
}

/// A role filler of an event.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ArgRec {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub entity: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub kb: Option<String>,
}

/// An amount or a time of an event: a span with its normalised value.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ValueRec {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub value: Option<Value>,
    pub value_max: Option<Value>,
    pub currency: Option<String>,
    pub qualifier: Option<String>,
    pub per: Option<String>,
    pub anchor: Option<String>,
}

/// An event record (also nested in documents records).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct EventRec {
    pub doc_id: Option<String>,
    pub event_id: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub subtype: String,
    pub cameo: String,
    pub plover: String,
    pub trigger: SpanRec,
    pub modality: String,
    pub agents: Vec<ArgRec>,
    pub counterparts: Vec<ArgRec>,
    pub amount: Option<ValueRec>,
    pub topic: Option<SpanRec>,
    pub purpose: Option<SpanRec>,
    pub condition: Option<SpanRec>,
    pub place: Option<ArgRec>,
    pub time: Option<ValueRec>,
    pub sentence: Option<SentenceRec>,
    pub evidence: Vec<usize>,
    pub confidence: f64,
}

/// A documents record.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct DocumentRec {
    doc_id: String,
    title: Option<String>,
    published: Option<String>,
    url: Option<String>,
    source: Option<String>,
    text: String,
    sentences: Vec<SentenceRec>,
    mentions: Vec<MentionRec>,
    entities: Vec<EntityRec>,
    events: Vec<EventRec>,
}

/// A piece of the article text starting at code point `start`. A full record has one
/// segment holding the whole text; event records give only their sentences.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Segment {
    pub start: usize,
    pub text: String,
}

/// Everything one article page shows.
#[derive(Clone, Debug, Default)]
pub struct View {
    pub doc_id: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    /// The article text, whole (one segment) or as the sentences records carried.
    pub segments: Vec<Segment>,
    /// Whether `segments` is the whole text.
    pub complete: bool,
    pub sentences: Vec<SentenceRec>,
    pub mentions: Vec<MentionRec>,
    pub entities: Vec<EntityRec>,
    pub events: Vec<EventRec>,
}

impl View {
    /// The view of an annotated document, built from its `--emit documents` record so that
    /// drawing a document and drawing its record give the same page.
    pub fn from_document(doc: &Document) -> View {
        let record = Writer::new(doc).document();
        // The record is ours, so it always fits; a default view is the safe fallback.
        let rec: DocumentRec = serde_json::from_value(record).unwrap_or_default();
        View::from_record(rec)
    }

    fn from_record(rec: DocumentRec) -> View {
        View {
            doc_id: rec.doc_id,
            title: rec.title,
            published: rec.published,
            url: rec.url,
            source: rec.source,
            segments: vec![Segment {
                start: 0,
                text: rec.text,
            }],
            complete: true,
            sentences: rec.sentences,
            mentions: rec.mentions,
            entities: rec.entities,
            events: rec.events,
        }
    }

    /// The page title: the article's title, else its id.
    pub fn heading(&self) -> &str {
        match &self.title {
            Some(t) if !t.trim().is_empty() => t,
            _ => &self.doc_id,
        }
    }

    /// An entity by id.
    pub fn entity(&self, id: &str) -> Option<&EntityRec> {
        self.entities.iter().find(|e| e.entity == id)
    }

    /// Rebuilds what event (and entity) records alone say about an article: the text of
    /// the events' sentences, the role fillers, amounts and times as mentions, and the
    /// entities they name.
    fn complete_from_events(&mut self) {
        let mut sentences: BTreeMap<usize, SentenceRec> = BTreeMap::new();
        for e in &self.events {
            if let Some(s) = &e.sentence {
                sentences.entry(s.start).or_insert_with(|| s.clone());
            }
        }
        // Keep sentences that do not overlap one another, so segments stay in order.
        let mut end = 0;
        self.sentences.clear();
        self.segments.clear();
        for s in sentences.into_values() {
            if s.start < end && !self.segments.is_empty() {
                continue;
            }
            end = s.end.max(s.start);
            self.segments.push(Segment {
                start: s.start,
                text: s.text.clone(),
            });
            self.sentences.push(s);
        }

        let mut seen: HashMap<(usize, usize, String), ()> = HashMap::new();
        let mut mentions = Vec::new();
        let mut add = |m: MentionRec| {
            if seen.insert((m.start, m.end, m.ty.clone()), ()).is_none() {
                mentions.push(m);
            }
        };
        for e in &self.events {
            let sentence = e.sentence.as_ref().map(|s| s.index);
            for a in e.agents.iter().chain(&e.counterparts).chain(&e.place) {
                add(MentionRec {
                    text: a.text.clone(),
                    start: a.start,
                    end: a.end,
                    ty: a.ty.clone().unwrap_or_else(|| "MISC".into()),
                    sentence,
                    entity: a.entity.clone(),
                    name: a.name.clone(),
                    kb: a.kb.clone(),
                    ..MentionRec::default()
                });
            }
            for (v, ty) in [(&e.amount, "MONEY"), (&e.time, "DATE")] {
                if let Some(v) = v {
                    add(MentionRec {
                        text: v.text.clone(),
                        start: v.start,
                        end: v.end,
                        ty: ty.into(),
                        sentence,
                        value: v.value.clone(),
                        value_max: v.value_max.clone(),
                        currency: v.currency.clone(),
                        qualifier: v.qualifier.clone(),
                        anchor: v.anchor.clone(),
                        ..MentionRec::default()
                    });
                }
            }
        }
        mentions.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        self.mentions = mentions;

        // Entities named by the role fillers, unless entity records described them.
        let described: Vec<String> = self.entities.iter().map(|e| e.entity.clone()).collect();
        for m in &self.mentions {
            let Some(id) = &m.entity else { continue };
            if described.contains(id) {
                continue;
            }
            let mention = EntityMentionRec {
                text: m.text.clone(),
                start: m.start,
                end: m.end,
                sentence: m.sentence,
                source: None,
            };
            match self.entities.iter_mut().find(|e| &e.entity == id) {
                Some(e) => {
                    if !e
                        .mentions
                        .iter()
                        .any(|x| x.start == m.start && x.end == m.end)
                    {
                        e.mentions.push(mention);
                        e.mentions.sort_by_key(|x| x.start);
                    }
                }
                None => self.entities.push(EntityRec {
                    doc_id: Some(self.doc_id.clone()),
                    entity: id.clone(),
                    name: m.name.clone().unwrap_or_else(|| m.text.clone()),
                    ty: m.ty.clone(),
                    kb: m.kb.clone(),
                    attributes: BTreeMap::new(),
                    mentions: vec![mention],
                }),
            }
        }
        self.entities.sort_by_key(|e| entity_number(&e.entity));
    }
}

/// `E12` → 12, for ordering entities as the pipeline numbered them.
fn entity_number(id: &str) -> (usize, String) {
    let n = id
        .strip_prefix('E')
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    (n, id.to_string())
}

/// Collects views from JSON-lines records of any kind gazette writes: documents records
/// are views on their own; event and entity records are grouped by `doc_id`. Error
/// records and blank lines are skipped. Views keep the order their articles first appear.
#[derive(Default)]
pub struct Records {
    views: Vec<View>,
    by_id: HashMap<String, usize>,
}

/// What one record line was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Document,
    Event,
    Entity,
    /// An error record (an input that failed when the records were written).
    Error,
    Blank,
}

impl Records {
    pub fn new() -> Records {
        Records::default()
    }

    /// Adds one JSON line; `origin` names it in errors.
    pub fn add_line(&mut self, line: &str, origin: &Origin) -> Result<RecordKind> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(RecordKind::Blank);
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| Error::input(origin.clone(), format!("malformed JSON: {e}")))?;
        let Value::Object(obj) = value else {
            return Err(Error::input(
                origin.clone(),
                "a record must be a JSON object",
            ));
        };
        self.add_record(obj, origin)
    }

    /// Adds one parsed record.
    pub fn add_record(&mut self, obj: Map<String, Value>, origin: &Origin) -> Result<RecordKind> {
        let bad = |what: &str, e: serde_json::Error| {
            Error::input(origin.clone(), format!("not a {what} record: {e}"))
        };
        if obj.contains_key("error") {
            return Ok(RecordKind::Error);
        }
        if obj.contains_key("text") && obj.contains_key("sentences") {
            let rec: DocumentRec =
                serde_json::from_value(Value::Object(obj)).map_err(|e| bad("documents", e))?;
            let view = View::from_record(rec);
            match self.by_id.get(&view.doc_id) {
                // A full record replaces what event records had said about the article.
                Some(&i) => self.views[i] = view,
                None => {
                    self.by_id.insert(view.doc_id.clone(), self.views.len());
                    self.views.push(view);
                }
            }
            return Ok(RecordKind::Document);
        }
        if obj.contains_key("event_id") {
            let rec: EventRec =
                serde_json::from_value(Value::Object(obj)).map_err(|e| bad("events", e))?;
            let view = self.partial(rec.doc_id.as_deref().unwrap_or(""));
            if !view.complete {
                view.events.push(rec);
            }
            return Ok(RecordKind::Event);
        }
        if obj.contains_key("entity") && obj.contains_key("mentions") {
            let rec: EntityRec =
                serde_json::from_value(Value::Object(obj)).map_err(|e| bad("entities", e))?;
            let view = self.partial(rec.doc_id.as_deref().unwrap_or(""));
            if !view.complete {
                view.entities.push(rec);
            }
            return Ok(RecordKind::Entity);
        }
        Err(Error::input(
            origin.clone(),
            "not a gazette record (expected a documents, events or entities record)",
        ))
    }

    fn partial(&mut self, doc_id: &str) -> &mut View {
        let i = match self.by_id.get(doc_id) {
            Some(&i) => i,
            None => {
                self.by_id.insert(doc_id.to_string(), self.views.len());
                self.views.push(View {
                    doc_id: doc_id.to_string(),
                    ..View::default()
                });
                self.views.len() - 1
            }
        };
        &mut self.views[i]
    }

    /// Adds a view drawn from an annotated document.
    pub fn add_view(&mut self, view: View) {
        match self.by_id.get(&view.doc_id) {
            Some(&i) => self.views[i] = view,
            None => {
                self.by_id.insert(view.doc_id.clone(), self.views.len());
                self.views.push(view);
            }
        }
    }

    /// The views, with articles known only from event records rebuilt from them.
    pub fn into_views(self) -> Vec<View> {
        let mut views = self.views;
        for v in &mut views {
            if !v.complete {
                v.events.sort_by_key(|e| event_number(&e.event_id));
                v.complete_from_events();
            }
        }
        views
    }
}

/// `doc#7` → 7, for ordering events as the pipeline numbered them.
fn event_number(id: &str) -> usize {
    id.rsplit('#')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}
