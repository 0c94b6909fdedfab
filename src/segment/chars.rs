//! Character classes for the segmenter: a byte table for ASCII (the fast path) and
//! `char` predicates for the rest. Nothing here allocates.

/// Bits of [`ASCII`].
pub const SPACE: u8 = 1;
pub const LOWER: u8 = 2;
pub const UPPER: u8 = 4;
pub const DIGIT: u8 = 8;
pub const ALNUM: u8 = LOWER | UPPER | DIGIT;

/// Class bits of every ASCII byte (0 for bytes ≥ 0x80).
pub static ASCII: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_lowercase() {
            LOWER
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C) {
            SPACE
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The char starting at byte `p` and its length; `('\0', 1)` off a char boundary or
/// past the end, so a bad offset can never panic (it cannot happen: every offset the
/// segmenter uses comes from stepping whole chars).
#[inline]
pub fn char_at(text: &str, p: usize) -> (char, usize) {
    let bytes = text.as_bytes();
    match bytes.get(p) {
        Some(&b) if b < 0x80 => (b as char, 1),
        Some(_) => match text.get(p..).and_then(|s| s.chars().next()) {
            Some(c) => (c, c.len_utf8()),
            None => ('\0', 1),
        },
        None => ('\0', 1),
    }
}

/// The char ending at byte `p` (exclusive) and its length.
#[inline]
pub fn char_before(text: &str, p: usize) -> Option<(char, usize)> {
    let c = text.get(..p)?.chars().next_back()?;
    Some((c, c.len_utf8()))
}

/// Separators between tokens: Unicode `White_Space`, plus the zero-width space and the
/// byte-order mark, which only ever separate (they never belong to a word).
#[inline]
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// Chars that attach to whatever precedes them: combining marks that are not already
/// `Alphabetic`, joiners, variation selectors, emoji modifiers and tags.
#[inline]
pub fn is_extend(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}' | '\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Letters and digits of any script, and the marks that extend them.
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        ASCII[c as usize] & ALNUM != 0
    } else {
        c.is_alphanumeric() || is_extend(c)
    }
}

#[inline]
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else {
        c.is_uppercase()
    }
}

#[inline]
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_lowercase()
    } else {
        c.is_lowercase()
    }
}

/// Punctuation (as opposed to symbols): ASCII punctuation but the symbol-like signs,
/// quotes, dashes, bullets, and the General and CJK Punctuation blocks.
pub fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return matches!(
            c,
            '!' | '"'
                | '\''
                | '('
                | ')'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '?'
                | '['
                | '\\'
                | ']'
                | '{'
                | '}'
                | '`'
        );
    }
    matches!(c,
        '¡' | '¿' | '«' | '»' | '§' | '¶' | '·'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205E}'
        | '\u{3001}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF1F}'
        | '\u{FF3B}'..='\u{FF3D}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// Dashes that are tokens of their own (the hyphens inside words are not).
#[inline]
pub fn is_dash(c: char) -> bool {
    matches!(c, '–' | '—' | '―' | '‒' | '−')
}

/// Sentence-final marks other than `.` and `…`.
#[inline]
pub fn is_bang(c: char) -> bool {
    matches!(
        c,
        '!' | '?' | '‼' | '⁇' | '⁈' | '⁉' | '。' | '！' | '？' | '‽'
    )
}

/// Closing quotes and brackets that stay with a sentence-final mark before them.
#[inline]
pub fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | ')' | ']' | '}' | '»' | '›' | '」' | '』' | '）'
    )
}

/// Opening quotes and brackets that may start a sentence.
#[inline]
pub fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '(' | '[' | '{' | '«' | '‹' | '„' | '‚' | '「' | '『' | '（'
    )
}

/// List bullets: always start a sentence, wherever they stand after whitespace.
#[inline]
pub fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '◦'
            | '▪'
            | '▫'
            | '●'
            | '○'
            | '■'
            | '□'
            | '‣'
            | '⁃'
            | '∙'
            | '➢'
            | '►'
            | '▶'
            | '✓'
            | '✔'
            | '❖'
            | '◆'
            | '◇'
    )
}

/// Marks that make a bullet only at the start of a line, followed by a space.
#[inline]
pub fn is_line_bullet(c: char) -> bool {
    matches!(c, '-' | '*' | '+' | '–' | '—' | '>')
}
