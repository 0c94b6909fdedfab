//! What money and dates share: a small lexer over one sentence and the reading of
//! quantities in news style (`550`, `1,200.5`, `5.5bn`, `two billion`,
//! `one and a half trillion`, `a quarter of a million`, `5 lakh crore`).
//!
//! Owns numbers only; what a number counts (dollars, years, weeks) is decided by the
//! caller.

/// What a lexed token looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Letters; one-letter abbreviations with dots stay whole (`U.S.`, `a.m.`).
    Word,
    /// ASCII digits with inner `,` or `.` followed by a digit (`1,200.5`, `27.10.2025`).
    Num,
    /// Any other single character (`$`, `€`, `-`, `/`, `.`, `(`).
    Sym,
}

/// A token: byte offsets into the lexed text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Whether whitespace separates this token from the previous one.
    pub space: bool,
}

impl Tok {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Splits `text` into words, numbers and symbols. Never fails; every byte of a token lies
/// on char boundaries.
pub fn lex(text: &str, out: &mut Vec<Tok>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut space = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        let start = i;
        let kind;
        if b.is_ascii_digit() {
            kind = Kind::Num;
            i += 1;
            while i < bytes.len() {
                let c = bytes[i];
                if c.is_ascii_digit() {
                    i += 1;
                } else if (c == b',' || c == b'.')
                    && bytes.get(i + 1).is_some_and(|d| d.is_ascii_digit())
                {
                    i += 2;
                } else {
                    break;
                }
            }
        } else if b.is_ascii_alphabetic() || (b >= 0x80 && char_at(text, i).is_alphabetic()) {
            kind = Kind::Word;
            let mut letters = 0;
            let mut dotted = false;
            loop {
                if i >= bytes.len() {
                    break;
                }
                let c = bytes[i];
                if c.is_ascii_alphabetic() {
                    i += 1;
                    letters += 1;
                } else if c >= 0x80 && char_at(text, i).is_alphabetic() {
                    i += char_at(text, i).len_utf8();
                    letters += 1;
                } else if c == b'.'
                    && letters == 1
                    && bytes.get(i + 1).is_some_and(|d| d.is_ascii_alphabetic())
                    && !matches!(bytes.get(i + 2), Some(d) if d.is_ascii_alphabetic() && !dotted)
                {
                    // `U.S.`, `a.m.`: one letter, a dot, one letter.
                    i += 1;
                    letters = 0;
                    dotted = true;
                } else if c == b'.' && dotted && letters == 1 {
                    i += 1;
                    break;
                } else {
                    break;
                }
            }
        } else {
            kind = Kind::Sym;
            i += char_at(text, i).len_utf8().max(1);
        }
        out.push(Tok {
            start,
            end: i,
            kind,
            space,
        });
        space = false;
    }
}

/// Lexes `text` into a per-thread buffer and hands the tokens to `f`, so that a
/// sentence costs no allocation.
pub fn with_lexed<R>(text: &str, f: impl FnOnce(&[Tok]) -> R) -> R {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<Tok>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|b| match b.try_borrow_mut() {
        Ok(mut v) => {
            lex(text, &mut v);
            f(&v)
        }
        Err(_) => {
            let mut v = Vec::new();
            lex(text, &mut v);
            f(&v)
        }
    })
}

fn char_at(text: &str, i: usize) -> char {
    text.get(i..)
        .and_then(|s| s.chars().next())
        .unwrap_or('\u{0}')
}

/// Lowercases an ASCII word into `buf`; `None` when it is too long or not ASCII (no
/// keyword is).
pub fn lower<'b>(word: &'b str, buf: &'b mut [u8; 24]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    if bytes.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    // most words are lowercase already: no copy
    if !bytes.iter().any(|b| b.is_ascii_uppercase()) {
        return Some(word);
    }
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..bytes.len()]).ok()
}

/// Parses digits with thousands separators and a decimal point: `1,200.50`, `5.5`.
/// Rejects `1,2` and `27.10.2025`.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let mut groups = int.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 && int.contains(',') {
        return None;
    }
    let mut digits = String::with_capacity(s.len());
    digits.push_str(first);
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        digits.push_str(g);
    }
    if let Some(f) = frac {
        digits.push('.');
        digits.push_str(f);
    }
    digits.parse().ok()
}

/// The value of a multiplier word: `million` → 1e6. `attached` says whether it follows
/// the number without a space (`5m`), which single letters need.
pub fn multiplier(word: &str, attached: bool) -> Option<f64> {
    let mut buf = [0u8; 24];
    let w = lower(word, &mut buf)?;
    Some(match w {
        "hundred" => 1e2,
        "thousand" | "thousands" => 1e3,
        "k" if attached => 1e3,
        "million" | "mn" | "mln" | "mil" | "mio" => 1e6,
        "m" if attached => 1e6,
        "billion" | "bn" | "bln" | "bil" => 1e9,
        "b" if attached => 1e9,
        "trillion" | "tn" | "trn" | "tln" => 1e12,
        "t" if attached => 1e12,
        "lakh" | "lakhs" | "lac" => 1e5,
        "crore" | "crores" | "cr" => 1e7,
        _ => return None,
    })
}

/// Value of a spelled number word below one hundred.
pub fn small_number(word: &str) -> Option<f64> {
    let mut buf = [0u8; 24];
    let w = lower(word, &mut buf)?;
    Some(match w {
        "zero" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

/// Whether a lowercase word can start or continue a spelled number (a cheap test for
/// prefilters).
pub fn is_number_word(word: &str) -> bool {
    small_number(word).is_some()
        || matches!(
            word.to_ascii_lowercase().as_str(),
            "hundred" | "thousand" | "million" | "billion" | "trillion" | "half" | "quarter"
        )
}

/// A quantity read from tokens `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantity {
    /// The full value (`5.5bn` → 5.5e9).
    pub value: f64,
    /// The multiplier the text gave (1 when none), so that `$5-10 billion` can share it.
    pub mult: f64,
    pub start: usize,
    pub end: usize,
    /// Spelled in words (`two billion`), not digits.
    pub spelled: bool,
    /// Digits without fraction, separators or multiplier (`2025`), as text allows years.
    pub plain_integer: bool,
}

/// Reads a quantity starting at token `i`: digits with an optional multiplier, or a
/// spelled number. `None` when token `i` does not start one.
pub fn quantity(text: &str, toks: &[Tok], i: usize) -> Option<Quantity> {
    let t = toks.get(i)?;
    match t.kind {
        Kind::Num => {
            let raw = t.text(text);
            let base = parse_decimal(raw)?;
            let mut q = Quantity {
                value: base,
                mult: 1.0,
                start: i,
                end: i + 1,
                spelled: false,
                plain_integer: raw.bytes().all(|b| b.is_ascii_digit()),
            };
            apply_multipliers(text, toks, &mut q);
            Some(q)
        }
        Kind::Word => spelled(text, toks, i),
        Kind::Sym => None,
    }
}

/// `5 million`, `5.5bn`, `5.5-billion`, `5 lakh crore`.
fn apply_multipliers(text: &str, toks: &[Tok], q: &mut Quantity) {
    let mut j = q.end;
    let mut hyphen = false;
    if let (Some(d), Some(w)) = (toks.get(j), toks.get(j + 1)) {
        if d.text(text) == "-" && !d.space && !w.space && w.kind == Kind::Word {
            hyphen = true;
        }
    }
    if hyphen {
        j += 1;
    }
    let mut found = 0;
    while let Some(w) = toks.get(j) {
        if w.kind != Kind::Word || found == 2 {
            break;
        }
        let attached = !w.space && !hyphen && found == 0;
        let Some(m) = multiplier(w.text(text), attached) else {
            break;
        };
        // Only a long word follows a hyphen (`5.5-billion`, not `5-m`).
        if hyphen && w.end - w.start < 4 {
            break;
        }
        q.value *= m;
        q.mult *= m;
        q.plain_integer = false;
        j += 1;
        found += 1;
        q.end = j;
        hyphen = false;
    }
}

fn word_is(text: &str, toks: &[Tok], i: usize, w: &str) -> bool {
    toks.get(i)
        .is_some_and(|t| t.kind == Kind::Word && t.text(text).eq_ignore_ascii_case(w))
}

/// A fraction word: `half` → 0.5, `quarter` → 0.25, `third` → 1/3.
fn fraction(word: &str) -> Option<f64> {
    let mut buf = [0u8; 24];
    Some(match lower(word, &mut buf)? {
        "half" => 0.5,
        "quarter" | "quarters" => 0.25,
        "third" | "thirds" => 1.0 / 3.0,
        _ => return None,
    })
}

/// Spelled numbers: `two billion`, `twenty-five million`, `one and a half trillion`,
/// `half a billion`, `a quarter of a million`, `three quarters of a million`, `a billion`.
fn spelled(text: &str, toks: &[Tok], i: usize) -> Option<Quantity> {
    let mut j = i;
    let mut total = 0.0;
    let mut small = 0.0;
    let mut any = false;
    let mut mult_seen = 1.0;
    let article = word_is(text, toks, j, "a") || word_is(text, toks, j, "an");

    // `half a billion`, `a half billion`, `a quarter of a million`, `three quarters of a`.
    let frac_start = if article { j + 1 } else { j };
    let (count, after_count) = match toks
        .get(frac_start)
        .and_then(|t| small_number(t.text(text)))
    {
        Some(n) if !article => (n, frac_start + 1),
        _ => (1.0, frac_start),
    };
    if let Some(f) = toks.get(after_count).and_then(|t| fraction(t.text(text))) {
        let mut k = after_count + 1;
        if word_is(text, toks, k, "of") {
            k += 1;
        }
        if word_is(text, toks, k, "a") || word_is(text, toks, k, "an") {
            k += 1;
        }
        if let Some(m) = toks
            .get(k)
            .and_then(|t| multiplier(t.text(text), false))
            .filter(|m| *m >= 1e3)
        {
            return Some(Quantity {
                value: count * f * m,
                mult: m,
                start: i,
                end: k + 1,
                spelled: true,
                plain_integer: false,
            });
        }
    }

    if article {
        // `a billion`, `a million` (but not `a` alone).
        toks.get(j + 1)
            .and_then(|t| multiplier(t.text(text), false))
            .filter(|m| *m >= 1e2)?;
        small = 1.0;
        j += 1;
        any = true;
    }
    while let Some(t) = toks.get(j) {
        if t.kind != Kind::Word {
            // `twenty-five`
            if t.text(text) == "-" && !t.space && any {
                if let Some(n) = toks
                    .get(j + 1)
                    .filter(|n| !n.space)
                    .and_then(|n| small_number(n.text(text)))
                {
                    if n < 10.0 {
                        small += n;
                        j += 2;
                        continue;
                    }
                }
            }
            break;
        }
        let w = t.text(text);
        if let Some(n) = small_number(w) {
            if any && small % 100.0 != 0.0 && !(small >= 20.0 && small % 10.0 == 0.0 && n < 10.0) {
                break;
            }
            small += n;
            any = true;
            j += 1;
            continue;
        }
        if any && w.eq_ignore_ascii_case("and") {
            // `one and a half trillion`, `two hundred and fifty million`
            if word_is(text, toks, j + 1, "a") && word_is(text, toks, j + 2, "half") {
                small += 0.5;
                j += 3;
                continue;
            }
            let after_hundreds = small >= 100.0 && small % 100.0 == 0.0;
            let after_thousands = small == 0.0 && total > 0.0;
            if (after_hundreds || after_thousands)
                && toks
                    .get(j + 1)
                    .and_then(|n| small_number(n.text(text)))
                    .is_some()
            {
                j += 1;
                continue;
            }
            break;
        }
        if any {
            if let Some(m) = multiplier(w, false) {
                if m == 100.0 {
                    small *= 100.0;
                } else {
                    if small == 0.0 {
                        small = 1.0;
                    }
                    total += small * m;
                    small = 0.0;
                    mult_seen = m;
                }
                j += 1;
                continue;
            }
        }
        break;
    }
    if !any {
        return None;
    }
    Some(Quantity {
        value: total + small,
        mult: mult_seen,
        start: i,
        end: j,
        spelled: true,
        plain_integer: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Option<f64> {
        let mut toks = Vec::new();
        lex(text, &mut toks);
        let q = quantity(text, &toks, 0)?;
        (q.end == toks.len()).then_some(q.value)
    }

    #[test]
    fn reads_news_quantities() {
        assert_eq!(q("550"), Some(550.0));
        assert_eq!(q("1,200.5"), Some(1200.5));
        assert_eq!(q("5.5bn"), Some(5.5e9));
        assert_eq!(q("5.5 billion"), Some(5.5e9));
        assert_eq!(q("728 mil"), Some(728e6));
        assert_eq!(q("5 lakh crore"), Some(5e12));
        assert_eq!(q("two billion"), Some(2e9));
        assert_eq!(q("twenty-five million"), Some(25e6));
        assert_eq!(q("one and a half trillion"), Some(1.5e12));
        assert_eq!(q("half a billion"), Some(0.5e9));
        assert_eq!(q("a quarter of a million"), Some(250e3));
        assert_eq!(q("three quarters of a million"), Some(750e3));
        assert_eq!(q("two hundred and fifty million"), Some(250e6));
        assert_eq!(q("a billion"), Some(1e9));
        assert_eq!(q("a"), None);
        assert_eq!(q("1,2"), None);
    }

    #[test]
    fn lexes_abbreviations_whole() {
        let text = "U.S.$5 at 3 p.m. Oct. 27";
        let mut toks = Vec::new();
        lex(text, &mut toks);
        let words: Vec<&str> = toks.iter().map(|t| t.text(text)).collect();
        assert_eq!(
            words,
            ["U.S.", "$", "5", "at", "3", "p.m.", "Oct", ".", "27"]
        );
    }
}
