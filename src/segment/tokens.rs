//! The tokenizer: one left-to-right pass over the bytes, ASCII fast path, no
//! backtracking beyond a few chars, so it is linear on every input.
//!
//! Text is first cut into chunks at whitespace. A chunk that holds a URL or an e-mail
//! address keeps it as one token (trailing punctuation split off); any other chunk is
//! cut into words, numbers, punctuation and symbols:
//!
//! - words keep inner hyphens (`week-long`), dots followed by a letter or digit
//!   (`Amazon.com`, `3.14`, `U.S`), apostrophes of names (`O'Brien`), `&` between
//!   capitals (`AT&T`), and digit separators (`1,000`, `3:30`, `24/7`);
//! - clitics are split off: `'s 're 've 'll 'd 'm` and `n't` (`don't` → `do`, `n't`),
//!   with straight or curly apostrophes;
//! - an abbreviation keeps its stop (`Mr.`, `U.S.`, `a.m.`, `J.`, `No.` before a number);
//! - `world.Today` (a lower-case word, a stop, a capitalised word) is three tokens;
//! - unit suffixes come off numbers (`5bn` → `5`, `bn`);
//! - runs of `.`, of `!`/`?`, of `-` and of one dash or `…` are one token; every other
//!   punctuation mark or symbol is a token of its own (currency signs, quotes, brackets).

use super::chars::{self, char_at, char_before, is_alnum, is_space, ASCII, DIGIT, SPACE};
use super::lexicon::{self, Abbr};
use crate::document::{Span, Token, TokenKind};

/// Appends the tokens of `text[span]` to `out`, in order. `span` must lie on char
/// boundaries (every span the segmenter makes does); an invalid span adds nothing.
pub fn tokenize(text: &str, span: Span, out: &mut Vec<Token>) {
    if text.get(span.start..span.end).is_none() {
        return;
    }
    let b = text.as_bytes();
    let e = span.end;
    let mut p = span.start;
    // Start of the current whitespace-free chunk, and how far chunks were already
    // tried as links (each chunk is tried at most once, so the scan stays linear).
    let mut chunk_start = p;
    let mut tried_to = p;
    while p < e {
        let c = b[p];
        let (ch, l) = if c < 0x80 {
            let cls = ASCII[c as usize];
            if cls & SPACE != 0 {
                p += 1;
                chunk_start = p;
                continue;
            }
            if cls & chars::ALNUM != 0 {
                p = word(text, p, e, out);
                continue;
            }
            (c as char, 1)
        } else {
            let (ch, l) = char_at(text, p);
            if is_space(ch) {
                p += l;
                chunk_start = p;
                continue;
            }
            if is_alnum(ch) {
                p = word(text, p, e, out);
                continue;
            }
            (ch, l)
        };
        if matches!(c, b':' | b'@' | b'/') && p >= tried_to {
            let ce = chunk_end(text, p, e);
            tried_to = ce;
            if let Some((ls, le)) = link(text, chunk_start, ce) {
                // Make the chunk again: what comes before the link by the ordinary
                // rules, then the link, then what follows it.
                while out.last().is_some_and(|t| t.span.start >= chunk_start) {
                    out.pop();
                }
                plain(text, chunk_start, ls, out);
                push(out, ls, le, TokenKind::Word);
                plain(text, le, ce, out);
                p = ce;
                continue;
            }
        }
        p = mark(text, chunk_start, p, ch, l, e, out);
    }
}

fn push(out: &mut Vec<Token>, start: usize, end: usize, kind: TokenKind) {
    out.push(Token {
        span: Span::new(start, end),
        kind,
    });
}

/// The end of the whitespace-free chunk around `p`.
fn chunk_end(text: &str, mut p: usize, e: usize) -> usize {
    let b = text.as_bytes();
    while p < e {
        let c = b[p];
        if c < 0x80 {
            if ASCII[c as usize] & SPACE != 0 {
                break;
            }
            p += 1;
        } else {
            let (ch, l) = char_at(text, p);
            if is_space(ch) {
                break;
            }
            p += l;
        }
    }
    p
}

/// The URL or e-mail address inside chunk `[s, e)`, if it holds one: from its first
/// letter or digit to its end less trailing punctuation (a `)` stays when the link
/// opened one, as Wikipedia links do).
fn link(text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut cs = s;
    while cs < e {
        let (c, l) = char_at(text, cs);
        if is_alnum(c) {
            break;
        }
        cs += l;
    }
    let mut ce = e;
    let opens = memchr::memchr(b'(', &b[cs..e]).is_some();
    while ce > cs {
        let Some((c, l)) = char_before(text, ce) else {
            break;
        };
        let strip = match c {
            ')' => !opens,
            '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'' | '”' | '’' | '»' | '›' | ']' | '}'
            | '>' | '*' => true,
            _ => false,
        };
        if !strip {
            break;
        }
        ce -= l;
    }
    if ce <= cs {
        return None;
    }
    let core = &b[cs..ce];
    // scheme://…
    let mut i = 0;
    while i < core.len() && core[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i > 0 && core[i..].starts_with(b"://") && core.len() > i + 3 {
        return Some((cs, ce));
    }
    if core.len() > 4 && core[..4].eq_ignore_ascii_case(b"www.") {
        return Some((cs, ce));
    }
    if core.len() > 7 && core[..7].eq_ignore_ascii_case(b"mailto:") {
        return Some((cs, ce));
    }
    // local@domain.tld
    let at = memchr::memchr(b'@', core)?;
    let before = at.checked_sub(1).map(|i| core[i]);
    let after = core.get(at + 1).copied();
    let dot = memchr::memchr(b'.', &core[at..]).map(|d| at + d);
    match (before, after, dot) {
        (Some(x), Some(y), Some(d))
            if x.is_ascii_alphanumeric()
                && y.is_ascii_alphanumeric()
                && core.get(d + 1).is_some_and(|c| c.is_ascii_alphanumeric())
                && !core[..at].contains(&b'@') =>
        {
            // The local part starts at the chunk's first letter; punctuation glued
            // before it (`(jane@x.com`) was skipped above.
            Some((cs, ce))
        }
        _ => None,
    }
}

/// Tokenizes `[s, e)`, which holds no whitespace and no link.
fn plain(text: &str, s: usize, e: usize, out: &mut Vec<Token>) {
    let mut p = s;
    while p < e {
        let (c, l) = char_at(text, p);
        p = if is_alnum(c) {
            word(text, p, e, out)
        } else {
            mark(text, s, p, c, l, e, out)
        };
    }
}

/// A token starting with the non-alphanumeric char `c` (length `l`) at `p`, in the
/// chunk starting at `s`; returns its end.
fn mark(
    text: &str,
    s: usize,
    p: usize,
    c: char,
    l: usize,
    e: usize,
    out: &mut Vec<Token>,
) -> usize {
    let b = text.as_bytes();
    if c == '.'
        && p + 1 < e
        && b[p + 1].is_ascii_digit()
        && (p == s || !is_alnum(char_before(text, p).map_or(' ', |x| x.0)))
    {
        // `.5`: a decimal without its zero.
        return word(text, p, e, out);
    }
    if matches!(c, '\'' | '’') && p > s && (b[p - 1] == b'.' || b[p - 1].is_ascii_alphanumeric())
    {
        // `Jr.'s`, and the second clitic of `I'd've`
        if let Some(end) = glued_clitic(text, p, l, e) {
            push(out, p, end, TokenKind::Word);
            return end;
        }
    }
    other(text, p, c, l, e, out)
}

/// The end of a clitic (`'s 're 've 'll 'd 'm`) whose apostrophe (length `l`) is at
/// `p`, if one is there.
fn glued_clitic(text: &str, p: usize, l: usize, e: usize) -> Option<usize> {
    let b = text.as_bytes();
    let q = p + l;
    let mut r = q;
    while r < e && r - q < 3 && b[r].is_ascii_alphabetic() {
        r += 1;
    }
    if r < e && is_alnum(char_at(text, r).0) {
        return None;
    }
    let suffix = &b[q..r];
    [&b"s"[..], b"re", b"ve", b"ll", b"d", b"m"]
        .iter()
        .any(|c| suffix.eq_ignore_ascii_case(c))
        .then_some(r)
}

/// Consumes chars of `text[p..e]` while `f` holds; returns the new position.
#[inline]
fn run(text: &str, mut p: usize, e: usize, f: impl Fn(char) -> bool) -> usize {
    while p < e {
        let (c, l) = char_at(text, p);
        if !f(c) {
            break;
        }
        p += l;
    }
    p
}

/// A punctuation mark or symbol at `p` (char `c` of length `l`); returns its end.
fn other(text: &str, p: usize, c: char, l: usize, e: usize, out: &mut Vec<Token>) -> usize {
    let mut end = match c {
        '.' => run(text, p, e, |d| d == '.'),
        '!' | '?' => run(text, p, e, |d| d == '!' || d == '?'),
        '-' => run(text, p, e, |d| d == '-'),
        '…' => run(text, p, e, |d| d == '…'),
        _ if chars::is_dash(c) => run(text, p, e, |d| d == c),
        _ => p + l,
    };
    // Marks, joiners and emoji modifiers stay with the char they follow; a joiner
    // also pulls in the next char (emoji ZWJ sequences).
    while end < e {
        let (d, dl) = char_at(text, end);
        if !chars::is_extend(d) {
            break;
        }
        end += dl;
        if d == '\u{200D}' && end < e {
            let (j, jl) = char_at(text, end);
            if !is_space(j) {
                end += jl;
            }
        }
    }
    let kind = if chars::is_punct(c) || chars::is_bullet(c) {
        TokenKind::Punct
    } else {
        TokenKind::Symbol
    };
    push(out, p, end, kind);
    end
}

/// What the word being scanned looks like so far.
struct Shape {
    letters: bool,
    digits: bool,
    /// Inner stops (`U.S` has one).
    dots: usize,
    /// Longest part between stops, in chars (an initialism has parts of ≤ 2).
    longest_part: usize,
    part_chars: usize,
}

/// A word or number starting at `start`; emits it (and any clitic split off it) and
/// returns where scanning goes on.
fn word(text: &str, start: usize, e: usize, out: &mut Vec<Token>) -> usize {
    let b = text.as_bytes();
    let mut ws = start;
    let mut p = start;
    let mut part_start = start;
    let mut sh = Shape {
        letters: false,
        digits: false,
        dots: 0,
        longest_part: 0,
        part_chars: 0,
    };
    loop {
        // The letters and digits of one part.
        while p < e {
            if sh.letters {
                // Once a letter was seen no unit split can happen: a run of ASCII letters
                // and digits only counts its chars and whether one was a digit.
                let run_start = p;
                let mut seen = 0u8;
                while p < e {
                    let c = b[p];
                    if c >= 0x80 {
                        break;
                    }
                    let cls = ASCII[c as usize];
                    if cls & chars::ALNUM == 0 {
                        break;
                    }
                    seen |= cls;
                    p += 1;
                }
                if p > run_start {
                    sh.digits |= seen & DIGIT != 0;
                    sh.part_chars += p - run_start;
                    continue;
                }
            }
            let c = b[p];
            let (is_digit, l) = if c < 0x80 {
                let cls = ASCII[c as usize];
                if cls & chars::ALNUM == 0 {
                    break;
                }
                (cls & DIGIT != 0, 1)
            } else {
                let (ch, l) = char_at(text, p);
                if !is_alnum(ch) {
                    break;
                }
                if chars::is_extend(ch) {
                    p += l;
                    continue;
                }
                (ch.is_numeric(), l)
            };
            if is_digit {
                sh.digits = true;
            } else {
                if sh.digits && !sh.letters && p > ws && unit_follows(text, p, e) {
                    // `5bn`: the number ends here, the unit is a word of its own.
                    push(out, ws, p, TokenKind::Number);
                    ws = p;
                    part_start = p;
                    sh = Shape {
                        letters: false,
                        digits: false,
                        dots: 0,
                        longest_part: 0,
                        part_chars: 0,
                    };
                }
                sh.letters = true;
            }
            sh.part_chars += 1;
            p += l;
        }
        if p >= e || ASCII[b[p] as usize] & SPACE != 0 {
            break;
        }
        // A joiner: continue the word across it, or stop.
        let (j, jl) = char_at(text, p);
        let (next, _) = char_at(text, p + jl);
        let next_ok = p + jl < e && is_alnum(next);
        let prev_digit = p > ws && b[p - 1].is_ascii_digit();
        let numeric = sh.digits && !sh.letters;
        let joins = match j {
            '-' | '\u{2010}' | '\u{2011}' | '_' => next_ok,
            '.' => next_ok && !splits_at_stop(text, part_start, p, e),
            ',' | ':' => numeric && prev_digit && next.is_ascii_digit() && p + 1 < e,
            '/' => prev_digit && next.is_ascii_digit() && p + 1 < e,
            '&' => {
                p > ws && b[p - 1].is_ascii_uppercase() && next.is_ascii_uppercase() && p + 1 < e
            }
            '\'' | '’' => {
                if !(p + jl < e && next.is_alphabetic()) {
                    false
                } else if let Some(end) = clitic(text, ws, p, jl, e, &sh, out) {
                    return end;
                } else {
                    true
                }
            }
            _ => false,
        };
        if !joins {
            break;
        }
        if j == '.' {
            sh.dots += 1;
            sh.longest_part = sh.longest_part.max(sh.part_chars);
            sh.part_chars = 0;
        }
        p += jl;
        part_start = p;
    }
    sh.longest_part = sh.longest_part.max(sh.part_chars);
    // A single stop after the word: part of it when the word is an abbreviation.
    let mut end = p;
    if p < e && b[p] == b'.' && b.get(p + 1) != Some(&b'.') && keeps_stop(text, ws, p, &sh) {
        end = p + 1;
    }
    let kind = if sh.letters {
        TokenKind::Word
    } else {
        TokenKind::Number
    };
    push(out, ws, end, kind);
    end
}

/// Whether letters at `p` (right after digits) are a unit suffix ending the word.
fn unit_follows(text: &str, p: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let mut q = p;
    while q < e && q - p <= 3 && b[q].is_ascii_alphabetic() {
        q += 1;
    }
    if q - p > 3 || (q < e && is_alnum(char_at(text, q).0)) {
        return false;
    }
    text.get(p..q).is_some_and(lexicon::is_unit)
}

/// `world.Today`, `1,000.That`: a stop between a lower-case word (or a number) of at
/// least two chars and a capitalised word is a sentence end written without a space.
fn splits_at_stop(text: &str, part_start: usize, dot: usize, e: usize) -> bool {
    let part = match text.get(part_start..dot) {
        Some(s) => s,
        None => return false,
    };
    let mut cs = part.chars();
    let (Some(last), Some(_)) = (cs.next_back(), cs.next_back()) else {
        return false;
    };
    if !(chars::is_lower(last) || last.is_ascii_digit()) {
        return false;
    }
    let (a, al) = char_at(text, dot + 1);
    if !chars::is_upper(a) || dot + 1 + al >= e {
        return false;
    }
    chars::is_lower(char_at(text, dot + 1 + al).0)
}

/// Splits a clitic off the word `[ws, p)` at the apostrophe at `p` (length `jl`):
/// `n't` takes the `n` before it, `'s 're 've 'll 'd 'm` stand alone. Returns where
/// scanning goes on, or `None` when the apostrophe is inside a name (`O'Brien`).
fn clitic(
    text: &str,
    ws: usize,
    p: usize,
    jl: usize,
    e: usize,
    sh: &Shape,
    out: &mut Vec<Token>,
) -> Option<usize> {
    let b = text.as_bytes();
    let q = p + jl;
    let kind = if sh.letters {
        TokenKind::Word
    } else {
        TokenKind::Number
    };
    let ends_at = |r: usize| r >= e || !is_alnum(char_at(text, r).0);
    if matches!(b[p - 1], b'n' | b'N') && matches!(b.get(q), Some(b't' | b'T')) && ends_at(q + 1) {
        if p - 1 > ws {
            push(out, ws, p - 1, kind);
            push(out, p - 1, q + 1, TokenKind::Word);
            return Some(q + 1);
        }
        return None;
    }
    let r = glued_clitic(text, p, jl, e)?;
    push(out, ws, p, kind);
    push(out, p, r, TokenKind::Word);
    Some(r)
}

/// Whether the stop at `dot` belongs to the word `[ws, dot)`: initialisms (`U.S`,
/// `a.m`, `Ph.D`), single letters (`J`, `p`), known abbreviations, and number
/// abbreviations before a number (`No. 10`).
fn keeps_stop(text: &str, ws: usize, dot: usize, sh: &Shape) -> bool {
    if !sh.letters {
        return false;
    }
    if sh.dots > 0 {
        return !sh.digits && sh.longest_part <= 2;
    }
    let Some(w) = text.get(ws..dot) else {
        return false;
    };
    let mut cs = w.chars();
    if let (Some(c), None) = (cs.next(), cs.next()) {
        return c.is_alphabetic();
    }
    // `D-Mass.`: the part after the last hyphen decides.
    let last = w.rsplit(['-', '\u{2010}', '\u{2011}']).next().unwrap_or(w);
    match lexicon::abbreviation(w).or_else(|| lexicon::abbreviation(last)) {
        Some(Abbr::Never | Abbr::General) => true,
        Some(Abbr::Number) => {
            let b = text.as_bytes();
            let mut q = dot + 1;
            while q < b.len() && matches!(b[q], b' ' | b'\t') && q - dot < 8 {
                q += 1;
            }
            q > dot + 1 && b.get(q).is_some_and(|c| c.is_ascii_digit())
        }
        None => false,
    }
}
