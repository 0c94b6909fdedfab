//! Gazetteer matching: known names (places, people, organisations, nationalities) found in
//! the text with their canonical name, type and knowledge-base id.
//!
//! Owns the `gazetteer` mentions and the gazetteer data model: the default lists in
//! `models/gazetteer/*.tsv` (built by `scripts/build-gazetteer`, embedded in the binary),
//! user lists (`--gazetteer FILE.tsv`) and TABARI/PETRARCH dictionaries
//! (`--gazetteer phoenix:FILE`, see [`phoenix`]). Does not join mentions into entities
//! (resolve does) and does not find names it does not know (NER does).
//!
//! Matching is leftmost-longest over whole words. Aliases are indexed by their first two
//! words (one-word aliases by their word) and every first word has a slot saying whether
//! two-word keys start with it (`FirstWordIndex`): the text is scanned eight bytes at a
//! time for word starts that could begin a name, and each such word costs one filter
//! probe, a first word one slot read, before its candidates are verified longest first.
//! `aho-corasick` was measured for the same job (`cargo bench --bench gazetteer`, group
//! `aho-corasick-reference`): over the ~85,000 distinct lower-cased aliases its
//! noncontiguous NFA alone takes longer to build than the whole load budget (its failure
//! transitions, useless for anchored searches, are most of that), and an anchored walk
//! at word starts, with no case rules or context yet, matches dense text no faster than
//! this index with them; so the crate stays the benchmark's reference (figures in
//! docs/gazetteer.md).
//!
//! Case rules are per alias: acronyms and `match=exact` aliases match only as written;
//! names match as written, in capitals (headlines) or title-cased ("Bosnia And
//! Herzegovina"); `match=surname` aliases ("Takaichi") need a title before them or the full
//! name elsewhere in the article; `match=common` aliases (Reading, Nice, Apple) are English
//! words and need context. When one alias names several entries (Georgia, Washington,
//! Reading) the choice is by prior (kind, population) plus the countries the rest of the
//! article mentions.

pub mod phoenix;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use smallvec::{smallvec, SmallVec};

use crate::document::{Document, EntityType, Link, Mention, MentionSource, Span};
use crate::error::{Error, Result};
use crate::swar::{ascii_alnum8, eq8, in_range8, splat, HIGH_BITS};

/// The default lists, embedded so the binary needs no files next to it.
const DEFAULT_FILES: &[(&str, &str)] = &[
    (
        "countries.tsv",
        include_str!("../models/gazetteer/countries.tsv"),
    ),
    (
        "nationalities.tsv",
        include_str!("../models/gazetteer/nationalities.tsv"),
    ),
    ("people.tsv", include_str!("../models/gazetteer/people.tsv")),
    (
        "people-extra.tsv",
        include_str!("../models/gazetteer/people-extra.tsv"),
    ),
    (
        "organisations-extra.tsv",
        include_str!("../models/gazetteer/organisations-extra.tsv"),
    ),
    (
        "facilities-extra.tsv",
        include_str!("../models/gazetteer/facilities-extra.tsv"),
    ),
    (
        "regions.tsv",
        include_str!("../models/gazetteer/regions.tsv"),
    ),
    ("cities.tsv", include_str!("../models/gazetteer/cities.tsv")),
    (
        "parties.tsv",
        include_str!("../models/gazetteer/parties.tsv"),
    ),
    (
        "companies.tsv",
        include_str!("../models/gazetteer/companies.tsv"),
    ),
    (
        "currencies.tsv",
        include_str!("../models/gazetteer/currencies.tsv"),
    ),
];

/// Titles read before a person's name and kept as the `title` attribute, longest first
/// within each group so "Prime Minister" wins over "Minister".
const TITLES: &[&str] = &[
    "Chief Cabinet Secretary",
    "Secretary of State",
    "Secretary-General",
    "Secretary General",
    "Director-General",
    "Director General",
    "Managing Director",
    "Prime Minister",
    "Vice President",
    "Vice-President",
    "Vice Premier",
    "Foreign Minister",
    "Finance Minister",
    "Defence Minister",
    "Defense Minister",
    "Trade Minister",
    "Economy Minister",
    "Foreign Secretary",
    "Treasury Secretary",
    "Commerce Secretary",
    "Defense Secretary",
    "Crown Prince",
    "Chief Executive",
    "President",
    "Premier",
    "Chancellor",
    "Emperor",
    "Empress",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Sultan",
    "Emir",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Governor",
    "Senator",
    "Speaker",
    "Minister",
    "Secretary",
    "Ambassador",
    "Pope",
    "Sen.",
    "Rep.",
    "Gov.",
    "Gen.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
];

/// Words before a common-word place name that show it is a place ("in Reading").
const LOCATIVE: &[&str] = &[
    "in", "at", "from", "to", "near", "outside", "of", "visit", "visited", "visiting", "into",
];

/// Capitalised only because they start a sentence: not part of a name.
const FUNCTION_WORDS: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "At",
    "On",
    "For",
    "From",
    "To",
    "By",
    "With",
    "And",
    "But",
    "Or",
    "Of",
    "As",
    "After",
    "Before",
    "When",
    "While",
    "If",
    "Its",
    "His",
    "Her",
    "Their",
    "Our",
    "This",
    "That",
    "These",
    "Those",
    "Some",
    "Many",
    "Most",
    "All",
    "Both",
    "Near",
    "Outside",
    "Inside",
    "Across",
    "Since",
    "Until",
    "Like",
    "Unlike",
    "Meanwhile",
    "Later",
    "Earlier",
];

/// How one alias may match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchRule {
    /// As written, in capitals, or title-cased.
    Name,
    /// Only as written (acronyms, symbols).
    Exact,
    /// A person's surname alone: needs a title before it or the full name in the article.
    Surname,
    /// An ordinary English word: needs context (a locative before a place, not a sentence
    /// start for an organisation).
    Common,
    /// Any case with a capital first letter (imported upper-case dictionaries).
    Fold,
}

/// Where an entry came from; user lists win over the default, Phoenix entries only add
/// their CAMEO codes unless nothing else knows the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Default,
    User,
    Phoenix,
}

/// A CAMEO actor code, valid in a date range (inclusive) or always.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CameoCode {
    pub code: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl CameoCode {
    /// Whether the code applies to an article of `date`. A dated code needs a date.
    pub fn valid_on(&self, date: Option<NaiveDate>) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        match date {
            None => false,
            Some(d) => self.from.map_or(true, |f| d >= f) && self.to.map_or(true, |t| d <= t),
        }
    }
}

/// A text slice owned by the gazetteer: (source, start, len) into one of its texts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Str {
    src: u32,
    start: u32,
    len: u32,
}

/// One named thing: all rows with the same id.
#[derive(Clone, Debug)]
struct Entry {
    name: Str,
    ty: EntryType,
    kb: Str,
    /// Raw `key=value;...` strings of its rows, parsed when a mention is made.
    attributes: SmallVec<[Str; 1]>,
    origin: Origin,
    cameo: Vec<CameoCode>,
}

/// What the matcher's choices read from an entry's attributes ([`update_prior`]): worked
/// out on the entry's first match, not at load (most of the 41,000 entries of the default
/// lists are never matched in a run, and parsing them all was a fifth of the load).
#[derive(Clone, Copy, Debug, Default)]
struct Meta {
    prior: f32,
    /// ISO alpha-2 country the entry belongs to (its own code for a country).
    country: Option<[u8; 2]>,
    /// `kind=city`: the long tail where foreign alternate names and small towns live.
    city: bool,
}

/// Entry types: the mention types plus currencies, which are looked up, not mentioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryType {
    Mention(EntityType),
    Currency,
}

#[derive(Clone, Copy, Debug)]
struct Alias {
    text: Str,
    entry: u32,
    rule: MatchRule,
    /// The alias is its entry's canonical name (set when the index is built).
    primary: bool,
}

/// A candidate entry of a match: entry, rule of the alias that matched, whether that
/// alias is the entry's own name.
type Candidate = (u32, MatchRule, bool);

/// A found name before it becomes a mention.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub span: Span,
    /// Candidate entries for this text with the rule of the alias that matched, best
    /// first after [`Gazetteer::find`]'s choice.
    entries: SmallVec<[Candidate; 2]>,
    /// A title read before a person ("Prime Minister").
    pub title: Option<String>,
    /// Where that title starts.
    title_start: usize,
}

/// A sentence as the matcher sees it: where it starts and whether it is a heading (where
/// title case makes ordinary words look like names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentenceInfo {
    pub span: Span,
    pub heading: bool,
}

/// An entry's attributes, parsed (shared by every link to the entry).
type ParsedAttributes = crate::document::Attributes;

/// The loaded gazetteer: default lists plus any user lists.
pub struct Gazetteer {
    texts: Vec<Cow<'static, str>>,
    entries: Vec<Entry>,
    aliases: Vec<Alias>,
    index: FirstWordIndex,
    /// Which first bytes can start an alias: a filter for words that start with a
    /// lower-case or non-ASCII letter (others go straight to the first-word filter).
    first_byte: [bool; 256],
    /// A 4096-bit filter of the first words that start with a digit: numbers are frequent
    /// and such aliases few ("3M", "10 Downing Street"), so most numbers stop here.
    digit_words: [u64; 64],
    /// The lower-case ASCII letters an alias starts with (generated surnames).
    lower_first: Vec<u8>,
    /// PETRARCH phrases whose words may have other words between them, by first word.
    gapped: Vec<Gapped>,
    gapped_by_first: HashMap<String, Vec<u32>>,
    /// Extra titles (phoenix agents): lower-case phrase → CAMEO agent code.
    agents: HashMap<String, String>,
    warnings: Vec<String>,
    /// Each entry's parsed `key=value` attributes (first value of a key wins), parsed on
    /// its first mention rather than on every one.
    parsed_attributes: Vec<std::sync::OnceLock<ParsedAttributes>>,
    /// Each entry's [`Meta`], on its first use.
    meta: Vec<std::sync::OnceLock<Meta>>,
}

/// How a user list is given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserList {
    Tsv(PathBuf),
    Phoenix(PathBuf),
}

impl UserList {
    /// `FILE.tsv` or `phoenix:FILE`.
    pub fn parse(spec: &str) -> UserList {
        match spec.strip_prefix("phoenix:") {
            Some(p) => UserList::Phoenix(PathBuf::from(p)),
            None => UserList::Tsv(PathBuf::from(spec)),
        }
    }
}

impl Gazetteer {
    /// The default lists plus `extra` (`FILE.tsv` or `phoenix:FILE`). Problems in a user
    /// list that do not stop it loading (a malformed date, a row with too few columns) are
    /// reported on stderr with file and line, and kept in [`Gazetteer::warnings`].
    pub fn load(extra: &[String]) -> Result<Gazetteer> {
        let mut b = Builder::default();
        for (name, text) in DEFAULT_FILES {
            b.add_tsv(name, Cow::Borrowed(text), Origin::Default);
        }
        for spec in extra {
            match UserList::parse(spec) {
                UserList::Tsv(p) => {
                    let text = read(&p)?;
                    b.add_tsv(&p.display().to_string(), Cow::Owned(text), Origin::User);
                }
                UserList::Phoenix(p) => {
                    let text = read(&p)?;
                    phoenix::import(&mut b, &p.display().to_string(), &text);
                }
            }
        }
        let g = b.finish();
        for w in &g.warnings {
            eprintln!("gazette: warning: {w}");
        }
        Ok(g)
    }

    /// Only the given TSV texts (no default lists), for tests and tools.
    pub fn from_tsv(files: &[(&str, &str)]) -> Gazetteer {
        let mut b = Builder::default();
        for (name, text) in files {
            b.add_tsv(name, Cow::Owned(text.to_string()), Origin::User);
        }
        b.finish()
    }

    /// Problems found while loading user lists, each naming its file and line.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every alias text, in load order (for tools and the benchmark's reference matcher).
    pub fn alias_texts(&self) -> impl Iterator<Item = &str> + '_ {
        self.aliases.iter().map(|a| self.s(a.text))
    }

    /// Number of entries and aliases.
    pub fn len(&self) -> (usize, usize) {
        (self.entries.len(), self.aliases.len())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn s(&self, s: Str) -> &str {
        let t: &str = &self.texts[s.src as usize];
        t.get(s.start as usize..(s.start + s.len) as usize)
            .unwrap_or("")
    }

    /// The entries an exact alias names, as links (for NER features and tools).
    pub fn lookup(&self, alias: &str) -> Vec<(EntityType, Link)> {
        self.index
            .cands(alias_key(alias))
            .filter(|c| c.text == alias.as_bytes())
            .filter_map(|c| match self.entries[c.entry as usize].ty {
                EntryType::Mention(t) => Some((t, self.link(c.entry, None, None))),
                EntryType::Currency => None,
            })
            .collect()
    }

    /// The one gazetteer name that is all of `name` (rules and choice applied), as a type
    /// and link: for re-linking a name another stage found.
    pub fn link_exact(&self, name: &str, date: Option<NaiveDate>) -> Option<(EntityType, Link)> {
        let found = self.find(name, &[]);
        let [m] = found.as_slice() else { return None };
        if m.span.start != 0 || m.span.end != name.len() {
            return None;
        }
        let &(best, _, _) = m.entries.first()?;
        let ty = self.mention_type(best)?;
        Some((ty, self.link(best, None, date)))
    }

    /// The ISO 4217 code of a currency name or symbol ("yen", "Japanese yen", "¥").
    pub fn currency(&self, name: &str) -> Option<String> {
        for c in self.index.cands(alias_key(name)) {
            let e = &self.entries[c.entry as usize];
            if e.ty == EntryType::Currency && c.text.eq_ignore_ascii_case(name.as_bytes()) {
                return self.s(e.kb).strip_prefix("iso4217:").map(str::to_string);
            }
        }
        None
    }

    /// Finds the gazetteer names in `text`: leftmost-longest, whole words, case rules and
    /// context applied, ambiguity resolved. `sentences` in text order (empty: sentence
    /// starts are guessed from punctuation).
    pub fn find(&self, text: &str, sentences: &[SentenceInfo]) -> Vec<Match> {
        let bytes = text.as_bytes();
        let mut raw: Vec<Match> = Vec::with_capacity(text.len() / 64);
        // The words that could start a name, a few ahead of the one being matched: each
        // costs a filter bit and maybe an index slot read at random (L2 and beyond), so
        // those are asked for when the word is found and arrive while the words before it
        // are matched. Words that start inside a match just made are skipped: scanning
        // again from the match's end would give the same words (`NameStarts::next`).
        let mut starts = NameStarts {
            text,
            i: 0,
            in_word: false,
        };
        // A ring of (start, end of first word, hash): `len` of them from `head`.
        let mut ahead = [(0usize, 0usize, 0u64); AHEAD];
        let (mut head, mut len) = (0, 0);
        let mut resume = 0;
        loop {
            while len < AHEAD {
                let Some((s, e)) = starts.next(self) else {
                    break;
                };
                let h = hash_fold(&bytes[s..e]);
                self.index.prefetch(h);
                ahead[(head + len) % AHEAD] = (s, e, h);
                len += 1;
            }
            if len == 0 {
                break;
            }
            let (start, wend, h) = ahead[head];
            head = (head + 1) % AHEAD;
            len -= 1;
            if start < resume {
                continue;
            }
            if let Some(m) = self.match_at(text, start, wend, h) {
                resume = m.span.end;
                raw.push(m);
            }
        }
        if !self.gapped.is_empty() {
            raw = self.add_gapped(text, raw);
        }
        self.filter_and_choose(text, raw, sentences)
    }

    /// Adds the matches of PETRARCH phrases with blanks between words ("OMAR_HASSAN_AHMAD
    /// AL_BASHIR_": other words may come between the segments) where they are longer than
    /// the contiguous match at the same start and cross none. PETRARCH allows any words of
    /// the noun phrase between; without a parser, at most [`MAX_GAP`] words, and no clause
    /// punctuation, stand in for that.
    fn add_gapped(&self, text: &str, raw: Vec<Match>) -> Vec<Match> {
        let words = words_of(text);
        let mut found: Vec<Match> = Vec::new();
        let mut k = 0;
        while k < words.len() {
            let (s, e) = words[k];
            let first = text[s..e].to_ascii_lowercase();
            let mut best: Option<(usize, usize, u32)> = None;
            for &g in self
                .gapped_by_first
                .get(&first)
                .map_or(&[][..], Vec::as_slice)
            {
                let g = &self.gapped[g as usize];
                if let Some(last) = gapped_match(text, &words, k, &g.segments) {
                    if best.map_or(true, |b| last > b.0) {
                        best = Some((last, words[last].1, g.entry));
                    }
                }
            }
            let capital = text[s..].chars().next().is_some_and(|c| !c.is_lowercase());
            match best {
                Some((last, end, entry)) if capital => {
                    found.push(Match {
                        span: Span::new(s, end),
                        entries: smallvec![(entry, MatchRule::Fold, false)],
                        title: None,
                        title_start: s,
                    });
                    k = last + 1;
                }
                _ => k += 1,
            }
        }
        if found.is_empty() {
            return raw;
        }
        // Merge: a phrase match wins over the contiguous matches it covers, and yields to
        // any it would cut through.
        let mut keep = vec![true; raw.len()];
        let mut add: Vec<Match> = Vec::new();
        let mut r = 0;
        for g in found {
            while r < raw.len() && raw[r].span.end <= g.span.start {
                r += 1;
            }
            // raw[r..] are the matches ending after the phrase starts.
            let covered = raw[r..].iter().take_while(|m| m.span.start < g.span.end);
            let mut n = 0;
            let mut crosses = false;
            for m in covered {
                n += 1;
                crosses |=
                    m.span.start < g.span.start || m.span.end > g.span.end || m.span == g.span;
            }
            if !crosses {
                keep[r..r + n].iter_mut().for_each(|k| *k = false);
                add.push(g);
            }
        }
        let mut out: Vec<Match> = raw
            .into_iter()
            .zip(keep)
            .filter_map(|(m, k)| k.then_some(m))
            .collect();
        out.extend(add);
        out.sort_by_key(|m| m.span.start);
        out
    }

    /// The high bit of each byte of the ASCII chunk `x` where a word starting there could
    /// start a name: a capital, a digit, or a lower-case letter some alias starts with.
    #[inline]
    fn name_starts8(&self, x: u64) -> u64 {
        let upper = in_range8(x, b'A', b'Z');
        let digit = in_range8(x, b'0', b'9');
        let lower = match self.lower_first.as_slice() {
            [] => 0,
            few @ ([_] | [_, _] | [_, _, _]) => few.iter().fold(0, |m, &c| m | eq8(x, c)),
            _ => in_range8(x, b'a', b'z'),
        };
        upper | digit | lower
    }

    /// The best alias starting at `start` (a word start), with all entries of that text.
    fn match_at(&self, text: &str, start: usize, wend: usize, h: u64) -> Option<Match> {
        let bytes = text.as_bytes();
        // Multi-word aliases are keyed by their first two words, one-word aliases by their
        // word: each list is short, even for "The" or "New".
        // Every first word of an alias has a slot (most capitalised words have none): its
        // one-word aliases, and whether any two-word key starts with it.
        if bytes[start].is_ascii_digit()
            && self.digit_words[(h >> 6) as usize & 63] & (1 << (h & 63)) == 0
        {
            return None;
        }
        let slot = self.index.get(h)?;
        if slot.has_two() {
            if let Some(e2) = second_word_end(text, wend) {
                if let Some(s2) = self.index.get(hash_fold(&bytes[start..e2]) ^ TWO_WORDS) {
                    if let Some(m) = self.verify(text, start, s2) {
                        return Some(m);
                    }
                }
            }
        }
        self.verify(text, start, slot)
    }

    /// The longest of `cands` (longest first) that matches at `start`, with every entry of
    /// that text.
    fn verify(&self, text: &str, start: usize, slot: Slot) -> Option<Match> {
        let bytes = text.as_bytes();
        let mut best: Option<Match> = None;
        for c in self.index.slot_cands(slot) {
            let end = start + c.text.len();
            if let Some(b) = &best {
                // Candidates are longest first: once one matched, only equal lengths remain.
                if end < b.span.end {
                    break;
                }
            }
            if end > bytes.len() {
                continue;
            }
            // The cheapest test first: most candidates differ from the text.
            let found = &bytes[start..end];
            if !eq_ignore_case8(found, c.text) {
                continue;
            }
            if !text.is_char_boundary(end) || (end < bytes.len() && word_char_at(text, end).0) {
                continue;
            }
            if !case_ok(&text[start..end], c.text, c.rule) {
                continue;
            }
            let (entry, rule, primary) = (c.entry, c.rule, c.primary);
            match &mut best {
                Some(b) if b.span.end == end => {
                    if let Some(x) = b.entries.iter_mut().find(|x| x.0 == entry) {
                        // A name reading of the same entry wins over a surname reading.
                        if x.1 == MatchRule::Surname || x.1 == MatchRule::Common {
                            x.1 = rule;
                        }
                        x.2 |= primary;
                    } else {
                        b.entries.push((entry, rule, primary));
                    }
                }
                _ => {
                    best = Some(Match {
                        span: Span::new(start, end),
                        entries: smallvec![(entry, rule, primary)],
                        title: None,
                        title_start: start,
                    })
                }
            }
        }
        best
    }

    fn filter_and_choose(&self, text: &str, raw: Vec<Match>, sents: &[SentenceInfo]) -> Vec<Match> {
        // Entries named in full somewhere in the article license their surnames.
        let full: FastSet<u32> = raw
            .iter()
            .flat_map(|m| m.entries.iter())
            .filter(|x| x.1 != MatchRule::Surname && x.1 != MatchRule::Common)
            .map(|x| x.0)
            .collect();
        // Countries the unambiguous names point to: context for the ambiguous ones.
        let mut context: FastMap<[u8; 2], f32> = FastMap::default();
        for m in &raw {
            if let [(e, rule, _)] = m.entries[..] {
                if rule != MatchRule::Common && rule != MatchRule::Surname {
                    if let Some(c) = self.meta(e).country {
                        *context.entry(c).or_default() += 1.0;
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(raw.len());
        for mut m in raw {
            let person = m
                .entries
                .iter()
                .any(|x| self.entries[x.0 as usize].ty == EntryType::Mention(EntityType::Person));
            if person {
                if let Some((t, start)) = title_before(text, m.span.start, &self.agents) {
                    m.title = Some(t);
                    m.title_start = start;
                }
            }
            let sentence = sentence_of(sents, m.span.start);
            let title = m.title.clone();
            // "in Atlanta and Savannah": a place right after another place and "and"/",".
            let after_place = out.last().is_some_and(|p: &Match| {
                self.mention_type(p.entries[0].0) == Some(EntityType::Place)
                    && matches!(
                        text.get(p.span.end..m.span.start).map(str::trim),
                        Some("and" | "," | "or")
                    )
            });
            let span = m.span;
            let surface = surface_of(text, span);
            let surnames = m
                .entries
                .iter()
                .filter(|x| x.1 == MatchRule::Surname)
                .count();
            let unique_surname = surnames == 1 && m.entries.len() == 1;
            // Facts about the text around the match, computed at most once however many
            // entries share it (a town name can have dozens).
            let mut near_place: Option<bool> = None;
            let mut beside_capital: Option<bool> = None;
            let mut calendar: Option<bool> = None;
            m.entries.retain(|x| match *x {
                (e, MatchRule::Surname, _) => {
                    full.contains(&e)
                        || title.is_some()
                        || (unique_surname && self.distinctive(e, surface))
                }
                (e, MatchRule::Common, _) => {
                    after_place
                        || (self.common_ok(text, e, span, sentence, sents, &context)
                            && !*beside_capital
                                .get_or_insert_with(|| next_to_capitalised(text, span)))
                }
                (e, MatchRule::Name | MatchRule::Exact | MatchRule::Fold, primary) => {
                    !self.needs_place_context(e, primary, surface, &mut calendar)
                        || after_place
                        || *near_place.get_or_insert_with(|| place_context(text, span))
                }
            });
            if m.entries.is_empty() {
                continue;
            }
            self.choose(&mut m, &context, &full);
            // "Seattle, Washington": after a city and a comma, its region.
            if let Some(prev) = out.last() {
                let pe = &self.entries[prev.entries[0].0 as usize];
                let pm = self.meta(prev.entries[0].0);
                if pm.city && text.get(prev.span.end..m.span.start) == Some(", ") {
                    if let Some(i) = m.entries.iter().position(|x| {
                        let e = &self.entries[x.0 as usize];
                        let em = self.meta(x.0);
                        !em.city && em.country == pm.country && e.ty == pe.ty && em.prior < 100.0
                    }) {
                        let x = m.entries.remove(i);
                        m.entries.insert(0, x);
                    }
                }
            }
            if self.entries[m.entries[0].0 as usize].ty == EntryType::Currency {
                continue;
            }
            if self.inside_unknown_name(text, &m, sentence) {
                continue;
            }
            if m.title.is_some() {
                // "Treasury Secretary Scott Bessent": the title is no organisation.
                // `out` is in text order, so only its tail can lie inside the title.
                let ts = m.title_start;
                while out.last().is_some_and(|p: &Match| p.span.end > ts) {
                    out.pop();
                }
            }
            out.push(m);
        }
        out
    }

    /// Orders a match's entries best first: user lists, then prior plus country context;
    /// for a surname, the person named in full (or whose title the text gives) first.
    fn choose(&self, m: &mut Match, context: &FastMap<[u8; 2], f32>, full: &FastSet<u32>) {
        if m.entries.len() < 2 {
            return;
        }
        let title = m.title.as_deref().map(str::to_ascii_lowercase);
        let score = |&(ei, rule, primary): &(u32, MatchRule, bool)| -> f32 {
            let e = &self.entries[ei as usize];
            let em = self.meta(ei);
            let origin = match e.origin {
                Origin::User => 1000.0,
                Origin::Default => 0.0,
                Origin::Phoenix => -1000.0,
            };
            // Context can make a region beat a country (Georgia next to Atlanta), but a
            // town needs more than its country's name nearby to do so (Jordan is no town).
            let cap = if em.city && em.prior < 30.0 {
                40.0
            } else {
                80.0
            };
            let ctx = em
                .country
                .and_then(|c| context.get(&c))
                .map_or(0.0, |n| (40.0 * n).min(cap));
            let currency = if e.ty == EntryType::Currency {
                -500.0
            } else {
                0.0
            };
            // An entry's own name beats another's alternate name (Philadelphia is no Amman).
            let own = if primary { 40.0 } else { 0.0 };
            let mut s = origin + em.prior + ctx + currency + own;
            if rule == MatchRule::Surname {
                if full.contains(&ei) {
                    s += 300.0;
                }
                if let (Some(t), Some(et)) = (&title, self.attr(ei, "title")) {
                    if et.to_ascii_lowercase().ends_with(t.as_str()) {
                        s += 100.0;
                    }
                }
            }
            s
        };
        // Scored once per entry (not per comparison); the stable sort keeps list order
        // for equal scores.
        let mut scored: SmallVec<[(f32, Candidate); 8]> =
            m.entries.iter().map(|x| (score(x), *x)).collect();
        scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        for (slot, (_, x)) in m.entries.iter_mut().zip(scored) {
            *slot = x;
        }
    }

    /// A one-word town or foreign alternate name next to another capitalised word is more
    /// likely part of a name the gazetteer does not know ("Mwana Kitu" is no Quito, "Bo
    /// Kitu" no Bo); countries, capitals, big cities and multi-word names are kept.
    fn inside_unknown_name(&self, text: &str, m: &Match, sentence: Option<SentenceInfo>) -> bool {
        if sentence.is_some_and(|s| s.heading) || m.title.is_some() {
            return false;
        }
        let (best, _, primary) = m.entries[0];
        let e = self.meta(best);
        // A city under a million people and not a capital, or a city's alternate name.
        let weak = e.city && (!primary || e.prior < 5.0 * 6.0);
        if !weak {
            return false;
        }
        let surface = &text[m.span.start..m.span.end];
        if surface.contains(char::is_whitespace) {
            return false;
        }
        let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
        let before = &text[..m.span.start];
        let prev_ok = before.ends_with(' ') && !before.ends_with("  ") && {
            let head = before.trim_end();
            let w = head
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            let ws = head.len() - w.len();
            capitalised(w)
                && !TITLES.contains(&w)
                && !(is_sentence_start(text, ws, &[]) && FUNCTION_WORDS.contains(&w))
        };
        let after = &text[m.span.end..];
        let next_ok = after.starts_with(' ') && {
            let w = after[1..]
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            capitalised(w)
        };
        prev_ok || next_ok
    }

    /// Context for an alias that is an ordinary English word: never in a heading or at a
    /// sentence start; a place needs a locative before it ("in Reading") or a region after
    /// it ("Reading, Pennsylvania"); an organisation needs its country in the article.
    fn common_ok(
        &self,
        text: &str,
        e: u32,
        span: Span,
        sentence: Option<SentenceInfo>,
        sents: &[SentenceInfo],
        context: &FastMap<[u8; 2], f32>,
    ) -> bool {
        if sentence.is_some_and(|s| s.heading) || is_sentence_start(text, span.start, sents) {
            return false;
        }
        let entry = &self.entries[e as usize];
        if entry.ty != EntryType::Mention(EntityType::Place) {
            return self
                .meta(e)
                .country
                .map_or(true, |c| context.contains_key(&c));
        }
        place_context(text, span)
    }

    /// A current G20 leader whose surname names no one else in the lists ("Trump",
    /// "Takaichi", "Macron") is known by it alone.
    fn distinctive(&self, e: u32, surname: &str) -> bool {
        const G20: &[&str] = &[
            "AR", "AU", "BR", "CA", "CN", "FR", "DE", "IN", "ID", "IT", "JP", "KR", "MX", "RU",
            "SA", "ZA", "TR", "GB", "US",
        ];
        surname.chars().count() >= 4
            && self.attr(e, "role").is_some_and(|r| r.contains("head_of"))
            && self.attr(e, "country").is_some_and(|c| G20.contains(&c))
    }

    /// Small towns (under 100,000 people, not capitals), foreign alternate names of cities
    /// under a million, and places named like months or weekdays ("March", "Mon") are
    /// places only in a place's context.
    fn needs_place_context(
        &self,
        e: u32,
        primary: bool,
        surface: &str,
        calendar: &mut Option<bool>,
    ) -> bool {
        let entry = &self.entries[e as usize];
        if entry.ty != EntryType::Mention(EntityType::Place) {
            return false;
        }
        if *calendar.get_or_insert_with(|| is_calendar(surface)) {
            return true;
        }
        let m = self.meta(e);
        m.city && (m.prior < 25.0 || (!primary && m.prior < 30.0 && !surface.contains(' ')))
    }

    /// Entry `e`'s [`Meta`]: its attribute rows read in load order, as the load used to.
    #[inline]
    fn meta(&self, e: u32) -> &Meta {
        self.meta[e as usize].get_or_init(|| {
            let mut m = Meta::default();
            for &a in &self.entries[e as usize].attributes {
                update_prior(&mut m, self.s(a));
            }
            m
        })
    }

    fn attr(&self, e: u32, key: &str) -> Option<&str> {
        for &a in &self.entries[e as usize].attributes {
            for kv in self.s(a).split(';') {
                if let Some((k, v)) = kv.split_once('=') {
                    if k.trim() == key {
                        return Some(v.trim());
                    }
                }
            }
        }
        None
    }

    /// The link a mention of entry `e` gets: canonical name, id, attributes, and the CAMEO
    /// codes valid on `date`.
    fn link(&self, e: u32, title: Option<&str>, date: Option<NaiveDate>) -> Link {
        let entry = &self.entries[e as usize];
        let parsed = self.parsed_attributes[e as usize].get_or_init(|| {
            let mut attributes = BTreeMap::new();
            for &a in &entry.attributes {
                for kv in self.s(a).split(';') {
                    if let Some((k, v)) = kv.split_once('=') {
                        let (k, v) = (k.trim(), v.trim());
                        if !k.is_empty() && k != "match" && !v.is_empty() {
                            attributes
                                .entry(k.to_string())
                                .or_insert_with(|| v.to_string());
                        }
                    }
                }
            }
            attributes.into()
        });
        let mut attributes = parsed.clone();
        if let Some(t) = title {
            attributes.insert("title".into(), t.to_string());
        }
        let codes = cameo_codes(&entry.cameo, date);
        if !codes.is_empty() {
            attributes.insert("cameo".into(), codes);
        }
        let kb = self.s(entry.kb);
        Link {
            name: self.s(entry.name).to_string(),
            kb: (!kb.is_empty()).then(|| kb.to_string()),
            attributes,
        }
    }

    /// The type of entry `e` as a mention type.
    fn mention_type(&self, e: u32) -> Option<EntityType> {
        match self.entries[e as usize].ty {
            EntryType::Mention(t) => Some(t),
            EntryType::Currency => None,
        }
    }

    /// Adds the `gazetteer` mentions of `doc`.
    pub fn annotate(&self, doc: &mut Document) {
        let sents: Vec<SentenceInfo> = doc
            .sentences
            .iter()
            .map(|s| SentenceInfo {
                span: s.span,
                heading: s.kind == crate::document::SentenceKind::Heading,
            })
            .collect();
        let found = self.find(&doc.text, &sents);
        for m in found {
            let Some(&(best, rule, _)) = m.entries.first() else {
                continue;
            };
            let Some(ty) = self.mention_type(best) else {
                continue;
            };
            let mut link = self.link(best, m.title.as_deref(), doc.published);
            // A Phoenix entry for the same name adds its CAMEO codes to the chosen one.
            if !link.attributes.contains_key("cameo") {
                for &(other, _, _) in &m.entries[1..] {
                    if self.entries[other as usize].origin == Origin::Phoenix {
                        let codes = cameo_codes(&self.entries[other as usize].cameo, doc.published);
                        if !codes.is_empty() {
                            link.attributes.insert("cameo".into(), codes);
                            break;
                        }
                    }
                }
            }
            if let Some(agent) = m
                .title
                .as_ref()
                .filter(|_| !self.agents.is_empty())
                .and_then(|t| self.agents.get(&t.to_lowercase()))
            {
                link.attributes.insert("cameo_agent".into(), agent.clone());
            }
            let sentence = doc
                .sentence_at(m.span.start)
                .unwrap_or_else(|| doc.sentences.len().saturating_sub(1));
            let mut mention = Mention::new(m.span, ty, MentionSource::Gazetteer, sentence);
            mention.score = match rule {
                MatchRule::Name | MatchRule::Exact | MatchRule::Fold => {
                    if m.entries.len() > 1 {
                        0.8
                    } else {
                        0.95
                    }
                }
                MatchRule::Surname => 0.85,
                MatchRule::Common => 0.7,
            };
            mention.link = Some(link);
            doc.mentions.push(mention);
        }
        doc.mentions
            .sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
    }
}

fn cameo_codes(codes: &[CameoCode], date: Option<NaiveDate>) -> String {
    let mut valid: Vec<&str> = codes
        .iter()
        .filter(|c| (c.from.is_some() || c.to.is_some()) && c.valid_on(date))
        .map(|c| c.code.as_str())
        .collect();
    // Undated codes are the default when no dated code applies (PETRARCH's rule).
    if valid.is_empty() {
        valid = codes
            .iter()
            .filter(|c| c.from.is_none() && c.to.is_none())
            .map(|c| c.code.as_str())
            .collect();
    }
    valid.dedup();
    valid.join(",")
}

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).map_err(|source| Error::Io {
        origin: crate::error::Origin {
            path: p.display().to_string(),
            line: None,
        },
        source,
    })
}

/// How many words that could start a name [`Gazetteer::find`] looks ahead.
const AHEAD: usize = 4;

/// The words of a text that could start a name, in order: [`Gazetteer::find`]'s scan.
struct NameStarts<'a> {
    text: &'a str,
    i: usize,
    /// Whether the byte before `i` is part of a word (then `i` may be inside one).
    in_word: bool,
}

impl NameStarts<'_> {
    /// The next word that could start a name, as (start, end of its first word). Names
    /// start with a capital, a digit or a non-ASCII letter (a few generated surnames in
    /// lower case: "von der Leyen"); lower-case words are skipped without hashing.
    ///
    /// Scanning goes on from the word's end, as it would from the end of a match there
    /// or further on (a match ends at a word's end): so a matcher that skips the words
    /// starting inside its matches sees the words a scan restarted after each match would.
    fn next(&mut self, g: &Gazetteer) -> Option<(usize, usize)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let (mut i, mut in_word) = (self.i, self.in_word);
        while i < bytes.len() {
            // Eight ASCII bytes at a time: the word starts that could begin a name, found
            // without a branch per byte or per word (most words are lower case).
            if let Some(chunk) = bytes.get(i..i + 8) {
                let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
                if x & HIGH_BITS == 0 {
                    let word = ascii_alnum8(x);
                    let starts = word & !((word << 8) | (u64::from(in_word) << 7));
                    let cands = starts & g.name_starts8(x);
                    if cands == 0 {
                        i += 8;
                        in_word = word >> 63 != 0;
                        continue;
                    }
                    i += (cands.trailing_zeros() / 8) as usize;
                    in_word = false;
                }
            }
            // One char or word at a time (non-ASCII text, the last bytes).
            if in_word && word_char_at(text, i).0 {
                i = word_end(text, i);
                continue;
            }
            let b = bytes[i];
            match BYTE_CLASS[b as usize] {
                OTHER => {
                    i += 1;
                    in_word = false;
                    continue;
                }
                LOWER if !g.first_byte[b as usize] => {
                    i = word_end(text, i + 1);
                    in_word = true;
                    continue;
                }
                NON_ASCII => {
                    let (is_w, clen) = word_char_at(text, i);
                    if !is_w {
                        i += clen;
                        in_word = false;
                        continue;
                    }
                    if !g.first_byte[b as usize] {
                        i = word_end(text, i);
                        in_word = true;
                        continue;
                    }
                }
                _ => {}
            }
            let wend = word_end(text, i);
            (self.i, self.in_word) = (wend, true);
            return Some((i, wend));
        }
        (self.i, self.in_word) = (i, in_word);
        None
    }
}

/// Whether the char at byte `i` is a word char (Unicode alphanumeric), and its length.
#[inline]
fn word_char_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (b.is_ascii_alphanumeric(), 1);
    }
    match text.get(i..).and_then(|s| s.chars().next()) {
        // Quotes, dashes, bullets and odd spaces (U+2000–U+206F) are frequent in news and
        // never letters: skip the Unicode tables for them.
        Some(c) if ('\u{2000}'..='\u{206f}').contains(&c) => (false, c.len_utf8()),
        Some(c) => (c.is_alphanumeric(), c.len_utf8()),
        None => (false, 1),
    }
}

const OTHER: u8 = 0;
const LOWER: u8 = 1;
const UPPER_OR_DIGIT: u8 = 2;
const NON_ASCII: u8 = 3;

/// What a byte can start: nothing (ASCII non-word), a lower-case word (never a name), a
/// possible name, or a char to decode.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            NON_ASCII
        } else if c.is_ascii_lowercase() {
            LOWER
        } else if c.is_ascii_alphanumeric() {
            UPPER_OR_DIGIT
        } else {
            OTHER
        };
        b += 1;
    }
    t
};

/// The end of the word (run of alphanumerics) starting at `i`.
#[inline]
fn word_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    // Eight ASCII bytes at a time: most words end within the first chunk.
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let stop = !ascii_alnum8(x) & 0x8080_8080_8080_8080;
        if stop == 0 {
            i += 8;
            continue;
        }
        i += (stop.trailing_zeros() / 8) as usize;
        break;
    }
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            let (w, l) = word_char_at(text, i);
            if !w {
                break;
            }
            i += l;
        }
    }
    i
}

/// Marks a two-word key in the index (one table holds both kinds).
const TWO_WORDS: u64 = 0x5bd1_e995_7f4a_7c15;

/// The end of the second word when the first ends at `wend` and at most four bytes of
/// separators on one line follow it ("U.S", "St. Louis", "Asia-Pacific", "New York").
#[inline]
fn second_word_end(text: &str, wend: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = wend;
    let mut word = false;
    while i < bytes.len() && i - wend <= 4 {
        let b = bytes[i];
        // ASCII separators without decoding (the usual blank, '.', '-').
        let (w, l) = if b < 0x80 {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            word_char_at(text, i)
        };
        if w {
            word = true;
            break;
        }
        if b == b'\n' {
            return None;
        }
        i += l;
    }
    if i == wend || !word {
        return None;
    }
    Some(word_end(text, i))
}

/// The index key of an alias that starts with a word char: its first two words, or its
/// only word.
fn alias_key(alias: &str) -> u64 {
    let fw = first_word(alias);
    match second_word_end(alias, fw.len()) {
        Some(e2) => hash_fold(&alias.as_bytes()[..e2]) ^ TWO_WORDS,
        None => hash_fold(fw),
    }
}

/// The first word of an alias (its index key).
fn first_word(text: &str) -> &[u8] {
    // Nearly every alias starts with an ASCII letter or digit.
    if text
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphanumeric)
    {
        return &text.as_bytes()[..word_end(text, 1)];
    }
    let mut start = 0;
    while start < text.len() && !word_char_at(text, start).0 {
        start += word_char_at(text, start).1;
    }
    &text.as_bytes()[start..word_end(text, start)]
}

/// FNV-1a over the exact bytes (ids are case-sensitive).
fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29)
}

/// A hash of `s` up to ASCII case (the index keys), eight bytes at a time: a word costs
/// one or two multiplications, not one per byte.
#[inline]
fn hash_fold(s: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (s.len() as u64).wrapping_mul(K);
    let mut chunks = s.chunks_exact(8);
    for w in &mut chunks {
        let x = lower8(u64::from_le_bytes(w.try_into().unwrap_or([0; 8])));
        h = (h ^ x).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // Byte by byte (at most seven): a copy of variable length would call memmove.
        let t = rest
            .iter()
            .enumerate()
            .fold(0u64, |t, (i, &b)| t | u64::from(b) << (8 * i));
        h = (h ^ lower8(t)).wrapping_mul(K);
    }
    // Multiplication leaves the low bits weak; the filter and table use them.
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// `a.eq_ignore_ascii_case(b)`, eight bytes at a time.
#[inline]
fn eq_ignore_case8(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut x = a.chunks_exact(8);
    let mut y = b.chunks_exact(8);
    for (p, q) in (&mut x).zip(&mut y) {
        let p = u64::from_le_bytes(p.try_into().unwrap_or([0; 8]));
        let q = u64::from_le_bytes(q.try_into().unwrap_or([0; 8]));
        if p != q && lower8(p) != lower8(q) {
            return false;
        }
    }
    x.remainder().eq_ignore_ascii_case(y.remainder())
}

/// ASCII lower case of eight bytes at once (non-ASCII bytes unchanged).
#[inline]
fn lower8(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let a = x & !HIGH;
    // High bit set where the 7-bit value is >= 'A', and where it is > 'Z'.
    let ge_a = a.wrapping_add(0x3f3f_3f3f_3f3f_3f3f);
    let gt_z = a.wrapping_add(0x2525_2525_2525_2525);
    let upper = ge_a & !gt_z & !x & HIGH;
    x | (upper >> 2)
}

/// A multiplicative hasher (as in rustc's FxHash) for the small keys of the per-article
/// sets and the loader's maps: SipHash's flood resistance buys nothing there and cost a
/// tenth of the matching time.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut c = bytes.chunks_exact(8);
        for w in &mut c {
            self.add(u64::from_le_bytes(w.try_into().unwrap_or([0; 8])));
        }
        for &b in c.remainder() {
            self.add(u64::from(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, x: u8) {
        self.add(u64::from(x));
    }
    #[inline]
    fn write_u32(&mut self, x: u32) {
        self.add(u64::from(x));
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    #[inline]
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// Whether `found` (the text) may be read as `alias` under `rule`. Both have the same
/// length in bytes and are equal up to ASCII case.
fn case_ok(found: &str, alias: &[u8], rule: MatchRule) -> bool {
    if found.as_bytes() == alias {
        return true;
    }
    let Ok(alias) = std::str::from_utf8(alias) else {
        return false;
    };
    if rule == MatchRule::Exact || !found.eq_ignore_ascii_case(alias) {
        return false;
    }
    if rule == MatchRule::Fold {
        return found.chars().next().is_some_and(|c| !c.is_lowercase());
    }
    if rule != MatchRule::Name {
        return false;
    }
    // All capitals (a headline); short aliases need four letters ("MON" is no Mon).
    if !found.chars().any(char::is_lowercase) {
        return alias.chars().filter(|c| c.is_alphabetic()).count() >= 4;
    }
    // Title case: only word-initial letters may differ, and only to upper case.
    let mut at_start = true;
    for (f, a) in found.chars().zip(alias.chars()) {
        if f != a && !(at_start && f.is_uppercase() && a.is_lowercase()) {
            return false;
        }
        at_start = !a.is_alphanumeric();
    }
    true
}

/// A place's context around `span`: a locative before it ("in Reading", "the port of
/// Split") or a region after it ("Mobile, Alabama", "WAYNE, N.J."). A month-named place
/// needs the region ("in March" is a month).
fn place_context(text: &str, span: Span) -> bool {
    let before = text[..span.start].trim_end();
    let prev = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    if LOCATIVE.iter().any(|w| w.eq_ignore_ascii_case(prev)) && !is_calendar(surface_of(text, span))
    {
        return true;
    }
    let after = &text[span.end..];
    after.starts_with(", ") && after[2..].chars().next().is_some_and(char::is_uppercase)
}

/// Whether the word before or after `span` (one blank away) is capitalised: an ordinary
/// word beside it is likely part of a longer name ("Italian League", "Fox Sports").
fn next_to_capitalised(text: &str, span: Span) -> bool {
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let before = &text[..span.start];
    let prev = before.strip_suffix(' ').is_some_and(|b| {
        let w = b
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        capitalised(w) && !FUNCTION_WORDS.contains(&w) && !TITLES.contains(&w)
    });
    let next = text[span.end..]
        .strip_prefix(' ')
        .is_some_and(|a| capitalised(a.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("")));
    prev || next
}

fn surface_of(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

fn is_calendar(word: &str) -> bool {
    // Most names are no month: a length and first-letter test saves the comparison.
    if !(3..=9).contains(&word.len())
        || !matches!(
            word.as_bytes()[0],
            b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D' | b'T' | b'W'
        )
    {
        return false;
    }
    crate::time::is_calendar_word(word)
}

fn sentence_of(sents: &[SentenceInfo], at: usize) -> Option<SentenceInfo> {
    let i = sents.partition_point(|s| s.span.end <= at);
    sents.get(i).copied().filter(|s| s.span.start <= at)
}

fn is_sentence_start(text: &str, at: usize, sents: &[SentenceInfo]) -> bool {
    if !sents.is_empty() {
        // The first word of its sentence, after any opening quotes or bullets.
        return sentence_of(sents, at).is_some_and(|s| {
            text.get(s.span.start..at)
                .is_some_and(|p| p.chars().all(|c| !c.is_alphanumeric()))
        });
    }
    let before = text[..at].trim_end_matches([' ', '\t', '"', '“', '‘', '\'', '(']);
    before.is_empty() || before.ends_with(['.', '!', '?', ':', '\n', '•'])
}

/// A title ending just before `at` ("Prime Minister Takaichi", "Prime Minister, Sanae
/// Takaichi"), matched case-insensitively on word boundaries.
fn title_before(
    text: &str,
    at: usize,
    agents: &HashMap<String, String>,
) -> Option<(String, usize)> {
    let mut before = text[..at].trim_end_matches([' ', '\u{a0}']);
    if let Some(b) = before.strip_suffix(',') {
        before = b.trim_end();
    }
    let ok_start = |start: usize| {
        start == 0
            || text[..start]
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_alphanumeric())
    };
    // Every title ends in a letter or '.': compare only those ending like the text.
    let last = before.as_bytes().last().map(u8::to_ascii_lowercase);
    for t in TITLES {
        if t.as_bytes().last().map(u8::to_ascii_lowercase) == last && before.len() >= t.len() {
            let start = before.len() - t.len();
            if before.is_char_boundary(start)
                && before[start..].eq_ignore_ascii_case(t)
                && ok_start(start)
            {
                return Some((canonical_title(t), start));
            }
        }
    }
    // Phoenix agents ("Foreign Minister", "Army Chief"): the last one to four words.
    if agents.is_empty() {
        return None;
    }
    let mut best = None;
    let mut start = before.len();
    for _ in 0..4 {
        let head = before[..start].trim_end();
        let ws = head
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        if ws >= head.len() {
            break;
        }
        start = ws;
        let phrase = before[start..].to_lowercase();
        let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
        if agents.contains_key(&phrase) {
            best = Some((title_case(&phrase), start));
        }
        if start == 0 {
            break;
        }
    }
    best
}

/// A title at the start of `s` ("President Xi Jinping"): the canonical title and the byte
/// offset where the name after it starts.
pub fn strip_title(s: &str) -> Option<(String, usize)> {
    let &first = s.as_bytes().first()?;
    // Only the titles starting with the same letter can match (in list order).
    for &t in &titles_by_first()[usize::from(first.to_ascii_lowercase())] {
        if s.len() > t.len() && s.is_char_boundary(t.len()) && s[..t.len()].eq_ignore_ascii_case(t)
        {
            let rest = &s[t.len()..];
            if rest.starts_with(char::is_whitespace) {
                let name = rest.trim_start();
                return Some((canonical_title(t), s.len() - name.len()));
            }
        }
    }
    None
}

/// [`TITLES`] by their first byte, ASCII lower-cased, each list in `TITLES` order.
fn titles_by_first() -> &'static [Vec<&'static str>] {
    static BY_FIRST: std::sync::OnceLock<Vec<Vec<&'static str>>> = std::sync::OnceLock::new();
    BY_FIRST.get_or_init(|| {
        let mut by = vec![Vec::new(); 256];
        for &t in TITLES {
            if let Some(&b) = t.as_bytes().first() {
                by[usize::from(b.to_ascii_lowercase())].push(t);
            }
        }
        by
    })
}

fn canonical_title(t: &str) -> String {
    match t {
        "Sen." => "Senator".into(),
        "Rep." => "Representative".into(),
        "Gov." => "Governor".into(),
        "Gen." => "General".into(),
        "Mr." | "Mr" => "Mr".into(),
        "Mrs." | "Mrs" => "Mrs".into(),
        "Ms." | "Ms" => "Ms".into(),
        "Dr." | "Dr" => "Dr".into(),
        "Vice-President" => "Vice President".into(),
        "Secretary General" => "Secretary-General".into(),
        "Director General" => "Director-General".into(),
        other => other.to_string(),
    }
}

/// "FOREIGN MINISTER" → "Foreign Minister"; short all-capital words stay (acronyms).
pub(crate) fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, w) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        let vowels = w.chars().filter(|c| "AEIOUaeiou".contains(*c)).count();
        if w.contains('.') || (letters <= 3 && vowels == 0) {
            out.push_str(w);
            continue;
        }
        let mut up = true;
        for c in w.chars() {
            if up {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            up = !c.is_alphanumeric() && c != '\'';
        }
    }
    out
}

/// One candidate alias of an index key, as [`FirstWordIndex::slot_cands`] reads it.
#[derive(Clone, Copy, Debug)]
struct Cand<'a> {
    text: &'a [u8],
    entry: u32,
    rule: MatchRule,
    primary: bool,
}

/// Where a key's candidates lie in [`FirstWordIndex::blob`]; for a first word, whether a
/// two-word key starts with it (the top bit of `n`).
#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u64,
    off: u32,
    n: u32,
}

const HAS_TWO: u32 = 1 << 31;
const EMPTY: u32 = u32::MAX;

impl Slot {
    #[inline]
    fn has_two(self) -> bool {
        self.n & HAS_TWO != 0
    }
    #[inline]
    fn len(self) -> usize {
        (self.n & !HAS_TWO) as usize
    }
}

/// Bytes before each candidate's text in the blob: length (u32), entry (u32), rule, primary.
const CAND_HEAD: usize = 10;

/// A PETRARCH phrase with blank connectors: segments of consecutive words (lower case).
#[derive(Clone, Debug)]
struct Gapped {
    segments: Vec<Vec<String>>,
    entry: u32,
}

/// Words that may come between two segments of a blank-connected phrase.
const MAX_GAP: usize = 3;

/// The words of `text` (runs of word chars), as byte ranges.
fn words_of(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let (w, l) = word_char_at(text, i);
        if w {
            let e = word_end(text, i);
            out.push((i, e));
            i = e;
        } else {
            i += l;
        }
    }
    out
}

/// Whether `text[a..b]`, between two words, keeps them in one noun phrase: blanks,
/// hyphens and apostrophes only, on one line.
fn phrase_gap(text: &str, a: usize, b: usize) -> bool {
    text.get(a..b).is_some_and(|g| {
        !g.is_empty()
            && g.chars()
                .all(|c| matches!(c, ' ' | '\t' | '-' | '\'' | '\u{2019}' | '\u{a0}'))
    })
}

/// The index of the last word of `segments` matched from word `k`: the words of a
/// segment consecutive (one blank or hyphen apart), at most [`MAX_GAP`] words between
/// segments.
fn gapped_match(
    text: &str,
    words: &[(usize, usize)],
    k: usize,
    segments: &[Vec<String>],
) -> Option<usize> {
    // Words of one segment from word `j`: the index after its last word.
    let segment_at = |j: usize, seg: &[String]| -> Option<usize> {
        for (n, w) in seg.iter().enumerate() {
            let &(s, e) = words.get(j + n)?;
            if !text[s..e].eq_ignore_ascii_case(w) {
                return None;
            }
            if n > 0 {
                let prev = words[j + n - 1].1;
                if !matches!(text.get(prev..s), Some(" " | "-")) {
                    return None;
                }
            }
        }
        Some(j + seg.len())
    };
    let mut next = segment_at(k, &segments[0])?;
    for seg in &segments[1..] {
        let mut found = None;
        for j in next..(next + MAX_GAP + 1).min(words.len()) {
            // Every separator from the previous segment to here stays in the phrase.
            if !phrase_gap(text, words[j - 1].1, words[j].0) {
                break;
            }
            if let Some(after) = segment_at(j, seg) {
                found = Some(after);
                break;
            }
        }
        next = found?;
    }
    Some(next - 1)
}

/// Open-addressing table from index key to that key's aliases, behind a 1 Mbit filter.
/// Keys: the first two words of a multi-word alias, and every first word of an alias
/// (holding the one-word aliases, possibly none, and whether two-word keys start with it),
/// so a capitalised word costs one filter probe, and a first word one slot read. A key's
/// candidates, longest first, are stored together with their texts in one blob: the
/// matcher's memory reads are few and close together.
struct FirstWordIndex {
    bits: Vec<u64>,
    slots: Vec<Slot>,
    blob: Vec<u8>,
}

const FILTER_BITS: u64 = 1 << 20;

impl FirstWordIndex {
    /// `groups`: (key, whether two-word keys start with it, -); group `g`'s candidates are
    /// the aliases `order[starts[g]..starts[g + 1]]`, longest first, `blob_len` bytes in
    /// all with their heads.
    fn build(
        groups: &[(u64, bool, u32)],
        starts: &[u32],
        order: &[u32],
        aliases: &[Alias],
        texts: &[&[u8]],
        blob_len: usize,
    ) -> FirstWordIndex {
        let n = groups.len();
        // At most four fifths full (the default lists: two thirds, 2 MB): short probe runs
        // in a table small enough to stay mostly in cache.
        let n = (n.max(1) * 5 / 4).next_power_of_two();
        let mut bits = vec![0u64; (FILTER_BITS / 64) as usize];
        let empty = Slot {
            key: 0,
            off: EMPTY,
            n: 0,
        };
        let mut slots = Vec::with_capacity(n);
        crate::pages::huge_pages(&slots);
        slots.resize(n, empty);
        let mut blob = Vec::with_capacity(blob_len);
        crate::pages::huge_pages(&blob);
        for (g, &(h, two, _)) in groups.iter().enumerate() {
            let b = h & (FILTER_BITS - 1);
            bits[(b / 64) as usize] |= 1 << (b & 63);
            let mut i = (h >> 20) as usize & (n - 1);
            while slots[i].off != EMPTY {
                i = (i + 1) & (n - 1);
            }
            let off = blob.len() as u32;
            let mut count = 0u32;
            let cands = order
                .get(starts[g] as usize..starts[g + 1] as usize)
                .unwrap_or(&[]);
            for &ai in cands {
                let a = &aliases[ai as usize];
                let (start, len) = (a.text.start as usize, a.text.len as usize);
                let text = texts
                    .get(a.text.src as usize)
                    .and_then(|t| t.get(start..start + len))
                    .unwrap_or(&[]);
                let mut head = [0u8; CAND_HEAD];
                head[..4].copy_from_slice(&(text.len() as u32).to_le_bytes());
                head[4..8].copy_from_slice(&a.entry.to_le_bytes());
                head[8] = a.rule as u8;
                head[9] = u8::from(a.primary);
                blob.extend_from_slice(&head);
                blob.extend_from_slice(text);
                count += 1;
            }
            slots[i] = Slot {
                key: h,
                off,
                n: count | if two { HAS_TWO } else { 0 },
            };
        }
        FirstWordIndex { bits, slots, blob }
    }

    /// Asks the CPU to load what [`FirstWordIndex::get`] reads first for `h`.
    #[inline]
    fn prefetch(&self, h: u64) {
        let b = h & (FILTER_BITS - 1);
        crate::ner::model::prefetch(&self.bits[(b / 64) as usize]);
        crate::ner::model::prefetch(&self.slots[(h >> 20) as usize & (self.slots.len() - 1)]);
    }

    #[inline]
    fn get(&self, h: u64) -> Option<Slot> {
        let b = h & (FILTER_BITS - 1);
        if self.bits[(b / 64) as usize] & (1 << (b & 63)) == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (h >> 20) as usize & mask;
        loop {
            let s = self.slots[i];
            if s.off == EMPTY {
                return None;
            }
            if s.key == h {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    /// The candidates of key `h` (none when it has no slot).
    fn cands(&self, h: u64) -> impl Iterator<Item = Cand<'_>> + '_ {
        self.get(h).into_iter().flat_map(|s| self.slot_cands(s))
    }

    #[inline]
    fn slot_cands(&self, s: Slot) -> impl Iterator<Item = Cand<'_>> + '_ {
        let mut at = s.off as usize;
        (0..s.len()).map_while(move |_| {
            let head = self.blob.get(at..at + CAND_HEAD)?;
            let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
            let entry = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
            let rule = RULES.get(head[8] as usize).copied()?;
            let text = self.blob.get(at + CAND_HEAD..at + CAND_HEAD + len)?;
            at += CAND_HEAD + len;
            Some(Cand {
                text,
                entry,
                rule,
                primary: head[9] != 0,
            })
        })
    }
}

/// [`MatchRule`]s by their `as u8` value (the blob stores that).
const RULES: [MatchRule; 5] = [
    MatchRule::Name,
    MatchRule::Exact,
    MatchRule::Surname,
    MatchRule::Common,
    MatchRule::Fold,
];

/// Collects rows from any number of lists, then builds the index.
#[derive(Default)]
pub(crate) struct Builder {
    texts: Vec<Cow<'static, str>>,
    entries: Vec<Entry>,
    aliases: Vec<Alias>,
    by_id: FastMap<(Origin, u64), u32>,
    gapped: Vec<Gapped>,
    agents: HashMap<String, String>,
    warnings: Vec<String>,
}

/// A row as a user list or an importer gives it: byte ranges into one text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Row {
    pub alias: (usize, usize),
    pub name: (usize, usize),
    pub id: (usize, usize),
    pub attributes: (usize, usize),
    pub ty: Option<EntryType>,
    pub rule: Option<MatchRule>,
    /// CAMEO codes (Phoenix dictionaries).
    pub cameo: Vec<CameoCode>,
    /// A PETRARCH phrase with blanks between words (other words may come between): its
    /// segments of consecutive words, lower case.
    pub gapped: Option<Vec<Vec<String>>>,
}

impl Builder {
    pub(crate) fn warn(&mut self, w: String) {
        self.warnings.push(w);
    }

    pub(crate) fn add_agent(&mut self, phrase: String, code: String) {
        self.agents.entry(phrase).or_insert(code);
    }

    /// Adds rows whose ranges point into `text`.
    pub(crate) fn add_rows(&mut self, text: Cow<'static, str>, rows: Vec<Row>, origin: Origin) {
        let src = self.texts.len() as u32;
        let mut last = LastEntry::default();
        for row in rows {
            let Some(ty) = row.ty else { continue };
            let fields = RowFields {
                alias: row.alias,
                name: row.name,
                id: row.id,
                attributes: row.attributes,
                ty,
                rule: row.rule,
            };
            let entry = self.add_fields(&text, src, fields, origin, &mut last);
            let ent = &mut self.entries[entry as usize];
            for c in row.cameo {
                if !ent.cameo.contains(&c) {
                    ent.cameo.push(c);
                }
            }
            if let Some(segments) = row.gapped {
                if segments.len() > 1 && segments.iter().all(|s| !s.is_empty()) {
                    self.gapped.push(Gapped { segments, entry });
                }
            }
        }
        self.texts.push(text);
    }

    /// Adds one row of `text` (the text `src` will be): its entry (found by id, or by
    /// name when it has no id), its attributes, its alias. Returns the entry.
    fn add_fields(
        &mut self,
        text: &str,
        src: u32,
        row: RowFields,
        origin: Origin,
        last: &mut LastEntry,
    ) -> u32 {
        let st = |r: (usize, usize)| Str {
            src,
            start: r.0 as u32,
            len: r.1 as u32,
        };
        let name_r = if row.name.1 == 0 { row.alias } else { row.name };
        let get = |r: (usize, usize)| text.get(r.0..r.0 + r.1).unwrap_or("");
        // Entries are keyed by a 64-bit hash of their id (or name): no string per row.
        // Rows of one entry are mostly consecutive: the same id as the row before needs no
        // hash and no map probe.
        let by_name = row.id.1 == 0;
        let key_r = if by_name { name_r } else { row.id };
        let key_text = get(key_r);
        let entry = if last.entry != u32::MAX
            && last.by_name == by_name
            && last.origin == origin
            && same_bytes(get(last.key).as_bytes(), key_text.as_bytes())
        {
            last.entry
        } else {
            let key_id = if by_name {
                hash_fold(key_text.as_bytes()) ^ 0x9e37_79b9_7f4a_7c15
            } else {
                hash_str(key_text)
            };
            let next = self.entries.len() as u32;
            let e = *self.by_id.entry((origin, key_id)).or_insert(next);
            if e == next {
                self.entries.push(Entry {
                    name: st(name_r),
                    ty: row.ty,
                    kb: st(row.id),
                    attributes: SmallVec::new(),
                    origin,
                    cameo: Vec::new(),
                });
            }
            *last = LastEntry {
                key: key_r,
                by_name,
                origin,
                entry: e,
            };
            e
        };
        let attrs = get(row.attributes);
        // Read for the prior, country and kind on the entry's first match ([`Meta`]).
        if !trim(attrs).is_empty() {
            self.entries[entry as usize]
                .attributes
                .push(st(row.attributes));
        }
        self.push_alias(text, src, row.alias, row.rule, entry);
        entry
    }

    /// Adds alias `text[r]` of `entry` if it can start a name.
    #[inline]
    fn push_alias(
        &mut self,
        text: &str,
        src: u32,
        r: (usize, usize),
        rule: Option<MatchRule>,
        entry: u32,
    ) {
        let alias = text.get(r.0..r.0 + r.1).unwrap_or("");
        let alias_ok = match alias.as_bytes().first() {
            None => false,
            Some(&b) if b < 0x80 => {
                if b.is_ascii_alphanumeric() {
                    !b.is_ascii_lowercase()
                } else {
                    !is_ascii_space(b)
                }
            }
            Some(_) => alias.chars().next().is_some_and(|c| {
                (c.is_alphanumeric() && !c.is_lowercase())
                    || (!c.is_alphanumeric() && !c.is_whitespace())
            }),
        };
        if alias_ok {
            let rule = rule.unwrap_or_else(|| default_rule(alias));
            self.aliases.push(Alias {
                text: Str {
                    src,
                    start: r.0 as u32,
                    len: r.1 as u32,
                },
                entry,
                rule,
                primary: false,
            });
        }
    }

    /// Parses a TSV list (documented in docs/gazetteer.md).
    pub(crate) fn add_tsv(&mut self, name: &str, text: Cow<'static, str>, origin: Origin) {
        let src = self.texts.len() as u32;
        let w: &str = &text;
        // About one entry in two lines of the default lists: one map growth at most.
        self.by_id.reserve(w.len() / 128);
        self.entries.reserve(w.len() / 128);
        self.aliases.reserve(w.len() / 64);
        let match_finder = memchr::memmem::Finder::new(b"match=");
        let mut last = LastEntry::default();
        let base = w.as_ptr() as usize;
        // Byte range of `part`, a slice of `w`; (0, 0) for one that is not (the empty
        // default of a missing column).
        let at = |part: &str| {
            let start = (part.as_ptr() as usize).wrapping_sub(base);
            if start <= w.len() && part.len() <= w.len() - start {
                (start, part.len())
            } else {
                (0, 0)
            }
        };
        // The row before when it made or found an entry by its id or name and has no
        // attributes: its line after the alias. A row the same after its alias (a further
        // alternate name: most rows of cities.tsv) is one more alias of that entry.
        let mut prev_tail: Option<&str> = None;
        for (no, line, cols) in tsv_rows(w) {
            if let (Some(prev), Some(c0)) = (prev_tail, cols[0]) {
                let tail = line.get(c0.len()..).unwrap_or("");
                if tail == prev {
                    self.push_alias(w, src, at(trim(c0)), None, last.entry);
                    continue;
                }
            }
            prev_tail = None;
            match line.as_bytes().first() {
                None | Some(b'#') => continue,
                Some(&b) if b < 0x80 && !is_ascii_space(b) => {}
                Some(_) if line.trim().is_empty() => continue,
                Some(_) => {}
            }
            let [Some(c0), Some(c1), Some(c2), c3, c4] = cols else {
                self.warn(format!(
                    "{name}:{}: expected alias, name, type, id, attributes separated by tabs",
                    no + 1
                ));
                continue;
            };
            let ty = match trim(c2) {
                // The default lists' spellings first, without upper-casing a copy.
                "PLACE" => EntryType::Mention(EntityType::Place),
                "ORG" => EntryType::Mention(EntityType::Org),
                "PERSON" => EntryType::Mention(EntityType::Person),
                "NORP" => EntryType::Mention(EntityType::Norp),
                "CURRENCY" => EntryType::Currency,
                t => match EntityType::parse(t) {
                    Some(t) => EntryType::Mention(t),
                    None => {
                        self.warn(format!("{name}:{}: unknown type {t:?}", no + 1));
                        continue;
                    }
                },
            };
            let attributes = c4.unwrap_or("");
            let rule = match_finder
                .find(attributes.as_bytes())
                .and(Some(attributes))
                .into_iter()
                .flat_map(|a| split_ascii(a, b';'))
                .find_map(|kv| trim(kv).strip_prefix("match="))
                .and_then(|r| match trim(r) {
                    "exact" => Some(MatchRule::Exact),
                    "surname" => Some(MatchRule::Surname),
                    "common" => Some(MatchRule::Common),
                    "name" => Some(MatchRule::Name),
                    _ => None,
                });
            let fields = RowFields {
                alias: at(trim(c0)),
                name: at(trim(c1)),
                id: c3.map_or((0, 0), |s| at(trim(s))),
                attributes: at(attributes),
                ty,
                rule,
            };
            // The entry is keyed by id or name, not by this row's alias: the same tail
            // names the same entry.
            let keyed = fields.id.1 != 0 || fields.name.1 != 0;
            self.add_fields(w, src, fields, origin, &mut last);
            if keyed && trim(attributes).is_empty() {
                prev_tail = line.get(c0.len()..).filter(|t| !t.is_empty());
            }
        }
        self.texts.push(text);
    }

    pub(crate) fn finish(mut self) -> Gazetteer {
        // People get their surname and "First Last" forms from the `surname` attribute when
        // the list does not give them; those strings are kept in one extra text.
        let mut extra = String::new();
        let mut pending: Vec<(usize, usize, u32, MatchRule)> = Vec::new();
        let mut have: FastSet<(u32, &str)> = FastSet::default();
        for a in &self.aliases {
            if self.entries[a.entry as usize].ty == EntryType::Mention(EntityType::Person) {
                have.insert((a.entry, str_of(&self.texts, a.text)));
            }
        }
        for (ei, e) in self.entries.iter().enumerate() {
            if e.ty != EntryType::Mention(EntityType::Person) {
                continue;
            }
            let name = str_of(&self.texts, e.name);
            let surname = e
                .attributes
                .iter()
                .flat_map(|a| str_of(&self.texts, *a).split(';'))
                .find_map(|kv| kv.strip_prefix("surname="))
                .map(str::to_string)
                .or_else(|| {
                    let words: Vec<&str> = name.split_whitespace().collect();
                    (words.len() >= 2).then(|| words[words.len() - 1].to_string())
                });
            if let Some(s) = surname {
                if s != name && !have.contains(&(ei as u32, s.as_str())) {
                    let start = extra.len();
                    extra.push_str(&s);
                    pending.push((start, s.len(), ei as u32, MatchRule::Surname));
                }
            }
        }
        let src = self.texts.len() as u32;
        self.texts.push(Cow::Owned(extra));
        for (start, len, entry, rule) in pending {
            self.aliases.push(Alias {
                text: Str {
                    src,
                    start: start as u32,
                    len: len as u32,
                },
                entry,
                rule,
                primary: false,
            });
        }

        for a in self.aliases.iter_mut() {
            let e = &self.entries[a.entry as usize];
            // Most aliases are alternate names of another length: no text compared.
            a.primary = e.name == a.text
                || (e.name.len == a.text.len
                    && str_of(&self.texts, e.name) == str_of(&self.texts, a.text));
        }
        // Index keys in one pass: each key gets a group (in order of first use), each
        // alias the group of its key; then the groups' aliases are laid out together
        // (counting sort, so each group keeps load order) without a Vec per key.
        let mut group_of = KeyTable::with_room(self.aliases.len() * 2);
        // Per group: key, whether two-word keys start with it, number of aliases.
        let mut groups: Vec<(u64, bool, u32)> = Vec::with_capacity(self.aliases.len() * 2);
        let mut alias_group: Vec<u32> = Vec::with_capacity(self.aliases.len());
        let mut first_byte = [false; 256];
        let mut digit_words = [0u64; 64];
        fn group(map: &mut KeyTable, groups: &mut Vec<(u64, bool, u32)>, key: u64) -> usize {
            let next = groups.len() as u32;
            let g = map.get_or_insert(key, next);
            if g == next {
                groups.push((key, false, 0));
            }
            g as usize
        }
        let texts: Vec<&str> = self.texts.iter().map(|t| &**t).collect();
        for a in &self.aliases {
            let src = texts.get(a.text.src as usize).copied().unwrap_or("");
            let (start, len) = (a.text.start as usize, a.text.len as usize);
            let text = src.get(start..start + len).unwrap_or("");
            let fw = match first_word_ascii(src.as_bytes(), start, len) {
                Some(n) => &text.as_bytes()[..n],
                None => first_word(text),
            };
            if fw.is_empty() || !text.as_bytes().starts_with(fw) {
                alias_group.push(u32::MAX);
                continue; // an alias must start with a word char
            }
            first_byte[fw[0] as usize] = true;
            first_byte[fw[0].to_ascii_uppercase() as usize] = true;
            let h = hash_fold(fw);
            if fw[0].is_ascii_digit() {
                digit_words[(h >> 6) as usize & 63] |= 1 << (h & 63);
            }
            let first = group(&mut group_of, &mut groups, h);
            // The alias's key: its first two words, or its only word (as `alias_key`).
            let g = match second_word_end(text, fw.len()) {
                Some(e2) => {
                    groups[first].1 = true;
                    let two = hash_fold(&text.as_bytes()[..e2]) ^ TWO_WORDS;
                    group(&mut group_of, &mut groups, two)
                }
                None => first,
            };
            groups[g].2 += 1;
            alias_group.push(g as u32);
        }
        let mut starts: Vec<u32> = Vec::with_capacity(groups.len() + 1);
        let mut total = 0u32;
        for g in &groups {
            starts.push(total);
            total += g.2;
        }
        starts.push(total);
        let mut fill = starts.clone();
        let mut order = vec![0u32; total as usize];
        for (i, &g) in alias_group.iter().enumerate() {
            if g != u32::MAX {
                let f = &mut fill[g as usize];
                order[*f as usize] = i as u32;
                *f += 1;
            }
        }
        let index = {
            let texts = &self.texts;
            let aliases = &self.aliases;
            let mut blob_len = 0;
            for &i in &order {
                blob_len += CAND_HEAD + aliases[i as usize].text.len as usize;
            }
            for w in starts.windows(2) {
                let v = &mut order[w[0] as usize..w[1] as usize];
                if v.len() > 1 {
                    // Longest first; the stable sort keeps load order among equals.
                    v.sort_by_key(|&i| std::cmp::Reverse(aliases[i as usize].text.len));
                }
            }
            let texts: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
            FirstWordIndex::build(&groups, &starts, &order, aliases, &texts, blob_len)
        };
        Gazetteer {
            index,
            parsed_attributes: (0..self.entries.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            meta: (0..self.entries.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            texts: self.texts,
            entries: self.entries,
            aliases: self.aliases,
            first_byte,
            digit_words,
            lower_first: (b'a'..=b'z').filter(|&c| first_byte[c as usize]).collect(),
            agents: self.agents,
            gapped_by_first: {
                let mut m: HashMap<String, Vec<u32>> = HashMap::new();
                for (i, g) in self.gapped.iter().enumerate() {
                    m.entry(g.segments[0][0].clone())
                        .or_default()
                        .push(i as u32);
                }
                m
            },
            gapped: self.gapped,
            warnings: self.warnings,
        }
    }
}

/// A row's fields as byte ranges into its text, its type known.
struct RowFields {
    alias: (usize, usize),
    name: (usize, usize),
    id: (usize, usize),
    attributes: (usize, usize),
    ty: EntryType,
    rule: Option<MatchRule>,
}

/// The entry of the row before (in the same text): its key's range and kind.
#[derive(Clone, Copy)]
struct LastEntry {
    key: (usize, usize),
    by_name: bool,
    origin: Origin,
    entry: u32,
}

impl Default for LastEntry {
    fn default() -> Self {
        LastEntry {
            key: (0, 0),
            by_name: false,
            origin: Origin::Default,
            entry: u32::MAX,
        }
    }
}

/// `a == b` for short byte strings (ids): two overlapping eight-byte compares up to 16
/// bytes, no memcmp call.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        let w =
            |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
        return w(a, 0) == w(b, 0) && w(a, n - 8) == w(b, n - 8);
    }
    a == b
}

/// `first_word(alias).len()` for the alias `src[start..start + len]` when its first word is
/// ASCII and ends within the eight bytes from `start` (nearly all: "Shanghai", "Sangaj"),
/// read as one word of `src` (the alias's whole text); `None` when that does not decide it.
#[inline]
fn first_word_ascii(src: &[u8], start: usize, len: usize) -> Option<usize> {
    let chunk = src.get(start..start + 8)?;
    let x = u64::from_le_bytes(chunk.try_into().ok()?);
    if len == 0 || !src[start].is_ascii_alphanumeric() {
        return None;
    }
    // Bytes past the alias count as stops; a non-ASCII byte is one too (ascii_alnum8
    // excludes it), so a stop there needs the general path.
    let inside = if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    };
    let stop = (!ascii_alnum8(x) | !inside) & HIGH_BITS;
    if stop == 0 {
        return None; // the word goes on past eight bytes
    }
    let end = (stop.trailing_zeros() / 8) as usize;
    (end == len || src.get(start + end).is_some_and(|&b| b < 0x80)).then_some(end)
}

/// An open-addressing map from index key (already a good hash) to group number, for
/// building the index: a probe is a mask and a compare.
struct KeyTable {
    keys: Vec<u64>,
    groups: Vec<u32>,
}

impl KeyTable {
    fn with_room(n: usize) -> KeyTable {
        // `n` is an upper bound (two keys per alias; the default lists use half of it).
        let size = (n.max(1) * 5 / 4).next_power_of_two();
        KeyTable {
            keys: vec![0; size],
            groups: vec![u32::MAX; size],
        }
    }

    /// The group of `key`, or `next` (then stored) when it has none.
    #[inline]
    fn get_or_insert(&mut self, key: u64, next: u32) -> u32 {
        let mask = self.keys.len() - 1;
        let mut i = (key >> 20) as usize & mask;
        loop {
            if self.groups[i] == u32::MAX {
                self.keys[i] = key;
                self.groups[i] = next;
                return next;
            }
            if self.keys[i] == key {
                return self.groups[i];
            }
            i = (i + 1) & mask;
        }
    }
}

/// Whether `b` is an ASCII char that `char::is_whitespace` (and so `str::trim`) accepts.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// `s.trim()`, without decoding when both ends are ASCII non-blanks (nearly every
/// column).
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z))
            if a < 0x80 && z < 0x80 && !is_ascii_space(a) && !is_ascii_space(z) =>
        {
            s
        }
        (None, _) => s,
        _ => s.trim(),
    }
}

/// The lines of a TSV text as `str::lines` gives them, numbered from 0, each with its
/// first five tab-separated columns as `line.split('\t')` gives them (`None` past the
/// last). One pass over the whole text finds the tabs and line ends together ([`Seps`]):
/// 90,000 lines load at start-up, and a search per column (most are a few bytes) cost more
/// than the rest of the row.
fn tsv_rows(text: &str) -> impl Iterator<Item = (usize, &str, [Option<&str>; 5])> {
    let bytes = text.as_bytes();
    let mut hits = Seps::new(bytes, b'\t', b'\n');
    let mut start = 0;
    let mut no = 0;
    std::iter::from_fn(move || {
        let mut tabs = [0usize; 5];
        let mut n = 0;
        let mut end = loop {
            match hits.next() {
                Some(i) if bytes[i] == b'\t' => {
                    if n < tabs.len() {
                        tabs[n] = i;
                        n += 1;
                    }
                }
                Some(i) => break i,
                None if start < bytes.len() => break bytes.len(),
                None => return None,
            }
        };
        let next = end + 1;
        // A `\r` before a `\n` is no part of the line (as `str::lines`); a tab is never
        // at `end - 1` then.
        if end < bytes.len() && end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        // Tabs and line ends are ASCII: every slice is on character boundaries.
        let line = text.get(start..end).unwrap_or("");
        let mut cols: [Option<&str>; 5] = [None; 5];
        let mut from = start;
        for (c, &t) in cols.iter_mut().zip(&tabs[..n]) {
            *c = text.get(from..t);
            from = t + 1;
        }
        if n < cols.len() {
            cols[n] = text.get(from..end);
        }
        let row = (no, line, cols);
        no += 1;
        start = next;
        Some(row)
    })
}

/// `s.split(sep)` for an ASCII `sep`, the separator found eight bytes at a time: the
/// pieces (`key=value`) are too short for the char searcher's set-up to pay.
#[inline]
fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match find_byte(r.as_bytes(), sep) {
            // `sep` is ASCII: both sides are on character boundaries.
            Some(i) => {
                rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `s.parse::<f32>().unwrap_or(0.0)`; populations are plain integers, and an integer of
/// up to 19 digits converts to the same nearest `f32` as its decimal text does.
#[inline]
fn parse_f32(s: &str) -> f32 {
    if (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        let n = s.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        return n as f32;
    }
    s.parse().unwrap_or(0.0)
}

/// The first `c` in `s`, eight bytes at a time.
#[inline]
fn find_byte(s: &[u8], c: u8) -> Option<usize> {
    let mut i = 0;
    while let Some(chunk) = s.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])) ^ splat(c);
        // The lowest byte of x that is zero has its high bit set here (higher ones may be
        // false positives, never lower ones).
        let zero = x.wrapping_sub(splat(1)) & !x & HIGH_BITS;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..].iter().position(|&b| b == c).map(|p| i + p)
}

fn str_of<'a>(texts: &'a [Cow<'static, str>], s: Str) -> &'a str {
    texts[s.src as usize]
        .get(s.start as usize..(s.start + s.len) as usize)
        .unwrap_or("")
}

/// Acronyms ("APEC", "U.S.") match only as written.
fn default_rule(alias: &str) -> MatchRule {
    // An ASCII lower-case letter makes a letter that is not upper case: no acronym, a name
    // (most aliases are decided by their second byte).
    if alias.bytes().any(|b| b.is_ascii_lowercase()) {
        return MatchRule::Name;
    }
    let (mut letters, mut upper) = (0, 0);
    if alias.is_ascii() {
        // Most aliases: the ASCII tests give what the Unicode ones give, without decoding.
        for &b in alias.as_bytes() {
            letters += usize::from(b.is_ascii_alphabetic());
            upper += usize::from(b.is_ascii_uppercase());
        }
    } else {
        for c in alias.chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            upper += usize::from(c.is_uppercase());
        }
    }
    let acronym = letters > 0 && letters <= 6 && upper == letters;
    if acronym || letters == 0 {
        MatchRule::Exact
    } else {
        MatchRule::Name
    }
}

/// Prior from kind and population, and the entry's country for context.
fn update_prior(e: &mut Meta, attributes: &str) {
    let mut kind = "";
    let mut pop = 0f32;
    let mut capital = false;
    // Keys compared as byte patterns: a length test and a word compare, no memcmp call.
    for_each_pair(attributes, |k, v| match trim(k).as_bytes() {
        b"kind" => kind = trim(v),
        b"pop" => pop = parse_f32(trim(v)),
        b"capital_of" => capital = true,
        b"country" | b"iso" => {
            if let ([a, b], None) = (trim(v).as_bytes(), e.country) {
                e.country = Some([*a, *b]);
            }
        }
        b"prior" => e.prior += trim(v).parse::<f32>().unwrap_or(0.0),
        _ => {}
    });
    let base = match kind.as_bytes() {
        b"country" => 100.0,
        b"government" | b"igo" | b"central_bank" => 70.0,
        b"facility" => 55.0,
        b"region" => 30.0,
        b"city" => 5.0 * (pop.max(1.0)).log10() + if capital { 35.0 } else { 0.0 },
        b"" => 0.0,
        _ => 40.0,
    };
    if !kind.is_empty() {
        e.prior += base;
    }
    e.city |= kind == "city";
}

/// Calls `f(key, value)` for each `key=value` of `attributes`, in order, as
/// `attributes.split(';')` then `split_once('=')` give them (pieces without '=' skipped),
/// the separators found by [`Seps`].
#[inline]
fn for_each_pair<'a>(attributes: &'a str, mut f: impl FnMut(&'a str, &'a str)) {
    // Both separators are ASCII: every slice below is on character boundaries.
    let mut pair = |start: usize, equals: usize, end: usize| {
        if let (Some(k), Some(v)) = (
            attributes.get(start..equals),
            attributes.get(equals + 1..end),
        ) {
            f(k, v);
        }
    };
    let bytes = attributes.as_bytes();
    let mut start = 0;
    // The first '=' of the current piece (`usize::MAX`: none yet).
    let mut equals = usize::MAX;
    for i in Seps::new(bytes, b';', b'=') {
        if bytes[i] == b';' {
            if equals != usize::MAX {
                pair(start, equals, i);
            }
            start = i + 1;
            equals = usize::MAX;
        } else if equals == usize::MAX {
            equals = i;
        }
    }
    if equals != usize::MAX {
        pair(start, equals, attributes.len());
    }
}

/// The positions of the bytes `a` or `b` in a text, in order: found 64 bytes at a time
/// as a bit mask (SSE2 compares on x86_64), so a separator costs a few instructions
/// however short the pieces between.
struct Seps<'a> {
    bytes: &'a [u8],
    block: usize,
    mask: u64,
    a: u8,
    b: u8,
}

impl<'a> Seps<'a> {
    /// `a` and `b` must not be 0 (the padding past the end).
    fn new(bytes: &'a [u8], a: u8, b: u8) -> Seps<'a> {
        Seps {
            bytes,
            block: 0,
            mask: sep_mask(bytes, 0, a, b),
            a,
            b,
        }
    }
}

impl Iterator for Seps<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.block += 64;
            if self.block >= self.bytes.len() {
                return None;
            }
            self.mask = sep_mask(self.bytes, self.block, self.a, self.b);
        }
        let i = self.block + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(i)
    }
}

/// Bit `i` set where `bytes[at + i]` is `a` or `b`, for the 64 bytes from `at` (zero bytes
/// past the end).
#[inline]
fn sep_mask(bytes: &[u8], at: usize, a: u8, b: u8) -> u64 {
    if let Some(Ok(block)) = bytes.get(at..at + 64).map(<&[u8; 64]>::try_from) {
        return mask64(block, a, b);
    }
    let mut block = [0u8; 64];
    let rest = bytes.get(at..).unwrap_or(&[]);
    block[..rest.len()].copy_from_slice(rest);
    mask64(&block, a, b)
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn mask64(block: &[u8; 64], a: u8, b: u8) -> u64 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut m = 0u64;
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of every x86_64 CPU; the load reads the 16 bytes of `chunk`
        // (unaligned load).
        let hit = unsafe {
            let x = _mm_loadu_si128(chunk.as_ptr().cast());
            let e = _mm_or_si128(
                _mm_cmpeq_epi8(x, _mm_set1_epi8(a as i8)),
                _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8)),
            );
            _mm_movemask_epi8(e) as u16
        };
        m |= u64::from(hit) << (16 * k);
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn mask64(block: &[u8; 64], a: u8, b: u8) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (i, &c)| m | u64::from(c == a || c == b) << i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_gazetteer() -> &'static Gazetteer {
        static G: std::sync::OnceLock<Gazetteer> = std::sync::OnceLock::new();
        G.get_or_init(|| Gazetteer::load(&[]).expect("the default lists load"))
    }

    /// The words `NameStarts` gives from byte `i`.
    fn name_starts(g: &Gazetteer, text: &str, i: usize, in_word: bool) -> Vec<(usize, usize)> {
        let mut s = NameStarts { text, i, in_word };
        std::iter::from_fn(|| s.next(g)).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// `find` skips the words that start inside a match rather than scanning again from
        /// the match's end (the end of a word): after any word end, both give the same words.
        #[test]
        fn name_starts_after_a_word_end_are_the_free_scans(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "New", "York", " ", "von", "der", "Leyen", "\u{e9}", "\u{c9}", "\u{141}\u{f3}d\u{17a}",
                "1996", "x", ",", ".", "-", "\u{2019}", "\u{2014}", "ab", "Q", "the ", "A", "UN",
            ]),
            0..30,
        )) {
            let g = default_gazetteer();
            let text: String = pieces.concat();
            let free = name_starts(g, &text, 0, false);
            for p in 1..=text.len() {
                if !text.is_char_boundary(p) {
                    continue;
                }
                let before = text[..p].chars().next_back().is_some_and(char::is_alphanumeric);
                let after = text[p..].chars().next().is_some_and(char::is_alphanumeric);
                if !before || after {
                    continue;
                }
                let expected: Vec<_> = free.iter().filter(|w| w.0 >= p).copied().collect();
                proptest::prop_assert_eq!(name_starts(g, &text, p, true), expected, "{:?} from {}", text, p);
            }
        }
    }

    /// The TSV row splitter gives what `str::lines` and `split('\t')` give, whatever
    /// the line lengths around its 64-byte blocks.
    #[test]
    fn tsv_rows_are_str_lines_split_at_tabs() {
        let mut texts: Vec<String> = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\r",
            "a\r\r\n",
            "\r\n\r",
            "x\ty\n\n#c\r\nz\t\u{e9}\n",
            "a\tb\tc\td\te\tf\tg\n\t\t\n\t\r\n",
        ]
        .map(str::to_string)
        .to_vec();
        for n in [55, 62, 63, 64, 65, 127, 128, 129] {
            let long = format!(
                "{}\t{}\t\u{e9}\t{}",
                "A".repeat(n),
                "b".repeat(n % 7),
                "c".repeat(n)
            );
            texts.push(format!("{long}\n{long}\r\n\t{long}"));
        }
        for text in &texts {
            let want: Vec<(usize, &str, Vec<&str>)> = text
                .lines()
                .enumerate()
                .map(|(i, l)| (i, l, l.split('\t').take(5).collect()))
                .collect();
            let got: Vec<(usize, &str, Vec<&str>)> = tsv_rows(text)
                .map(|(i, l, c)| (i, l, c.into_iter().flatten().collect()))
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    /// The attribute, trim and number helpers give what the `str` methods give.
    #[test]
    fn attribute_helpers_match_str_methods() {
        for a in [
            "",
            "=",
            ";",
            "a=b",
            "a=b;",
            ";a=b;;c;d==e; f = g ;h=",
            "kind=city;country=CN;admin1=23;pop=24874500",
            &"k=v;".repeat(40),
            "na\u{ef}ve=caf\u{e9};\u{e9}=\u{e9}",
        ] {
            let want: Vec<(&str, &str)> =
                a.split(';').filter_map(|kv| kv.split_once('=')).collect();
            let mut got = Vec::new();
            for_each_pair(a, |k, v| got.push((k, v)));
            assert_eq!(got, want, "{a:?}");
            let want: Vec<&str> = a.split(';').collect();
            assert_eq!(split_ascii(a, b';').collect::<Vec<_>>(), want, "{a:?}");
        }
        for t in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a\u{a0}",
            "\u{e9}",
            "\t\x0b\x0c\r\n",
            "a\u{3000}",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
        for n in [
            "",
            "0",
            "7",
            "24874500",
            "16777217",
            "9999999999999999999",
            "1e3",
            "-5",
            "1.5",
            "x",
        ] {
            assert_eq!(
                parse_f32(n).to_bits(),
                n.parse::<f32>().unwrap_or(0.0).to_bits(),
                "{n:?}"
            );
        }
        for alias in [
            "APEC", "U.S.", "Shanghai", "ÉCOLE", "École", "123", "NEW YORK", "ÅÄÖ",
        ] {
            let (mut letters, mut upper) = (0, 0);
            for c in alias.chars().filter(|c| c.is_alphabetic()) {
                letters += 1;
                upper += usize::from(c.is_uppercase());
            }
            let exact = letters == 0 || (letters <= 6 && upper == letters);
            assert_eq!(default_rule(alias) == MatchRule::Exact, exact, "{alias:?}");
        }
    }

    /// The eight-byte helpers agree with the byte-at-a-time definitions on every byte
    /// value in every lane.
    #[test]
    fn swar_helpers_match_bytewise() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut chunk = *b"aZ9 .\xc3\xa9Q";
                chunk[lane] = b;
                let x = u64::from_le_bytes(chunk);
                let lower: Vec<u8> = chunk.iter().map(u8::to_ascii_lowercase).collect();
                assert_eq!(lower8(x).to_le_bytes().to_vec(), lower, "lower8 {chunk:?}");
                let alnum = ascii_alnum8(x).to_le_bytes();
                for (i, c) in chunk.iter().enumerate() {
                    assert_eq!(
                        alnum[i] == 0x80,
                        c.is_ascii_alphanumeric(),
                        "alnum {chunk:?}"
                    );
                }
            }
        }
        assert!(eq_ignore_case8(b"New York City", b"NEW YORK CITY"));
        assert!(!eq_ignore_case8(b"New York City", b"New York Citz"));
        assert!(!eq_ignore_case8(
            b"Sao Paulo \xc3\x89",
            b"Sao Paulo \xc3\xa9"
        ));
        assert_eq!(word_end("Tokyo\u{2019}s pact", 0), 5);
        assert_eq!(word_end("Zürich2025 x", 0), 11);
        assert_eq!(word_end("abcdefghijklmnop", 3), 16);
    }

    /// The eight-byte first word of an alias inside its text agrees with `first_word`.
    #[test]
    fn first_word_ascii_matches_first_word() {
        for alias in [
            "A",
            "Ab",
            "Shanghai",
            "Shanghai2",
            "New York",
            "U.S.",
            "St. Louis",
            "Zürich",
            "Tokyo\u{2019}s",
            "Sao\u{a0}Paulo",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "3M",
            "-x",
            "Ab\u{e9}cd",
            "Ab-cd",
        ] {
            for after in [
                "",
                "\tPLACE\tid:1\t",
                "xyzxyzxyz",
                "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
            ] {
                let src = format!("{alias}{after}");
                if let Some(n) = first_word_ascii(src.as_bytes(), 0, alias.len()) {
                    assert_eq!(n, first_word(alias).len(), "{alias:?} then {after:?}");
                }
            }
        }
    }

    #[test]
    fn rules_table_follows_the_enum() {
        for r in RULES {
            assert_eq!(RULES[r as usize], r);
        }
    }
}
