//! Event assembly: triggers, roles, amounts, times, places and modality into event records.
//!
//! Owns `Document::events`; reads sentences, mentions and entities, and never adds
//! mentions of its own.
//!
//! First cut (issue #2); issue #8 takes it to analyst grade.

use crate::document::{Argument, Document, EntityType, Event, EventType, Modality, Span};

const TRIGGERS: &[(&str, EventType, &str, &str)] = &[
    ("arrived", EventType::Visit, "arrival", "042"),
    ("visit", EventType::Visit, "visit", "042"),
    ("meeting", EventType::Meeting, "meeting", "040"),
    ("signed", EventType::Agreement, "signing", "057"),
    ("pledge", EventType::Commitment, "pledge", "0311"),
    ("stated", EventType::Statement, "statement", "010"),
];

pub struct Assembler;

impl Default for Assembler {
    fn default() -> Self {
        Assembler::new()
    }
}

impl Assembler {
    pub fn new() -> Assembler {
        Assembler
    }

    pub fn annotate(&self, doc: &mut Document) {
        let mut events = Vec::new();
        for (si, _) in doc.sentences.iter().enumerate() {
            for t in doc.sentence_tokens(si) {
                let word = doc.span_text(t.span);
                let Some(&(_, ty, subtype, cameo)) = TRIGGERS.iter().find(|(w, ..)| *w == word)
                else {
                    continue;
                };
                let args = |before: bool| -> Vec<Argument> {
                    doc.mentions
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| {
                            m.sentence == si
                                && matches!(
                                    m.ty,
                                    EntityType::Person | EntityType::Place | EntityType::Org
                                )
                        })
                        .filter(|(_, m)| (m.span.end <= t.span.start) == before)
                        .map(|(i, m)| Argument {
                            span: m.span,
                            mention: Some(i),
                            entity: m.entity,
                        })
                        .collect()
                };
                let find = |ty: EntityType| {
                    doc.mentions
                        .iter()
                        .position(|m| m.sentence == si && m.ty == ty)
                };
                events.push(Event {
                    ty,
                    subtype: subtype.into(),
                    cameo: cameo.into(),
                    plover: String::new(),
                    trigger: t.span,
                    modality: Modality::Asserted,
                    agents: args(true),
                    counterparts: args(false),
                    amount: find(EntityType::Money),
                    topic: None,
                    purpose: None,
                    condition: None,
                    place: None,
                    time: find(EntityType::Date),
                    sentence: si,
                    evidence: vec![si],
                    confidence: 0.5,
                });
            }
        }
        let _ = Span::default();
        doc.events = events;
    }
}
