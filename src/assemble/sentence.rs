//! One sentence seen by the assembler: its words, and the noun phrases that can fill a
//! role ("candidates"): mentions, capitalised names the recognisers missed, descriptors
//! ("the prime minister"), plural references ("the two leaders") and pronouns, grouped by
//! coordination ("Trump and Takaichi").
//!
//! Owns no document layer; built fresh for every sentence.

use std::borrow::Cow;
use std::sync::OnceLock;

use foldhash::{HashMap, HashSet};
use smallvec::{smallvec, SmallVec};

use crate::document::{Document, EntityType, SentenceKind, Span, TokenKind};

/// Words that may stand between a title and a name, or make up a title.
pub const TITLE_WORDS: &[&str] = &[
    "president",
    "prime",
    "minister",
    "ministers",
    "premier",
    "vice",
    "chancellor",
    "secretary",
    "secretary-general",
    "general",
    "foreign",
    "finance",
    "trade",
    "commerce",
    "defence",
    "defense",
    "energy",
    "treasury",
    "state",
    "crown",
    "prince",
    "princess",
    "king",
    "queen",
    "emperor",
    "empress",
    "emir",
    "sheikh",
    "pope",
    "leader",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "counterpart",
    "chief",
    "executive",
    "ceo",
    "chairman",
    "chairwoman",
    "governor",
    "senator",
    "ambassador",
    "envoy",
    "deputy",
    "top",
    "government",
    "new",
    "newly",
    "elected",
    "former",
    "late",
    "incoming",
    "outgoing",
    "senior",
    "vice-president",
    "representative",
    "mr",
    "mrs",
    "ms",
    "dr",
    "mr.",
    "mrs.",
    "ms.",
    "dr.",
    "director",
    "head",
    "economy",
    "industry",
    "interior",
    "home",
    "cabinet",
    "chief",
    "secretary",
    "president-elect",
    "party",
    "opposition",
    "boss",
    "founder",
    "commissioner",
    "european",
    "u.s.",
    "us",
    "u.n.",
    "un",
    "nato",
    "cabinet",
];

/// A word list as a set, built on first use: the lists are asked about most words of
/// every sentence, and a scan of a long list costs ten times a hash lookup.
pub struct WordSet {
    words: &'static [&'static str],
    set: OnceLock<(WordFilter, HashSet<&'static str>)>,
}

impl WordSet {
    pub(crate) const fn new(words: &'static [&'static str]) -> WordSet {
        WordSet {
            words,
            set: OnceLock::new(),
        }
    }

    pub fn contains(&self, word: &str) -> bool {
        let (filter, set) = self.set.get_or_init(|| {
            let mut filter = WordFilter::new();
            for w in self.words {
                filter.insert(w);
            }
            (filter, self.words.iter().copied().collect())
        });
        filter.may_contain(word) && set.contains(word)
    }
}

/// A one-hash Bloom filter over words, from their length and three of their bytes: most
/// words asked about a list are not in it, and this turns them away for a fraction of a
/// string hash and probe. A "maybe" is settled by the set itself.
#[derive(Clone)]
pub(crate) struct WordFilter {
    bits: Box<[u64]>,
}

impl std::fmt::Debug for WordFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WordFilter")
    }
}

impl WordFilter {
    const BITS: u32 = 14;

    pub(crate) fn new() -> WordFilter {
        WordFilter {
            bits: vec![0u64; 1 << (Self::BITS - 6)].into_boxed_slice(),
        }
    }

    fn slot(word: &str) -> usize {
        let b = word.as_bytes();
        let n = b.len();
        let (first, mid, last) = match n {
            0 => (0, 0, 0),
            _ => (b[0], b[n / 2], b[n - 1]),
        };
        let h = (u32::from(first) | u32::from(mid) << 8 | u32::from(last) << 16 | (n as u32) << 24)
            .wrapping_mul(0x9E37_79B1);
        (h >> (32 - Self::BITS)) as usize
    }

    pub(crate) fn insert(&mut self, word: &str) {
        let k = Self::slot(word);
        self.bits[k >> 6] |= 1 << (k & 63);
    }

    /// False only if `word` was never inserted.
    pub(crate) fn may_contain(&self, word: &str) -> bool {
        let k = Self::slot(word);
        self.bits[k >> 6] & (1 << (k & 63)) != 0
    }
}

pub static TITLE_SET: WordSet = WordSet::new(TITLE_WORDS);
pub static DEMONYM_SET: WordSet = WordSet::new(DEMONYMS);
pub static PREPOSITION_SET: WordSet = WordSet::new(PREPOSITIONS);
static COMMON_CAPS_SET: WordSet = WordSet::new(COMMON_CAPS);
static PLURAL_REFS_SET: WordSet = WordSet::new(PLURAL_REFS);

/// [`ROLE_NOUNS`] by first word, each with its words, in list order (so the first role
/// that matches is the one the list prefers).
type RolesByFirst = HashMap<&'static str, Vec<(&'static str, Vec<&'static str>)>>;

fn roles_by_first() -> &'static RolesByFirst {
    static MAP: OnceLock<RolesByFirst> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = RolesByFirst::default();
        for role in ROLE_NOUNS {
            let parts: Vec<&str> = role.split(' ').collect();
            map.entry(parts[0]).or_default().push((*role, parts));
        }
        map
    })
}

/// Role nouns that make a descriptor ("the prime minister", "the company").
const ROLE_NOUNS: &[&str] = &[
    "finance ministry",
    "foreign ministry",
    "defence ministry",
    "commerce ministry",
    "trade ministry",
    "prime minister",
    "president",
    "minister",
    "chancellor",
    "premier",
    "king",
    "queen",
    "emperor",
    "crown prince",
    "prince",
    "emir",
    "company",
    "government",
    "ministry",
    "spokesman",
    "spokeswoman",
    "leader",
    "commerce minister",
    "foreign minister",
    "finance minister",
    "trade minister",
    "defence minister",
    "planemaker",
    "carmaker",
    "automaker",
    "chipmaker",
    "firm",
    "group",
    "bank",
    "kremlin",
    "white house",
    "pope",
];

/// Plural nouns that, after "the", "both" or "the two", refer back to participants.
const PLURAL_REFS: &[&str] = &[
    "leaders",
    "sides",
    "countries",
    "nations",
    "governments",
    "presidents",
    "allies",
    "partners",
    "neighbours",
    "neighbors",
    "men",
    "women",
    "delegations",
    "companies",
    "ministers",
    "premiers",
];

pub const DEMONYMS: &[&str] = &[
    "american",
    "chinese",
    "japanese",
    "korean",
    "south",
    "north",
    "indian",
    "french",
    "german",
    "british",
    "russian",
    "ukrainian",
    "brazilian",
    "canadian",
    "australian",
    "italian",
    "spanish",
    "mexican",
    "turkish",
    "saudi",
    "israeli",
    "iranian",
    "egyptian",
    "indonesian",
    "malaysian",
    "vietnamese",
    "thai",
    "cambodian",
    "philippine",
    "filipino",
    "pakistani",
    "argentine",
    "chilean",
    "polish",
    "dutch",
    "swiss",
    "swedish",
    "norwegian",
    "qatari",
    "emirati",
    "african",
    "european",
    "asian",
    "taiwanese",
    "singaporean",
    "u.s.",
    "us",
    "uk",
    "u.k.",
    "eu",
    "palestinian",
    "lebanese",
    "syrian",
    "iraqi",
    "afghan",
    "gulf",
    "nigerian",
    "kenyan",
    "ethiopian",
    "hungarian",
    "greek",
    "irish",
    "belgian",
    "danish",
    "finnish",
    "austrian",
    "czech",
    "romanian",
    "serbian",
    "colombian",
    "peruvian",
    "venezuelan",
    "cuban",
    "new",
    "united",
    "arab",
];

pub const PREPOSITIONS: &[&str] = &[
    "in",
    "on",
    "at",
    "to",
    "of",
    "for",
    "from",
    "with",
    "into",
    "by",
    "between",
    "during",
    "after",
    "before",
    "since",
    "like",
    "than",
    "via",
    "about",
    "over",
    "under",
    "against",
    "among",
    "amid",
    "across",
    "through",
    "toward",
    "towards",
    "within",
    "without",
    "including",
    "near",
    "ahead",
    "despite",
    "aboard",
    "onto",
    "upon",
    "behind",
    "beyond",
];

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our",
    "both", "two", "three", "four", "all", "another", "each", "every", "some", "any",
];

/// Capitalised words that start sentences without naming anything.
const COMMON_CAPS: &[&str] = &[
    "summit",
    "agreement",
    "pact",
    "deal",
    "accord",
    "treaty",
    "ceasefire",
    "framework",
    "forum",
    "conference",
    "tour",
    "audience",
    "alliance",
    "partnership",
    "host",
    "finance",
    "opposition",
    "relations",
    "shares",
    "analysts",
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "to",
    "of",
    "for",
    "from",
    "with",
    "by",
    "and",
    "but",
    "or",
    "as",
    "after",
    "before",
    "during",
    "under",
    "while",
    "when",
    "where",
    "if",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "our",
    "my",
    "there",
    "here",
    "no",
    "not",
    "both",
    "all",
    "some",
    "many",
    "most",
    "officials",
    "analysts",
    "shareholders",
    "protesters",
    "negotiators",
    "leaders",
    "markets",
    "shares",
    "sales",
    "prices",
    "traffic",
    "inflation",
    "oil",
    "heavy",
    "smoke",
    "wheat",
    "rare",
    "critical",
    "talks",
    "speaking",
    "according",
    "under",
    "despite",
    "meanwhile",
    "however",
    "also",
    "earlier",
    "later",
    "last",
    "next",
    "on",
    "then",
    "now",
    "today",
    "yesterday",
    "tomorrow",
    "small",
    "pickup",
    "soybeans",
    "meeting",
    "signing",
    "visit",
    "the",
    "secure",
    "coordinate",
    "address",
    "trade",
    "security",
    "imperial",
    "headline",
    "regional",
    "china",
    "commitment",
    "investment",
    "one",
    "two",
    "three",
    "first",
    "second",
    "third",
    "new",
    "former",
    "shares",
    "negotiations",
    "discussions",
    "other",
    "such",
    "even",
    "only",
    "just",
    "so",
    "yet",
    "still",
    "again",
];

/// A word of the sentence.
#[derive(Clone, Debug)]
pub struct Word<'d> {
    pub span: Span,
    pub text: &'d str,
    /// Lower case, curly apostrophes straightened, a trailing `'s` removed (borrowed from
    /// the text when that is the word itself).
    pub lower: Cow<'d, str>,
    pub kind: TokenKind,
    pub cap: bool,
    /// `Trump's`, `leaders'`.
    pub poss: bool,
    /// Inside quotation marks.
    pub quoted: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CandKind {
    /// A mention from the recognisers.
    Named,
    /// A capitalised run no recogniser claimed.
    Proper,
    /// "the prime minister": a role noun, resolved by title.
    Descriptor(String),
    /// "the two leaders", "both countries", "they".
    Plural,
    /// "he", "she", "his", "her".
    Pronoun,
}

/// A noun phrase that can fill a role.
#[derive(Clone, Debug)]
pub struct Cand {
    /// Word range `[start, end)`, including titles before a name.
    pub start: usize,
    pub end: usize,
    /// The name itself (mention span, or the capitalised words after the titles).
    pub head: Span,
    pub mention: Option<usize>,
    pub ety: Option<EntityType>,
    pub kind: CandKind,
    pub poss: bool,
    /// Lower-cased title words before the name ("president", "prime minister").
    pub title: String,
    /// A plural noun with a number ("the two leaders"): how many it refers to.
    pub count: Option<usize>,
}

/// Coordinated candidates ("Japan, South Korea and the United States").
#[derive(Clone, Debug)]
pub struct Group {
    pub cands: SmallVec<[usize; 4]>,
    pub start: usize,
    pub end: usize,
}

pub struct View<'d> {
    pub doc: &'d Document,
    pub index: usize,
    pub heading: bool,
    pub words: Vec<Word<'d>>,
    pub cands: Vec<Cand>,
    pub groups: Vec<Group>,
    /// Group index of each word, if the word is inside a group.
    pub group_of: Vec<Option<usize>>,
    /// Mention indices of MONEY and DATE mentions in the sentence, with word ranges.
    pub money: Vec<(usize, usize, usize)>,
    pub dates: Vec<(usize, usize, usize)>,
    /// Per word: the first candidate (in `cands` order) whose range contains it, so that
    /// [`View::cand_at`] is a lookup, not a scan of the candidates (`NONE` if none).
    cand_of: Vec<u32>,
    /// Words in text order, each ending no later than the next starts (so that ranges
    /// can be found by binary search).
    sorted: bool,
    /// Per word `i`: the first group starting at `i`, and the first ending at `i + 1`.
    group_start: Vec<u32>,
    group_end: Vec<u32>,
    /// References and groups were read (see [`View::new_if`]).
    complete: bool,
    /// For the drafter, found when first asked for: where a bullet's label ends.
    pub(crate) label: std::cell::OnceCell<usize>,
}

/// No candidate or group at this word (in the per-word indexes).
const NONE: u32 = u32::MAX;

fn slot(v: &[u32], i: usize) -> Option<usize> {
    v.get(i).copied().filter(|&x| x != NONE).map(|x| x as usize)
}

fn straighten(s: &str) -> String {
    s.replace(['’', '‘'], "'")
}

/// `text` lower-cased; `ascii_lower` is the same bytes ASCII-lower-cased (a slice of the
/// document lower-cased once), borrowed for ASCII words instead of allocating.
///
/// `span` is where `text` is; `ascii_lower` is sliced there only when it is needed.
fn lower_of<'a>(text: &'a str, span: Span, ascii_lower: &'a str) -> (Cow<'a, str>, bool) {
    // Most words are ASCII, where lower-casing is byte for byte and there is no curly
    // apostrophe to straighten; most are lower case already, and are borrowed. One pass
    // tells both.
    let mut high = 0u8;
    let mut upper = false;
    for &b in text.as_bytes() {
        high |= b;
        upper |= b.is_ascii_uppercase();
    }
    let mut l: Cow<str> = if high >= 0x80 {
        Cow::Owned(straighten(&text.to_lowercase()))
    } else if upper {
        match ascii_lower.get(span.start..span.end) {
            Some(lower) if lower.len() == text.len() => Cow::Borrowed(lower),
            _ => Cow::Owned(text.to_ascii_lowercase()),
        }
    } else {
        Cow::Borrowed(text)
    };
    if l.len() > 2 && l.as_bytes().ends_with(b"'s") {
        let n = l.len() - 2;
        match &mut l {
            Cow::Borrowed(b) => *b = &b[..n],
            Cow::Owned(o) => o.truncate(n),
        }
        return (l, true);
    }
    (l, false)
}

/// Byte spans of quoted text (“…”, "…"), over the whole document.
pub fn quote_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut straight: Option<usize> = None;
    let bytes = text.as_bytes();
    // Only `"`, a line break and the lead byte of `“`/`”` (E2 80 9C / E2 80 9D) matter:
    // jump between them rather than decoding every character.
    for i in memchr::memchr3_iter(b'"', b'\n', 0xE2, bytes) {
        match bytes[i] {
            0xE2 => match bytes.get(i + 1..i + 3) {
                Some([0x80, 0x9C]) => open = Some(i + 3),
                Some([0x80, 0x9D]) => {
                    if let Some(s) = open.take() {
                        out.push(Span::new(s, i));
                    }
                }
                _ => {}
            },
            b'"' => match straight.take() {
                Some(s) => out.push(Span::new(s, i)),
                None => straight = Some(i + 1),
            },
            // Paragraph breaks close nothing in wire copy (a quote may run on), but an
            // unclosed straight quote at a blank line is a typo: drop it.
            _ if bytes.get(i + 1) == Some(&b'\n') => straight = None,
            _ => {}
        }
    }
    out
}

/// Quoted passages, indexed so that "is this token quoted?" costs a binary search
/// rather than a scan of every quote in the document (which made long, quote-heavy
/// articles quadratic).
pub struct Quotes {
    /// Sorted by start.
    spans: Vec<Span>,
    /// `max_end[i]`: the largest end among `spans[..=i]`.
    max_end: Vec<usize>,
}

impl Quotes {
    pub fn new(mut spans: Vec<Span>) -> Quotes {
        spans.sort_by_key(|s| s.start);
        let mut max_end = Vec::with_capacity(spans.len());
        let mut m = 0;
        for s in &spans {
            m = m.max(s.end);
            max_end.push(m);
        }
        Quotes { spans, max_end }
    }

    /// Whether some quote contains `span` (as `quotes.iter().any(|q| q.contains(span))`).
    pub fn contains(&self, span: Span) -> bool {
        let k = self.spans.partition_point(|q| q.start <= span.start);
        k > 0 && self.max_end[k - 1] >= span.end
    }
}

impl<'d> View<'d> {
    /// `mentions`: the indices of the mentions of sentence `index`, in document order.
    ///
    /// `ascii_lower`: `doc.text` with ASCII letters lower-cased (`str::to_ascii_lowercase`),
    /// made once per document and shared by its sentences' views.
    pub fn new(
        doc: &'d Document,
        index: usize,
        quotes: &Quotes,
        mentions: &[usize],
        ascii_lower: &'d str,
    ) -> View<'d> {
        View::new_if(doc, index, quotes, mentions, ascii_lower, |_| true)
    }

    /// [`View::new`], but when `full` says no for the sentence's words, only the names
    /// are read: the candidates are the mentions and capitalised runs (with their titles,
    /// in the order `new` would give them) and there are no references or groups
    /// ([`View::complete`] is false); when none of them can be a person, there are no
    /// candidates either. For sentences no event can be read from, whose people are still
    /// wanted (for later pronouns and descriptors).
    pub fn new_if(
        doc: &'d Document,
        index: usize,
        quotes: &Quotes,
        mentions: &[usize],
        ascii_lower: &'d str,
        full: impl FnOnce(&[Word<'d>]) -> bool,
    ) -> View<'d> {
        let sentence = &doc.sentences[index];
        let mut heading = sentence.kind == SentenceKind::Heading;
        let toks = doc.sentence_tokens(index);
        let mut words: Vec<Word<'d>> = Vec::with_capacity(toks.len());
        // Counted as the words are made: capitalised words and words, for headlines.
        let (mut caps, mut wordn) = (0usize, 0usize);
        // Whether the words are in order without overlap (see `sorted`).
        let mut sorted = true;
        // Quotes starting at or before the current token: tokens come in text order, so
        // this only moves forward (a binary search when they do not).
        let mut quote_k = 0usize;
        let mut last_start = 0usize;
        for (k, t) in toks.iter().enumerate() {
            let text = doc.span_text(t.span);
            let b = text.as_bytes();
            // A segmenter may split the possessive off ("Tokyo" "’s"): fold it back.
            if matches!(b.len(), 2 | 4) && matches!(text, "'s" | "’s" | "'S" | "’S") {
                if let Some(prev) = words.last_mut() {
                    if prev.span.end == t.span.start {
                        prev.poss = true;
                        continue;
                    }
                }
            }
            let (lower, mut poss) = lower_of(text, t.span, ascii_lower);
            // `leaders’` : the apostrophe is its own token after a plural.
            if !poss && lower.as_bytes().last() == Some(&b's') {
                if let Some(next) = toks.get(k + 1) {
                    if next.span.start == t.span.end
                        && matches!(next.span.end.saturating_sub(next.span.start), 1 | 3)
                    {
                        let nt = doc.span_text(next.span);
                        if nt == "’" || nt == "'" {
                            poss = true;
                        }
                    }
                }
            }
            let start = t.span.start;
            if start >= last_start {
                while quotes.spans.get(quote_k).is_some_and(|q| q.start <= start) {
                    quote_k += 1;
                }
            } else {
                quote_k = quotes.spans.partition_point(|q| q.start <= start);
            }
            last_start = start;
            let quoted = quote_k > 0 && quotes.max_end[quote_k - 1] >= t.span.end;
            debug_assert_eq!(quoted, quotes.contains(t.span));
            let cap = match b.first() {
                Some(&c) if c < 0x80 => c.is_ascii_uppercase(),
                Some(_) => text.chars().next().is_some_and(char::is_uppercase),
                None => false,
            };
            if t.kind == TokenKind::Word {
                wordn += 1;
                caps += usize::from(cap);
            }
            sorted &= t.span.start <= t.span.end
                && words.last().map_or(true, |p| p.span.end <= t.span.start);
            words.push(Word {
                span: t.span,
                text,
                lower,
                kind: t.kind,
                cap,
                poss,
                quoted,
            });
        }
        // Title Case headlines: most words capitalised and no final stop.
        if wordn >= 3 && caps * 3 >= wordn * 2 && !doc.span_text(sentence.span).ends_with('.') {
            heading = true;
        }
        let mut v = View {
            doc,
            index,
            heading,
            words,
            cands: Vec::new(),
            groups: Vec::new(),
            group_of: Vec::new(),
            money: Vec::new(),
            dates: Vec::new(),
            cand_of: Vec::new(),
            sorted,
            group_start: Vec::new(),
            group_end: Vec::new(),
            complete: true,
            label: std::cell::OnceCell::new(),
        };
        v.complete = full(&v.words);
        // A names-only view is read for its people; with no word or mention any could
        // come from, it has no candidates at all.
        if v.complete || v.may_name_people(mentions) {
            v.build_cands(mentions);
        }
        if v.complete {
            v.build_groups();
        }
        v
    }

    /// Whether a person could be among the candidates: a PERSON mention, a dashed name
    /// (its halves may name people elsewhere) or a title or nationality word (a
    /// capitalised run is a person only after one). Looser than the candidates, never
    /// stricter.
    fn may_name_people(&self, mentions: &[usize]) -> bool {
        let doc = self.doc;
        mentions.iter().any(|&mi| {
            doc.mentions.get(mi).is_some_and(|m| match m.ty {
                EntityType::Person => true,
                EntityType::Money | EntityType::Date | EntityType::Misc => false,
                _ => memchr::memchr(b'-', doc.span_text(m.span).as_bytes()).is_some(),
            })
        }) || self.words.iter().any(|w| {
            let l = w.lower.as_ref();
            TITLE_SET.contains(l) || DEMONYM_SET.contains(l)
        })
    }

    /// Whether the view has references and groups (see [`View::new_if`]).
    pub fn complete(&self) -> bool {
        self.complete
    }

    pub fn lw(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.lower.as_ref())
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Word range covering a byte span.
    fn word_range(&self, span: Span) -> Option<(usize, usize)> {
        let (s, e) = if self.sorted {
            // Words in text order with no overlap: both scans are binary searches.
            let s = self.words.partition_point(|w| w.span.end <= span.start);
            let e = self.words.partition_point(|w| w.span.start < span.end);
            if s >= self.words.len() || e == 0 {
                return None;
            }
            (s, e - 1)
        } else {
            (
                self.words.iter().position(|w| w.span.end > span.start)?,
                self.words.iter().rposition(|w| w.span.start < span.end)?,
            )
        };
        (s <= e).then_some((s, e + 1))
    }

    pub fn is_title(&self, i: usize) -> bool {
        TITLE_SET.contains(self.lw(i))
    }

    pub fn is_prep(&self, i: usize) -> bool {
        PREPOSITION_SET.contains(self.lw(i))
    }

    pub fn is_det(&self, i: usize) -> bool {
        is_determiner(self.lw(i))
    }

    /// The candidate whose word range contains word `i`.
    pub fn cand_at(&self, i: usize) -> Option<usize> {
        slot(&self.cand_of, i)
    }

    fn build_cands(&mut self, mentions: &[usize]) {
        let doc = self.doc;
        let si = self.index;
        let mut cands: Vec<Cand> = Vec::with_capacity(mentions.len() + 4);
        for &mi in mentions {
            let Some(m) = doc.mentions.get(mi) else {
                continue;
            };
            if m.sentence != si {
                continue;
            }
            let Some((s, e)) = self.word_range(m.span) else {
                continue;
            };
            match m.ty {
                EntityType::Money => {
                    self.money.push((mi, s, e));
                    continue;
                }
                EntityType::Date => {
                    self.dates.push((mi, s, e));
                    continue;
                }
                EntityType::Misc => continue,
                _ => {}
            }
            if self.words[s..e].iter().all(|w| w.quoted) {
                continue;
            }
            // A NORP that is an adjective ("Chinese President") is not a filler by itself.
            let poss = self.words[e - 1].poss;
            cands.push(Cand {
                start: s,
                end: e,
                head: m.span,
                mention: Some(mi),
                ety: Some(m.ty),
                kind: CandKind::Named,
                poss,
                title: String::new(),
                count: None,
            });
        }
        cands.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
        // Overlapping mentions: keep the longest.
        let mut kept: Vec<Cand> = Vec::with_capacity(cands.len() + 4);
        for c in cands {
            if kept.iter().any(|k| k.head.overlaps(c.head)) {
                continue;
            }
            kept.push(c);
        }
        // "US-China" recognised as one name: two parties when both halves name things
        // elsewhere in the article.
        let mut split: Vec<Cand> = Vec::new();
        kept.retain(|c| {
            let text = doc.span_text(c.head);
            let Some(dash) = memchr::memchr(b'-', text.as_bytes()) else {
                return true;
            };
            let (a, b) = (&text[..dash], &text[dash + 1..]);
            // An empty half is never used (below), so it is not looked for; a mention
            // whose span is not as long as the part is not compared.
            let known = |part: &str| {
                if part.is_empty() {
                    return None;
                }
                doc.mentions
                    .iter()
                    .find(|m| {
                        m.span.end.wrapping_sub(m.span.start) == part.len()
                            && doc.span_text(m.span) == part
                            && m.span != c.head
                    })
                    .map(|m| m.ty)
            };
            match (known(a), known(b)) {
                (Some(ta), Some(tb)) if !a.is_empty() && !b.is_empty() => {
                    for (s, e, ty) in [
                        (c.head.start, c.head.start + dash, ta),
                        (c.head.start + dash + 1, c.head.end, tb),
                    ] {
                        split.push(Cand {
                            head: Span::new(s, e),
                            mention: None,
                            ety: Some(ty),
                            kind: CandKind::Proper,
                            ..c.clone()
                        });
                    }
                    false
                }
                _ => true,
            }
        });
        kept.extend(split);
        let mut cands = kept;
        // Capitalised runs the recognisers missed (not in headings, where every word is
        // capitalised).
        if !self.heading {
            let n = self.words.len();
            // The words the mentions cover. The runs pushed below never cover a word asked
            // about later (each run ends before the next word looked at), so this is the
            // same as asking the growing list.
            let mask = coverage(&cands, n);
            let covered = |j: usize| mask.get(j).copied().unwrap_or(false);
            let mut i = 0;
            while i < n {
                if !self.is_name_word(i) || covered(i) {
                    i += 1;
                    continue;
                }
                let mut j = i + 1;
                while j < n && !covered(j) {
                    let particle = matches!(
                        self.lw(j),
                        "of" | "bin"
                            | "da"
                            | "de"
                            | "von"
                            | "der"
                            | "al"
                            | "van"
                            | "del"
                            | "la"
                            | "the"
                    ) && j + 1 < n
                        && self.is_name_word(j + 1)
                        && !covered(j + 1)
                        && !(self.lw(j) == "the" && self.lw(j - 1) != "of");
                    if (self.is_name_word(j) && !self.words[j - 1].poss) || particle {
                        j += 1;
                    } else {
                        break;
                    }
                }
                // Strip leading titles and nationality words: "Chinese President Xi".
                let mut h = i;
                while h < j && (self.is_title(h) || DEMONYM_SET.contains(self.lw(h))) {
                    h += 1;
                }
                // Trailing "of"/"the" never end a name.
                let mut e = j;
                while e > h && matches!(self.lw(e - 1), "of" | "the") {
                    e -= 1;
                }
                let single_initial = e == h + 1 && h == self.first_word();
                let skip = h >= e
                    || (single_initial && common_cap(self.lw(h)))
                    || (e == h + 1 && common_cap(self.lw(h)) && h == i)
                    || self.words[h..e].iter().all(|w| {
                        weekday_or_month(w.lower.as_ref()) || DEMONYM_SET.contains(w.lower.as_ref())
                    });
                if !skip {
                    let title = self.words[i..h]
                        .iter()
                        .map(|w| w.lower.as_ref())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let ety = (!title.is_empty()).then_some(EntityType::Person);
                    cands.push(Cand {
                        start: i,
                        end: e,
                        head: Span::new(self.words[h].span.start, self.words[e - 1].span.end),
                        mention: None,
                        ety,
                        kind: CandKind::Proper,
                        poss: self.words[e - 1].poss,
                        title,
                        count: None,
                    });
                }
                i = j.max(i + 1);
            }
        }
        cands.sort_by_key(|c| c.start);
        // Titles and nationality words before a person extend the candidate leftwards, and a
        // place or NORP mention inside that run is a modifier, not a filler.
        let mut drop = vec![false; cands.len()];
        for k in 0..cands.len() {
            let is_person = cands[k].ety == Some(EntityType::Person)
                || (cands[k].kind == CandKind::Proper && self.titled_before(cands[k].start));
            if !is_person {
                continue;
            }
            let mut s = cands[k].start;
            let mut title_words = Vec::new();
            loop {
                if s == 0 {
                    break;
                }
                let p = s - 1;
                let prev_cand = (0..k).rev().find(|&j| cands[j].end == p + 1 && !drop[j]);
                if let Some(j) = prev_cand {
                    let jc = &cands[j];
                    let titled = !title_words.is_empty() || !cands[k].title.is_empty();
                    let modifier = matches!(
                        jc.ety,
                        Some(EntityType::Place | EntityType::Norp | EntityType::Org)
                    ) && titled;
                    if modifier || (jc.poss && titled) {
                        drop[j] = true;
                        s = jc.start;
                        continue;
                    }
                    break;
                }
                if self.is_title(p)
                    || (DEMONYM_SET.contains(self.lw(p)) && !self.words[p].poss)
                    || (self.lw(p) == "of" && p > 0 && self.lw(p - 1) == "secretary")
                {
                    title_words.push(self.lw(p).to_string());
                    s = p;
                    continue;
                }
                if let Some(j) = prev_cand {
                    let jc = &cands[j];
                    let modifier = matches!(
                        jc.ety,
                        Some(EntityType::Place | EntityType::Norp | EntityType::Org)
                    ) && !title_words.is_empty();
                    if modifier || (jc.poss && !title_words.is_empty()) {
                        drop[j] = true;
                        s = jc.start;
                        continue;
                    }
                }
                break;
            }
            // A determiner or possessive pronoun before a title ("his Turkish counterpart").
            if !title_words.is_empty() && s > 0 && self.is_det(s - 1) {
                s -= 1;
            }
            // Apposition: "the newly elected Japanese Prime Minister, Sanae Takaichi".
            if s > 1 && self.lw(s - 1) == "," {
                let mut q = s - 1;
                let mut saw_title = false;
                while q > 0 && (self.is_title(q - 1) || DEMONYM_SET.contains(self.lw(q - 1))) {
                    q -= 1;
                    saw_title = true;
                }
                if saw_title {
                    for w in (q..s - 1).rev() {
                        title_words.push(self.lw(w).to_string());
                    }
                    if q > 0 && (self.is_det(q - 1) || self.words[q - 1].poss) {
                        q -= 1;
                    }
                    for (j, c) in cands.iter().enumerate() {
                        if c.start >= q && c.end < s {
                            drop[j] = true;
                        }
                    }
                    s = q;
                }
            }
            title_words.reverse();
            let c = &mut cands[k];
            c.start = s;
            if c.title.is_empty() {
                c.title = title_words
                    .into_iter()
                    .filter(|w| !DEMONYM_SET.contains(w.as_str()) || w == "new")
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        let mut cands: Vec<Cand> = cands
            .into_iter()
            .zip(drop)
            .filter(|(_, d)| !d)
            .map(|(c, _)| c)
            .collect();
        // Stable sorting below keeps the names in the same order without the references.
        if self.complete {
            self.add_references(&mut cands);
        }
        cands.sort_by_key(|c| c.start);
        let mut cand_of = vec![NONE; self.words.len()];
        for (k, c) in cands.iter().enumerate() {
            for slot in cand_of.iter_mut().take(c.end).skip(c.start) {
                if *slot == NONE {
                    *slot = k as u32;
                }
            }
        }
        self.cand_of = cand_of;
        self.cands = cands;
    }

    fn first_word(&self) -> usize {
        self.words
            .iter()
            .position(|w| w.kind == TokenKind::Word)
            .unwrap_or(0)
    }

    fn titled_before(&self, i: usize) -> bool {
        i > 0 && self.is_title(i - 1)
    }

    /// A capitalised word that can be part of a name.
    fn is_name_word(&self, i: usize) -> bool {
        let w = &self.words[i];
        if w.quoted || !w.cap {
            return false;
        }
        if w.kind != TokenKind::Word {
            return false;
        }
        !matches!(w.lower.as_ref(), "i" | "i'm" | "it's" | "we" | "they")
    }

    /// Descriptors, plural references and pronouns.
    fn add_references(&self, cands: &mut Vec<Cand>) {
        let n = self.words.len();
        // What the candidates so far cover. A reference pushed below covers words before
        // the next one looked at (lookaheads included), so the mask of the candidates on
        // entry answers as the growing list would.
        let mask = coverage(cands, n);
        let covered = |_: &Vec<Cand>, j: usize| mask.get(j).copied().unwrap_or(false);
        let mut i = 0;
        while i < n {
            if covered(cands, i) || self.words[i].quoted {
                i += 1;
                continue;
            }
            let l = self.lw(i);
            // Pronouns.
            if matches!(l, "he" | "she" | "him" | "his" | "her" | "it") {
                cands.push(self.simple(i, i + 1, CandKind::Pronoun));
                i += 1;
                continue;
            }
            if matches!(l, "they" | "their" | "them") {
                let mut c = self.simple(i, i + 1, CandKind::Plural);
                c.poss = l == "their";
                cands.push(c);
                i += 1;
                continue;
            }
            // Plural references need a determiner: "the leaders", "both leaders", "the two sides".
            if matches!(l, "the" | "both" | "these" | "all") {
                let mut j = i + 1;
                let mut count = (l == "both").then_some(2);
                while j < n && matches!(self.lw(j), "two" | "three" | "four" | "both" | "new") {
                    count = match self.lw(j) {
                        "two" | "both" => Some(2),
                        "three" => Some(3),
                        "four" => Some(4),
                        _ => count,
                    };
                    j += 1;
                }
                if j < n && PLURAL_REFS_SET.contains(self.lw(j)) {
                    // "the foreign ministers of Japan and China": the names are the fillers.
                    let of_names = self.lw(j + 1) == "of" && covered(cands, j + 2)
                        || (self.lw(j + 1) == "of"
                            && self.lw(j + 2) == "the"
                            && covered(cands, j + 3));
                    if !of_names {
                        let mut c = self.simple(i, j + 1, CandKind::Plural);
                        c.count = count;
                        c.poss = self.words[j].poss;
                        cands.push(c);
                    }
                    i = j + 1;
                    continue;
                }
            }
            // Descriptors: "the prime minister", "the new Prime Minister", "the company".
            if matches!(l, "the" | "a" | "its" | "his" | "her") {
                let mut j = i + 1;
                while j < n && matches!(self.lw(j), "new" | "newly" | "elected" | "former" | "late")
                {
                    j += 1;
                }
                // After every determiner: only the roles starting with the next word, in
                // list order, are tried.
                let roles = roles_by_first()
                    .get(self.lw(j))
                    .map_or(&[][..], Vec::as_slice);
                for &(role, ref parts) in roles {
                    let ok = parts.iter().enumerate().all(|(k, p)| self.lw(j + k) == *p);
                    let end = j + parts.len();
                    if ok && !covered(cands, end) && !(end < n && self.is_name_word(end)) {
                        let mut c = self.simple(i, end, CandKind::Descriptor(role.to_string()));
                        c.head = Span::new(self.words[j].span.start, self.words[end - 1].span.end);
                        c.poss = self.words[end - 1].poss;
                        cands.push(c);
                        i = end;
                        break;
                    }
                }
                if i >= j {
                    continue;
                }
            }
            i += 1;
        }
    }

    fn simple(&self, s: usize, e: usize, kind: CandKind) -> Cand {
        Cand {
            start: s,
            end: e,
            head: Span::new(self.words[s].span.start, self.words[e - 1].span.end),
            mention: None,
            ety: None,
            kind,
            poss: self.words[e - 1].poss,
            title: String::new(),
            count: None,
        }
    }

    fn build_groups(&mut self) {
        let n = self.cands.len();
        let mut groups: Vec<Group> = Vec::new();
        let mut k = 0;
        while k < n {
            let mut members: SmallVec<[usize; 4]> = smallvec![k];
            // Whether the last link was an "and" (none yet: `None`).
            let mut last_and: Option<bool> = None;
            let mut j = k;
            while j + 1 < n {
                let a = &self.cands[j];
                let b = &self.cands[j + 1];
                if a.poss {
                    break;
                }
                // At most three words can link; longer gaps are no link (no Vec per pair).
                let gap = b.start.saturating_sub(a.end);
                if gap > 3 {
                    break;
                }
                let mut words = [""; 3];
                for (slot, w) in words.iter_mut().zip(a.end..b.start) {
                    *slot = self.lw(w);
                }
                let between = &words[..gap];
                let link = match between {
                    ["and"] | ["and", "the"] | ["&"] | [",", "and"] | [",", "and", "the"] => {
                        Some(true)
                    }
                    [","] | [",", "the"] => Some(false),
                    ["as", "well", "as"] => Some(true),
                    _ => None,
                };
                let Some(is_and) = link else { break };
                // A comma joins list members of one kind only ("on China, President Trump
                // and …" is no list).
                if between.first() == Some(&",") && a.ety != b.ety {
                    break;
                }
                // Names of different kinds joined by a bare comma are appositions.
                members.push(j + 1);
                last_and = Some(is_and);
                j += 1;
                if is_and {
                    // A list ends at its "and", unless another comma-list follows.
                    break;
                }
            }
            // Only comma links and no final "and": an apposition ("Tokyo, Japan"); keep the first.
            if !last_and.unwrap_or(true) {
                members.truncate(1);
            }
            let start = self.cands[members[0]].start;
            let end = self.cands[*members.last().unwrap_or(&k)].end;
            let next = members.last().copied().unwrap_or(k) + 1;
            groups.push(Group {
                cands: members,
                start,
                end,
            });
            k = next.max(k + 1);
        }
        let mut group_of = vec![None; self.words.len()];
        for (g, grp) in groups.iter().enumerate() {
            for slot in group_of.iter_mut().take(grp.end).skip(grp.start) {
                *slot = Some(g);
            }
        }
        // The first group (in order) starting at / ending after each word; ranges past
        // the words (none expected) are looked up by scanning, as before.
        let n = self.words.len();
        let mut group_start = vec![NONE; n];
        let mut group_end = vec![NONE; n];
        for (g, grp) in groups.iter().enumerate() {
            if let Some(s) = group_start.get_mut(grp.start) {
                if *s == NONE {
                    *s = g as u32;
                }
            }
            if let Some(e) = grp.end.checked_sub(1).and_then(|e| group_end.get_mut(e)) {
                if *e == NONE {
                    *e = g as u32;
                }
            }
        }
        self.groups = groups;
        self.group_of = group_of;
        self.group_start = group_start;
        self.group_end = group_end;
    }

    /// The group that ends exactly at word `i` (inclusive end `i + 1`).
    pub fn group_ending_at(&self, i: usize) -> Option<usize> {
        slot(&self.group_end, i)
    }

    pub fn group_starting_at(&self, i: usize) -> Option<usize> {
        slot(&self.group_start, i)
    }

    /// Text of words `[s, e)` as a byte span (empty span if the range is empty).
    pub fn span_of(&self, s: usize, e: usize) -> Option<Span> {
        if s >= e || e > self.words.len() {
            return None;
        }
        Some(Span::new(
            self.words[s].span.start,
            self.words[e - 1].span.end,
        ))
    }
}

/// Which of `n` words the candidates' ranges cover (ranges past `n` widen it).
fn coverage(cands: &[Cand], n: usize) -> Vec<bool> {
    let len = cands.iter().map(|c| c.end).max().unwrap_or(0).max(n);
    let mut mask = vec![false; len];
    for c in cands {
        for m in mask.iter_mut().take(c.end).skip(c.start) {
            *m = true;
        }
    }
    mask
}

/// One of [`DETERMINERS`] (as a `match`, which compiles to a length switch rather than a
/// scan of the list).
fn is_determiner(w: &str) -> bool {
    let hit = matches!(
        w,
        "the"
            | "a"
            | "an"
            | "this"
            | "that"
            | "these"
            | "those"
            | "its"
            | "his"
            | "her"
            | "their"
            | "our"
            | "both"
            | "two"
            | "three"
            | "four"
            | "all"
            | "another"
            | "each"
            | "every"
            | "some"
            | "any"
    );
    debug_assert_eq!(hit, DETERMINERS.contains(&w));
    hit
}

/// A common word that is capitalised for other reasons than being a name: one of
/// [`COMMON_CAPS`] or a full weekday or month name.
fn common_cap(lower: &str) -> bool {
    COMMON_CAPS_SET.contains(lower)
        || crate::time::weekday(lower).is_some()
        || crate::time::month_number(lower).is_some_and(|(_, abbreviation)| !abbreviation)
}

/// A weekday or month name other than "may" (a verb far more often), lower-cased.
fn weekday_or_month(lower: &str) -> bool {
    lower != "may"
        && (crate::time::month_number(lower).is_some() || crate::time::weekday(lower).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character-by-character definition `quote_spans` must agree with.
    fn reference(text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let (mut open, mut straight) = (None, None);
        for (i, c) in text.char_indices() {
            match c {
                '“' => open = Some(i + c.len_utf8()),
                '”' => {
                    if let Some(s) = open.take() {
                        out.push(Span::new(s, i));
                    }
                }
                '"' => match straight.take() {
                    Some(s) => out.push(Span::new(s, i)),
                    None => straight = Some(i + 1),
                },
                '\n' if text[i..].starts_with("\n\n") => straight = None,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn quote_spans_match_the_character_scan() {
        let cases = [
            "",
            "He said “we will” — and “again”.",
            "“Unclosed … “nested” ”",
            "\"straight\" and \"open\n\nthen\" closed",
            "\"a\n\"b\" \"c\n\n",
            "”“ ’‘ “‘single’” \"“mixed”\" – ¥5 €3 “",
            "line\nbreak \"x\ny\" end\n",
        ];
        for text in cases {
            assert_eq!(quote_spans(text), reference(text), "{text:?}");
        }
    }
}
