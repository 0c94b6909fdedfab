//! Named-entity recognition: names the gazetteer does not know (PERSON, PLACE, ORG, NORP,
//! MISC), behind one [`Recognizer`] trait so backends are interchangeable.
//!
//! Owns the `ner` mentions and the rule that merges them with gazetteer, money and date
//! mentions ([`merge`]); does not link or join names (gazetteer and resolve do).

#[cfg(feature = "bert")]
pub mod bert;
pub mod rules;

use crate::document::{Document, Mention, MentionSource};
use crate::error::Result;
use crate::{NerBackend, PipelineOptions};

/// Finds name mentions in a segmented document.
///
/// `doc.mentions` already holds the gazetteer, money and date mentions when this runs, so a
/// recogniser may use them as features. It returns its own mentions (byte spans,
/// `source: Ner`) and does not modify the document.
pub trait Recognizer: Send + Sync {
    fn recognize(&self, doc: &Document) -> Result<Vec<Mention>>;
    fn name(&self) -> &'static str;
}

/// Builds the recogniser the options ask for.
pub fn build(options: &PipelineOptions) -> Result<Box<dyn Recognizer>> {
    match options.ner {
        NerBackend::Model | NerBackend::Rules => Ok(Box::new(rules::RuleRecognizer::new())),
        #[cfg(feature = "bert")]
        NerBackend::Bert => Ok(Box::new(bert::BertRecognizer::from_options(options)?)),
        #[cfg(not(feature = "bert"))]
        NerBackend::Bert => Err(crate::Error::Config(
            "--ner bert needs a build with `--features bert`".into(),
        )),
    }
}

/// Merges recognised mentions into `doc.mentions`.
///
/// The rule: gazetteer, money and date mentions win over an overlapping NER mention
/// (they carry ids and values); an NER mention that overlaps none of them is added.
/// The result is sorted by position.
pub fn merge(doc: &mut Document, found: Vec<Mention>) {
    let mut kept: Vec<Mention> = found
        .into_iter()
        .filter(|m| {
            !doc.mentions
                .iter()
                .any(|o| o.source != MentionSource::Ner && o.span.overlaps(m.span))
        })
        .collect();
    doc.mentions.append(&mut kept);
    doc.mentions
        .sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
}
