//! Name resolution within an article: joins mentions of the same thing into entities.
//!
//! Owns `Document::entities` and `Mention::entity`; does not find mentions.
//!
//! First cut (issue #2); issue #4 adds the OrthoMatcher-style rules.

use std::collections::BTreeMap;

use crate::document::{Document, Entity, EntityType};

pub struct Resolver;

impl Default for Resolver {
    fn default() -> Self {
        Resolver::new()
    }
}

impl Resolver {
    pub fn new() -> Resolver {
        Resolver
    }

    pub fn annotate(&self, doc: &mut Document) {
        let mut by_name: BTreeMap<(String, EntityType), usize> = BTreeMap::new();
        for i in 0..doc.mentions.len() {
            let m = &doc.mentions[i];
            if matches!(
                m.ty,
                EntityType::Money | EntityType::Date | EntityType::Misc
            ) {
                continue;
            }
            let text = doc.span_text(m.span).to_string();
            let name = m
                .link
                .as_ref()
                .map(|l| l.name.clone())
                .unwrap_or(text.clone());
            // A surname joins an earlier full name.
            let key = by_name
                .keys()
                .find(|(n, t)| *t == m.ty && n.ends_with(&format!(" {text}")))
                .cloned()
                .unwrap_or((name.clone(), m.ty));
            let e = *by_name.entry(key).or_insert_with(|| {
                doc.entities.push(Entity {
                    id: format!("E{}", doc.entities.len() + 1),
                    name: name.clone(),
                    ty: m.ty,
                    kb: m.link.as_ref().and_then(|l| l.kb.clone()),
                    attributes: m
                        .link
                        .as_ref()
                        .map(|l| l.attributes.clone())
                        .unwrap_or_default(),
                    mentions: Vec::new(),
                });
                doc.entities.len() - 1
            });
            doc.entities[e].mentions.push(i);
            doc.mentions[i].entity = Some(e);
        }
    }
}
