//! Named-entity recognition: names the gazetteer does not know (PERSON, PLACE, ORG, NORP,
//! MISC), behind one [`Recognizer`] trait so backends are interchangeable.
//!
//! Owns the `ner` mentions and the rule that merges them with gazetteer, money and date
//! mentions ([`merge`]); does not link or join names (gazetteer and resolve do).

#[cfg(feature = "bert")]
pub mod bert;
pub mod clusters;
pub mod features;
pub mod model;
pub mod rules;
pub mod statistical;
pub mod tagger;
pub mod train;

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
        NerBackend::Model => Ok(Box::new(match &options.model {
            Some(path) => statistical::ModelRecognizer::from_file(path)?,
            None => statistical::ModelRecognizer::embedded()?,
        })),
        NerBackend::Rules => Ok(Box::new(rules::RuleRecognizer::new())),
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
/// The rule, for each NER mention against the mentions already there:
///
/// 1. It overlaps a money or date mention: dropped (those carry values).
/// 2. It overlaps no gazetteer mention: added.
/// 3. It is strictly longer than every gazetteer mention it overlaps and covers them all
///    (`Bank of Japan` over the gazetteer's `Japan`, `George Washington` over `Washington`):
///    added, and those gazetteer mentions are removed, since they are part of a longer name.
///    Except when what the longer name adds is only titles, generic event words or the
///    hyphens of a compound (`Emperor Naruhito`, `APEC Summit`, `US-China`): then the
///    gazetteer mentions are the names, and the NER mention is dropped (see [`adds_only_titles`]).
/// 4. Otherwise (same span, inside a gazetteer name, or crossing one's boundary): dropped;
///    the gazetteer mention stays with its type and link.
///
/// Mentions from other sources (resolve) are kept as they are. The result is sorted by
/// position.
pub fn merge(doc: &mut Document, found: Vec<Mention>) {
    let mut split = Vec::with_capacity(found.len());
    for m in found {
        split_coordination(doc, m, &mut split);
    }
    let found = split;
    let mut remove = vec![false; doc.mentions.len()];
    let mut kept = Vec::new();
    // Mentions never cross a sentence, so only the found mention's sentence is searched:
    // linear in the article, not quadratic (an article of 28,000 "Japan"s took seconds).
    let mut by_sentence: Vec<Vec<usize>> = vec![Vec::new(); doc.sentences.len() + 1];
    for (k, o) in doc.mentions.iter().enumerate() {
        by_sentence[o.sentence.min(doc.sentences.len())].push(k);
    }
    for m in found {
        let mut blocked = false;
        let mut covered = Vec::new();
        let candidates = by_sentence
            .get(m.sentence.min(doc.sentences.len()))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for &k in candidates {
            let o = &doc.mentions[k];
            if o.source == MentionSource::Ner || !o.span.overlaps(m.span) {
                continue;
            }
            match o.source {
                MentionSource::Gazetteer => {
                    if m.span.contains(o.span) && m.span.len() > o.span.len() {
                        covered.push(k);
                    } else {
                        blocked = true;
                    }
                }
                MentionSource::Money | MentionSource::Date => blocked = true,
                _ => {}
            }
        }
        if !blocked && !covered.is_empty() && adds_only_titles(doc, &m, &covered) {
            blocked = true;
        }
        if !blocked {
            for k in covered {
                remove[k] = true;
            }
            kept.push(m);
        }
    }
    // A gazetteer name inside a date is part of the date ("March" in "TOKYO, March 12" is not
    // the town in England). Done after tagging: the tagger's gazetteer features saw it.
    for (k, o) in doc.mentions.iter().enumerate() {
        if o.source != MentionSource::Gazetteer {
            continue;
        }
        let in_date = by_sentence[o.sentence.min(doc.sentences.len())]
            .iter()
            .map(|&d| &doc.mentions[d])
            .any(|d| d.source == MentionSource::Date && d.span.contains(o.span));
        if in_date {
            remove[k] = true;
        }
    }
    let mut k = 0;
    doc.mentions.retain(|_| {
        k += 1;
        !remove[k - 1]
    });
    doc.mentions.append(&mut kept);
    doc.mentions
        .sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
}

/// Words that, around a known name, do not make a longer name: titles before a person and
/// generic nouns after an organisation or place.
const NOT_A_NAME: &[&str] = &[
    "emperor",
    "empress",
    "president",
    "vice",
    "prime",
    "minister",
    "premier",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "crown",
    "pope",
    "sheikh",
    "sultan",
    "emir",
    "senator",
    "sen",
    "governor",
    "gov",
    "mayor",
    "general",
    "gen",
    "secretary",
    "chairman",
    "chairwoman",
    "chief",
    "mr",
    "mrs",
    "ms",
    "dr",
    "foreign",
    "finance",
    "defence",
    "defense",
    "trade",
    "summit",
    "summits",
    "conference",
    "forum",
    "talks",
    "meeting",
    "leaders",
    "ministers",
    "ministerial",
];

/// Whether the NER mention `m` only adds title words, generic event nouns or compound hyphens
/// to the gazetteer mentions `covered` inside it.
fn adds_only_titles(doc: &Document, m: &Mention, covered: &[usize]) -> bool {
    let mut rest = String::new();
    let mut at = m.span.start;
    let mut spans: Vec<_> = covered.iter().map(|&k| doc.mentions[k].span).collect();
    spans.sort();
    for s in spans {
        if s.start > at {
            rest.push_str(doc.span_text(crate::document::Span::new(at, s.start)));
        }
        rest.push(' ');
        at = at.max(s.end);
    }
    rest.push_str(doc.span_text(crate::document::Span::new(at.min(m.span.end), m.span.end)));
    rest.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| NOT_A_NAME.contains(&w.to_lowercase().as_str()))
}

/// Splits a recognised name that is really two names joined by "and" (`Samsung Electronics
/// and Hyundai Motor Group`), a common tagger error. Only when both sides have two or more
/// words and start with a capital, so single-word pairs that are one name (`Procter and
/// Gamble`, `Marks and Spencer`) and the gazetteer's compound names stay whole. Pushes the
/// mention, or its two halves, to `out`.
fn split_coordination(doc: &Document, m: Mention, out: &mut Vec<Mention>) {
    let text = doc.span_text(m.span);
    let Some(at) = text.find(" and ") else {
        out.push(m);
        return;
    };
    let (left, right) = (&text[..at], &text[at + " and ".len()..]);
    let is_name = |part: &str| {
        part.split_whitespace().count() >= 2 && part.chars().next().is_some_and(char::is_uppercase)
    };
    if m.ty == crate::document::EntityType::Misc || !is_name(left) || !is_name(right) {
        out.push(m);
        return;
    }
    let mut first = m.clone();
    first.span = crate::document::Span::new(m.span.start, m.span.start + at);
    let mut second = m;
    second.span =
        crate::document::Span::new(second.span.start + at + " and ".len(), second.span.end);
    out.extend([first, second]);
}
