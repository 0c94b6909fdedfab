//! Name resolution cases as data (`tests/data/resolve/cases.jsonl`, one JSON case a line)
//! and the acceptance check on the user's seed article (`tests/data/resolve/seed.tsv`).

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use gazette::resolve::Resolver;
use gazette::{Document, EntityType, Mention, MentionSource, Pipeline, PipelineOptions, Span};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new(&PipelineOptions::default()).expect("pipeline loads"))
}

/// The byte span of the `nth` (1-based) occurrence of `needle`.
fn nth_span(text: &str, needle: &str, nth: usize) -> Option<Span> {
    text.match_indices(needle)
        .nth(nth.saturating_sub(1))
        .map(|(i, _)| Span::new(i, i + needle.len()))
}

/// Runs segment + gazetteer, adds the case's NER mentions as the NER stage would, merges,
/// resolves with the gazetteer (as the pipeline does: NER names are relinked to it).
fn resolve_case(case: &Value) -> Result<Document, String> {
    let text = case["text"].as_str().ok_or("no text")?;
    let mut doc = Document::new("case", text);
    doc.published = case["published"]
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let p = pipeline();
    p.segment(&mut doc);
    p.gazetteer().annotate(&mut doc);
    let mut ner = Vec::new();
    for m in case["ner"].as_array().into_iter().flatten() {
        let t = m["text"].as_str().ok_or("ner without text")?;
        let nth = m["nth"].as_u64().unwrap_or(1) as usize;
        let span = nth_span(text, t, nth).ok_or(format!("{t:?} #{nth} not in text"))?;
        let ty = EntityType::parse(m["type"].as_str().unwrap_or("PERSON")).ok_or("bad type")?;
        let sentence = doc.sentence_at(span.start).unwrap_or(0);
        ner.push(Mention::new(span, ty, MentionSource::Ner, sentence));
    }
    gazette::ner::merge(&mut doc, ner);
    Resolver::new().annotate_with(&mut doc, p.gazetteer());
    Ok(doc)
}

/// Checks one expected entity against the document.
fn check_entity(doc: &Document, want: &Value) -> Result<(), String> {
    let name = want["name"]
        .as_str()
        .ok_or("expected entity without name")?;
    let ty = want["type"].as_str().unwrap_or("");
    let found: Vec<_> = doc
        .entities
        .iter()
        .filter(|e| e.name == name && (ty.is_empty() || e.ty.as_str() == ty))
        .filter(|e| {
            want["attributes"]
                .as_object()
                .is_none_or_all(|k, v| e.attributes.get(k).map(String::as_str) == v.as_str())
        })
        .collect();
    let summary = || {
        doc.entities
            .iter()
            .map(|e| {
                let ms: Vec<&str> = e
                    .mentions
                    .iter()
                    .map(|&i| doc.span_text(doc.mentions[i].span))
                    .collect();
                format!(
                    "{} {} {} {:?} {:?} {ms:?}",
                    e.id, e.name, e.ty, e.kb, e.attributes
                )
            })
            .collect::<Vec<_>>()
            .join("\n      ")
    };
    let [e] = found.as_slice() else {
        return Err(format!(
            "{} entities named {name:?} ({ty}) with those attributes; entities:\n      {}",
            found.len(),
            summary()
        ));
    };
    if let Some(kb) = want.get("kb") {
        if kb.as_str() != e.kb.as_deref() {
            return Err(format!("{name}: kb {:?}, expected {kb}", e.kb));
        }
    }
    if let Some(id) = want["id"].as_str() {
        if e.id != id {
            return Err(format!("{name}: id {}, expected {id}", e.id));
        }
    }
    if let Some(ms) = want["mentions"].as_array() {
        let got: Vec<&str> = e
            .mentions
            .iter()
            .map(|&i| doc.span_text(doc.mentions[i].span))
            .collect();
        let want: Vec<&str> = ms.iter().filter_map(Value::as_str).collect();
        if got != want {
            return Err(format!("{name}: mentions {got:?}, expected {want:?}"));
        }
    }
    Ok(())
}

trait AllPairs {
    fn is_none_or_all(&self, f: impl Fn(&str, &Value) -> bool) -> bool;
}

impl AllPairs for Option<&serde_json::Map<String, Value>> {
    fn is_none_or_all(&self, f: impl Fn(&str, &Value) -> bool) -> bool {
        self.map_or(true, |m| m.iter().all(|(k, v)| f(k, v)))
    }
}

/// Every mention of an entity points back to it, and ids follow first mentions.
fn check_invariants(doc: &Document) -> Result<(), String> {
    let mut last = 0;
    for (i, e) in doc.entities.iter().enumerate() {
        if e.id != format!("E{}", i + 1) {
            return Err(format!("entity {i} has id {}", e.id));
        }
        let first = e
            .mentions
            .iter()
            .map(|&m| doc.mentions[m].span.start)
            .min()
            .ok_or("entity without mentions")?;
        if first < last {
            return Err(format!(
                "{} first mentioned before the entity before it",
                e.id
            ));
        }
        last = first;
        for &m in &e.mentions {
            if doc.mentions[m].entity != Some(i) {
                return Err(format!("mention {m} of {} points elsewhere", e.id));
            }
        }
    }
    Ok(())
}

#[test]
fn resolution_cases() {
    let path = root().join("tests/data/resolve/cases.jsonl");
    let text = std::fs::read_to_string(&path).expect("cases.jsonl");
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with("//") {
            continue;
        }
        n += 1;
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("cases.jsonl:{}: {e}", i + 1));
        let label = format!(
            "cases.jsonl:{} ({})",
            i + 1,
            case["case"].as_str().unwrap_or("")
        );
        let doc = match resolve_case(&case) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        if let Err(e) = check_invariants(&doc) {
            failures.push(format!("{label}: {e}"));
        }
        for want in case["entities"].as_array().into_iter().flatten() {
            if let Err(e) = check_entity(&doc, want) {
                failures.push(format!("{label}: {e}"));
            }
        }
        for absent in case["absent"].as_array().into_iter().flatten() {
            let a = absent.as_str().unwrap_or("");
            if doc.entities.iter().any(|e| e.name == a) {
                failures.push(format!("{label}: unexpected entity {a:?}"));
            }
        }
    }
    assert!(n > 0);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The user's seed article through the whole pipeline: the five people, the places and
/// APEC/ASEAN with type, canonical name and id (`tests/data/resolve/seed.tsv`).
#[test]
fn seed_article_people_places_and_organisations() {
    let seed = root().join("../shared/seeds/tokyo-minerals-pact.txt");
    let text = std::fs::read_to_string(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
    let mut doc = Document::new("tokyo-minerals-pact.txt", text);
    doc.published = NaiveDate::from_ymd_opt(2025, 10, 27);
    pipeline().annotate(&mut doc);
    check_invariants(&doc).unwrap();
    let table =
        std::fs::read_to_string(root().join("tests/data/resolve/seed.tsv")).expect("seed.tsv");
    let mut failures = Vec::new();
    for (i, line) in table.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let mut want = serde_json::json!({"name": cols[0], "type": cols[1], "kb": cols[2]});
        if let Some(attrs) = cols.get(3).filter(|a| !a.is_empty()) {
            let map: serde_json::Map<String, Value> = attrs
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), Value::String(v.trim().to_string())))
                .collect();
            want["attributes"] = Value::Object(map);
        }
        if let Err(e) = check_entity(&doc, &want) {
            failures.push(format!("seed.tsv:{}: {e}", i + 1));
            continue;
        }
        // Every listed surface is a mention of that entity.
        if let Some(surfaces) = cols.get(4) {
            let e = doc.entities.iter().find(|e| {
                e.name == cols[0]
                    && e.ty.as_str() == cols[1]
                    && want["attributes"].as_object().is_none_or_all(|k, v| {
                        e.attributes.get(k).map(String::as_str) == v.as_str()
                    })
            });
            for s in surfaces.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let ok = e.is_some_and(|e| {
                    e.mentions
                        .iter()
                        .any(|&m| doc.span_text(doc.mentions[m].span) == s)
                });
                if !ok {
                    failures.push(format!(
                        "seed.tsv:{}: {:?} is not a mention of {}",
                        i + 1,
                        s,
                        cols[0]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
