//! Token features for the statistical tagger: text normalisation, shapes, affixes, word
//! clusters, gazetteer bits, sentence position and document-level cues, all hashed into
//! 64-bit keys so training and tagging share one code path and the model stores no strings.
//!
//! Owns what a feature *is*; does not score or decode (see `model`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Number of word-cluster granularities per word.
pub const N_CLUSTERS: usize = 3;
/// Values per word in the lexicon: the clusters, then the casing code ([`casing_code`]).
pub const N_LEX: usize = N_CLUSTERS + 1;

/// Types the tagger predicts, in label order.
pub const TYPES: [&str; 4] = ["PER", "LOC", "ORG", "MISC"];
pub const N_TYPES: usize = TYPES.len();

/// Gazetteer classes a token can be inside, as feature bits.
pub const GAZ_CLASSES: usize = 5; // PERSON, PLACE, ORG, NORP, other

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// splitmix64's finaliser: a fast, stable, well-mixing permutation.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over bytes, then mixed. Stable across platforms and Rust versions (unlike
/// `DefaultHasher`), which the model file depends on.
#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

#[inline]
pub fn key(template: u64, value: u64) -> u64 {
    mix(template.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ value)
}

#[inline]
pub fn key2(template: u64, a: u64, b: u64) -> u64 {
    key(template, mix(a ^ b.rotate_left(17)))
}

// Token flags.
pub const INIT_CAP: u16 = 1;
pub const ALL_CAPS: u16 = 2;
pub const HAS_LOWER: u16 = 4;
pub const HAS_DIGIT: u16 = 8;
pub const HAS_ALPHA: u16 = 16;
pub const PUNCT: u16 = 32;
pub const HAS_HYPHEN: u16 = 64;

/// What the feature templates need to know about one token, computed once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokInfo {
    /// Hash of the normalised text (digits mapped to `0`).
    pub word: u64,
    /// Hash of its lower-cased form; also the key of the cluster table.
    pub lower: u64,
    pub shape: u64,
    pub prefix: [u64; 4],
    pub suffix: [u64; 4],
    /// How many of `prefix`/`suffix` are set (the token's length in chars, at most 4).
    pub affixes: u8,
    /// Length bucket: 1, 2, 3, 4, 5+ chars.
    pub len: u8,
    /// Cluster id + 1 at each granularity, 0 for a word without a cluster.
    pub clusters: [u16; N_CLUSTERS],
    pub flags: u16,
    /// How the word is written in the training text ([`casing_code`]), 0 if unseen.
    pub lexcase: u16,
    /// Gazetteer bits: class * 4 + position (0 begin, 1 inside, 2 last, 3 unit).
    pub gaz: u32,
}

impl TokInfo {
    pub fn capitalised(&self) -> bool {
        self.flags & (INIT_CAP | ALL_CAPS) != 0
    }
}

/// Maps typography that news text uses and CoNLL's Reuters text does not onto the CoNLL
/// spelling (curly quotes, dashes, ellipsis), and digits onto `0`.
pub fn normalize_into(raw: &str, out: &mut String) {
    out.clear();
    for c in raw.chars() {
        match c {
            '‘' | '’' | '‛' | '′' | '`' | '´' => out.push('\''),
            '“' | '”' | '„' | '″' | '«' | '»' => out.push('"'),
            '–' | '—' | '−' | '‐' | '‑' => out.push('-'),
            '…' => out.push_str("..."),
            '0'..='9' => out.push('0'),
            c if c.is_numeric() => out.push('0'),
            c => out.push(c),
        }
    }
}

/// Word lexicon learnt from the training text, keyed by [`TokInfo::lower`]: cluster ids
/// and the casing code.
#[derive(Clone, Debug, Default)]
pub struct ClusterTable {
    pub map: IdMap<[u16; N_LEX]>,
}

/// A code for how a word is written where case shows (mid-sentence, not in an upper-case
/// headline): never seen, seen only where case is hidden, or the share of capitalised
/// occurrences in buckets, split by frequency. Names are almost never written lower-case.
pub fn casing_code(lower: u32, capitalised: u32, hidden: u32) -> u16 {
    if lower + capitalised == 0 {
        return u16::from(hidden > 0);
    }
    let share = f64::from(capitalised) / f64::from(lower + capitalised);
    let bucket = if capitalised == 0 {
        0
    } else if share < 0.1 {
        1
    } else if share < 0.5 {
        2
    } else if share < 0.9 {
        3
    } else if lower > 0 {
        4
    } else {
        5
    };
    2 + bucket * 2 + u16::from(lower + capitalised >= 5)
}

/// Scratch buffers reused across tokens so featurising allocates nothing per token.
#[derive(Default)]
pub struct Scratch {
    norm: String,
    lower: String,
    shape: String,
}

/// Computes a token's [`TokInfo`] (gazetteer bits are left at 0 for the caller).
pub fn token_info(raw: &str, clusters: &ClusterTable, s: &mut Scratch) -> TokInfo {
    normalize_into(raw, &mut s.norm);
    s.lower.clear();
    s.shape.clear();
    let mut flags = 0u16;
    let mut n_chars = 0usize;
    let mut all_upper = true;
    let mut last_shape = '\0';
    let mut shape_len = 0;
    for (k, c) in s.norm.chars().enumerate() {
        n_chars += 1;
        let sc = if c.is_uppercase() {
            if k == 0 {
                flags |= INIT_CAP;
            }
            flags |= HAS_ALPHA;
            'X'
        } else if c.is_lowercase() {
            flags |= HAS_ALPHA | HAS_LOWER;
            all_upper = false;
            'x'
        } else if c.is_numeric() {
            flags |= HAS_DIGIT;
            'd'
        } else if c.is_alphabetic() {
            flags |= HAS_ALPHA;
            'x'
        } else {
            if c == '-' {
                flags |= HAS_HYPHEN;
            }
            if c.is_ascii() {
                c
            } else {
                '*'
            }
        };
        for l in c.to_lowercase() {
            s.lower.push(l);
        }
        if sc != last_shape && shape_len < 8 {
            s.shape.push(sc);
            shape_len += 1;
            last_shape = sc;
        }
    }
    if flags & HAS_ALPHA != 0 && all_upper {
        flags |= ALL_CAPS;
    }
    if flags & (HAS_ALPHA | HAS_DIGIT) == 0 {
        flags |= PUNCT;
    }
    let lower = hash_bytes(s.lower.as_bytes());
    let lex = clusters.map.get(&lower).copied().unwrap_or_default();
    let mut info = TokInfo {
        word: hash_bytes(s.norm.as_bytes()),
        lower,
        shape: hash_bytes(s.shape.as_bytes()),
        flags,
        len: n_chars.clamp(1, 5) as u8,
        clusters: [lex[0], lex[1], lex[2]],
        lexcase: lex[N_CLUSTERS],
        ..TokInfo::default()
    };
    // Affixes of the lower-cased form, by chars (never splitting UTF-8).
    let n = n_chars.min(4);
    info.affixes = n as u8;
    let bytes = s.lower.as_bytes();
    let mut ends = [bytes.len(); 4];
    for (k, (b, _)) in s.lower.char_indices().skip(1).take(4).enumerate() {
        ends[k] = b;
    }
    let mut starts = [0usize; 4];
    for (k, (b, _)) in s.lower.char_indices().rev().take(4).enumerate() {
        starts[k] = b;
    }
    for k in 0..n {
        info.prefix[k] = hash_bytes(&bytes[..ends[k]]);
        info.suffix[k] = hash_bytes(&bytes[starts[k]..]);
    }
    info
}

/// Sentence-wide context.
#[derive(Clone, Copy, Debug, Default)]
pub struct SentCtx {
    /// Every word with letters is upper-case (a CoNLL headline, a shouted heading).
    pub all_caps: bool,
}

impl SentCtx {
    pub fn of(toks: &[TokInfo]) -> SentCtx {
        let words = toks.iter().filter(|t| t.flags & HAS_ALPHA != 0).count();
        let caps = toks.iter().filter(|t| t.flags & ALL_CAPS != 0).count();
        SentCtx {
            all_caps: words >= 2 && caps == words,
        }
    }
}

/// Document-level casing: how often each lower-cased word is written in lower case, and
/// capitalised in mid-sentence, anywhere in the article. Tells a headline or
/// sentence-initial "Bank" from a name.
#[derive(Default)]
pub struct DocCasing {
    counts: IdMap<(u16, u16)>,
}

/// Per word: written lower-case, capitalised where case shows, and seen where case is
/// hidden (sentence start, upper-case headline). The counts behind [`casing_code`].
pub fn count_casing(sentences: &[Vec<TokInfo>], counts: &mut IdMap<[u32; 3]>) {
    for s in sentences {
        let ctx = SentCtx::of(s);
        for (i, t) in s.iter().enumerate() {
            if t.flags & HAS_ALPHA == 0 {
                continue;
            }
            let e = counts.entry(t.lower).or_default();
            if i == 0 || ctx.all_caps {
                e[2] += 1;
            } else if t.capitalised() {
                e[1] += 1;
            } else {
                e[0] += 1;
            }
        }
    }
}

impl DocCasing {
    pub fn new(sentences: &[Vec<TokInfo>]) -> DocCasing {
        // Sized for every token at once (at most that many words): growing it was a
        // rehash or two per article.
        let tokens = sentences.iter().map(Vec::len).sum();
        let mut counts: IdMap<(u16, u16)> =
            IdMap::with_capacity_and_hasher(tokens, Default::default());
        for s in sentences {
            let ctx = SentCtx::of(s);
            for (i, t) in s.iter().enumerate() {
                if t.flags & HAS_ALPHA == 0 {
                    continue;
                }
                let e = counts.entry(t.lower).or_default();
                if t.flags & (INIT_CAP | ALL_CAPS) == 0 {
                    e.0 = e.0.saturating_add(1);
                } else if i > 0 && !ctx.all_caps {
                    e.1 = e.1.saturating_add(1);
                }
            }
        }
        DocCasing { counts }
    }

    /// A code for a capitalised token: whether its word is seen lower-case elsewhere,
    /// capitalised in mid-sentence elsewhere, and whether its own position hides its case.
    pub fn code(&self, t: &TokInfo, i: usize, ctx: SentCtx) -> u64 {
        if !t.capitalised() {
            return 0;
        }
        let hidden = i == 0 || ctx.all_caps;
        let (lc, mut cap) = self.counts.get(&t.lower).copied().unwrap_or_default();
        if !hidden {
            cap = cap.saturating_sub(1);
        }
        1 + u64::from(lc > 0) + 2 * u64::from(cap > 0) + 4 * u64::from(hidden)
    }
}

const BOS: TokInfo = TokInfo {
    word: 0x1111,
    lower: 0x1111,
    shape: 0x1111,
    prefix: [0; 4],
    suffix: [0; 4],
    affixes: 0,
    len: 0,
    clusters: [0xfff0; N_CLUSTERS],
    flags: 0,
    lexcase: 0,
    gaz: 0,
};
const EOS: TokInfo = TokInfo {
    word: 0x2222,
    lower: 0x2222,
    shape: 0x2222,
    prefix: [0; 4],
    suffix: [0; 4],
    affixes: 0,
    len: 0,
    clusters: [0xfff1; N_CLUSTERS],
    flags: 0,
    lexcase: 0,
    gaz: 0,
};

/// The pseudo-words before the sentence start and after its end.
pub const BOUNDARIES: [TokInfo; 2] = [BOS, EOS];

#[inline]
fn at(toks: &[TokInfo], i: isize) -> &TokInfo {
    if i < 0 {
        &BOS
    } else {
        toks.get(i as usize).unwrap_or(&EOS)
    }
}

/// Feature template ids. Changing any of them changes every key: retrain after.
mod t {
    pub const BIAS: u64 = 1;
    pub const WORD: u64 = 2;
    pub const LOWER: u64 = 3;
    pub const SHAPE: u64 = 4;
    pub const PREFIX: u64 = 10; // + n
    pub const SUFFIX: u64 = 20; // + n
    pub const LOWER_M1: u64 = 30;
    pub const LOWER_P1: u64 = 31;
    pub const LOWER_M2: u64 = 32;
    pub const LOWER_P2: u64 = 33;
    pub const WORD_M1: u64 = 34;
    pub const WORD_P1: u64 = 35;
    pub const SHAPE_M1: u64 = 40;
    pub const SHAPE_P1: u64 = 41;
    pub const SHAPE_M1_0: u64 = 42;
    pub const SHAPE_0_P1: u64 = 43;
    pub const SHAPE_M1_0_P1: u64 = 44;
    pub const LOWER_M1_0: u64 = 45;
    pub const LOWER_0_P1: u64 = 46;
    pub const CLUSTER: u64 = 50; // + granularity
    pub const CLUSTER_M1: u64 = 55; // + granularity
    pub const CLUSTER_P1: u64 = 60; // + granularity
    pub const CLUSTER_M2: u64 = 65;
    pub const CLUSTER_P2: u64 = 66;
    pub const FIRST_SHAPE: u64 = 70;
    pub const CAPS_SENT_LOWER: u64 = 71;
    pub const CAPS_SENT_SHAPE: u64 = 72;
    pub const LEN_SHAPE: u64 = 73;
    pub const CASING: u64 = 74;
    pub const CASING_SHAPE: u64 = 75;
    pub const LEXCASE: u64 = 76;
    pub const LEXCASE_HIDDEN: u64 = 77;
    pub const LEXCASE_SHAPE: u64 = 78;
    pub const GAZ: u64 = 80;
    pub const GAZ_M1: u64 = 81;
    pub const GAZ_P1: u64 = 82;
    pub const GAZ_LOWER: u64 = 83;
    // Second pass.
    pub const P1: u64 = 100;
    pub const P1_M1: u64 = 101;
    pub const P1_P1: u64 = 102;
    pub const P1_M1_P1: u64 = 103;
    pub const AGG: u64 = 110;
    pub const AGG_MAJ: u64 = 111;
    pub const AGG_MAJ_P1: u64 = 112;
    pub const AGG_MAJ_HIDDEN: u64 = 113;
    pub const AGG_MAJ_SHAPE: u64 = 114;
}

/// The parts a word plays in the first-pass window: the token itself, or the word one or
/// two before or after it. A word's features in one role depend on that word alone (not on
/// its gazetteer bits or position), which lets the tagger cache their scores per word.
pub const ROLES: usize = 5;
pub const ROLE_SELF: usize = 0;
/// The word is the previous token (`-1`) of the token it scores.
pub const ROLE_M1: usize = 1;
/// The word is the next token (`+1`) of the token it scores.
pub const ROLE_P1: usize = 2;
pub const ROLE_M2: usize = 3;
pub const ROLE_P2: usize = 4;

/// Features of word `w` in one [`ROLES`] role: a pure function of the word.
pub fn word_features(w: &TokInfo, role: usize, out: &mut Vec<u64>) {
    match role {
        ROLE_SELF => {
            out.push(key(t::BIAS, 0));
            out.push(key(t::WORD, w.word));
            out.push(key(t::LOWER, w.lower));
            out.push(key(t::SHAPE, w.shape));
            for k in 0..w.affixes as usize {
                out.push(key(t::PREFIX + k as u64, w.prefix[k]));
                out.push(key(t::SUFFIX + k as u64, w.suffix[k]));
            }
            for g in 0..N_CLUSTERS {
                if w.clusters[g] != 0 {
                    out.push(key(t::CLUSTER + g as u64, u64::from(w.clusters[g])));
                }
            }
            out.push(key2(t::LEN_SHAPE, u64::from(w.len), w.shape));
            if w.flags & HAS_ALPHA != 0 {
                let c = u64::from(w.lexcase);
                out.push(key(t::LEXCASE, c));
                out.push(key2(t::LEXCASE_SHAPE, c, w.shape));
            }
        }
        ROLE_M1 | ROLE_P1 => {
            let m = role == ROLE_M1;
            out.push(key(if m { t::LOWER_M1 } else { t::LOWER_P1 }, w.lower));
            out.push(key(if m { t::WORD_M1 } else { t::WORD_P1 }, w.word));
            out.push(key(if m { t::SHAPE_M1 } else { t::SHAPE_P1 }, w.shape));
            let base = if m { t::CLUSTER_M1 } else { t::CLUSTER_P1 };
            for g in 0..N_CLUSTERS {
                out.push(key(base + g as u64, u64::from(w.clusters[g])));
            }
        }
        ROLE_M2 | ROLE_P2 => {
            let m = role == ROLE_M2;
            out.push(key(if m { t::LOWER_M2 } else { t::LOWER_P2 }, w.lower));
            out.push(key(
                if m { t::CLUSTER_M2 } else { t::CLUSTER_P2 },
                u64::from(w.clusters[1]),
            ));
        }
        _ => {}
    }
}

/// The first-pass features of token `i` that are not [`word_features`]: word pairs and
/// triples, sentence position and case, document casing and gazetteer bits. They are the
/// [`ContextKey`] features plus the [`lexical_context_features`].
pub fn context_features(
    toks: &[TokInfo],
    i: usize,
    ctx: SentCtx,
    casing: &DocCasing,
    out: &mut Vec<u64>,
) {
    ContextKey::of(toks, i, ctx, casing).features(out);
    lexical_context_features(toks, i, ctx, out);
}

/// Everything the non-lexical [`context_features`] of a token depend on: shapes of the
/// token and its neighbours, position, case, document casing and gazetteer bits. There are
/// few distinct keys in a corpus, so the tagger caches their summed scores per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContextKey {
    /// Shapes of the previous token, the token, and the next one.
    shapes: [u64; 3],
    /// Gazetteer bits of the previous token, the token, and the next one.
    gaz: [u32; 3],
    first: bool,
    all_caps: bool,
    /// [`DocCasing::code`] of the token.
    casing: u8,
    /// The token's lexicon casing code, if it has letters.
    lexcase: Option<u16>,
}

impl std::hash::Hash for ContextKey {
    /// One mixed word rather than a hash of every field: keys are looked up at every token.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.shapes;
        let [g, h, i] = self.gaz;
        let small = u64::from(self.casing)
            | u64::from(self.first) << 8
            | u64::from(self.all_caps) << 9
            | self.lexcase.map_or(0, |l| 1 << 10 | u64::from(l) << 11);
        let gaz = u64::from(g) ^ u64::from(h).rotate_left(21) ^ u64::from(i).rotate_left(42);
        state.write_u64(mix(a ^ mix(b ^ mix(c ^ mix(gaz ^ small)))));
    }
}

impl ContextKey {
    pub fn of(toks: &[TokInfo], i: usize, ctx: SentCtx, casing: &DocCasing) -> ContextKey {
        let ii = i as isize;
        let w = at(toks, ii);
        let m1 = at(toks, ii - 1);
        let p1 = at(toks, ii + 1);
        ContextKey {
            shapes: [m1.shape, w.shape, p1.shape],
            gaz: [m1.gaz, w.gaz, p1.gaz],
            first: i == 0,
            all_caps: ctx.all_caps,
            // `code` is below 16.
            casing: casing.code(w, i, ctx) as u8,
            lexcase: (w.flags & HAS_ALPHA != 0).then_some(w.lexcase),
        }
    }

    /// The features this key stands for.
    pub fn features(&self, out: &mut Vec<u64>) {
        let [m1, w, p1] = self.shapes;
        let [gaz_m1, gaz, gaz_p1] = self.gaz;
        out.push(key2(t::SHAPE_M1_0, m1, w));
        out.push(key2(t::SHAPE_0_P1, w, p1));
        out.push(key2(t::SHAPE_M1_0_P1, mix(m1 ^ 7), mix(w) ^ p1));
        if self.first {
            out.push(key(t::FIRST_SHAPE, w));
        }
        if self.all_caps {
            out.push(key(t::CAPS_SENT_SHAPE, w));
        }
        let code = u64::from(self.casing);
        if code != 0 {
            out.push(key(t::CASING, code));
            out.push(key2(t::CASING_SHAPE, code, w));
        }
        if let Some(lexcase) = self.lexcase {
            out.push(key2(
                t::LEXCASE_HIDDEN,
                u64::from(lexcase),
                u64::from(self.first || self.all_caps),
            ));
        }
        gaz_bits(gaz, |b| out.push(key(t::GAZ, b)));
        gaz_classes(gaz_m1, |c| out.push(key(t::GAZ_M1, c)));
        gaz_classes(gaz_p1, |c| out.push(key(t::GAZ_P1, c)));
    }
}

/// The [`context_features`] that name words: word pairs, and the word itself where the
/// sentence is upper-case or the gazetteer knows it.
pub fn lexical_context_features(toks: &[TokInfo], i: usize, ctx: SentCtx, out: &mut Vec<u64>) {
    let ii = i as isize;
    let w = at(toks, ii);
    let m1 = at(toks, ii - 1);
    let p1 = at(toks, ii + 1);
    out.push(key2(t::LOWER_M1_0, m1.lower, w.lower));
    out.push(key2(t::LOWER_0_P1, w.lower, p1.lower));
    if ctx.all_caps {
        out.push(key(t::CAPS_SENT_LOWER, w.lower));
    }
    if w.gaz != 0 {
        out.push(key2(t::GAZ_LOWER, u64::from(w.gaz), w.lower));
    }
}

/// The word a role refers to from token `i` (a sentence-boundary token past the ends).
pub fn role_word(toks: &[TokInfo], i: usize, role: usize) -> &TokInfo {
    let ii = i as isize;
    at(
        toks,
        match role {
            ROLE_M1 => ii - 1,
            ROLE_P1 => ii + 1,
            ROLE_M2 => ii - 2,
            ROLE_P2 => ii + 2,
            _ => ii,
        },
    )
}

/// First-pass features of token `i`: everything local to the sentence plus document casing
/// (the word features of the token and its ±2 neighbours, then the context features).
pub fn local_features(
    toks: &[TokInfo],
    i: usize,
    ctx: SentCtx,
    casing: &DocCasing,
    out: &mut Vec<u64>,
) {
    for role in 0..ROLES {
        word_features(role_word(toks, i, role), role, out);
    }
    context_features(toks, i, ctx, casing, out);
}

fn gaz_bits(g: u32, mut f: impl FnMut(u64)) {
    let mut g = g;
    while g != 0 {
        let b = g.trailing_zeros();
        f(u64::from(b));
        g &= g - 1;
    }
}

fn gaz_classes(g: u32, mut f: impl FnMut(u64)) {
    for c in 0..GAZ_CLASSES as u32 {
        if (g >> (c * 4)) & 0xf != 0 {
            f(u64::from(c));
        }
    }
}

/// How the first pass labelled each word across the document: counts per label, keyed by
/// [`TokInfo::lower`], over tokens with a capital letter.
pub struct DocLabels {
    n_labels: usize,
    /// Per capitalised word, where its `n_labels` counts start in `flat` (one allocation
    /// per article, not one per word).
    index: IdMap<u32>,
    flat: Vec<u16>,
}

impl DocLabels {
    pub fn new(sentences: &[Vec<TokInfo>], labels: &[Vec<u8>], n_labels: usize) -> DocLabels {
        let mut index: IdMap<u32> = IdMap::default();
        let mut flat: Vec<u16> = Vec::new();
        for (s, l) in sentences.iter().zip(labels) {
            for (t, &lab) in s.iter().zip(l) {
                if t.capitalised() {
                    let at = *index.entry(t.lower).or_insert_with(|| {
                        flat.resize(flat.len() + n_labels, 0);
                        (flat.len() - n_labels) as u32
                    }) as usize;
                    if let Some(c) = flat[at..at + n_labels].get_mut(lab as usize) {
                        *c = c.saturating_add(1);
                    }
                }
            }
        }
        DocLabels {
            n_labels,
            index,
            flat,
        }
    }

    /// How often `word` (a lower-cased word hash) got each label, if it is capitalised
    /// somewhere in the article.
    fn counts(&self, word: u64) -> Option<&[u16]> {
        let at = *self.index.get(&word)? as usize;
        self.flat.get(at..at + self.n_labels)
    }
}

/// Second-pass features of token `i`: the first pass's labels around it and how the same
/// word was labelled elsewhere in the document.
#[allow(clippy::too_many_arguments)]
pub fn doc_features(
    toks: &[TokInfo],
    i: usize,
    ctx: SentCtx,
    p1: &[u8],
    doc: &DocLabels,
    type_of: impl Fn(u8) -> u8,
    out: &mut Vec<u64>,
) {
    DocKey::of(toks, i, ctx, p1, doc, type_of).features(out);
}

/// Everything the [`doc_features`] of a token depend on: the first-pass labels around it
/// and, for a capitalised word labelled elsewhere in the document, a summary of those
/// labels. There are few distinct keys in a corpus, so the tagger caches their summed
/// second-pass scores per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocKey {
    /// First-pass labels of the previous token, the token and the next one (`0xfe` before
    /// the sentence, `0xff` past it).
    labels: [u8; 3],
    agg: Option<Agg>,
}

/// How a capitalised word was labelled elsewhere in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Agg {
    /// Bit `l`: the word has label `l` elsewhere (labels are below 32: see `MAX_LABELS`).
    seen: u32,
    /// Majority type × 4 + its strength.
    maj: u8,
    /// Type of the token's own first-pass label.
    own: u8,
    /// The token is first in its sentence or in an all-caps sentence.
    hidden: bool,
    shape: u64,
}

impl std::hash::Hash for DocKey {
    /// One mixed word, as for [`ContextKey`]: keys are looked up at every token.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.labels.map(u64::from);
        let small = a | b << 8 | c << 16;
        let h = match self.agg {
            None => mix(small),
            Some(g) => {
                let bits = u64::from(g.seen)
                    | u64::from(g.maj) << 32
                    | u64::from(g.own) << 40
                    | u64::from(g.hidden) << 48;
                mix(small ^ 1 << 24 ^ mix(bits ^ mix(g.shape)))
            }
        };
        state.write_u64(h);
    }
}

impl DocKey {
    pub fn of(
        toks: &[TokInfo],
        i: usize,
        ctx: SentCtx,
        p1: &[u8],
        doc: &DocLabels,
        type_of: impl Fn(u8) -> u8,
    ) -> DocKey {
        let lab = |k: isize| -> u8 {
            if k < 0 {
                0xfe
            } else {
                p1.get(k as usize).copied().unwrap_or(0xff)
            }
        };
        let ii = i as isize;
        let labels = [lab(ii - 1), lab(ii), lab(ii + 1)];
        let agg = (|| {
            let w = &toks[i];
            if !w.capitalised() {
                return None;
            }
            let counts = doc.counts(w.lower)?;
            let own = p1.get(i).copied().unwrap_or(0) as usize;
            let mut by_type = [0u32; N_TYPES + 1];
            let mut seen = 0u32;
            for (l, &c) in counts.iter().enumerate().take(doc.n_labels.min(32)) {
                let c = u32::from(c) - u32::from(l == own);
                if c > 0 {
                    seen |= 1 << l;
                    by_type[type_of(l as u8) as usize] += c;
                }
            }
            let total: u32 = by_type.iter().sum();
            if total == 0 {
                return None;
            }
            let (maj, &n) = by_type
                .iter()
                .enumerate()
                .max_by_key(|&(k, &c)| (c, std::cmp::Reverse(k)))
                .unwrap_or((0, &0));
            let strength = if n == total {
                2
            } else {
                u8::from(2 * n > total)
            };
            Some(Agg {
                seen,
                maj: maj as u8 * 4 + strength,
                own: type_of(own as u8),
                hidden: i == 0 || ctx.all_caps,
                shape: w.shape,
            })
        })();
        DocKey { labels, agg }
    }

    /// The key's features, in [`doc_features`]'s order.
    pub fn features(&self, out: &mut Vec<u64>) {
        let [m1, own, p1] = self.labels.map(u64::from);
        out.push(key(t::P1, own));
        out.push(key(t::P1_M1, m1));
        out.push(key(t::P1_P1, p1));
        out.push(key2(t::P1_M1_P1, m1, p1));
        let Some(g) = self.agg else {
            return;
        };
        for l in 0..32 {
            if g.seen >> l & 1 != 0 {
                out.push(key(t::AGG, l));
            }
        }
        let maj = u64::from(g.maj);
        out.push(key(t::AGG_MAJ, maj));
        out.push(key2(t::AGG_MAJ_P1, maj, u64::from(g.own)));
        out.push(key2(t::AGG_MAJ_HIDDEN, maj, u64::from(g.hidden)));
        out.push(key2(t::AGG_MAJ_SHAPE, maj, g.shape));
    }
}
