//! The annotation model every stage shares.
//!
//! A [`Document`] owns the article text and one layer of annotations per stage:
//! [`Sentence`]s and [`Token`]s (segment), [`Mention`]s (gazetteer, NER, money, time),
//! [`Entity`]s (resolve) and [`Event`]s (assemble). No stage edits the text, so every
//! [`Span`] in every layer points into it. Spans are **byte** offsets here; the output
//! stage converts them to Unicode code points for the JSON contract.
//!
//! This module owns the types only; it does no analysis.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into [`Document::text`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Whether `other` lies inside `self`.
    pub const fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub const fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The covered text; empty if the span is out of bounds or off a char boundary,
    /// so a bad span can never panic.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// The smallest span covering both.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// What a token looks like, decided by the segmenter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// Letters, possibly with inner hyphens, apostrophes or dots (`U.S.`, `well-known`).
    Word,
    /// Digits, possibly with separators (`3.14`, `1,000`, `10.5`).
    Number,
    /// Punctuation: `.`, `,`, quotes, brackets, dashes.
    Punct,
    /// Other symbols: currency signs, `%`, `&`, emoji.
    Symbol,
}

/// A word token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

/// How a sentence sits in the article's layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    /// Running text.
    #[default]
    Body,
    /// A line without final punctuation: a headline, section heading or dateline.
    Heading,
    /// A bulleted or numbered list item.
    Bullet,
}

/// A sentence: its span and the range of its tokens in [`Document::tokens`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub span: Span,
    pub tokens: Range<usize>,
    pub kind: SentenceKind,
}

/// The entity types of the output contract, plus `MISC` (kept in mentions only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityType {
    Person,
    Place,
    Org,
    Norp,
    Money,
    Date,
    Misc,
}

impl EntityType {
    pub const ALL: [EntityType; 7] = [
        EntityType::Person,
        EntityType::Place,
        EntityType::Org,
        EntityType::Norp,
        EntityType::Money,
        EntityType::Date,
        EntityType::Misc,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            EntityType::Person => "PERSON",
            EntityType::Place => "PLACE",
            EntityType::Org => "ORG",
            EntityType::Norp => "NORP",
            EntityType::Money => "MONEY",
            EntityType::Date => "DATE",
            EntityType::Misc => "MISC",
        }
    }

    /// Parses `PERSON`, `person`, and the CoNLL/OntoNotes spellings (`PER`, `LOC`, `GPE`…).
    pub fn parse(s: &str) -> Option<EntityType> {
        // Upper-cased on the stack: the gazetteer parses a type per line at start-up.
        let mut buf = [0u8; 12];
        let upper = buf.get_mut(..s.len())?;
        upper.copy_from_slice(s.as_bytes());
        upper.make_ascii_uppercase();
        Some(match &*upper {
            b"PERSON" | b"PER" => EntityType::Person,
            b"PLACE" | b"LOC" | b"GPE" | b"FAC" | b"LOCATION" => EntityType::Place,
            b"ORG" | b"ORGANIZATION" | b"ORGANISATION" => EntityType::Org,
            b"NORP" => EntityType::Norp,
            b"MONEY" => EntityType::Money,
            b"DATE" => EntityType::Date,
            b"MISC" => EntityType::Misc,
            _ => return None,
        })
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which stage produced a mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MentionSource {
    Gazetteer,
    Ner,
    Money,
    Date,
    /// Added by name resolution (a short form or reference joined to an entity).
    Resolve,
}

impl MentionSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            MentionSource::Gazetteer => "gazetteer",
            MentionSource::Ner => "ner",
            MentionSource::Money => "money",
            MentionSource::Date => "date",
            MentionSource::Resolve => "resolve",
        }
    }
}

/// The attributes of a [`Link`] or an [`Entity`] (`title`, `country`, `kind`, `cameo`, …):
/// a sorted map, read through `Deref`, that clones by sharing and copies itself on its
/// first change. A gazetteer entry's map goes to every mention of it and on to its
/// entity; copying it each time was a fifth of the pipeline's allocations. An empty map
/// holds nothing at all (most links and clusters start empty), so making one costs no
/// allocation either.
#[derive(Clone, Default)]
pub struct Attributes(Option<std::sync::Arc<BTreeMap<String, String>>>);

/// What an empty [`Attributes`] reads as.
static NO_ATTRIBUTES: BTreeMap<String, String> = BTreeMap::new();

impl Attributes {
    pub fn new() -> Attributes {
        Attributes::default()
    }

    /// Sets `key` (the map is copied first if it is shared); the old value, if any.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        self.make_mut().insert(key, value)
    }

    /// The map to change in place (copied first if it is shared).
    pub fn make_mut(&mut self) -> &mut BTreeMap<String, String> {
        std::sync::Arc::make_mut(self.0.get_or_insert_with(Default::default))
    }
}

impl std::ops::Deref for Attributes {
    type Target = BTreeMap<String, String>;

    fn deref(&self) -> &BTreeMap<String, String> {
        self.0.as_deref().unwrap_or(&NO_ATTRIBUTES)
    }
}

impl PartialEq for Attributes {
    fn eq(&self, other: &Attributes) -> bool {
        **self == **other
    }
}

impl Eq for Attributes {}

impl std::fmt::Debug for Attributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl From<BTreeMap<String, String>> for Attributes {
    fn from(map: BTreeMap<String, String>) -> Attributes {
        Attributes((!map.is_empty()).then(|| std::sync::Arc::new(map)))
    }
}

impl FromIterator<(String, String)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Attributes {
        BTreeMap::from_iter(pairs).into()
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::collections::btree_map::Iter<'a, String, String>;

    fn into_iter(self) -> Self::IntoIter {
        (**self).iter()
    }
}

impl Serialize for Attributes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        BTreeMap::deserialize(d).map(Attributes::from)
    }
}

/// A knowledge-base link: what a gazetteer entry says about the thing named.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Canonical name ("United States").
    pub name: String,
    /// Joinable id (`geonames:6252001`, `wikidata:Q22686`, `gazette:apec`).
    pub kb: Option<String>,
    /// Attributes such as `title`, `country`, `kind`, `cameo`.
    pub attributes: Attributes,
}

/// How an amount relates to the figure the text gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Over,
    Under,
    About,
    UpTo,
    AtLeast,
    Range,
}

impl Qualifier {
    pub fn as_str(&self) -> &'static str {
        match self {
            Qualifier::Over => "over",
            Qualifier::Under => "under",
            Qualifier::About => "about",
            Qualifier::UpTo => "up_to",
            Qualifier::AtLeast => "at_least",
            Qualifier::Range => "range",
        }
    }
}

/// The normalised value of a `MONEY` mention.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// In units of `currency` (550 billion dollars is `550000000000.0`).
    pub value: f64,
    /// Upper end of a range (`qualifier` is then `Range`).
    pub value_max: Option<f64>,
    /// ISO 4217 code.
    pub currency: String,
    pub qualifier: Option<Qualifier>,
    /// The unit of a per-unit amount (`$5 a share` → `share`).
    pub per: Option<String>,
}

/// The normalised value of a `DATE` mention.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateValue {
    /// ISO 8601 at the precision of the text (`2025-10-27`, `2025-10`, `2025`, `2025-W44`);
    /// `None` for a relative date without an article date to resolve against.
    pub value: Option<String>,
    /// The date a relative expression was resolved against (ISO 8601).
    pub anchor: Option<String>,
    /// Whether the text is relative ("on Monday", "last week").
    pub relative: bool,
}

/// A normalised value carried by a mention.
#[derive(Clone, Debug, PartialEq)]
pub enum MentionValue {
    Money(Money),
    Date(DateValue),
}

/// A span of text that names something, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    pub span: Span,
    pub ty: EntityType,
    pub source: MentionSource,
    /// Index into [`Document::sentences`].
    pub sentence: usize,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    pub link: Option<Link>,
    pub value: Option<MentionValue>,
    /// Index into [`Document::entities`], set by resolve.
    pub entity: Option<usize>,
}

impl Mention {
    pub fn new(span: Span, ty: EntityType, source: MentionSource, sentence: usize) -> Mention {
        Mention {
            span,
            ty,
            source,
            sentence,
            score: 1.0,
            link: None,
            value: None,
            entity: None,
        }
    }

    pub fn money(&self) -> Option<&Money> {
        match &self.value {
            Some(MentionValue::Money(m)) => Some(m),
            _ => None,
        }
    }

    pub fn date(&self) -> Option<&DateValue> {
        match &self.value {
            Some(MentionValue::Date(d)) => Some(d),
            _ => None,
        }
    }
}

/// One real-world thing named in an article: all its mentions joined.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    /// `E1`, `E2`, … in order of first mention.
    pub id: String,
    pub name: String,
    pub ty: EntityType,
    pub kb: Option<String>,
    pub attributes: Attributes,
    /// Indices into [`Document::mentions`], in text order.
    pub mentions: Vec<usize>,
}

/// The kinds of event of the output contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    Visit,
    Meeting,
    Agreement,
    Commitment,
    Statement,
}

impl EventType {
    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::Visit => "visit",
            EventType::Meeting => "meeting",
            EventType::Agreement => "agreement",
            EventType::Commitment => "commitment",
            EventType::Statement => "statement",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        Some(match s {
            "visit" => EventType::Visit,
            "meeting" => EventType::Meeting,
            "agreement" => EventType::Agreement,
            "commitment" => EventType::Commitment,
            "statement" => EventType::Statement,
            _ => return None,
        })
    }
}

/// How certain the text is that the event happens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    #[default]
    Asserted,
    Expected,
    Planned,
    Possible,
    Reported,
    Negated,
}

impl Modality {
    pub fn as_str(&self) -> &'static str {
        match self {
            Modality::Asserted => "asserted",
            Modality::Expected => "expected",
            Modality::Planned => "planned",
            Modality::Possible => "possible",
            Modality::Reported => "reported",
            Modality::Negated => "negated",
        }
    }

    pub fn parse(s: &str) -> Option<Modality> {
        Some(match s {
            "asserted" => Modality::Asserted,
            "expected" => Modality::Expected,
            "planned" => Modality::Planned,
            "possible" => Modality::Possible,
            "reported" => Modality::Reported,
            "negated" => Modality::Negated,
            _ => return None,
        })
    }
}

/// A role filler: the span the event's sentence uses, and the entity it refers to.
#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub span: Span,
    /// Index into [`Document::mentions`] when the filler is a mention.
    pub mention: Option<usize>,
    /// Index into [`Document::entities`] when resolved.
    pub entity: Option<usize>,
}

/// Something that happened (or is planned, expected…), with its roles.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub ty: EventType,
    /// `pledge`, `promise`, `plan`, `reaffirmation`, `purchase`, `investment`, `signing`…
    pub subtype: String,
    pub cameo: String,
    pub plover: String,
    pub trigger: Span,
    pub modality: Modality,
    pub agents: Vec<Argument>,
    pub counterparts: Vec<Argument>,
    /// Index of a `MONEY` mention.
    pub amount: Option<usize>,
    pub topic: Option<Span>,
    pub purpose: Option<Span>,
    pub condition: Option<Span>,
    pub place: Option<Argument>,
    /// Index of a `DATE` mention.
    pub time: Option<usize>,
    /// The sentence of the trigger.
    pub sentence: usize,
    /// Every sentence that mentions this event (the trigger's first), for merged events.
    pub evidence: Vec<usize>,
    pub confidence: f32,
}

/// One article and all its annotation layers.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The JSONL `id`, the path relative to the folder given, or `stdin` / `stdin:N`.
    pub id: String,
    pub title: Option<String>,
    /// The article date; relative dates resolve against it.
    pub published: Option<NaiveDate>,
    pub url: Option<String>,
    pub source: Option<String>,
    /// Unknown JSONL fields, carried through.
    pub meta: serde_json::Map<String, serde_json::Value>,
    pub text: String,
    pub sentences: Vec<Sentence>,
    pub tokens: Vec<Token>,
    pub mentions: Vec<Mention>,
    pub entities: Vec<Entity>,
    pub events: Vec<Event>,
}

impl Document {
    /// A document with text and id only, ready for the pipeline.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            ..Document::default()
        }
    }

    /// The text a span covers.
    pub fn span_text(&self, span: Span) -> &str {
        span.text(&self.text)
    }

    /// The tokens of sentence `i`.
    pub fn sentence_tokens(&self, i: usize) -> &[Token] {
        match self.sentences.get(i) {
            Some(s) => self.tokens.get(s.tokens.clone()).unwrap_or(&[]),
            None => &[],
        }
    }

    /// The index of the sentence containing byte `offset`, if any.
    pub fn sentence_at(&self, offset: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= offset);
        (i < self.sentences.len() && self.sentences[i].span.start <= offset).then_some(i)
    }
}

/// Converts byte offsets into Unicode code point offsets for one text.
///
/// Keeps the code point count at every 256-byte block so each lookup counts at most 256
/// bytes: output stays linear in the text even for many spans.
pub struct CharOffsets<'t> {
    text: &'t str,
    ascii: bool,
    blocks: Vec<usize>,
}

const BLOCK: usize = 256;

impl<'t> CharOffsets<'t> {
    pub fn new(text: &'t str) -> CharOffsets<'t> {
        let ascii = text.is_ascii();
        let mut blocks = Vec::new();
        if !ascii {
            let bytes = text.as_bytes();
            let mut count = 0;
            for chunk in bytes.chunks(BLOCK) {
                blocks.push(count);
                count += chunk.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
            }
            // The end of a text whose length is a multiple of BLOCK starts a block too.
            blocks.push(count);
        }
        CharOffsets {
            text,
            ascii,
            blocks,
        }
    }

    /// The code point offset of byte `offset` (clamped to the text's length).
    pub fn get(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if self.ascii {
            return offset;
        }
        let block = offset / BLOCK;
        let base = self.blocks.get(block).copied().unwrap_or(0);
        let start = block * BLOCK;
        base + self.text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clone shares the map; a change copies it first, so the other keeps its keys; the
    /// JSON is the map's.
    #[test]
    fn attributes_are_shared_until_changed() {
        let a: Attributes = [("kind".to_string(), "city".to_string())]
            .into_iter()
            .collect();
        let shared = |a: &Attributes, b: &Attributes| match (&a.0, &b.0) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        };
        let mut b = a.clone();
        assert!(shared(&a, &b));
        assert_eq!(b.insert("title".into(), "Mayor".into()), None);
        assert!(!shared(&a, &b));
        assert_eq!(a.len(), 1);
        assert_eq!(b.get("title").map(String::as_str), Some("Mayor"));
        assert_eq!(b.get("kind").map(String::as_str), Some("city"));
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#"{"kind":"city","title":"Mayor"}"#);
        assert_eq!(serde_json::from_str::<Attributes>(&json).unwrap(), b);
        assert_eq!((&b).into_iter().count(), 2);
    }

    /// An empty map holds no allocation, reads and compares as empty, and takes keys.
    #[test]
    fn empty_attributes_hold_nothing() {
        let mut e = Attributes::new();
        assert!(e.0.is_none() && e.is_empty());
        assert!(Attributes::from(BTreeMap::new()).0.is_none());
        assert_eq!(e, Attributes::from(BTreeMap::new()));
        assert_eq!(serde_json::to_string(&e).unwrap(), "{}");
        assert_eq!(serde_json::from_str::<Attributes>("{}").unwrap(), e);
        assert_eq!(format!("{e:?}"), "{}");
        e.insert("kind".into(), "city".into());
        assert_eq!(e.len(), 1);
        assert_ne!(e, Attributes::new());
    }

    #[test]
    fn char_offsets_match_char_indices() {
        let text = "Tokyo’s “golden age” — ¥5 ".repeat(40);
        let offsets = CharOffsets::new(&text);
        for (cp, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(offsets.get(byte), cp);
        }
        assert_eq!(offsets.get(text.len()), text.chars().count());
    }

    #[test]
    fn sentence_at_finds_the_containing_sentence() {
        let mut doc = Document::new("d", "One. Two.");
        doc.sentences = vec![
            Sentence {
                span: Span::new(0, 4),
                tokens: 0..0,
                kind: SentenceKind::Body,
            },
            Sentence {
                span: Span::new(5, 9),
                tokens: 0..0,
                kind: SentenceKind::Body,
            },
        ];
        assert_eq!(doc.sentence_at(0), Some(0));
        assert_eq!(doc.sentence_at(4), None);
        assert_eq!(doc.sentence_at(6), Some(1));
        assert_eq!(doc.sentence_at(9), None);
    }
}
