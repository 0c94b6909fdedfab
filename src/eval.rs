//! Event-level evaluation against a gold file: precision, recall and per-role accuracy.
//!
//! Owns the gold format and the matching; runs the pipeline it is given and compares the
//! event records it writes (the output contract, as users see it). Does not train or tune
//! anything.
//!
//! Gold format (JSON lines). A document line has `text` (or `path`, relative to the gold
//! file), optional `id`, `published` and `events`; a line with a `type` and no `text`/`path`
//! is one more event of the document above it. An event gives `type`, `trigger` (a word
//! or a list of acceptable words) and any of `modality`, `subtype`, `agents`,
//! `counterparts` (lists of names), `place` (a name or list of acceptable names),
//! `time` (ISO value), `amount` (`{"value", "currency", "qualifier"}`), `topic`,
//! `purpose`, `condition` (text). A role that is absent is not scored; `null` means the
//! event must not have one. A document's events are complete: every system event that
//! matches none is a false positive.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use crate::document::Document;
use crate::error::{Error, Origin, Result};
use crate::output::Writer;
use crate::Pipeline;

/// One gold document.
#[derive(Clone, Debug)]
pub struct GoldDoc {
    pub id: String,
    pub text: String,
    pub published: Option<chrono::NaiveDate>,
    pub events: Vec<Map<String, Value>>,
}

/// The roles scored, in report order.
pub const ROLES: &[&str] = &[
    "agents",
    "counterparts",
    "modality",
    "subtype",
    "amount",
    "topic",
    "purpose",
    "condition",
    "place",
    "time",
];

/// Reads a gold file.
pub fn load(path: &Path) -> Result<Vec<GoldDoc>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        origin: Origin {
            path: path.display().to_string(),
            line: None,
        },
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut docs: Vec<GoldDoc> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let origin = || Origin {
            path: path.display().to_string(),
            line: Some(n + 1),
        };
        let v: Value = serde_json::from_str(line)
            .map_err(|e| Error::input(origin(), format!("malformed JSON: {e}")))?;
        let Value::Object(m) = v else {
            return Err(Error::input(origin(), "expected a JSON object"));
        };
        let text = match (m.get("text"), m.get("path")) {
            (Some(Value::String(t)), _) => Some(t.clone()),
            (_, Some(Value::String(p))) => {
                let full = dir.join(p);
                Some(std::fs::read_to_string(&full).map_err(|source| Error::Io {
                    origin: Origin {
                        path: full.display().to_string(),
                        line: None,
                    },
                    source,
                })?)
            }
            _ => None,
        };
        match text {
            Some(text) => {
                let id = m
                    .get("id")
                    .and_then(Value::as_str)
                    .or_else(|| m.get("path").and_then(Value::as_str))
                    .map(String::from)
                    .unwrap_or_else(|| format!("line{}", n + 1));
                let published = m
                    .get("published")
                    .and_then(Value::as_str)
                    .and_then(crate::ingest::parse_published);
                let events = m
                    .get("events")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|e| e.as_object().cloned()).collect())
                    .unwrap_or_default();
                docs.push(GoldDoc {
                    id,
                    text,
                    published,
                    events,
                });
            }
            None if m.contains_key("type") => match docs.last_mut() {
                Some(d) => d.events.push(m),
                None => return Err(Error::input(origin(), "an event line before any document")),
            },
            None => return Err(Error::input(origin(), "needs `text`, `path` or `type`")),
        }
    }
    Ok(docs)
}

/// Correct and scored counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub correct: usize,
    pub total: usize,
}

impl Tally {
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// What went wrong on one document (for `--verbose`).
#[derive(Clone, Debug, Default)]
pub struct DocReport {
    pub id: String,
    pub missed: Vec<String>,
    pub spurious: Vec<String>,
    pub role_errors: Vec<String>,
}

/// The evaluation of a gold file.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub documents: usize,
    pub gold: usize,
    pub system: usize,
    pub matched: usize,
    /// Documents that must yield nothing, and how many did.
    pub empty: Tally,
    pub roles: BTreeMap<&'static str, Tally>,
    pub docs: Vec<DocReport>,
}

impl Report {
    pub fn precision(&self) -> f64 {
        if self.system == 0 {
            1.0
        } else {
            self.matched as f64 / self.system as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            self.matched as f64 / self.gold as f64
        }
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Accuracy over every scored role of matched events.
    pub fn role_accuracy(&self) -> f64 {
        let (c, t) = self
            .roles
            .values()
            .fold((0, 0), |(c, t), x| (c + x.correct, t + x.total));
        if t == 0 {
            1.0
        } else {
            c as f64 / t as f64
        }
    }

    /// Documents with any miss, spurious event or role error.
    pub fn failures(&self) -> impl Iterator<Item = &DocReport> {
        self.docs
            .iter()
            .filter(|d| !d.missed.is_empty() || !d.spurious.is_empty() || !d.role_errors.is_empty())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "documents {}  gold events {}  system events {}  matched {}",
            self.documents, self.gold, self.system, self.matched
        )?;
        writeln!(
            f,
            "precision {:.3}  recall {:.3}  F1 {:.3}",
            self.precision(),
            self.recall(),
            self.f1()
        )?;
        if self.empty.total > 0 {
            writeln!(
                f,
                "must-yield-nothing documents clean: {}/{}",
                self.empty.correct, self.empty.total
            )?;
        }
        writeln!(
            f,
            "role accuracy over matched events {:.3}",
            self.role_accuracy()
        )?;
        for role in ROLES {
            if let Some(t) = self.roles.get(role) {
                if t.total > 0 {
                    writeln!(
                        f,
                        "  {:<13} {:.3}  ({}/{})",
                        role,
                        t.rate(),
                        t.correct,
                        t.total
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// Runs the pipeline over every gold document and scores the events.
pub fn evaluate(pipeline: &Pipeline, gold: &[GoldDoc]) -> Report {
    let mut report = Report::default();
    for g in gold {
        let mut doc = Document::new(g.id.clone(), g.text.clone());
        doc.published = g.published;
        pipeline.annotate(&mut doc);
        let system = Writer::new(&doc).events();
        score_doc(&doc, g, &system, &mut report);
    }
    report
}

/// Scores one document's system events (records of the output contract).
pub fn score_doc(doc: &Document, g: &GoldDoc, system: &[Value], report: &mut Report) {
    report.documents += 1;
    report.gold += g.events.len();
    report.system += system.len();
    if g.events.is_empty() {
        report.empty.total += 1;
        if system.is_empty() {
            report.empty.correct += 1;
        }
    }
    let mut dr = DocReport {
        id: g.id.clone(),
        ..DocReport::default()
    };
    // Candidate pairs: same type, and the gold trigger word is in one of the system
    // event's evidence sentences. Best pairs first.
    let mut pairs: Vec<(i64, usize, usize)> = Vec::new();
    for (gi, ge) in g.events.iter().enumerate() {
        let gty = ge.get("type").and_then(Value::as_str).unwrap_or("");
        let triggers = strings(ge.get("trigger"));
        let sentences: Vec<usize> = match ge.get("sentence").and_then(Value::as_u64) {
            Some(s) => vec![s as usize],
            None => (0..doc.sentences.len())
                .filter(|&i| {
                    let t = doc.span_text(doc.sentences[i].span).to_lowercase();
                    triggers
                        .iter()
                        .any(|w| contains_word(&t, &w.to_lowercase()))
                })
                .collect(),
        };
        for (si, se) in system.iter().enumerate() {
            if se.get("type").and_then(Value::as_str) != Some(gty) {
                continue;
            }
            let evidence: Vec<usize> = se
                .get("evidence")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_u64().map(|x| x as usize))
                        .collect()
                })
                .unwrap_or_default();
            if !evidence.iter().any(|e| sentences.contains(e)) {
                continue;
            }
            let strig = se
                .pointer("/trigger/text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase();
            let exact = triggers.iter().any(|t| t.to_lowercase() == strig);
            let roles = ROLES
                .iter()
                .filter(|r| ge.contains_key(**r))
                .filter(|r| role_ok(r, ge, se))
                .count() as i64;
            pairs.push((if exact { 100 } else { 0 } + roles, gi, si));
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0));
    let mut gold_used = vec![false; g.events.len()];
    let mut sys_used = vec![false; system.len()];
    for (_, gi, si) in pairs {
        if gold_used[gi] || sys_used[si] {
            continue;
        }
        gold_used[gi] = true;
        sys_used[si] = true;
        report.matched += 1;
        let ge = &g.events[gi];
        let se = &system[si];
        for role in ROLES {
            if !ge.contains_key(*role) {
                continue;
            }
            let t = report.roles.entry(role).or_default();
            t.total += 1;
            if role_ok(role, ge, se) {
                t.correct += 1;
            } else {
                dr.role_errors.push(format!(
                    "{} {:?}: {role} gold {} system {}",
                    ge.get("type").and_then(Value::as_str).unwrap_or(""),
                    strings(ge.get("trigger")).join("|"),
                    ge.get(*role).map(|v| v.to_string()).unwrap_or_default(),
                    describe(role, se)
                ));
            }
        }
    }
    for (gi, used) in gold_used.iter().enumerate() {
        if !used {
            dr.missed
                .push(Value::Object(g.events[gi].clone()).to_string());
        }
    }
    for (si, used) in sys_used.iter().enumerate() {
        if !used {
            let se = &system[si];
            dr.spurious.push(format!(
                "{} {:?} agents {} sentence {}",
                se.get("type").and_then(Value::as_str).unwrap_or(""),
                se.pointer("/trigger/text")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                describe("agents", se),
                se.pointer("/sentence/index")
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            ));
        }
    }
    report.docs.push(dr);
}

fn describe(role: &str, se: &Value) -> String {
    match se.get(role) {
        Some(Value::Array(a)) => {
            let names: Vec<String> = a
                .iter()
                .map(|x| {
                    format!(
                        "{}",
                        x.get("name")
                            .and_then(Value::as_str)
                            .unwrap_or(x.get("text").and_then(Value::as_str).unwrap_or("?"))
                    )
                })
                .collect();
            format!("[{}]", names.join(", "))
        }
        Some(Value::Object(o)) => {
            let text = o.get("text").and_then(Value::as_str).unwrap_or("");
            match o.get("value") {
                Some(v) => format!("{text:?}={v}"),
                None => format!("{text:?}"),
            }
        }
        Some(v) => v.to_string(),
        None => "none".into(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

fn contains_word(hay: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    hay.match_indices(word).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Lower case, no dots, no leading "the", no possessive.
fn norm(s: &str) -> String {
    let s = s.to_lowercase().replace(['’', '‘'], "'").replace('.', "");
    let s = s.trim();
    let s = s.strip_prefix("the ").unwrap_or(s);
    let s = s.strip_suffix("'s").unwrap_or(s);
    s.trim().to_string()
}

/// Whether a gold name matches a system text or name: equal, the same last word
/// ("Takaichi" and "Prime Minister Takaichi"), or one inside the other.
pub fn name_matches(gold: &str, system: &str) -> bool {
    let g = norm(gold);
    let s = norm(system);
    if g.is_empty() || s.is_empty() {
        return false;
    }
    if g == s {
        return true;
    }
    let gl = g.split_whitespace().last();
    let sl = s.split_whitespace().last();
    if gl.is_some() && gl == sl {
        return true;
    }
    contains_word(&s, &g) || contains_word(&g, &s)
}

fn arg_names(v: &Value) -> Vec<String> {
    ["text", "name"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(Value::as_str).map(String::from))
        .collect()
}

fn tokens(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Token overlap (Dice) of two texts.
fn dice(a: &str, b: &str) -> f64 {
    let ta = tokens(a);
    let tb = tokens(b);
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let mut rest = tb.clone();
    let mut common = 0;
    for t in &ta {
        if let Some(p) = rest.iter().position(|x| x == t) {
            rest.remove(p);
            common += 1;
        }
    }
    2.0 * common as f64 / (ta.len() + tb.len()) as f64
}

/// Whether the system event gets one gold role right.
pub fn role_ok(role: &str, ge: &Map<String, Value>, se: &Value) -> bool {
    let gold = ge.get(role).unwrap_or(&Value::Null);
    let sys = se.get(role).unwrap_or(&Value::Null);
    match role {
        "agents" | "counterparts" => {
            let g = strings(Some(gold));
            let s: Vec<Vec<String>> = sys
                .as_array()
                .map(|a| a.iter().map(arg_names).collect())
                .unwrap_or_default();
            if g.len() != s.len() {
                return false;
            }
            let mut used = vec![false; s.len()];
            g.iter().all(|gn| {
                let hit = s
                    .iter()
                    .enumerate()
                    .find(|(i, names)| !used[*i] && names.iter().any(|n| name_matches(gn, n)));
                match hit {
                    Some((i, _)) => {
                        used[i] = true;
                        true
                    }
                    None => false,
                }
            })
        }
        "place" => match gold {
            Value::Null => sys.is_null(),
            _ => {
                let names = arg_names(sys);
                strings(Some(gold))
                    .iter()
                    .any(|g| names.iter().any(|n| name_matches(g, n)))
            }
        },
        "modality" | "subtype" => {
            let s = sys.as_str().map(str::to_lowercase);
            strings(Some(gold))
                .iter()
                .any(|g| Some(g.to_lowercase()) == s)
        }
        "time" => match gold {
            Value::Null => sys.is_null(),
            Value::String(g) => sys.get("value").and_then(Value::as_str) == Some(g.as_str()),
            _ => false,
        },
        "amount" => match gold {
            Value::Null => sys.is_null(),
            Value::Object(g) => {
                let Some(sv) = sys.get("value").and_then(Value::as_f64) else {
                    return false;
                };
                let gv = g.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN);
                let value_ok = (sv - gv).abs() <= gv.abs() * 0.005;
                let cur_ok = g
                    .get("currency")
                    .is_none_or(|c| sys.get("currency") == Some(c));
                let q_ok = g
                    .get("qualifier")
                    .is_none_or(|q| sys.get("qualifier") == Some(q));
                value_ok && cur_ok && q_ok
            }
            _ => false,
        },
        "topic" | "purpose" | "condition" => match gold {
            Value::Null => sys.is_null(),
            _ => {
                let text = sys.get("text").and_then(Value::as_str).unwrap_or("");
                strings(Some(gold)).iter().any(|g| dice(g, text) >= 0.5)
            }
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_titles_and_short_forms() {
        assert!(name_matches("Takaichi", "Prime Minister Takaichi"));
        assert!(name_matches("Donald Trump", "Trump"));
        assert!(name_matches("U.S.", "US"));
        assert!(name_matches("prime minister", "The prime minister"));
        assert!(!name_matches("Xi Jinping", "Donald Trump"));
    }

    #[test]
    fn topic_overlap_is_lenient_but_not_blind() {
        assert!(
            dice(
                "critical minerals and rare earths",
                "a framework agreement on critical minerals and rare earths"
            ) >= 0.5
        );
        assert!(dice("tariffs", "critical minerals") < 0.5);
    }
}
