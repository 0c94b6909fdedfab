//! Sentence and token segmentation.
//!
//! Owns `Document::sentences` and `Document::tokens`: every sentence and token is a span
//! into the original text, and the text is never changed. Does not decide what a token
//! means (that is NER's and the recognisers' job).
//!
//! First cut (issue #2); issue #3 takes it to reference grade.

use crate::document::{Document, Sentence, SentenceKind, Span, Token, TokenKind};

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gov", "sen", "rep", "gen", "lt", "col", "st", "jr", "sr",
    "inc", "ltd", "corp", "co", "vs", "etc", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "e.g", "i.e",
];

/// Splits text into sentences and tokens.
#[derive(Clone, Debug, Default)]
pub struct Segmenter;

impl Segmenter {
    pub fn new() -> Segmenter {
        Segmenter
    }

    /// Fills `doc.sentences` and `doc.tokens`.
    pub fn annotate(&self, doc: &mut Document) {
        for span in self.sentences(&doc.text) {
            let first = doc.tokens.len();
            tokenize_into(&doc.text, span, &mut doc.tokens);
            let kind = kind_of(span.text(&doc.text));
            doc.sentences.push(Sentence {
                span,
                tokens: first..doc.tokens.len(),
                kind,
            });
        }
    }

    /// Sentence spans, trimmed of surrounding whitespace.
    pub fn sentences(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let line_end = line_start + line.len();
            split_line(text, line_start, line_end, &mut out);
            line_start = line_end;
        }
        out
    }
}

fn split_line(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let mut sent_start = start;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?') {
            let mut j = i + 1;
            while j < end && matches!(bytes[j], b'.' | b'!' | b'?' | b'"' | b'\'' | b')') {
                j += 1;
            }
            // Closing curly quotes after the stop.
            while let Some(rest) = text.get(j..end) {
                if rest.starts_with('”') || rest.starts_with('’') {
                    j += '”'.len_utf8();
                } else {
                    break;
                }
            }
            let next_is_space = j < end && bytes[j].is_ascii_whitespace();
            if next_is_space && !(b == b'.' && is_abbreviation(text, sent_start, i)) {
                push_trimmed(text, sent_start, j, out);
                sent_start = j;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    push_trimmed(text, sent_start, end, out);
}

fn is_abbreviation(text: &str, sent_start: usize, dot: usize) -> bool {
    let before = &text[sent_start..dot];
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    (word.chars().count() == 1 && word.chars().all(|c| c.is_uppercase()))
        || ABBREVIATIONS.contains(&lower.as_str())
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(Span::new(start + lead, end - trail));
    }
}

fn kind_of(sentence: &str) -> SentenceKind {
    let first = sentence.chars().next().unwrap_or(' ');
    if matches!(first, '•' | '*' | '-' | '–' | '▪' | '●') {
        SentenceKind::Bullet
    } else if !sentence.ends_with(['.', '!', '?', '"', '”', ':', ')']) {
        SentenceKind::Heading
    } else {
        SentenceKind::Body
    }
}

/// Appends the tokens of `span` to `out`.
pub fn tokenize_into(text: &str, span: Span, out: &mut Vec<Token>) {
    let piece = span.text(text);
    let mut chars = piece.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let start = span.start + i;
        let mut end = start + c.len_utf8();
        let kind = if c.is_alphanumeric() {
            while let Some(&(j, d)) = chars.peek() {
                let joins = matches!(d, '-' | '.' | '\'' | '’' | ',')
                    && piece[j + d.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_alphanumeric());
                if d.is_alphanumeric() || joins {
                    end = span.start + j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            if c.is_ascii_digit() {
                TokenKind::Number
            } else {
                TokenKind::Word
            }
        } else if (c.is_ascii_punctuation() && !matches!(c, '$' | '%' | '&' | '#' | '@'))
            || matches!(c, '“' | '”' | '‘' | '’' | '—' | '–' | '…' | '•')
        {
            TokenKind::Punct
        } else {
            TokenKind::Symbol
        };
        out.push(Token {
            span: Span::new(start, end),
            kind,
        });
    }
}
