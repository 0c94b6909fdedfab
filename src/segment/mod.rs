//! Sentence and token segmentation.
//!
//! Owns `Document::sentences` and `Document::tokens`: every sentence and token is a
//! byte span into the original text, and the text is never changed (the article's own
//! line breaks stay inside or between spans as they were). Does not decide what a token
//! means: names, amounts and dates are NER's and the recognisers' job.
//!
//! Two linear passes, no regular expressions, no allocation per char:
//!
//! 1. [`tokens`] cuts the text into words, numbers, punctuation and symbols
//!    (`n't` and `'s` split off, hyphenated words and numbers whole, `$550` → `$`,
//!    `550`, `U.S.` and `Mr.` one token, URLs and e-mail addresses one token).
//! 2. [`sentences`] decides between each pair of tokens whether a sentence ends there,
//!    from the mark before (`.`, `?!`, `…`, an abbreviation's stop), closing quotes
//!    and brackets glued to it, the case of the next word, line breaks, bullets and
//!    list markers. The rules follow the English "Golden Rules" of pragmatic_segmenter
//!    and pySBD, adapted to news text: see `docs/segment.md` for the full list.
//!
//! Layout rules: a blank line always ends a sentence; a single line break ends one
//! unless the line is a hard-wrapped half (at least four words, no final mark, next
//! line in lower case). A line without final punctuation is a sentence of its own of
//! kind [`SentenceKind::Heading`] (headlines, section titles, a dateline on its own
//! line); bulleted and numbered items are [`SentenceKind::Bullet`]. A dateline that
//! opens a paragraph on the same line as its text (`TOKYO (Reuters) - Japan said…`)
//! stays in that first sentence; [`dateline`] finds its place name.
//!
//! Sentences with no boundary for [`MAX_SENTENCE_BYTES`] are cut at the next
//! whitespace (a run without any whitespace at [`HARD_MAX_SENTENCE_BYTES`]), so later
//! stages never see an unbounded sentence.

mod chars;
mod lexicon;
mod sentences;
mod tokens;

pub use sentences::{HARD_MAX_SENTENCE_BYTES, MAX_SENTENCE_BYTES};

use crate::document::{Document, Sentence, Span, Token};

/// Splits text into sentences and tokens.
#[derive(Clone, Debug, Default)]
pub struct Segmenter;

impl Segmenter {
    pub fn new() -> Segmenter {
        Segmenter
    }

    /// Replaces `doc.sentences` and `doc.tokens` with the segmentation of `doc.text`.
    pub fn annotate(&self, doc: &mut Document) {
        doc.tokens.clear();
        doc.sentences.clear();
        // News text averages a token per 5–6 bytes.
        doc.tokens.reserve(doc.text.len() / 6);
        tokens::tokenize(&doc.text, Span::new(0, doc.text.len()), &mut doc.tokens);
        sentences::split(&doc.text, &doc.tokens, &mut doc.sentences);
    }

    /// Sentence spans, trimmed of surrounding whitespace, in order.
    pub fn sentences(&self, text: &str) -> Vec<Span> {
        self.segment(text).1.into_iter().map(|s| s.span).collect()
    }

    /// Tokens and sentences of `text` (the sentences' `tokens` index the first).
    pub fn segment(&self, text: &str) -> (Vec<Token>, Vec<Sentence>) {
        let mut toks = Vec::with_capacity(text.len() / 5);
        tokens::tokenize(text, Span::new(0, text.len()), &mut toks);
        let mut sents = Vec::with_capacity(text.len() / 100);
        sentences::split(text, &toks, &mut sents);
        (toks, sents)
    }

    /// The tokens of `text`, in order.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut toks = Vec::with_capacity(text.len() / 5);
        tokens::tokenize(text, Span::new(0, text.len()), &mut toks);
        toks
    }
}

/// Appends the tokens of `text[span]` to `out` (a span off char boundaries adds
/// nothing).
pub fn tokenize_into(text: &str, span: Span, out: &mut Vec<Token>) {
    tokens::tokenize(text, span, out);
}

/// The place name of a news dateline opening `text` (leading whitespace skipped):
/// `TOKYO (Reuters) -`, `WASHINGTON, Oct 27 (AP) —`, `NEW YORK —`,
/// `Tokyo, Oct. 27 (Reuters) -`, `BRUSSELS 1996-08-22` (a line of its own). Returns
/// the span of the place alone (`TOKYO`, `WASHINGTON`, `NEW YORK`), in bytes into
/// `text`. A place in capitals needs a dash or an agency after it; one in title case
/// needs both, so ordinary sentences (`Trump said - …`) never match.
///
/// To find the dateline of a paragraph, pass the text from the paragraph's start (for
/// a sentence `s`, `&doc.text[s.span.start..]`) and add that offset to the result.
pub fn dateline(text: &str) -> Option<Span> {
    let b = text.as_bytes();
    let mut p = 0;
    while p < b.len() {
        let (c, l) = chars::char_at(text, p);
        if !chars::is_space(c) {
            break;
        }
        p += l;
    }
    let start = p;
    let (end, caps) = place(text, p)?;
    p = end;
    // `, Calif.` / `, Oct 27` / `, Oct. 27, 2025`
    for _ in 0..3 {
        if b.get(p) != Some(&b',') || b.get(p + 1) != Some(&b' ') {
            break;
        }
        let q = p + 2;
        let (c, _) = chars::char_at(text, q);
        if !(chars::is_upper(c) || c.is_ascii_digit()) {
            return None;
        }
        let mut r = q;
        while r < b.len() && r - q <= 30 {
            let (c, l) = chars::char_at(text, r);
            if c.is_alphanumeric()
                || matches!(c, '.' | '\'' | '’')
                || (c == ' ' && b.get(r + 1).is_some_and(|x| x.is_ascii_alphanumeric()))
            {
                r += l;
            } else {
                break;
            }
        }
        if r - q > 30 {
            return None;
        }
        p = r;
    }
    let mut agency = false;
    let mut q = p;
    while b.get(q) == Some(&b' ') {
        q += 1;
    }
    if b.get(q) == Some(&b'(') {
        let mut r = q + 1;
        let first = chars::char_at(text, r).0;
        while r < b.len() && r - q <= 40 && b[r] != b')' {
            let (c, l) = chars::char_at(text, r);
            if !(c.is_alphanumeric() || matches!(c, ' ' | '&' | '-' | '.' | '\'' | '/')) {
                return None;
            }
            r += l;
        }
        if b.get(r) != Some(&b')') || !chars::is_upper(first) {
            return None;
        }
        agency = true;
        p = r + 1;
    }
    let mut q = p;
    while matches!(b.get(q), Some(b' ' | b'\t')) {
        q += 1;
    }
    let rest = &text[q..];
    let dash = ["--", "-", "–", "—", "―"]
        .iter()
        .find(|d| rest.starts_with(**d))
        .map(|d| d.len());
    if let Some(dl) = dash {
        let after = chars::char_at(text, q + dl).0;
        // `ATHENS—Greek officials…`: a long dash needs no space after it.
        let spaced = q + dl >= b.len() || chars::is_space(after) || dl > 2;
        return (spaced && (caps || agency)).then_some(Span::new(start, end));
    }
    // CoNLL style: `BRUSSELS 1996-08-22` alone on its line.
    if caps && !agency && q == p + 1 {
        let mut r = q;
        while r < b.len() && (b[r].is_ascii_digit() || b[r] == b'-' || b[r] == b'/') {
            r += 1;
        }
        let digits = b[q..r].iter().filter(|c| c.is_ascii_digit()).count();
        let mut s = r;
        while matches!(b.get(s), Some(b' ' | b'\t' | b'\r')) {
            s += 1;
        }
        if digits >= 6 && (s >= b.len() || b[s] == b'\n') {
            return Some(Span::new(start, end));
        }
    }
    None
}

/// The place name at `p`: up to five words in capitals (`NEW YORK`, `ST. LOUIS`), or
/// up to four in title case with lower-case particles (`Rio de Janeiro`). Returns its
/// end and whether it was in capitals.
fn place(text: &str, p: usize) -> Option<(usize, bool)> {
    let b = text.as_bytes();
    let word = |q: usize| -> Option<(usize, bool, bool)> {
        // (end, all caps, title case)
        let mut r = q;
        let mut upper = 0;
        let mut lower = 0;
        while r < b.len() {
            let (c, l) = chars::char_at(text, r);
            if chars::is_upper(c) {
                upper += 1;
            } else if chars::is_lower(c) {
                lower += 1;
            } else if !(matches!(c, '.' | '\'' | '’' | '-' | '&') && r > q) {
                break;
            }
            r += l;
        }
        if r == q || upper + lower == 0 {
            return None;
        }
        let first_upper = chars::is_upper(chars::char_at(text, q).0);
        Some((r, lower == 0 && upper >= 1, first_upper && lower > 0))
    };
    let (mut end, caps, title) = word(p)?;
    if !(caps || title) || (title && lexicon::is_starter(&text[p..end])) {
        // `The President (Trump) - …` is no dateline.
        return None;
    }
    if caps && end - p < 2 {
        return None;
    }
    let mut words = 1;
    while words < 5 && b.get(end) == Some(&b' ') {
        let Some((e, c, t)) = word(end + 1) else {
            break;
        };
        let w = &text[end + 1..e];
        let particle = !caps
            && matches!(
                w,
                "de" | "da" | "del" | "do" | "dos" | "es" | "al" | "el" | "la" | "le" | "of"
            );
        if (caps && c) || (!caps && t) {
            end = e;
            words += 1;
        } else if particle {
            // A particle must be followed by another title-case word.
            let Some((e2, _, t2)) = (b.get(e) == Some(&b' ')).then(|| word(e + 1)).flatten() else {
                break;
            };
            if !t2 {
                break;
            }
            end = e2;
            words += 2;
        } else {
            break;
        }
    }
    if !caps && words > 4 {
        return None;
    }
    Some((end, caps))
}
