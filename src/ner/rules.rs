//! A recogniser from capitalisation and context cues (titles before names). No model file;
//! the fallback when `--ner rules` is asked for.

use crate::document::{Document, EntityType, Mention, MentionSource, Span, TokenKind};
use crate::error::Result;

use super::Recognizer;

const TITLES: &[&str] = &[
    "President",
    "Minister",
    "Emperor",
    "Chancellor",
    "King",
    "Queen",
    "Senator",
    "Governor",
];

pub struct RuleRecognizer;

impl RuleRecognizer {
    pub fn new() -> RuleRecognizer {
        RuleRecognizer
    }
}

impl Default for RuleRecognizer {
    fn default() -> Self {
        RuleRecognizer::new()
    }
}

impl Recognizer for RuleRecognizer {
    fn recognize(&self, doc: &Document) -> Result<Vec<Mention>> {
        let mut out = Vec::new();
        for (si, _) in doc.sentences.iter().enumerate() {
            let toks = doc.sentence_tokens(si);
            let mut i = 0;
            while i < toks.len() {
                let t = doc.span_text(toks[i].span);
                if TITLES.contains(&t) {
                    let mut j = i + 1;
                    while j < toks.len()
                        && toks[j].kind == TokenKind::Word
                        && doc
                            .span_text(toks[j].span)
                            .chars()
                            .next()
                            .is_some_and(char::is_uppercase)
                        && !TITLES.contains(&doc.span_text(toks[j].span))
                    {
                        j += 1;
                    }
                    if j > i + 1 {
                        let span = Span::new(toks[i + 1].span.start, toks[j - 1].span.end);
                        out.push(Mention::new(
                            span,
                            EntityType::Person,
                            MentionSource::Ner,
                            si,
                        ));
                    }
                    i = j;
                } else {
                    i += 1;
                }
            }
        }
        Ok(out)
    }

    fn name(&self) -> &'static str {
        "rules"
    }
}
