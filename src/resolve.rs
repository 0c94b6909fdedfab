//! Name resolution within an article: joins mentions of the same thing into entities.
//!
//! Owns `Document::entities` and `Mention::entity`, and tidies the name mentions it joins:
//! an NER span that starts with a title ("President Xi") or ends in a possessive
//! ("Tokyo’s") is trimmed to the name, the title kept as the `title` attribute. Does not
//! find mentions (gazetteer and NER do).
//!
//! Rules, in the manner of GATE's OrthoMatcher, applied in this order:
//! 1. linked mentions (gazetteer) join by knowledge-base id;
//! 2. a capital city read as its government ("Washington’s push", "Beijing expanded",
//!    "Washington and Tokyo’s joint effort") becomes the country with `kind: government`,
//!    its own entity; a capital after "in", "to", "from"… stays the city;
//! 3. unlinked mentions, longest first: same name (case-insensitive) as an entity or one of
//!    its mentions; a person's surname or first name alone ("Takaichi" → "Sanae
//!    Takaichi"); an acronym and its expansion ("APEC" ↔ "Asia-Pacific Economic
//!    Cooperation", by initials or the `acronym` attribute); an organisation's short form
//!    ("Altech" → "Altech Energy", "Toyota Motor" → the linked "Toyota", "the Commission" → the
//!    one commission named in full); else a new entity.
//!
//! Entities are numbered `E1`, `E2`, … in order of first mention.

use std::collections::BTreeMap;

use foldhash::HashMap;

use crate::document::{
    Attributes, Document, Entity, EntityType, Link, Mention, MentionSource, Span,
};
use crate::gazetteer::{strip_title, Gazetteer};

/// Words after an organisation's name that make an event or body of it ("APEC Summit").
const GENERIC_TAILS: &[&str] = &[
    " Summit",
    " summit",
    " Forum",
    " forum",
    " Conference",
    " conference",
    " Meeting",
    " meeting",
    " meetings",
    " Secretariat",
    " leaders",
    " talks",
    " Ministerial",
];

/// Words after a broadcaster's name that name its channel ("BBC radio"). Only an
/// organisation's: "Israel Radio" and "Kabul Radio" are broadcasters of their own.
const BROADCAST_TAILS: &[&str] = &[" radio", " Radio", " television", " Television", " TV"];

/// Links unlinked NER name mentions that are (after a title, a possessive or a generic
/// tail) a gazetteer name, trimming the span to that name.
fn relink(doc: &mut Document, gazetteer: &Gazetteer) {
    let published = doc.published;
    for m in doc.mentions.iter_mut() {
        if m.source != MentionSource::Ner || m.link.is_some() || !is_name(m.ty) {
            continue;
        }
        let s = m.span.text(&doc.text);
        let (title, offset) = strip_title(s).unwrap_or_default();
        let name = strip_possessive(&s[offset..]);
        // (name, whether only an organisation may be its base)
        let mut candidates: smallvec::SmallVec<[(&str, bool); 4]> =
            smallvec::smallvec![(name, false)];
        for tail in GENERIC_TAILS {
            if let Some(base) = name.strip_suffix(tail) {
                candidates.push((base, false));
            }
        }
        for tail in BROADCAST_TAILS {
            if let Some(base) = name.strip_suffix(tail) {
                candidates.push((base, true));
            }
        }
        for (c, org_only) in candidates {
            let found = gazetteer
                .link_exact(c, published)
                .filter(|(ty, _)| !org_only || *ty == EntityType::Org);
            if let Some((ty, mut link)) = found {
                if !title.is_empty() {
                    link.attributes.insert("title".into(), title.clone());
                }
                let start = m.span.start + offset;
                m.span = Span::new(start, start + c.len());
                m.ty = ty;
                m.link = Some(link);
                break;
            }
        }
    }
}

/// Nouns after a possessive capital that make it a government ("Tokyo’s plan").
const POLITICAL_NOUNS: &[&str] = &[
    "push",
    "plan",
    "plans",
    "effort",
    "efforts",
    "policy",
    "policies",
    "demand",
    "demands",
    "decision",
    "pressure",
    "stance",
    "position",
    "support",
    "response",
    "ally",
    "allies",
    "relations",
    "ties",
    "government",
    "administration",
    "approach",
    "strategy",
    "concerns",
    "call",
    "calls",
    "offer",
    "proposal",
    "move",
    "moves",
    "sanctions",
    "tariffs",
    "commitment",
    "pledge",
    "agreement",
    "deal",
    "negotiators",
    "officials",
    "envoy",
    "diplomats",
    "request",
    "warning",
    "objections",
    "insistence",
    "bid",
    "claims",
    "initiative",
    "backing",
    "opposition",
    "refusal",
    "criticism",
    "goal",
    "goals",
    "aim",
    "interests",
    "approval",
    "veto",
    "retaliation",
    "position",
    "regime",
    "leadership",
];

/// Verbs after a capital that make it a government ("Beijing expanded its controls").
const POLITICAL_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "wants",
    "want",
    "warned",
    "warns",
    "accused",
    "accuses",
    "urged",
    "urges",
    "demanded",
    "demands",
    "announced",
    "announces",
    "pushed",
    "pushes",
    "expanded",
    "expands",
    "imposed",
    "imposes",
    "rejected",
    "rejects",
    "agreed",
    "agrees",
    "signed",
    "signs",
    "pledged",
    "pledges",
    "responded",
    "responds",
    "insisted",
    "insists",
    "criticised",
    "criticized",
    "denied",
    "denies",
    "threatened",
    "threatens",
    "called",
    "calls",
    "protested",
    "condemned",
    "condemns",
    "welcomed",
    "welcomes",
    "hopes",
    "plans",
    "seeks",
    "sought",
    "vowed",
    "vows",
    "retaliated",
    "sanctioned",
    "approved",
    "approves",
    "blocked",
    "blocks",
    "banned",
    "bans",
    "restricted",
    "restricts",
    "tightened",
    "eased",
    "has",
    "had",
    "is",
    "was",
    "will",
    "would",
    "must",
    "should",
    "may",
    "might",
    "can",
    "could",
];

/// Words before a capital that make it the city ("in Tokyo", "visit to Tokyo").
const LOCATIVES: &[&str] = &[
    "in", "at", "to", "from", "into", "near", "outside", "around", "across", "through", "via",
    "toward", "towards", "leaving", "left", "reached", "reach", "visit", "visited", "visiting",
    "visits", "arrived", "landed", "of",
];

/// Joins mentions into entities.
#[derive(Clone, Debug, Default)]
pub struct Resolver;

/// One entity being built.
#[derive(Debug)]
struct Cluster {
    name: String,
    ty: EntityType,
    kb: Option<String>,
    attributes: Attributes,
    mentions: Vec<usize>,
    /// Lower-cased surfaces of its mentions, its name and acronym, for matching.
    surfaces: Vec<String>,
    /// A person's name's words, lower-cased once here rather than for every mention
    /// compared (empty for other types).
    name_words: Vec<String>,
    /// An organisation's name: its number of words, whether it is an acronym, and its
    /// [`initials`] (made when first asked for), kept rather than worked out again for
    /// every mention compared (zero, false and unset for other types).
    name_len: usize,
    name_acronym: bool,
    name_initials: std::cell::OnceCell<String>,
}

/// Which clusters have a lower-cased surface, by the surface's hash (so that "same name
/// as an entity" does not compare with every surface of every cluster). A hit is checked
/// against the cluster's surfaces; a hash collision only costs that check.
#[derive(Default)]
struct SurfaceIndex {
    by_hash: HashMap<u64, smallvec::SmallVec<[u32; 2]>>,
}

impl SurfaceIndex {
    fn hash(lower: &str) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(0x9e37_79b9).hash_one(lower)
    }

    /// Indexes the surfaces of cluster `c` from `from` on.
    fn add(&mut self, clusters: &[Cluster], c: usize, from: usize) {
        for k in &clusters[c].surfaces[from..] {
            let list = self.by_hash.entry(Self::hash(k)).or_default();
            if list.last() != Some(&(c as u32)) {
                list.push(c as u32);
            }
        }
    }

    /// The first cluster (in order) with surface `lower` that `keep` accepts: as
    /// `clusters.iter().position(|c| keep(c) && c.surfaces.contains(lower))`.
    fn first(
        &self,
        clusters: &[Cluster],
        lower: &str,
        keep: impl Fn(&Cluster) -> bool,
    ) -> Option<usize> {
        self.by_hash
            .get(&Self::hash(lower))?
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| keep(&clusters[c]) && clusters[c].surfaces.iter().any(|k| k == lower))
            .min()
    }
}

impl Resolver {
    pub fn new() -> Resolver {
        Resolver
    }

    /// [`Resolver::annotate`] after giving NER names the gazetteer knows their link:
    /// "Emperor Naruhito" (NER, which won over the gazetteer's "Naruhito" by covering it)
    /// becomes "Naruhito" with the gazetteer's id, and "APEC Summit" the mention "APEC".
    pub fn annotate_with(&self, doc: &mut Document, gazetteer: &Gazetteer) {
        relink(doc, gazetteer);
        self.annotate(doc);
    }

    /// Fills `doc.entities` and every name mention's `entity`.
    pub fn annotate(&self, doc: &mut Document) {
        doc.entities.clear();
        for m in doc.mentions.iter_mut() {
            m.entity = None;
        }
        // Taken out for the duration (and put back below) so the mentions can be edited
        // while reading it, without copying the article.
        let text = std::mem::take(&mut doc.text);
        let n = doc.mentions.len();
        for m in doc.mentions.iter_mut() {
            tidy(&text, m);
        }
        // Spans are final from here (the steps below change types and links only): each
        // mention's surface is worked out once.
        let surfaces: Vec<&str> = doc.mentions.iter().map(|m| surface(&text, m)).collect();
        person_overrides(&surfaces, &mut doc.mentions);
        metonymy(&text, &mut doc.mentions);

        let mut clusters: Vec<Cluster> = Vec::new();
        // Sized for every mention up front (each may bring a surface and a key): growing
        // the tables as they fill cost more than the lookups.
        let mut index = SurfaceIndex {
            by_hash: HashMap::with_capacity_and_hasher(n, Default::default()),
        };
        let mut by_key: HashMap<String, usize> =
            HashMap::with_capacity_and_hasher(n, Default::default());
        let mut assigned: Vec<Option<usize>> = vec![None; n];

        // 1. Linked mentions join by id (a government reading by id plus kind).
        for (i, m) in doc.mentions.iter().enumerate() {
            if !is_name(m.ty) {
                continue;
            }
            // An NER mention's link only carries the title it was read with.
            let Some(link) = m
                .link
                .as_ref()
                .filter(|l| l.kb.is_some() || m.source == MentionSource::Gazetteer)
            else {
                continue;
            };
            let government = link
                .attributes
                .get("kind")
                .is_some_and(|k| k == "government");
            let key = match &link.kb {
                Some(kb) if government => {
                    let mut k = String::with_capacity(kb.len() + 11);
                    k.push_str(kb);
                    k.push_str("#government");
                    k
                }
                Some(kb) => kb.clone(),
                None => name_key(m.ty, &link.name),
            };
            let surface = surfaces[i];
            let c = *by_key.entry(key).or_insert_with(|| {
                clusters.push(Cluster::from_link(m.ty, link));
                clusters.len() - 1
            });
            clusters[c].add(i, surface, link);
            assigned[i] = Some(c);
            // Indexed once all linked mentions are in: nothing looks before then.
        }
        for c in 0..clusters.len() {
            index.add(&clusters, c, 0);
        }

        // 2. Unlinked name mentions, longest first so "Kim" can find "Kim Min-seok" written
        // after it.
        let mut order: Vec<usize> = (0..n)
            .filter(|&i| assigned[i].is_none() && is_name(doc.mentions[i].ty))
            .collect();
        // Cached: the key counts words, and a comparison sort would count each many times.
        order.sort_by_cached_key(|&i| {
            let words = word_count(surfaces[i]);
            (std::cmp::Reverse(words), doc.mentions[i].span.start)
        });
        for i in order {
            let m = &doc.mentions[i];
            let s = surfaces[i];
            if s.is_empty() {
                continue;
            }
            let c = match find_cluster(&clusters, &index, m, s) {
                Some(c) => c,
                None => {
                    let key = name_key(m.ty, s);
                    *by_key.entry(key).or_insert_with(|| {
                        clusters.push(Cluster::new(s.to_string(), m.ty));
                        index.add(&clusters, clusters.len() - 1, 0);
                        clusters.len() - 1
                    })
                }
            };
            let empty = Link::default();
            let known = clusters[c].surfaces.len();
            clusters[c].add(i, s, m.link.as_ref().unwrap_or(&empty));
            index.add(&clusters, c, known);
            if let Some(t) = m.link.as_ref().and_then(|l| l.attributes.get("title")) {
                if !clusters[c].attributes.contains_key("title") {
                    clusters[c].attributes.insert("title".into(), t.clone());
                }
            }
            assigned[i] = Some(c);
        }

        // 3. Entities in order of first mention; mention types follow their entity.
        let mut firsts: Vec<(usize, usize)> = clusters
            .iter()
            .enumerate()
            .filter_map(|(c, cl)| {
                cl.mentions
                    .iter()
                    .map(|&i| doc.mentions[i].span.start)
                    .min()
                    .map(|s| (s, c))
            })
            .collect();
        firsts.sort();
        let mut number = vec![0usize; clusters.len()];
        for (k, &(_, c)) in firsts.iter().enumerate() {
            number[c] = k;
        }
        let mut entities: Vec<Option<Entity>> = vec![None; clusters.len()];
        for (c, cl) in clusters.into_iter().enumerate() {
            let mut mentions = cl.mentions;
            mentions.sort_by_key(|&i| doc.mentions[i].span.start);
            mentions.dedup();
            entities[number[c]] = Some(Entity {
                id: entity_id(number[c] + 1),
                name: cl.name,
                ty: cl.ty,
                kb: cl.kb,
                attributes: cl.attributes,
                mentions,
            });
        }
        doc.entities = entities.into_iter().flatten().collect();
        for (e, ent) in doc.entities.iter().enumerate() {
            for &i in &ent.mentions {
                doc.mentions[i].entity = Some(e);
                doc.mentions[i].ty = ent.ty;
            }
        }
        doc.text = text;
    }
}

impl Cluster {
    fn new(name: String, ty: EntityType) -> Cluster {
        Cluster {
            surfaces: vec![lower(&name)],
            // Only people are matched by their name's words.
            name_words: match ty {
                EntityType::Person => words_of(&name).iter().map(|w| lower(w)).collect(),
                _ => Vec::new(),
            },
            name_len: match ty {
                EntityType::Org => word_count(&name),
                _ => 0,
            },
            name_acronym: ty == EntityType::Org && is_acronym(&name),
            name_initials: std::cell::OnceCell::new(),
            name,
            ty,
            kb: None,
            attributes: Attributes::new(),
            mentions: Vec::new(),
        }
    }

    fn initials(&self) -> &str {
        self.name_initials.get_or_init(|| initials(&self.name))
    }

    fn from_link(ty: EntityType, link: &Link) -> Cluster {
        let mut c = Cluster::new(link.name.clone(), ty);
        c.kb = link.kb.clone();
        if let Some(a) = link.attributes.get("acronym") {
            c.surfaces.push(lower(a));
        }
        c
    }

    fn add(&mut self, i: usize, surface: &str, link: &Link) {
        self.mentions.push(i);
        // Most mentions repeat a surface already seen: compare before allocating (as
        // `eq_lower`, with the ASCII test made once rather than per surface).
        if surface.is_ascii() {
            let seen = self.surfaces.iter().any(|k| {
                k.len() == surface.len()
                    && k.bytes()
                        .zip(surface.bytes())
                        .all(|(a, b)| b.to_ascii_lowercase() == a)
            });
            if !seen {
                self.surfaces.push(surface.to_ascii_lowercase());
            }
        } else {
            let lower = surface.to_lowercase();
            if !self.surfaces.contains(&lower) {
                self.surfaces.push(lower);
            }
        }
        if self.attributes.is_empty() {
            // The first link: its map, shared (copied only if a later link adds a key).
            self.attributes = link.attributes.clone();
            return;
        }
        if link.attributes.is_empty() {
            return;
        }
        // The keys of `link` not yet in the cluster, found by walking both sorted maps
        // side by side (no tree descent per key, no key cloned when it is already there).
        let mut missing: smallvec::SmallVec<[(&String, &String); 8]> = smallvec::SmallVec::new();
        let mut have = self.attributes.keys().peekable();
        for (k, v) in &link.attributes {
            while have.next_if(|h| h.as_str() < k.as_str()).is_some() {}
            if have.peek().is_some_and(|h| *h == k) {
                continue;
            }
            missing.push((k, v));
        }
        for (k, v) in missing {
            self.attributes.insert(k.clone(), v.clone());
        }
    }
}

fn is_name(ty: EntityType) -> bool {
    matches!(
        ty,
        EntityType::Person | EntityType::Place | EntityType::Org | EntityType::Norp
    )
}

/// The mention's text without a possessive ending.
fn surface<'t>(text: &'t str, m: &Mention) -> &'t str {
    strip_possessive(m.span.text(text)).trim()
}

/// `format!("E{n}")`, without the formatting machinery.
fn entity_id(n: usize) -> String {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    let mut n = n;
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut id = String::with_capacity(1 + digits.len() - k);
    id.push('E');
    id.extend(digits[k..].iter().map(|&d| char::from(d)));
    id
}

/// `format!("name:{ty}:{}", name.to_lowercase())`, without the formatting machinery.
fn name_key(ty: EntityType, name: &str) -> String {
    let ty = ty.as_str();
    let mut k = String::with_capacity(6 + ty.len() + name.len());
    k.push_str("name:");
    k.push_str(ty);
    k.push(':');
    if name.is_ascii() {
        let from = k.len();
        k.push_str(name);
        k[from..].make_ascii_lowercase();
    } else {
        k.push_str(&name.to_lowercase());
    }
    k
}

/// `s.to_lowercase() == lower`, without allocating for ASCII `s` (where lower-casing is
/// byte for byte).
fn eq_lower(s: &str, lower: &str) -> bool {
    // ASCII keeps its length when lower-cased: a length mismatch settles it.
    if s.len() != lower.len() && s.is_ascii() {
        return false;
    }
    if s.is_ascii() {
        s.len() == lower.len()
            && s.bytes()
                .zip(lower.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        s.to_lowercase() == lower
    }
}

/// `s.to_lowercase()`, byte for byte for ASCII.
fn lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// The ASCII characters `char::is_whitespace` accepts (vertical tab included).
fn ascii_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

/// `s.split_whitespace().collect()`, byte by byte for ASCII.
fn words_of(s: &str) -> smallvec::SmallVec<[&str; 8]> {
    if !s.is_ascii() {
        return s.split_whitespace().collect();
    }
    let b = s.as_bytes();
    let mut out = smallvec::SmallVec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && ascii_ws(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && !ascii_ws(b[i]) {
            i += 1;
        }
        if i > start {
            out.push(s.get(start..i).unwrap_or_default());
        }
    }
    out
}

/// The first and last of two or more words (`split_whitespace`'s first and last), else
/// `None`.
fn first_and_last_words(s: &str) -> Option<(&str, &str)> {
    if !s.is_ascii() {
        let mut w = s.split_whitespace();
        return Some((w.next()?, w.next_back()?));
    }
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !ascii_ws(c))?;
    let end = b.iter().rposition(|&c| !ascii_ws(c))? + 1;
    let first_end = start + b[start..end].iter().position(|&c| ascii_ws(c))?;
    let last_start = start + b[start..end].iter().rposition(|&c| ascii_ws(c))? + 1;
    Some((s.get(start..first_end)?, s.get(last_start..end)?))
}

/// `s.split_whitespace().count()`, byte by byte for ASCII.
fn word_count(s: &str) -> usize {
    if !s.is_ascii() {
        return s.split_whitespace().count();
    }
    // The ASCII characters `char::is_whitespace` accepts (vertical tab included).
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let mut n = 0;
    let mut prev_ws = true;
    for &b in s.as_bytes() {
        let w = ws(b);
        if prev_ws && !w {
            n += 1;
        }
        prev_ws = w;
    }
    n
}

fn strip_possessive(s: &str) -> &str {
    for suffix in ["’s", "'s", "’", "'"] {
        if let Some(stem) = s.strip_suffix(suffix) {
            return stem;
        }
    }
    s
}

/// Trims an NER span of a leading title and a trailing possessive, keeping the title.
fn tidy(text: &str, m: &mut Mention) {
    if !is_name(m.ty) || m.link.is_some() {
        return;
    }
    let s = m.span.text(text);
    let stem = strip_possessive(s);
    let mut span = Span::new(m.span.start, m.span.start + stem.len());
    if m.ty == EntityType::Person {
        if let Some((title, offset)) = strip_title(stem) {
            if offset < stem.len() {
                span.start += offset;
                let link = m.link.get_or_insert_with(Link::default);
                link.attributes.insert("title".into(), title);
            }
        }
    }
    // The name is what is left; a title-only span stays as it was.
    if !span.is_empty() && text.is_char_boundary(span.start) && text.is_char_boundary(span.end) {
        m.span = span;
    }
    if m.link
        .as_ref()
        .is_some_and(|l| l.name.is_empty() && l.kb.is_none())
    {
        // A link that only carries the title is kept for its attribute.
        if let Some(l) = m.link.as_mut() {
            l.name = m.span.text(text).to_string();
        }
    }
}

/// A one-word place or organisation read through an alternate name or a town ("Kitu" is
/// an alternate name of Quito) that is also the first or last word of a person named in
/// full in the article is that person.
///
/// `surfaces`: each mention's [`surface`].
fn person_overrides(surfaces: &[&str], mentions: &mut [Mention]) {
    let mut words: foldhash::HashSet<&str> = foldhash::HashSet::default();
    for (m, &s) in mentions.iter().zip(surfaces) {
        if m.ty != EntityType::Person {
            continue;
        }
        if let Some((first, last)) = first_and_last_words(s) {
            words.insert(first);
            words.insert(last);
        }
    }
    if words.is_empty() {
        return;
    }
    for (m, &s) in mentions.iter_mut().zip(surfaces) {
        if !matches!(m.ty, EntityType::Place | EntityType::Org) {
            continue;
        }
        let Some(link) = &m.link else { continue };
        // The words hold no whitespace, so one of them is a one-word surface.
        if !words.contains(s) {
            continue;
        }
        let weak = s != link.name || link.attributes.get("kind").is_some_and(|k| k == "city");
        if weak {
            m.ty = EntityType::Person;
            m.link = None;
        }
    }
}

/// Reads capitals as their governments where the sentence treats them as actors.
fn metonymy(text: &str, mentions: &mut [Mention]) {
    let capital = |m: &Mention| {
        m.ty == EntityType::Place
            && m.link
                .as_ref()
                .is_some_and(|l| l.attributes.contains_key("capital_of_kb"))
    };
    let n = mentions.len();
    let mut government = vec![false; n];
    // Asked once per mention (the pairs below ask about each twice).
    let is_capital: Vec<bool> = mentions.iter().map(capital).collect();
    for i in 0..n {
        if !is_capital[i] {
            continue;
        }
        government[i] = reads_as_government(text, mentions[i].span);
    }
    // "Washington and Tokyo’s joint effort": coordinated capitals share the reading.
    for i in 0..n.saturating_sub(1) {
        let j = i + 1;
        if is_capital[i] && is_capital[j] {
            let between = text
                .get(mentions[i].span.end..mentions[j].span.start)
                .unwrap_or("");
            if matches!(between.trim(), "and" | "," | "or" | "-" | "–")
                && (government[i] || government[j])
            {
                government[i] = true;
                government[j] = true;
            }
        }
    }
    for (i, m) in mentions.iter_mut().enumerate() {
        if !government[i] {
            continue;
        }
        let Some(link) = m.link.as_mut() else {
            continue;
        };
        let (Some(kb), Some(name)) = (
            link.attributes.get("capital_of_kb").cloned(),
            link.attributes.get("capital_of_name").cloned(),
        ) else {
            continue;
        };
        let mut attributes = BTreeMap::new();
        attributes.insert("kind".to_string(), "government".to_string());
        if let Some(c) = link.attributes.get("capital_of") {
            attributes.insert("country".to_string(), c.clone());
        }
        attributes.insert("via".to_string(), link.name.clone());
        *link = Link {
            name,
            kb: Some(kb),
            attributes: attributes.into(),
        };
        m.ty = EntityType::Place;
    }
}

/// Whether the capital at `span` acts in its sentence (government) rather than being a
/// location.
fn reads_as_government(text: &str, span: Span) -> bool {
    let before = text.get(..span.start).unwrap_or("");
    let prev: Vec<&str> = before
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .rev()
        .take(2)
        .collect();
    let prev_word = prev.first().map(|w| w.to_lowercase()).unwrap_or_default();
    if LOCATIVES.contains(&prev_word.as_str()) {
        return false;
    }
    // "the Tokyo stop": a capital used as a modifier after "the" is the city.
    if prev_word == "the" {
        return false;
    }
    let after = text.get(span.end..).unwrap_or("");
    let possessive = ["’s ", "'s "].iter().find_map(|p| after.strip_prefix(p));
    if let Some(rest) = possessive {
        // The noun within the next three words ("Tokyo’s accelerated plan").
        return rest
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| !w.is_empty())
            .take(3)
            .any(|w| POLITICAL_NOUNS.contains(&w.to_lowercase().as_str()));
    }
    let next = after
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .map(str::to_lowercase)
        .unwrap_or_default();
    // A verb right after the capital, and not the start of a comma list of places.
    !after.starts_with(',') && POLITICAL_VERBS.contains(&next.as_str()) && next != "and"
}

/// The cluster an unlinked mention belongs to, by the OrthoMatcher rules.
fn find_cluster(clusters: &[Cluster], index: &SurfaceIndex, m: &Mention, s: &str) -> Option<usize> {
    let lower = lower(s);
    // Same name as an entity of the same type, or of any linked entity.
    let same = index
        .first(clusters, &lower, |c| c.ty == m.ty)
        .or_else(|| index.first(clusters, &lower, |c| c.kb.is_some()));
    if same.is_some() {
        return same;
    }
    let words = words_of(s);
    if m.ty == EntityType::Person || m.ty == EntityType::Misc {
        // A surname or first name alone, or "First Last" of a longer name.
        let mut best = None;
        // `cw.first() == first.to_lowercase()` without the lower-cased copies.
        let same_word = |w: Option<&&str>, c: Option<&String>| match (w, c) {
            (Some(w), Some(c)) => eq_lower(w, c),
            (None, None) => true,
            _ => false,
        };
        for (ci, c) in clusters.iter().enumerate() {
            if c.ty != EntityType::Person {
                continue;
            }
            let cw = &c.name_words;
            let hit = match words.len() {
                1 => {
                    cw.len() > 1
                        && (cw.last() == Some(&lower)
                            || cw.first() == Some(&lower)
                            || c.attributes
                                .get("surname")
                                .is_some_and(|s| eq_lower(s, &lower)))
                }
                _ => {
                    cw.len() > words.len()
                        && same_word(words.first(), cw.first())
                        && same_word(words.last(), cw.last())
                }
            };
            // Two people with that name: the one mentioned more often.
            let better = |b: usize| clusters[ci].mentions.len() > clusters[b].mentions.len();
            if hit && best.map_or(true, better) {
                best = Some(ci);
            }
        }
        if best.is_some() {
            return best;
        }
    }
    if m.ty == EntityType::Org || m.ty == EntityType::Misc {
        // Made when first needed: most mentions are no acronym and meet none.
        let initials = std::cell::OnceCell::new();
        let s_is_acronym = is_acronym(s);
        let s_letters = if s_is_acronym {
            acronym_letters(s)
        } else {
            String::new()
        };
        for (ci, c) in clusters.iter().enumerate() {
            if c.ty != EntityType::Org {
                continue;
            }
            // "APEC" written after "Asia-Pacific Economic Cooperation", or the reverse.
            let acronym_of_cluster = s_is_acronym && letters_fit(c.initials(), &s_letters);
            let cluster_is_acronym =
                c.name_acronym && initials_fit(initials.get_or_init(|| self::initials(s)), &c.name);
            if acronym_of_cluster || cluster_is_acronym {
                return Some(ci);
            }
        }
    }
    if m.ty == EntityType::Org {
        return short_form(clusters, &words);
    }
    None
}

/// Words after a company's name that only say it is a company ("Toyota Motor Corp").
const COMPANY_WORDS: &[&str] = &[
    "motor",
    "motors",
    "corp",
    "corp.",
    "corporation",
    "co",
    "co.",
    "company",
    "inc",
    "inc.",
    "ltd",
    "ltd.",
    "limited",
    "group",
    "holdings",
    "plc",
    "ag",
    "sa",
    "nv",
    "llc",
    "industries",
];

/// First words that are too common to stand for an organisation alone ("National" is not
/// "National Grid").
const NOT_SHORT_FORMS: &[&str] = &[
    "the",
    "national",
    "united",
    "general",
    "first",
    "new",
    "american",
    "european",
    "royal",
    "international",
    "global",
    "world",
    "central",
    "bank",
    "state",
    "federal",
    "people's",
];

/// OrthoMatcher's short forms of an organisation: a mention that is the first words of an
/// organisation's name ("Altech" for "Altech Energy"), or an organisation's name followed
/// only by company words ("Toyota Motor" for "Toyota"). Two candidates: the one mentioned
/// more often.
fn short_form(clusters: &[Cluster], words: &[&str]) -> Option<usize> {
    let lw: Vec<String> = words.iter().map(|w| lower(w)).collect();
    if lw.is_empty() || NOT_SHORT_FORMS.contains(&lw[0].as_str()) {
        return None;
    }
    let mut best: Option<usize> = None;
    for (ci, c) in clusters.iter().enumerate() {
        if c.ty != EntityType::Org {
            continue;
        }
        // Compare word by word without lower-casing the cluster's name into new strings.
        let n = c.name_len;
        // Neither form when the lengths are equal: nothing to compare.
        if n == lw.len() {
            continue;
        }
        let shared = c
            .name
            .split_whitespace()
            .zip(&lw)
            .take_while(|(a, b)| eq_lower(a, b))
            .count();
        let prefix_of_cluster = lw.len() < n && shared == lw.len();
        let cluster_plus_company = n < lw.len()
            && shared == n
            && lw[n..].iter().all(|w| COMPANY_WORDS.contains(&w.as_str()));
        if (prefix_of_cluster || cluster_plus_company)
            && best.map_or(true, |b| c.mentions.len() > clusters[b].mentions.len())
        {
            best = Some(ci);
        }
    }
    best.or_else(|| body_of(clusters, &lw))
}

/// Nouns that, alone, name the one body of that kind the article has named in full ("the
/// Commission" after "the European Commission").
const BODY_WORDS: &[&str] = &[
    "commission",
    "parliament",
    "council",
    "court",
    "fund",
    "union",
    "agency",
    "ministry",
    "committee",
    "assembly",
    "senate",
    "bank",
    "authority",
    "secretariat",
];

/// The organisation a lone body noun stands for: the only one whose name ends in it.
fn body_of(clusters: &[Cluster], lw: &[String]) -> Option<usize> {
    let [word] = lw else { return None };
    if !BODY_WORDS.contains(&word.as_str()) {
        return None;
    }
    let mut found = clusters.iter().enumerate().filter(|(_, c)| {
        c.ty == EntityType::Org
            && c.name_len >= 2
            && c.name
                .split_whitespace()
                .next_back()
                .is_some_and(|last| eq_lower(last, word))
    });
    match (found.next(), found.next()) {
        (Some((ci, _)), None) => Some(ci),
        _ => None,
    }
}

fn is_acronym(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars().filter(|c| c.is_alphanumeric()) {
        letters += 1;
        if letters > 8 || !(c.is_uppercase() || c.is_ascii_digit()) {
            return false;
        }
    }
    letters >= 2
}

/// Initials of the significant words ("Asia-Pacific Economic Cooperation" → "APEC").
fn initials(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !matches!(
                w.to_lowercase().as_str(),
                "of" | "the" | "and" | "for" | "&" | "de" | "des" | "on"
            )
        })
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_uppercase()
}

/// Whether `acronym` is a name's `initials`, or of its last words when it has three
/// letters or more ("NFU" for "Welsh National Farmers' Union": a modifier before the body's
/// own name).
fn initials_fit(initials: &str, acronym: &str) -> bool {
    letters_fit(initials, &acronym_letters(acronym))
}

/// An acronym's letters and digits, upper-cased (what [`initials_fit`] compares).
fn acronym_letters(acronym: &str) -> String {
    acronym
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_uppercase()
}

/// [`initials_fit`] for an acronym's [`acronym_letters`] already computed.
fn letters_fit(initials: &str, a: &str) -> bool {
    initials == a || (a.chars().count() >= 3 && initials.ends_with(a))
}
