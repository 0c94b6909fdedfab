//! Event assembly: triggers, roles, amounts, topics, times, places and modality into one
//! event record per real event.
//!
//! Owns `Document::events`; reads sentences, tokens, mentions and entities, and never adds
//! mentions of its own. The trigger lexicon is `models/triggers.tsv` ([`lexicon`]); each
//! sentence is read on its own into drafts ([`draft`], over a [`sentence::View`]); this
//! module resolves references ("the two leaders", "he", "the prime minister") against what
//! the article introduced, merges repeated mentions of one event (with their evidence
//! sentences), and scores confidence.

pub mod draft;
pub mod lexicon;
pub mod sentence;

use std::collections::BTreeSet;

use crate::document::{
    Argument, Document, EntityType, Event, EventType, Modality, Span, TokenKind,
};

use draft::{Draft, Drafter};
use lexicon::Lexicon;
use sentence::{CandKind, View};

/// Sentences longer than this are not read for events (see [`Assembler::events`]).
pub const MAX_SENTENCE_TOKENS: usize = 512;

/// Builds events from an annotated document.
pub struct Assembler {
    lexicon: Lexicon,
}

impl Default for Assembler {
    fn default() -> Self {
        Assembler::new()
    }
}

/// A person the article has introduced, for pronouns and descriptors.
#[derive(Clone, Debug)]
struct Person {
    arg: Argument,
    title: String,
    sentence: usize,
}

/// An event being built, with what merging needs.
#[derive(Clone, Debug)]
struct Built {
    ev: Event,
    explicit: bool,
    richness: i32,
    heading: bool,
    /// Where the event was last mentioned (sentence, byte), for "they".
    last: (usize, usize),
}

impl Assembler {
    /// The assembler with the embedded lexicon.
    pub fn new() -> Assembler {
        // The embedded lexicon is checked by a unit test; an empty one only loses events.
        let lexicon = Lexicon::embedded().unwrap_or_else(|_| Lexicon::empty());
        Assembler { lexicon }
    }

    /// The assembler with a lexicon of your own (same TSV format).
    pub fn with_lexicon(lexicon: Lexicon) -> Assembler {
        Assembler { lexicon }
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    pub fn annotate(&self, doc: &mut Document) {
        doc.events = self.events(doc);
    }

    /// The events of a document (does not modify it).
    pub fn events(&self, doc: &Document) -> Vec<Event> {
        let quotes = sentence::Quotes::new(sentence::quote_spans(&doc.text));
        // Lower-cased once for every view's ASCII words (byte for byte, same offsets).
        let ascii_lower = doc.text.to_ascii_lowercase();
        // Each sentence's mentions, found once (a scan per sentence was quadratic).
        // One flat list in sentence order (document order within a sentence), with each
        // sentence's range in it: no list allocated per sentence.
        let ns = doc.sentences.len();
        let mut range_start = vec![0usize; ns + 1];
        for m in &doc.mentions {
            if m.sentence < ns {
                range_start[m.sentence + 1] += 1;
            }
        }
        for s in 0..ns {
            range_start[s + 1] += range_start[s];
        }
        let mut fill = range_start.clone();
        let mut flat = vec![0usize; range_start[ns]];
        for (mi, m) in doc.mentions.iter().enumerate() {
            if m.sentence < ns {
                flat[fill[m.sentence]] = mi;
                fill[m.sentence] += 1;
            }
        }
        let mut built: Vec<Built> = Vec::new();
        let mut persons: Vec<Person> = Vec::new();
        let mut deferred: Vec<(Event, Draft)> = Vec::new();
        let dateline = dateline(doc);
        for si in 0..ns {
            let in_sentence = &flat[range_start[si]..range_start[si + 1]];
            // A "sentence" of thousands of tokens is text without punctuation (a broken
            // scrape, hostile input): the analysis below is quadratic in its length, and
            // no event is read from it (issue #9: every stage stays linear).
            if doc.sentences[si].tokens.len() > MAX_SENTENCE_TOKENS {
                continue;
            }
            // A sentence with no word that starts a trigger has no drafts (the drafter only
            // reads non-quoted words the lexicon matches), and only its names are needed.
            let view = View::new_if(doc, si, &quotes, in_sentence, &ascii_lower, |words| {
                debug()
                    || words.iter().any(|w| {
                        !w.quoted
                            && w.kind == TokenKind::Word
                            && self.lexicon.has_first_word(&w.lower)
                    })
            });
            let drafter = Drafter {
                v: &view,
                lex: &self.lexicon,
            };
            let drafts = if view.complete() {
                drafter.drafts()
            } else {
                Vec::new()
            };
            if debug() {
                for (i, c) in view.cands.iter().enumerate() {
                    eprintln!(
                        "s{si} cand {i} {:?} {:?} {:?} title={:?} poss={} words {}..{}",
                        doc.span_text(c.head),
                        c.kind,
                        c.ety,
                        c.title,
                        c.poss,
                        c.start,
                        c.end
                    );
                }
                for d in &drafts {
                    eprintln!(
                        "s{si} draft {:?} {:?} agents {:?} cps {:?} place {:?} anaphoric {} merge_only {} dropped {}",
                        doc.span_text(d.trigger),
                        d.ty,
                        d.agents,
                        d.counterparts,
                        d.place,
                        d.anaphoric,
                        d.merge_only,
                        d.dropped
                    );
                }
            }
            let mut resolved_of: Vec<Option<usize>> = vec![None; drafts.len()];
            for (di, d) in drafts.iter().enumerate() {
                if d.dropped {
                    continue;
                }
                let mut agents = self.resolve_all(doc, &view, &d.agents, &persons, &built, si);
                let counterparts =
                    self.resolve_all(doc, &view, &d.counterparts, &persons, &built, si);
                if let Some(i) = d.inherit {
                    if let Some(Some(b)) = resolved_of.get(i) {
                        agents = built[*b].ev.agents.clone();
                    }
                }
                let place = d.place.and_then(|c| {
                    self.resolve(doc, &view, c, &persons, &built, si)
                        .into_iter()
                        .next()
                });
                let ev = Event {
                    ty: d.ty,
                    subtype: d.subtype.clone(),
                    cameo: d.cameo.clone(),
                    plover: d.plover.clone(),
                    trigger: d.trigger,
                    modality: d.modality.unwrap_or_default(),
                    agents: dedupe(doc, agents),
                    counterparts: dedupe(doc, counterparts),
                    amount: d.amount,
                    topic: d.topic,
                    purpose: d.purpose,
                    condition: d.condition,
                    place,
                    time: d.time,
                    sentence: si,
                    evidence: vec![si],
                    confidence: 0.0,
                };
                let ev = refine_cameo(doc, ev);
                if d.merge_only {
                    // Headlines and bullet labels wait for the body to be read.
                    deferred.push((ev, d.clone()));
                    continue;
                }
                resolved_of[di] = self.place_event(doc, &mut built, ev, d);
            }
            // Talks held during a visit take place where the visit is ("arrived in Tokyo …,
            // diving into discussions with …").
            let here: Vec<usize> = resolved_of.iter().flatten().copied().collect();
            let visit = here
                .iter()
                .find(|&&b| built[b].ev.ty == EventType::Visit && built[b].ev.place.is_some())
                .and_then(|&b| Some((built[b].ev.place.clone()?, built[b].ev.trigger)));
            if let Some((p, visit_trigger)) = visit {
                for &b in &here {
                    let ev = &mut built[b].ev;
                    // Not past another place the sentence puts something in: "The Tokyo stop
                    // … began in Malaysia … and included brokering a ceasefire" was not
                    // brokered in Tokyo (while "arrived in Tokyo, Japan, … talks" were held
                    // there).
                    let (lo, hi) = if visit_trigger.start < ev.trigger.start {
                        (visit_trigger.end, ev.trigger.start)
                    } else {
                        (ev.trigger.end, visit_trigger.start)
                    };
                    let other_place_between = doc.mentions.iter().any(|m| {
                        m.sentence == si
                            && m.ty == EntityType::Place
                            && m.span.start >= lo
                            && m.span.end <= hi
                            && (m.entity.is_none() || m.entity != p.entity)
                            && matches!(
                                doc.text[..m.span.start].split_whitespace().next_back(),
                                Some("in" | "at")
                            )
                    });
                    if ev.place.is_none()
                        && ev.sentence == si
                        && matches!(ev.ty, EventType::Meeting | EventType::Agreement)
                        && ev.modality == Modality::Asserted
                        && !other_place_between
                    {
                        ev.place = Some(p.clone());
                    }
                }
            }
            // A deal not reached at talks with a named place was not reached there ("No
            // agreement was reached at the talks in Geneva").
            let talks_place = drafts
                .iter()
                .zip(&resolved_of)
                .find(|(d, r)| d.ty == EventType::Meeting && d.place.is_some() && r.is_some())
                .and_then(|(_, r)| r.and_then(|b| built[b].ev.place.clone()));
            if let Some(p) = talks_place {
                for &b in &here {
                    let ev = &mut built[b].ev;
                    if ev.place.is_none()
                        && ev.sentence == si
                        && ev.ty == EventType::Agreement
                        && ev.modality == Modality::Negated
                        && ev.agents.is_empty()
                        && ev.counterparts.is_empty()
                    {
                        ev.place = Some(p.clone());
                    }
                }
            }
            // People introduced in this sentence, for later pronouns and descriptors.
            for c in &view.cands {
                let person = c.ety == Some(EntityType::Person)
                    || (c.kind == CandKind::Proper && !c.title.is_empty());
                if person && matches!(c.kind, CandKind::Named | CandKind::Proper) {
                    let arg = named_arg(doc, c.head, c.mention);
                    let mut title = c.title.clone();
                    if let Some(e) = arg.entity.and_then(|e| doc.entities.get(e)) {
                        if let Some(t) = e.attributes.get("title") {
                            title = format!("{} {}", title, t.to_lowercase());
                        }
                    }
                    persons.push(Person {
                        arg,
                        title,
                        sentence: si,
                    });
                }
            }
        }
        for (ev, d) in deferred {
            let found = built
                .iter()
                .enumerate()
                .filter(|(_, b)| {
                    b.ev.ty == ev.ty && b.ev.cameo == ev.cameo && place_compatible(doc, &b.ev, &ev)
                })
                .max_by_key(|(i, b)| {
                    (
                        participants_compatible(doc, &b.ev, &ev),
                        b.ev.evidence.len(),
                        std::cmp::Reverse(*i),
                    )
                })
                .map(|(i, _)| i);
            let named = ev
                .agents
                .iter()
                .any(|a| a.mention.is_some() || a.entity.is_some());
            match found {
                Some(x) => {
                    let rich = richness(&ev, &d);
                    merge_into(doc, &mut built[x], ev, d.modality.is_some(), rich, true);
                }
                None if named && ev.ty != EventType::Statement => {
                    let last = (ev.sentence, ev.trigger.start);
                    built.push(Built {
                        richness: richness(&ev, &d),
                        explicit: d.modality.is_some(),
                        ev,
                        heading: true,
                        last,
                    });
                }
                None => {}
            }
        }
        let mut events: Vec<Event> = built
            .into_iter()
            .map(|b| {
                let mut ev = b.ev;
                if let Some((place, date)) = dateline {
                    if ev.modality == Modality::Asserted {
                        if ev.time.is_none() {
                            ev.time = date;
                        }
                        if ev.place.is_none() && (ev.time.is_none() || ev.time == date) {
                            ev.place = place.map(|m| Argument {
                                span: doc.mentions[m].span,
                                mention: Some(m),
                                entity: doc.mentions[m].entity,
                            });
                        }
                    }
                }
                ev.confidence = confidence(doc, &ev, b.heading);
                ev
            })
            .collect();
        events.sort_by_key(|e| (e.sentence, e.trigger.start));
        events
    }

    /// Adds a draft's event to the list, merging it into an earlier mention of the same
    /// event; returns the index it ended up at.
    fn place_event(
        &self,
        doc: &Document,
        built: &mut Vec<Built>,
        ev: Event,
        d: &Draft,
    ) -> Option<usize> {
        let participants = !ev.agents.is_empty() || !ev.counterparts.is_empty();
        let named = ev
            .agents
            .iter()
            .chain(&ev.counterparts)
            .any(|a| a.mention.is_some() || a.entity.is_some());
        let entry = &self.lexicon.entries[d.entry];
        let richness = richness(&ev, d);
        let explicit = d.modality.is_some();
        let merge_only = d.merge_only && !named;
        if d.anaphoric || merge_only {
            // A definite mention ("the talks", "the pact") points to the main event of its
            // kind: the same place if it names one, else the best-attested, else the latest.
            let found = built
                .iter()
                .enumerate()
                .filter(|(_, b)| {
                    // "The acquisition" can point back to an agreed purchase.
                    let deal_of = ev.ty == EventType::Agreement
                        && b.ev.ty == EventType::Commitment
                        && matches!(b.ev.subtype.as_str(), "purchase" | "investment")
                        && matches!(ev.subtype.as_str(), "deal" | "acquisition" | "merger");
                    ((b.ev.ty == ev.ty && b.ev.cameo == ev.cameo) || deal_of)
                        && (place_compatible(doc, &b.ev, &ev)
                            || d.loose
                                && ev.subtype != "tour"
                                && b.ev.evidence.contains(&ev.sentence))
                        && (ev.agents.is_empty()
                            || d.loose
                            || participants_compatible(doc, &b.ev, &ev))
                })
                .max_by_key(|(i, b)| {
                    let same_place = match (&b.ev.place, &ev.place) {
                        (Some(a), Some(p)) => same(doc, a, p),
                        _ => false,
                    };
                    (same_place, b.ev.evidence.len(), *i)
                })
                .map(|(i, _)| i);
            if let Some(x) = found {
                // A definite mention points back; its own hedges ("this week's talks" in a
                // sentence about something else) do not change what happened.
                merge_into(
                    doc,
                    &mut built[x],
                    ev,
                    explicit && d.loose,
                    richness,
                    d.merge_only,
                );
                return Some(x);
            }
            if merge_only
                || (!d.loose && ev.place.is_none() && ev.time.is_none() && ev.amount.is_none())
            {
                return None;
            }
        }
        // Qualify: an event needs someone, or at least a place.
        if ev.ty == EventType::Statement {
            if ev.agents.is_empty() {
                return None;
            }
        } else if !participants && ev.place.is_none() && ev.modality != Modality::Negated {
            // A deal that was not reached is news even when nobody is named ("no deal was
            // reached during this week's talks"); anything else needs a party or a place.
            return None;
        }
        if entry.has("evt") && !named && ev.amount.is_none() && ev.place.is_none() {
            return None;
        }
        if ev.ty != EventType::Statement && !d.fresh {
            // Prefer an event this sentence already mentions (an apposition: "his
            // arrival in Tokyo, his first visit …"), then the best-attested one.
            let si = ev.sentence;
            let found = built
                .iter()
                .enumerate()
                .filter(|(_, b)| compatible(doc, &b.ev, &ev, b.explicit, explicit))
                .max_by_key(|(i, b)| (has_evidence(&b.ev.evidence, si), b.ev.evidence.len(), *i))
                .map(|(i, _)| i);
            if let Some(x) = found {
                merge_into(doc, &mut built[x], ev, explicit, richness, d.merge_only);
                return Some(x);
            }
        }
        let last = (ev.sentence, ev.trigger.start);
        built.push(Built {
            ev,
            explicit,
            richness,
            heading: d.merge_only,
            last,
        });
        Some(built.len() - 1)
    }

    fn resolve_all(
        &self,
        doc: &Document,
        view: &View,
        cands: &[usize],
        persons: &[Person],
        built: &[Built],
        si: usize,
    ) -> Vec<Argument> {
        let mut out = Vec::new();
        for &c in cands {
            out.extend(self.resolve(doc, view, c, persons, built, si));
        }
        out
    }

    /// The arguments a candidate stands for.
    fn resolve(
        &self,
        doc: &Document,
        view: &View,
        c: usize,
        persons: &[Person],
        built: &[Built],
        si: usize,
    ) -> Vec<Argument> {
        let Some(cand) = view.cands.get(c) else {
            return Vec::new();
        };
        let refer = |a: &Argument| Argument {
            span: if a.entity.is_some() {
                cand.head
            } else {
                a.span
            },
            mention: if a.entity.is_some() { None } else { a.mention },
            entity: a.entity,
        };
        match &cand.kind {
            CandKind::Named => vec![named_arg(doc, cand.head, cand.mention)],
            CandKind::Proper => vec![named_arg(doc, cand.head, None)],
            CandKind::Pronoun if doc.span_text(cand.head).eq_ignore_ascii_case("it") => {
                // "it": the organisation (else country) named last before it.
                let before = |ty: EntityType| {
                    doc.mentions
                        .iter()
                        .enumerate()
                        .rev()
                        .find(|(_, m)| m.ty == ty && m.span.end <= cand.head.start)
                };
                match before(EntityType::Org).or_else(|| before(EntityType::Place)) {
                    Some((mi, m)) => vec![refer(&named_arg(doc, m.span, Some(mi)))],
                    None => Vec::new(),
                }
            }
            CandKind::Pronoun => {
                // A person named earlier in this sentence, else the subject of the last event.
                let here = view.cands[..c].iter().find(|p| {
                    matches!(p.kind, CandKind::Named | CandKind::Proper)
                        && (p.ety == Some(EntityType::Person) || !p.title.is_empty())
                });
                if let Some(p) = here {
                    return vec![refer(&named_arg(doc, p.head, p.mention))];
                }
                let last_agent = built
                    .iter()
                    .filter(|b| b.ev.sentence < si)
                    .max_by_key(|b| (last_evidence(&b.ev.evidence), b.ev.trigger.start))
                    .and_then(|b| {
                        b.ev.agents
                            .iter()
                            .find(|a| is_person(doc, a, persons))
                            .cloned()
                    });
                if let Some(a) = last_agent {
                    return vec![refer(&a)];
                }
                persons
                    .last()
                    .map(|p| vec![refer(&p.arg)])
                    .unwrap_or_default()
            }
            CandKind::Plural => {
                let pronoun = matches!(
                    doc.span_text(cand.head).to_lowercase().as_str(),
                    "they" | "their" | "them"
                );
                // The participants of the latest event with two or more: for "they" any
                // event so far; for "the two leaders" earlier sentences first, then this one.
                let pick = |cutoff: (usize, usize)| {
                    let mut recent: Vec<&Built> = built
                        .iter()
                        .filter(|b| b.last < cutoff)
                        .filter(|b| b.ev.ty != EventType::Statement)
                        .collect();
                    recent.sort_by_key(|b| b.last);
                    recent
                        .into_iter()
                        .rev()
                        .map(|b| {
                            let mut all: Vec<Argument> = b.ev.agents.clone();
                            all.extend(b.ev.counterparts.iter().cloned());
                            dedupe(doc, all)
                        })
                        .find(|all| all.len() >= 2)
                };
                let here = (si, cand.head.start);
                let group = if pronoun {
                    pick(here)
                } else {
                    pick((si, 0)).or_else(|| pick(here))
                };
                let mut group = group.unwrap_or_else(|| {
                    let mut seen: Vec<Argument> = Vec::new();
                    for p in persons.iter().rev() {
                        if p.sentence < si && !seen.iter().any(|s| same(doc, s, &p.arg)) {
                            seen.push(p.arg.clone());
                        }
                        if seen.len() == 2 {
                            break;
                        }
                    }
                    seen.reverse();
                    seen
                });
                if let Some(n) = cand.count {
                    group.truncate(n);
                }
                group.iter().map(refer).collect()
            }
            CandKind::Descriptor(role) => {
                let org = matches!(
                    role.as_str(),
                    "company"
                        | "firm"
                        | "group"
                        | "bank"
                        | "planemaker"
                        | "carmaker"
                        | "automaker"
                        | "chipmaker"
                );
                if org {
                    let m =
                        doc.mentions.iter().enumerate().rev().find(|(_, m)| {
                            m.ty == EntityType::Org && m.span.start < cand.head.start
                        });
                    if let Some((mi, m)) = m {
                        return vec![refer(&named_arg(doc, m.span, Some(mi)))];
                    }
                } else if let Some(p) = persons
                    .iter()
                    .rev()
                    .find(|p| !p.title.is_empty() && p.title.contains(role.as_str()))
                {
                    return vec![refer(&p.arg)];
                }
                vec![Argument {
                    span: cand.head,
                    mention: None,
                    entity: None,
                }]
            }
        }
    }
}

/// `GAZETTE_DEBUG_EVENTS=1` prints candidates and drafts on stderr (for lexicon work).
fn debug() -> bool {
    // Read once: this is asked for every sentence, and the environment lookup takes a lock.
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("GAZETTE_DEBUG_EVENTS").is_some())
}

/// An argument for a name span: its mention and entity, or an entity with that name.
fn named_arg(doc: &Document, span: Span, mention: Option<usize>) -> Argument {
    let entity = match mention.and_then(|m| doc.mentions.get(m)) {
        Some(m) => m.entity,
        None => {
            let text = doc.span_text(span);
            doc.entities.iter().position(|e| {
                !matches!(e.ty, EntityType::Money | EntityType::Date)
                    && (e.name == text
                        // Ends with " {text}" (no String per entity compared).
                        || e.name
                            .strip_suffix(text)
                            .is_some_and(|head| head.ends_with(' '))
                        || e.mentions.iter().any(|&m| {
                            doc.mentions
                                .get(m)
                                .is_some_and(|m| doc.span_text(m.span) == text)
                        }))
            })
        }
    };
    Argument {
        span,
        mention,
        entity,
    }
}

fn is_person(doc: &Document, a: &Argument, persons: &[Person]) -> bool {
    if let Some(e) = a.entity.and_then(|e| doc.entities.get(e)) {
        return e.ty == EntityType::Person;
    }
    if let Some(m) = a.mention.and_then(|m| doc.mentions.get(m)) {
        return m.ty == EntityType::Person;
    }
    persons.iter().any(|p| same(doc, &p.arg, a))
}

/// A key that is equal for two arguments naming the same thing.
fn key(doc: &Document, a: &Argument) -> String {
    // Entities with one id or name are one thing, even when resolve kept them apart
    // (capital metonymy: "Washington" and "US" both name the United States).
    if let Some(e) = a.entity.and_then(|e| doc.entities.get(e)) {
        return match &e.kb {
            Some(kb) => kb.clone(),
            // `format!("{}:{}", e.ty, e.name.to_lowercase())`, without the formatter.
            None => {
                let ty = e.ty.as_str();
                let mut k = String::with_capacity(ty.len() + 1 + e.name.len());
                k.push_str(ty);
                k.push(':');
                k.push_str(&e.name.to_lowercase());
                k
            }
        };
    }
    let text = doc.span_text(a.span).to_lowercase();
    let text = text.trim_end_matches("'s").trim_end_matches("’s");
    text.split_whitespace().last().unwrap_or("").to_string()
}

fn same(doc: &Document, a: &Argument, b: &Argument) -> bool {
    key(doc, a) == key(doc, b)
}

fn dedupe(doc: &Document, args: Vec<Argument>) -> Vec<Argument> {
    let mut out: Vec<Argument> = Vec::new();
    for a in args {
        if !out.iter().any(|o| same(doc, o, &a)) {
            out.push(a);
        }
    }
    out
}

/// Drops a country when its own leader is also among the parties: merged mentions of one
/// deal ("South Korea … completing a trade deal", "Lee and Trump announced the
/// agreement") name the same side twice, and a reader lists the leaders, not South Korea,
/// Lee and Trump.
fn without_represented_countries(doc: &Document, args: Vec<Argument>) -> Vec<Argument> {
    let represented: BTreeSet<&str> = args
        .iter()
        .filter_map(|a| a.entity.and_then(|e| doc.entities.get(e)))
        .filter(|e| e.ty == EntityType::Person)
        .filter_map(|e| e.attributes.get("country_kb").map(String::as_str))
        .collect();
    if represented.is_empty() {
        return args;
    }
    args.into_iter()
        .filter(|a| {
            let country = a.entity.and_then(|e| doc.entities.get(e)).filter(|e| {
                matches!(
                    e.attributes.get("kind").map(String::as_str),
                    Some("country" | "government")
                )
            });
            !country
                .and_then(|e| e.kb.as_deref())
                .is_some_and(|kb| represented.contains(kb))
        })
        .collect()
}

fn keys(doc: &Document, args: &[Argument]) -> BTreeSet<String> {
    args.iter().map(|a| key(doc, a)).collect()
}

fn participants_compatible(doc: &Document, x: &Event, y: &Event) -> bool {
    let (px, py) = if x.ty == EventType::Visit {
        (keys(doc, &x.agents), keys(doc, &y.agents))
    } else {
        let mut a = keys(doc, &x.agents);
        a.extend(keys(doc, &x.counterparts));
        let mut b = keys(doc, &y.agents);
        b.extend(keys(doc, &y.counterparts));
        (a, b)
    };
    !px.is_empty() && !py.is_empty() && (px.is_subset(&py) || py.is_subset(&px))
}

fn place_compatible(doc: &Document, x: &Event, y: &Event) -> bool {
    match (&x.place, &y.place) {
        (Some(a), Some(b)) => same(doc, a, b),
        _ => true,
    }
}

fn compatible(doc: &Document, x: &Event, y: &Event, xe: bool, ye: bool) -> bool {
    if x.ty != y.ty || x.cameo != y.cameo {
        return false;
    }
    // An event with nobody named is the same as one at the same named place.
    let nobody = (x.agents.is_empty() && x.counterparts.is_empty())
        || (y.agents.is_empty() && y.counterparts.is_empty());
    let same_place = match (&x.place, &y.place) {
        (Some(a), Some(b)) => same(doc, a, b),
        _ => false,
    };
    // Two nameless mentions in one sentence are one event ("failed to reach a deal on a
    // global plastics treaty in Geneva").
    let one_sentence = x.agents.is_empty()
        && x.counterparts.is_empty()
        && y.agents.is_empty()
        && y.counterparts.is_empty()
        && x.evidence.contains(&y.sentence);
    if !(participants_compatible(doc, x, y) || nobody && same_place || one_sentence)
        || !place_compatible(doc, x, y)
    {
        return false;
    }
    // A planned or expected event and one that happened are the same only when they
    // have the same two or more participants.
    if x.modality != y.modality && (xe || ye) {
        let mut a = keys(doc, &x.agents);
        a.extend(keys(doc, &x.counterparts));
        let mut b = keys(doc, &y.agents);
        b.extend(keys(doc, &y.counterparts));
        if xe && ye || a != b || a.len() < 2 {
            return false;
        }
    }
    if let (Some(a), Some(b)) = (x.amount, y.amount) {
        let va = doc.mentions.get(a).and_then(|m| m.money()).map(|m| m.value);
        let vb = doc.mentions.get(b).and_then(|m| m.money()).map(|m| m.value);
        if va != vb {
            return false;
        }
    }
    if x.ty == EventType::Commitment && x.subtype != y.subtype {
        let both = x.amount.is_some() && y.amount.is_some();
        if !both {
            return false;
        }
    }
    if let (Some(a), Some(b)) = (x.time, y.time) {
        let va = doc
            .mentions
            .get(a)
            .and_then(|m| m.date())
            .and_then(|d| d.value.clone());
        let vb = doc
            .mentions
            .get(b)
            .and_then(|m| m.date())
            .and_then(|d| d.value.clone());
        if va.is_some() && vb.is_some() && va != vb {
            return false;
        }
    }
    true
}

fn richness(ev: &Event, d: &Draft) -> i32 {
    let mut r = 0;
    if !d.merge_only {
        r += 4;
    }
    if !d.noun {
        r += 1;
    }
    if !d.anaphoric {
        r += 2;
    }
    r += ev.agents.len().min(2) as i32 * 2;
    r += ev.counterparts.len().min(2) as i32;
    r += [
        ev.place.is_some(),
        ev.time.is_some(),
        ev.amount.is_some(),
        ev.topic.is_some(),
    ]
    .iter()
    .filter(|&&b| b)
    .count() as i32;
    r
}

fn merge_into(
    doc: &Document,
    x: &mut Built,
    mut y: Event,
    y_explicit: bool,
    y_rich: i32,
    y_heading: bool,
) {
    let sentence = y.sentence;
    x.last = x.last.max((y.sentence, y.trigger.start));
    // A headline or bullet label only adds evidence; its words are too terse for roles.
    if y_heading && !x.heading {
        add_evidence(&mut x.ev.evidence, sentence);
        return;
    }
    if y_rich > x.richness {
        // The richer mention becomes the record; the other fills its gaps.
        std::mem::swap(&mut x.ev, &mut y);
        x.richness = y_rich;
        x.richness = y_rich;
        let old_explicit = x.explicit;
        x.explicit = y_explicit;
        x.heading = y_heading;
        // `y` is now the old record.
        if !x.explicit && old_explicit {
            x.ev.modality = y.modality;
            x.explicit = true;
        }
        let mut rest: Vec<usize> = y
            .evidence
            .iter()
            .copied()
            .filter(|&s| s != x.ev.sentence)
            .collect();
        rest.sort_unstable();
        rest.dedup();
        x.ev.evidence = std::iter::once(x.ev.sentence).chain(rest).collect();
    } else {
        if !x.explicit && y_explicit {
            x.ev.modality = y.modality;
            x.explicit = true;
        }
        add_evidence(&mut x.ev.evidence, sentence);
    }
    let ev = &mut x.ev;
    // The record's roles win: a party it already has as a counterpart does not become an
    // agent because another mention put it there (often a mis-resolved descriptor, "the
    // carmaker said … its largest investment").
    let record_cps = keys(doc, &ev.counterparts);
    let mut agents = ev.agents.clone();
    agents.extend(
        y.agents
            .into_iter()
            .filter(|a| !record_cps.contains(&key(doc, a))),
    );
    ev.agents = without_represented_countries(doc, dedupe(doc, agents));
    let mut cps = ev.counterparts.clone();
    cps.extend(y.counterparts);
    let agent_keys = keys(doc, &ev.agents);
    ev.counterparts = dedupe(doc, cps)
        .into_iter()
        .filter(|a| !agent_keys.contains(&key(doc, a)))
        .collect();
    ev.place = ev.place.take().or(y.place);
    ev.time = ev.time.or(y.time);
    ev.amount = ev.amount.or(y.amount);
    ev.topic = ev.topic.or(y.topic);
    ev.purpose = ev.purpose.or(y.purpose);
    ev.condition = ev.condition.or(y.condition);
}

// Evidence lists are kept as [the trigger's sentence, the others sorted and unique], so
// that adding to one, or asking it, costs a binary search: an event repeated in thousands
// of sentences (hostile input) made the sort-everything-on-each-merge quadratic.

fn add_evidence(evidence: &mut Vec<usize>, s: usize) {
    if evidence.is_empty() {
        evidence.push(s);
        return;
    }
    if evidence[0] == s {
        return;
    }
    if let Err(i) = evidence[1..].binary_search(&s) {
        evidence.insert(i + 1, s);
    }
}

fn has_evidence(evidence: &[usize], s: usize) -> bool {
    evidence.first() == Some(&s)
        || evidence
            .get(1..)
            .is_some_and(|r| r.binary_search(&s).is_ok())
}

fn last_evidence(evidence: &[usize]) -> Option<usize> {
    match (evidence.first(), evidence.last()) {
        (Some(&a), Some(&b)) => Some(a.max(b)),
        _ => None,
    }
}

/// Commitments about money, trade or investment are economic (CAMEO 0311); about
/// defence, military (0312); aid, economic aid (0331).
fn refine_cameo(doc: &Document, mut ev: Event) -> Event {
    if ev.ty != EventType::Commitment || ev.cameo != "030" {
        return ev;
    }
    let topic = ev
        .topic
        .map(|t| doc.span_text(t).to_lowercase())
        .unwrap_or_default();
    let has = |w: &[&str]| w.iter().any(|x| topic.contains(x));
    if has(&[
        "military aid",
        "weapons",
        "defence",
        "defense",
        "troops",
        "military",
    ]) {
        ev.cameo = if topic.contains("aid") {
            "0332"
        } else {
            "0312"
        }
        .into();
    } else if has(&["aid", "assistance", "humanitarian"]) {
        ev.cameo = "0331".into();
    } else if ev.amount.is_some()
        || has(&[
            "invest", "purchase", "buy", "trade", "economic", "tariff", "soybean", "gas", "oil",
        ])
    {
        ev.cameo = "0311".into();
    }
    ev
}

fn confidence(doc: &Document, ev: &Event, heading: bool) -> f32 {
    let mut c: f32 = 0.45;
    let named = |args: &[Argument]| {
        args.iter()
            .any(|a| a.entity.is_some() || a.mention.is_some())
    };
    if named(&ev.agents) {
        c += 0.2;
    } else if !ev.agents.is_empty() {
        c += 0.08;
    } else {
        c -= 0.1;
    }
    if !ev.counterparts.is_empty() {
        c += 0.05;
    }
    if ev.place.is_some() {
        c += 0.05;
    }
    if ev.time.is_some() {
        c += 0.05;
    }
    if ev.amount.is_some() || ev.topic.is_some() {
        c += 0.05;
    }
    c += (ev.evidence.len().saturating_sub(1) as f32 * 0.04).min(0.12);
    if heading {
        c -= 0.1;
    }
    let _ = doc;
    c.clamp(0.05, 0.99)
}

/// The dateline's place and date mentions ("TOKYO, Oct 27 (Gazette) —").
fn dateline(doc: &Document) -> Option<(Option<usize>, Option<usize>)> {
    let first = doc.sentences.first()?;
    let text = doc.span_text(first.span);
    // A dateline is an upper-case place, optional date and source, then a dash.
    let dash = text
        .char_indices()
        .take(80)
        .find(|(_, c)| matches!(c, '—' | '–'))
        .map(|(i, _)| i)
        .or_else(|| text.get(..80.min(text.len())).and_then(|t| t.find(" - ")))?;
    let head = &text[..dash];
    let upper = head.split([',', '(']).next().unwrap_or("").trim();
    if upper.is_empty() || upper.chars().any(|c| c.is_lowercase()) {
        return None;
    }
    let end = first.span.start + dash;
    let in_head =
        |m: &crate::document::Mention| m.span.start >= first.span.start && m.span.end <= end;
    let place = doc
        .mentions
        .iter()
        .position(|m| in_head(m) && m.ty == EntityType::Place);
    let date = doc
        .mentions
        .iter()
        .position(|m| in_head(m) && m.ty == EntityType::Date);
    Some((place, date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lexicon_loads() {
        let a = Assembler::new();
        assert!(a.lexicon().entries.len() > 100);
    }
}
