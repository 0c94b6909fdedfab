//! The default recogniser: the trained two-pass tagger (`models/ner-en.bin`, embedded in
//! the binary) applied to the segmenter's tokens, with the gazetteer stage's mentions as
//! features, and its CoNLL types mapped into gazette's (PER → PERSON, LOC → PLACE,
//! ORG → ORG, MISC → NORP for nationalities, else MISC).
//!
//! Owns the bridge between [`Document`] and the tagger (token view, gazetteer bits, type
//! mapping); the model itself lives in `tagger`, `model` and `features`.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::document::{
    Document, EntityType, Mention, MentionSource, Sentence, SentenceKind, Span, Token, TokenKind,
};
use crate::error::{Error, Result};
use crate::gazetteer::Gazetteer;

use super::features::{TokInfo, GAZ_CLASSES, TYPES};
use super::tagger::{TagScratch, Tagger};
use super::Recognizer;

/// The model trained by `scripts/train-ner`, embedded so the binary works anywhere.
pub static EMBEDDED: &[u8] = include_bytes!("../../models/ner-en.bin");
static EMBEDDED_TAGGER: OnceLock<std::result::Result<Arc<Tagger>, String>> = OnceLock::new();

thread_local! {
    /// Per-thread tagging buffers and word-score cache, kept across documents.
    static SCRATCH: RefCell<TagScratch> = RefCell::new(TagScratch::default());
}

/// Confidence given to model mentions: the perceptron scores are not probabilities, and
/// dev-set precision of the shipped model is about 0.92.
pub const SCORE: f32 = 0.9;

/// The statistical recogniser.
#[derive(Clone)]
pub struct ModelRecognizer {
    tagger: Arc<Tagger>,
}

impl ModelRecognizer {
    /// The embedded model (parsed once per process).
    pub fn embedded() -> Result<ModelRecognizer> {
        let t = EMBEDDED_TAGGER.get_or_init(|| Tagger::from_bytes(EMBEDDED).map(Arc::new));
        match t {
            Ok(t) => Ok(ModelRecognizer { tagger: t.clone() }),
            Err(message) => Err(Error::Model {
                path: PathBuf::from("models/ner-en.bin (embedded)"),
                message: message.clone(),
            }),
        }
    }

    /// A model file written by `gazette train ner`.
    pub fn from_file(path: &Path) -> Result<ModelRecognizer> {
        let bytes = std::fs::read(path).map_err(|e| Error::Model {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        ModelRecognizer::from_bytes(&bytes, path)
    }

    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<ModelRecognizer> {
        let tagger = Tagger::from_bytes(bytes).map_err(|message| Error::Model {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(ModelRecognizer {
            tagger: Arc::new(tagger),
        })
    }

    pub fn from_tagger(tagger: Tagger) -> ModelRecognizer {
        ModelRecognizer {
            tagger: Arc::new(tagger),
        }
    }

    pub fn tagger(&self) -> &Tagger {
        &self.tagger
    }

    /// Labels per token of every sentence of `doc`, one `(span, label)` list per sentence,
    /// over the model's view of the tokens (see [`model_tokens`]).
    pub fn label(&self, doc: &Document) -> Vec<(Vec<Span>, Vec<u8>)> {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.label_with(doc, &mut s),
            // Only if a recogniser is re-entered on this thread: tag without the cache.
            Err(_) => self.label_with(doc, &mut TagScratch::default()),
        })
    }

    fn label_with(&self, doc: &Document, scratch: &mut TagScratch) -> Vec<(Vec<Span>, Vec<u8>)> {
        let spans: Vec<Vec<Span>> = (0..doc.sentences.len())
            .map(|si| model_tokens(doc, doc.sentence_tokens(si)))
            .collect();
        // One buffer for every sentence's words (the infos are what is kept).
        let mut words: Vec<&str> = Vec::new();
        let mut infos: Vec<Vec<TokInfo>> = spans
            .iter()
            .enumerate()
            .map(|(si, s)| {
                words.clear();
                words.extend(s.iter().map(|&sp| doc.span_text(sp)));
                let heading = doc
                    .sentences
                    .get(si)
                    .is_some_and(|st| st.kind == SentenceKind::Heading);
                if heading && title_case(&words) {
                    // CoNLL's headlines are upper-case, news headings title-case: both hide
                    // which words are names, and the model knows the upper-case kind.
                    let upper: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
                    let upper: Vec<&str> = upper.iter().map(String::as_str).collect();
                    self.tagger.infos(&upper, scratch)
                } else {
                    self.tagger.infos(&words, scratch)
                }
            })
            .collect();
        set_gazetteer_bits(doc, &spans, &mut infos);
        let labels = self.tagger.tag_document(&infos, scratch);
        spans.into_iter().zip(labels).collect()
    }
}

impl Recognizer for ModelRecognizer {
    fn recognize(&self, doc: &Document) -> Result<Vec<Mention>> {
        let scheme = self.tagger.scheme;
        let mut out = Vec::new();
        for (si, (spans, labels)) in self.label(doc).into_iter().enumerate() {
            for (s, e, ty) in scheme.decode(&labels) {
                let (Some(first), Some(last)) = (spans.get(s), spans.get(e.wrapping_sub(1))) else {
                    continue;
                };
                let span = Span::new(first.start, last.end);
                let ty = gazette_type(TYPES.get(ty).copied().unwrap_or("MISC"), doc, span);
                let mut m = Mention::new(span, ty, MentionSource::Ner, si);
                m.score = SCORE;
                out.push(m);
            }
        }
        Ok(out)
    }

    fn name(&self) -> &'static str {
        "model"
    }
}

/// Whether a heading is in title case: every word of four letters or more capitalised,
/// and at least three of them (`Trade and Security Dominate Talks`).
pub fn title_case(words: &[&str]) -> bool {
    let long: Vec<&&str> = words
        .iter()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    long.len() >= 3
        && long
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// The tokens the model sees for one sentence: the segmenter's, with a possessive `'s`
/// (`Tokyo’s`) split off as CoNLL's tokenisation does.
pub fn model_tokens(doc: &Document, tokens: &[Token]) -> Vec<Span> {
    let mut out = Vec::with_capacity(tokens.len() + 4);
    for t in tokens {
        let text = doc.span_text(t.span);
        if t.kind == TokenKind::Word {
            let cut = ["'s", "’s", "'S", "’S"]
                .iter()
                .find(|suf| text.len() > suf.len() && text.ends_with(*suf))
                .map(|suf| t.span.end - suf.len());
            if let Some(cut) = cut {
                out.push(Span::new(t.span.start, cut));
                out.push(Span::new(cut, t.span.end));
                continue;
            }
        }
        out.push(t.span);
    }
    out
}

/// The gazetteer class of a type, as the features number them.
fn gazetteer_class(ty: EntityType) -> u32 {
    match ty {
        EntityType::Person => 0,
        EntityType::Place => 1,
        EntityType::Org => 2,
        EntityType::Norp => 3,
        _ => GAZ_CLASSES as u32 - 1,
    }
}

/// Sets [`TokInfo::gaz`] from the gazetteer mentions in `doc` (other sources are ignored,
/// as in training): class × position (begin, inside, last, unit) of every token a mention
/// covers exactly.
pub fn set_gazetteer_bits(doc: &Document, spans: &[Vec<Span>], infos: &mut [Vec<TokInfo>]) {
    for m in doc
        .mentions
        .iter()
        .filter(|m| m.source == MentionSource::Gazetteer)
    {
        let Some(si) = doc.sentence_at(m.span.start) else {
            continue;
        };
        let (Some(sp), Some(inf)) = (spans.get(si), infos.get_mut(si)) else {
            continue;
        };
        let first = sp.partition_point(|t| t.start < m.span.start);
        let last = sp.partition_point(|t| t.end <= m.span.end);
        // Only mentions that start and end on token boundaries.
        if first >= last || sp[first].start != m.span.start || sp[last - 1].end != m.span.end {
            continue;
        }
        let class = gazetteer_class(m.ty);
        for (k, info) in inf.iter_mut().enumerate().take(last).skip(first) {
            let pos = if last - first == 1 {
                3
            } else if k == first {
                0
            } else if k + 1 == last {
                2
            } else {
                1
            };
            info.gaz |= 1 << (class * 4 + pos);
        }
    }
}

/// A document made of pre-tokenised sentences (CoNLL): tokens joined by spaces, sentences
/// by newlines, so the gazetteer stage can run over it and its mentions line up with tokens.
pub fn document_from_words(id: &str, sentences: &[Vec<String>]) -> Document {
    let mut text = String::new();
    let mut doc_sentences = Vec::with_capacity(sentences.len());
    let mut tokens = Vec::new();
    for words in sentences {
        if !text.is_empty() {
            text.push('\n');
        }
        let start = text.len();
        let first = tokens.len();
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                text.push(' ');
            }
            let s = text.len();
            text.push_str(w);
            let kind = match w.chars().next() {
                Some(c) if c.is_ascii_digit() => TokenKind::Number,
                Some(c) if c.is_alphanumeric() => TokenKind::Word,
                Some(c) if c.is_ascii_punctuation() => TokenKind::Punct,
                _ => TokenKind::Symbol,
            };
            tokens.push(Token {
                span: Span::new(s, text.len()),
                kind,
            });
        }
        doc_sentences.push(Sentence {
            span: Span::new(start, text.len()),
            tokens: first..tokens.len(),
            kind: SentenceKind::Body,
        });
    }
    let mut doc = Document::new(id, text);
    doc.sentences = doc_sentences;
    doc.tokens = tokens;
    doc
}

/// Gazetteer bits for pre-tokenised sentences: runs the gazetteer stage over the
/// detokenised text. Used for training and for `gazette tag --format conll`.
pub fn gazetteer_bits(gazetteer: &Gazetteer, sentences: &[Vec<String>]) -> Vec<Vec<u32>> {
    let mut doc = document_from_words("conll", sentences);
    gazetteer.annotate(&mut doc);
    let spans: Vec<Vec<Span>> = doc
        .sentences
        .iter()
        .map(|s| {
            doc.tokens[s.tokens.clone()]
                .iter()
                .map(|t| t.span)
                .collect()
        })
        .collect();
    let mut infos: Vec<Vec<TokInfo>> = spans
        .iter()
        .map(|s| vec![TokInfo::default(); s.len()])
        .collect();
    set_gazetteer_bits(&doc, &spans, &mut infos);
    infos
        .into_iter()
        .map(|s| s.into_iter().map(|t| t.gaz).collect())
        .collect()
}

/// Nationality and demonym endings (`Japanese`, `American`, `British`, `Iraqi`, `French`).
const NORP_ENDINGS: &[&str] = &[
    "ese", "an", "ans", "ish", "i", "is", "ch", "ss", "sh", "ek", "eks",
];

/// Whether a MISC name is a nationality: a gazetteer NORP entry covers it, or it is one
/// capitalised word with a demonym ending.
pub fn is_nationality(doc: &Document, span: Span) -> bool {
    let gaz = doc.mentions.iter().any(|m| {
        m.source == MentionSource::Gazetteer && m.ty == EntityType::Norp && m.span.overlaps(span)
    });
    if gaz {
        return true;
    }
    let text = doc.span_text(span);
    let word_like = !text.is_empty()
        && text.chars().next().is_some_and(char::is_uppercase)
        && text.chars().all(|c| c.is_alphabetic() || c == '-');
    let last = text.rsplit('-').next().unwrap_or(text).to_lowercase();
    word_like && NORP_ENDINGS.iter().any(|e| last.ends_with(e))
}

/// Maps a CoNLL type to gazette's.
pub fn gazette_type(conll: &str, doc: &Document, span: Span) -> EntityType {
    match conll {
        "PER" => EntityType::Person,
        "LOC" => EntityType::Place,
        "ORG" => EntityType::Org,
        _ if is_nationality(doc, span) => EntityType::Norp,
        _ => EntityType::Misc,
    }
}
