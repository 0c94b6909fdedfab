//! Gazetteer matching: known names (places, people, organisations, nationalities) found in
//! the text with their canonical name, type and knowledge-base id.
//!
//! Owns the `gazetteer` mentions; does not join mentions into entities (resolve does).
//!
//! First cut (issue #2); issue #4 builds the real data and matching.

use crate::document::{Document, EntityType, Link, Mention, MentionSource, Span};
use crate::error::Result;

struct Entry {
    alias: &'static str,
    name: &'static str,
    ty: EntityType,
    kb: &'static str,
}

const ENTRIES: &[Entry] = &[
    Entry {
        alias: "Japan",
        name: "Japan",
        ty: EntityType::Place,
        kb: "geonames:1861060",
    },
    Entry {
        alias: "Tokyo",
        name: "Tokyo",
        ty: EntityType::Place,
        kb: "geonames:1850147",
    },
    Entry {
        alias: "US",
        name: "United States",
        ty: EntityType::Place,
        kb: "geonames:6252001",
    },
    Entry {
        alias: "Donald Trump",
        name: "Donald Trump",
        ty: EntityType::Person,
        kb: "wikidata:Q22686",
    },
];

/// The loaded gazetteer.
pub struct Gazetteer;

impl Gazetteer {
    pub fn load(_extra: &[String]) -> Result<Gazetteer> {
        Ok(Gazetteer)
    }

    pub fn annotate(&self, doc: &mut Document) {
        for (si, s) in doc.sentences.iter().enumerate() {
            let text = s.span.text(&doc.text);
            for e in ENTRIES {
                for (i, _) in text.match_indices(e.alias) {
                    let start = s.span.start + i;
                    let mut m = Mention::new(
                        Span::new(start, start + e.alias.len()),
                        e.ty,
                        MentionSource::Gazetteer,
                        si,
                    );
                    m.link = Some(Link {
                        name: e.name.into(),
                        kb: Some(e.kb.into()),
                        attributes: Default::default(),
                    });
                    doc.mentions.push(m);
                }
            }
        }
    }
}
