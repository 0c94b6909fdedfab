//! Sentence boundaries, decided between tokens.
//!
//! One pass over the tokens; every decision looks at a fixed number of neighbours
//! (a run of spaced dots is measured once and skipped), so the pass is linear. A
//! boundary always falls between two tokens, so no token crosses a sentence and every
//! sentence is trimmed: it runs from its first token's start to its last token's end.

use super::chars::{self, char_at, is_closer, is_opener};
use super::lexicon::{self, Abbr};
use crate::document::{Sentence, SentenceKind, Span, Token, TokenKind};

/// Sentences longer than this many bytes with no boundary in sight are cut at the next
/// whitespace, so no later stage ever sees an unbounded sentence.
pub const MAX_SENTENCE_BYTES: usize = 2048;

/// A run without whitespace (no place to cut) is cut between tokens past this length.
pub const HARD_MAX_SENTENCE_BYTES: usize = 4 * MAX_SENTENCE_BYTES;

/// What sentence-final mark a token is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Term {
    /// `.`
    Stop,
    /// `..`, `...`, `....`, `…`
    Ellipsis,
    /// `!`, `?`, `?!`, `!!`…
    Bang,
    /// A word that kept its stop (`Mr.`, `U.S.`, `J.`).
    Abbr,
}

/// How the word after a candidate boundary starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Next {
    Upper,
    Lower,
    Digit,
    /// `,` `;` `:` `)` dashes…: the sentence goes on.
    Punct,
    Symbol,
    Bullet,
}

/// A list-item marker: `1.`, `2)`, `3.)`, `a.`, `b)`, `(c)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Marker {
    Num(u32),
    Letter(u8),
    Paren,
}

/// Whitespace between two tokens.
#[derive(Clone, Copy, Default)]
struct Gap {
    /// Any whitespace at all.
    space: bool,
    /// Spaces and tabs.
    blanks: u32,
    /// Line breaks (CRLF counts once), capped at 2; a paragraph separator counts 2.
    newlines: u8,
}

struct Splitter<'a> {
    text: &'a str,
    toks: &'a [Token],
}

impl<'a> Splitter<'a> {
    #[inline]
    fn txt(&self, i: usize) -> &'a str {
        self.toks[i].span.text(self.text)
    }

    #[inline]
    fn first(&self, i: usize) -> char {
        char_at(self.text, self.toks[i].span.start).0
    }

    #[inline]
    fn attached(&self, i: usize) -> bool {
        i + 1 < self.toks.len() && self.toks[i].span.end == self.toks[i + 1].span.start
    }

    #[inline]
    fn is_wordlike(&self, i: usize) -> bool {
        matches!(self.toks[i].kind, TokenKind::Word | TokenKind::Number)
    }

    fn gap(&self, i: usize) -> Gap {
        let (a, b) = (self.toks[i].span.end, self.toks[i + 1].span.start);
        let bytes = self.text.as_bytes();
        if b == a + 1 && bytes[a] == b' ' {
            // The common case: one space.
            return Gap {
                space: true,
                blanks: 1,
                newlines: 0,
            };
        }
        let mut g = Gap::default();
        let mut p = a;
        while p < b {
            let c = bytes[p];
            g.space = true;
            match c {
                b' ' | b'\t' => g.blanks += 1,
                b'\n' => g.newlines += 1,
                b'\r' if bytes.get(p + 1) != Some(&b'\n') => g.newlines += 1,
                0x0B | 0x0C => g.newlines += 2,
                0x80.. => {
                    let (ch, l) = char_at(self.text, p);
                    match ch {
                        '\u{2029}' => g.newlines += 2,
                        '\u{2028}' | '\u{0085}' => g.newlines += 1,
                        _ => g.blanks += 1,
                    }
                    p += l;
                    continue;
                }
                _ => {}
            }
            p += 1;
        }
        g.newlines = g.newlines.min(2);
        g
    }

    fn term(&self, i: usize) -> Option<Term> {
        let t = self.toks[i];
        let bytes = self.text.as_bytes();
        match t.kind {
            TokenKind::Punct => {
                let s = self.txt(i);
                if s == "." {
                    Some(Term::Stop)
                } else if s.starts_with("..") || s.starts_with('…') {
                    Some(Term::Ellipsis)
                } else if chars::is_bang(self.first(i)) {
                    Some(Term::Bang)
                } else {
                    None
                }
            }
            TokenKind::Word if t.span.len() > 1 && bytes[t.span.end - 1] == b'.' => {
                Some(Term::Abbr)
            }
            _ => None,
        }
    }

    /// The first token after `i` that is not a closing quote or bracket glued to it.
    fn after_closers(&self, i: usize) -> usize {
        let mut j = i + 1;
        while j < self.toks.len()
            && self.attached(j - 1)
            && self.toks[j].kind == TokenKind::Punct
            && is_closer(self.first(j))
        {
            j += 1;
        }
        j
    }

    /// How the sentence that would start at token `j` begins (looking through opening
    /// quotes and brackets), and the index of the token that decided it.
    fn next(&self, j: usize) -> (Next, usize) {
        let mut k = j;
        for _ in 0..3 {
            if self.toks[k].kind == TokenKind::Punct && is_opener(self.first(k)) && self.attached(k)
            {
                k += 1;
            } else {
                break;
            }
        }
        let c = self.first(k);
        let class = if chars::is_upper(c) {
            Next::Upper
        } else if chars::is_lower(c) {
            Next::Lower
        } else if c.is_numeric() {
            Next::Digit
        } else if c.is_alphabetic() {
            // Scripts without case: treat as a capital.
            Next::Upper
        } else if chars::is_bullet(c) {
            Next::Bullet
        } else if self.toks[k].kind == TokenKind::Punct {
            Next::Punct
        } else {
            Next::Symbol
        };
        (class, k)
    }

    /// A dash (`-`, `--`, `—`, `–`) standing alone between spaces at token `k`.
    fn dash_then_space(&self, k: usize) -> bool {
        let t = self.txt(k);
        (t.bytes().all(|b| b == b'-') || chars::is_dash(self.first(k)))
            && k + 1 < self.toks.len()
            && !self.attached(k)
    }

    /// `eBay`, `iPhone`: lower-case start, capital inside; such a word can open a
    /// sentence.
    fn camel(&self, k: usize) -> bool {
        self.toks[k].kind == TokenKind::Word && self.txt(k).chars().skip(1).any(chars::is_upper)
    }

    /// A list marker starting at token `k`, and the index of its last token.
    fn marker(&self, k: usize) -> Option<(Marker, usize)> {
        let n = self.toks.len();
        let s = self.txt(k);
        let b = s.as_bytes();
        let kind = self.toks[k].kind;
        let small_number = kind == TokenKind::Number
            && !b.is_empty()
            && b.len() <= 3
            && b.iter().all(u8::is_ascii_digit);
        let spaced_after = |e: usize| e + 1 < n && !self.attached(e);
        if small_number && self.attached(k) {
            let mut e = k + 1;
            let t = self.txt(e);
            if t == "." || t == ")" {
                if t == "." && self.attached(e) && self.txt(e + 1) == ")" {
                    e += 1;
                }
                if spaced_after(e) {
                    let v = s.parse().ok()?;
                    return Some((Marker::Num(v), e));
                }
            }
            return None;
        }
        if kind == TokenKind::Word && b.len() == 2 && b[0].is_ascii_lowercase() && b[1] == b'.' {
            return spaced_after(k).then_some((Marker::Letter(b[0]), k));
        }
        if kind == TokenKind::Word
            && b.len() == 1
            && b[0].is_ascii_alphabetic()
            && self.attached(k)
            && self.txt(k + 1) == ")"
        {
            return spaced_after(k + 1).then_some((Marker::Letter(b[0]), k + 1));
        }
        if s == "(" && self.attached(k) && k + 2 < n && self.attached(k + 1) {
            let inner = self.txt(k + 1).as_bytes();
            let ok = (inner.len() <= 3 && inner.iter().all(u8::is_ascii_digit))
                || (inner.len() == 1 && inner[0].is_ascii_alphabetic());
            if ok && !inner.is_empty() && self.txt(k + 2) == ")" && spaced_after(k + 2) {
                return Some((Marker::Paren, k + 2));
            }
        }
        None
    }

    /// Where a list marker of the sentence starting at `first` would stand (after a
    /// bullet, if any).
    fn marker_slot(&self, first: usize) -> usize {
        if first + 1 < self.toks.len()
            && self.toks[first].kind == TokenKind::Punct
            && chars::is_bullet(self.first(first))
        {
            first + 1
        } else {
            first
        }
    }

    /// The marker a sentence starting at `first` opens a list with, and the one the
    /// next item would carry.
    fn expected_marker(&self, first: usize) -> Option<Marker> {
        match self.marker(self.marker_slot(first))?.0 {
            Marker::Num(v) => Some(Marker::Num(v.checked_add(1)?)),
            Marker::Letter(c) if c != b'z' && c != b'Z' => Some(Marker::Letter(c + 1)),
            _ => None,
        }
    }

    /// Whether token `i` ends in a sentence-final mark, closers after it allowed.
    fn ends_final(&self, first: usize, i: usize, with_abbr: bool) -> bool {
        let mut k = i;
        while k > first && self.attached(k - 1) && is_closer(self.first(k)) {
            k -= 1;
        }
        match self.term(k) {
            Some(Term::Abbr) => with_abbr,
            Some(_) => true,
            None => false,
        }
    }

    /// After a sentence-final mark at `i`, the index of the sentence's last token if
    /// a sentence ends there. `first` is the current sentence's first token; `close`
    /// the closing token of a quotation or parenthesis around `i`, if any.
    fn boundary(&self, first: usize, i: usize, close: Option<usize>) -> Option<usize> {
        let term = self.term(i)?;
        let j = self.after_closers(i);
        if j >= self.toks.len() || close.is_some_and(|c| c >= j) {
            return None;
        }
        let last = j - 1;
        let (next, k) = self.next(j);
        let slot = self.marker_slot(first);
        match term {
            Term::Stop => {
                // `1.` opening a list item.
                if i == slot + 1
                    && self.attached(slot)
                    && self
                        .marker(slot)
                        .is_some_and(|m| matches!(m.0, Marker::Num(_)))
                {
                    return None;
                }
                // `the .NET framework`: a stop after a space, glued to the next word.
                if i > first && !self.attached(i - 1) && self.attached(i) && j == i + 1 {
                    return None;
                }
                let ends = match next {
                    Next::Upper | Next::Symbol | Next::Bullet => true,
                    // `…, the bank said. -- Warsaw Newsroom`: a wire sign-off.
                    Next::Punct => self.dash_then_space(k),
                    Next::Digit => {
                        // Not after a single letter or a sign (`N°. 1026`), but after
                        // words, numbers, `%` and closing brackets.
                        i > first && {
                            let p = i - 1;
                            let t = self.txt(p);
                            match self.toks[p].kind {
                                TokenKind::Number => true,
                                TokenKind::Word => t.chars().nth(1).is_some(),
                                TokenKind::Symbol => t == "%",
                                TokenKind::Punct => is_closer(self.first(p)),
                            }
                        }
                    }
                    Next::Lower => self.camel(k) || self.gap(last).blanks >= 2,
                };
                ends.then_some(last)
            }
            Term::Ellipsis => {
                // `[...]` marks an omission, not an end.
                let elision = i > 0 && self.attached(i - 1) && matches!(self.txt(i - 1), "[" | "(");
                (!elision && next == Next::Upper).then_some(last)
            }
            Term::Bang => (matches!(
                next,
                Next::Upper | Next::Digit | Next::Symbol | Next::Bullet
            ) || (next == Next::Punct && self.dash_then_space(k)))
            .then_some(last),
            Term::Abbr => {
                let s = self.txt(i);
                let w = &s[..s.len() - 1];
                let single = w.chars().nth(1).is_none();
                if single && i == slot {
                    // `a.` / `A.` opening a list item.
                    return None;
                }
                let general = if w.contains('.') {
                    !lexicon::is_never_initialism(w)
                } else if single {
                    true
                } else {
                    matches!(lexicon::abbreviation(w), Some(Abbr::General) | None)
                };
                let starter = self.is_wordlike(k) && lexicon::is_starter(self.txt(k));
                // `at 6 p.m. Mr. Smith left`: a time after a clause, then a title.
                let time_then_title = is_time(w)
                    && self.is_wordlike(k)
                    && self.txt(k).ends_with('.')
                    && {
                        let tw = self.txt(k);
                        lexicon::abbreviation(&tw[..tw.len() - 1]) == Some(Abbr::Never)
                    }
                    && self.toks[first..i]
                        .iter()
                        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
                        .count()
                        >= 4;
                let ends = general
                    && next == Next::Upper
                    && (starter || time_then_title || self.gap(last).blanks >= 2);
                ends.then_some(last)
            }
        }
    }

    /// A run of stops separated by single spaces (`. . .`) starting at `i`: its last
    /// token, if it has two or more.
    fn spaced_dots(&self, i: usize) -> Option<usize> {
        let single_space = |k: usize| {
            self.toks[k].span.end + 1 == self.toks[k + 1].span.start
                && self.text.as_bytes()[self.toks[k].span.end] == b' '
        };
        let is_stop = |k: usize| self.toks[k].kind == TokenKind::Punct && self.txt(k) == ".";
        if !is_stop(i) {
            return None;
        }
        let mut e = i;
        while e + 1 < self.toks.len() && single_space(e) && is_stop(e + 1) {
            e += 1;
        }
        (e > i).then_some(e)
    }

    /// The boundary a spaced-dot run `[i, e]` makes, if any. The golden rules: `. . .`
    /// after a space is an ellipsis inside a sentence; four (`. . . .`) end one; a stop
    /// glued to a word and followed by `. . .` ends that sentence at the glued stop, and
    /// the ellipsis opens the next.
    fn spaced_boundary(&self, i: usize, e: usize) -> Option<usize> {
        let count = e - i + 1;
        let glued = i > 0 && self.attached(i - 1) && self.is_wordlike(i - 1);
        let j = self.after_closers(e);
        if j >= self.toks.len() {
            return None;
        }
        let (next, _) = self.next(j);
        if next != Next::Upper {
            return None;
        }
        if glued && count >= 4 {
            Some(i)
        } else if count >= 4 || (glued && count == 3) {
            Some(j - 1)
        } else {
            None
        }
    }

    /// Whether a single line break after token `i` joins two halves of one sentence
    /// (a hard-wrapped line): the line has at least four words and does not end in a
    /// final mark, and the next line starts in lower case and is not a list item.
    fn continues(&self, first: usize, i: usize, line_words: u32) -> bool {
        line_words >= 4
            && chars::is_lower(self.first(i + 1))
            && !self.ends_final(first, i, false)
            && self.marker(i + 1).is_none()
    }

    fn kind(&self, first: usize, last: usize, line_start: bool, line_end: bool) -> SentenceKind {
        let c = self.first(first);
        let t = self.toks[first];
        if t.kind == TokenKind::Punct && chars::is_bullet(c) && first < last {
            return SentenceKind::Bullet;
        }
        if line_start
            && chars::is_line_bullet(c)
            && t.span.len() == c.len_utf8()
            && first < last
            && !self.attached(first)
        {
            return SentenceKind::Bullet;
        }
        if self.marker(first).is_some_and(|(_, e)| e < last) {
            return SentenceKind::Bullet;
        }
        if line_start && line_end {
            let ends =
                self.ends_final(first, last, true) || matches!(self.txt(last), ":" | ";" | ",");
            if !ends {
                return SentenceKind::Heading;
            }
        }
        SentenceKind::Body
    }
}

/// Quotations and parentheses that open and close within one paragraph and
/// [`MAX_SENTENCE_BYTES`]: `(open, close)` token indices, outermost pairs only, in
/// order. A sentence does not end inside one (pragmatic_segmenter's rule), so
/// `“It’s good. We agree,” he said.` stays one sentence with its attribution; a
/// final mark right before the closing quote still ends a sentence by the usual rules.
fn pairs(text: &str, toks: &[Token]) -> Vec<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Curly,
        Straight,
        Guillemet,
        Paren,
        Bracket,
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<(usize, Kind, u32)> = None;
    for (i, t) in toks.iter().enumerate() {
        if let Some((o, _, _)) = open {
            // A blank line or too long a stretch ends the search for the closer.
            let gap = &bytes[toks[i - 1].span.end..t.span.start];
            if t.span.end - toks[o].span.start > MAX_SENTENCE_BYTES
                || (gap.len() > 1 && memchr::memchr_iter(b'\n', gap).nth(1).is_some())
            {
                open = None;
            }
        }
        if t.kind != TokenKind::Punct || t.span.len() > 3 {
            continue;
        }
        let c = char_at(text, t.span.start).0;
        let glued_before = i > 0 && toks[i - 1].span.end == t.span.start;
        let glued_after = i + 1 < toks.len() && toks[i + 1].span.start == t.span.end;
        let (kind, opens) = match c {
            '“' => (Kind::Curly, true),
            '”' => (Kind::Curly, false),
            '«' => (Kind::Guillemet, true),
            '»' => (Kind::Guillemet, false),
            '(' => (Kind::Paren, true),
            ')' => (Kind::Paren, false),
            '[' => (Kind::Bracket, true),
            ']' => (Kind::Bracket, false),
            '"' if glued_after && !glued_before => (Kind::Straight, true),
            '"' if glued_before => (Kind::Straight, false),
            _ => continue,
        };
        match open {
            None if opens => open = Some((i, kind, 0)),
            Some((o, k, depth)) if k == kind => {
                let nests = matches!(kind, Kind::Paren | Kind::Bracket);
                if opens && nests {
                    open = Some((o, k, depth + 1));
                } else if opens {
                    // A new quotation before the last closed: multi-paragraph quotes
                    // reopen without closing; keep the latest.
                    open = Some((i, kind, 0));
                } else if depth > 0 {
                    open = Some((o, k, depth - 1));
                } else {
                    if i > o + 1 {
                        out.push((o, i));
                    }
                    open = None;
                }
            }
            _ => {}
        }
    }
    out
}

/// `a.m` / `p.m` in any case.
fn is_time(w: &str) -> bool {
    w.eq_ignore_ascii_case("a.m") || w.eq_ignore_ascii_case("p.m")
}

/// Appends the sentences of `text` to `out`; `toks` are all its tokens, in order.
pub fn split(text: &str, toks: &[Token], out: &mut Vec<Sentence>) {
    let n = toks.len();
    if n == 0 {
        return;
    }
    let sp = Splitter { text, toks };
    let mut first = 0;
    let mut line_start = true;
    let mut cut = false;
    let mut line_words = 0u32;
    let mut expect = sp.expected_marker(0);
    let mut pending: Option<usize> = None;
    let mut skip_to = 0;
    let protected = pairs(text, toks);
    let mut pair = 0;
    let mut emit = |first: usize, last: usize, line_start: bool, line_end: bool, cut: bool| {
        let kind = if cut {
            SentenceKind::Body
        } else {
            sp.kind(first, last, line_start, line_end)
        };
        out.push(Sentence {
            span: Span::new(toks[first].span.start, toks[last].span.end),
            tokens: first..last + 1,
            kind,
        });
    };
    for i in 0..n {
        if sp.is_wordlike(i) {
            line_words += 1;
        }
        if i + 1 == n {
            emit(first, i, line_start, true, cut);
            break;
        }
        let g = sp.gap(i);
        if i >= skip_to && !matches!(pending, Some(p) if p >= i) {
            if let Some(e) = sp.spaced_dots(i) {
                pending = sp.spaced_boundary(i, e);
                skip_to = e + 1;
            } else {
                while pair < protected.len() && protected[pair].1 < i {
                    pair += 1;
                }
                let close = protected
                    .get(pair)
                    .and_then(|&(o, c)| (o < i && i < c).then_some(c));
                pending = sp.boundary(first, i, close);
            }
        }
        let mut brk = pending == Some(i);
        let mut capped = false;
        if !brk {
            brk = match g.newlines {
                0 => {
                    g.space
                        && i > first
                        && ((toks[i + 1].kind == TokenKind::Punct
                            && chars::is_bullet(sp.first(i + 1)))
                            || (expect.is_some() && sp.marker(i + 1).map(|m| m.0) == expect))
                }
                1 => !sp.continues(first, i, line_words),
                _ => true,
            };
        }
        if !brk {
            let len = toks[i + 1].span.end - toks[first].span.start;
            if (g.space && len > MAX_SENTENCE_BYTES) || len > HARD_MAX_SENTENCE_BYTES {
                brk = true;
                capped = true;
            }
        }
        if g.newlines > 0 {
            line_words = 0;
        }
        if brk {
            emit(first, i, line_start, g.newlines > 0, cut || capped);
            first = i + 1;
            line_start = g.newlines > 0;
            cut = capped;
            expect = sp.expected_marker(first);
            if pending == Some(i) {
                pending = None;
            }
        }
    }
}
