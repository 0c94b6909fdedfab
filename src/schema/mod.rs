//! JSON Schemas (draft 2020-12) of every record kind gazette writes, embedded so that
//! `gazette schema KIND` prints them offline. The tests validate real output against them.

/// The record kinds that have a schema.
pub const KINDS: &[&str] = &["events", "entities", "documents", "mentions", "sentences"];

/// The schema of one record kind, as JSON text.
pub fn get(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "events" => include_str!("events.json"),
        "entities" => include_str!("entities.json"),
        "documents" => include_str!("documents.json"),
        "mentions" => include_str!("mentions.json"),
        "sentences" => include_str!("sentences.json"),
        _ => return None,
    })
}
