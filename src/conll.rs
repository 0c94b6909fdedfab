//! CoNLL column files (CoNLL-2003 style): reading, tag schemes and conlleval-style scoring.
//!
//! Owns the line format (`token ... tag`, blank line between sentences, `-DOCSTART-`
//! between documents), IOB1/IOB2/IOBES decoding into entity spans, and entity-level
//! precision/recall/F1 with conlleval semantics (exact span and type). Does not tag.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One line of a CoNLL file, kept verbatim so a tagger can write it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// `-DOCSTART- ...`: a document boundary.
    DocStart(String),
    /// An empty (or whitespace-only) line: a sentence boundary.
    Blank(String),
    /// A token line: the raw text and its columns.
    Token(String),
}

/// Splits a CoNLL text into lines.
pub fn lines(text: &str) -> Vec<Line> {
    text.lines()
        .map(|l| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            if l.trim().is_empty() {
                Line::Blank(l.to_string())
            } else if l.starts_with("-DOCSTART-") {
                Line::DocStart(l.to_string())
            } else {
                Line::Token(l.to_string())
            }
        })
        .collect()
}

/// A sentence: tokens and, when the file has them, the columns after the token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sentence {
    pub words: Vec<String>,
    /// Every column after the first, per token.
    pub columns: Vec<Vec<String>>,
}

impl Sentence {
    /// The last column of every token (the gold tag in a training file), `O` when missing.
    pub fn last_column(&self) -> Vec<&str> {
        self.columns
            .iter()
            .map(|c| c.last().map_or("O", String::as_str))
            .collect()
    }

    /// The column before the last (gold in an evaluation file), `O` when missing.
    pub fn second_last_column(&self) -> Vec<&str> {
        self.columns
            .iter()
            .map(|c| {
                if c.len() >= 2 {
                    c[c.len() - 2].as_str()
                } else {
                    "O"
                }
            })
            .collect()
    }
}

/// A document: the sentences between two `-DOCSTART-` lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConllDocument {
    pub sentences: Vec<Sentence>,
}

/// Groups a CoNLL text into documents of sentences. A file without `-DOCSTART-` is one
/// document.
pub fn documents(text: &str) -> Vec<ConllDocument> {
    let mut docs = vec![ConllDocument::default()];
    let mut sent = Sentence::default();
    for line in lines(text) {
        match line {
            Line::Token(l) => {
                let mut cols = l.split_whitespace();
                let word = cols.next().unwrap_or("").to_string();
                sent.words.push(word);
                sent.columns.push(cols.map(str::to_string).collect());
            }
            Line::Blank(_) | Line::DocStart(_) => {
                if !sent.words.is_empty() {
                    if let Some(d) = docs.last_mut() {
                        d.sentences.push(std::mem::take(&mut sent));
                    }
                }
                if matches!(line, Line::DocStart(_))
                    && docs.last().is_some_and(|d| !d.sentences.is_empty())
                {
                    docs.push(ConllDocument::default());
                }
            }
        }
    }
    if !sent.words.is_empty() {
        if let Some(d) = docs.last_mut() {
            d.sentences.push(sent);
        }
    }
    docs.retain(|d| !d.sentences.is_empty());
    docs
}

/// An entity: tokens `start..end` of a sentence, and its type (`PER`, `LOC`…).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub ty: String,
}

/// Decodes a tag sequence into entities. Accepts IOB1, IOB2 and IOBES (`S-`, `E-`), with
/// conlleval's rules: an `I-X` after `O` or another type starts an entity, `B-X` always does.
pub fn chunks(tags: &[&str]) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = split_tag(tag);
        match prefix {
            'O' => close(&mut open, i, &mut out),
            'B' | 'S' => {
                close(&mut open, i, &mut out);
                open = Some((i, ty));
            }
            _ => {
                if !matches!(open, Some((_, t)) if t == ty) {
                    close(&mut open, i, &mut out);
                    open = Some((i, ty));
                }
            }
        }
        if matches!(prefix, 'S' | 'E') {
            close(&mut open, i + 1, &mut out);
        }
    }
    close(&mut open, tags.len(), &mut out);
    out
}

fn close(open: &mut Option<(usize, &str)>, end: usize, out: &mut Vec<Chunk>) {
    if let Some((start, ty)) = open.take() {
        out.push(Chunk {
            start,
            end,
            ty: ty.to_string(),
        });
    }
}

/// `B-PER` → (`B`, `PER`); `O` (or anything unparsable) → (`O`, ``).
fn split_tag(tag: &str) -> (char, &str) {
    match tag.split_once('-') {
        Some((p, ty)) if !ty.is_empty() => match p {
            "B" | "I" | "E" | "S" | "L" | "U" => {
                let p = match p {
                    "L" => 'E',
                    "U" => 'S',
                    _ => p.chars().next().unwrap_or('O'),
                };
                (p, ty)
            }
            _ => ('O', ""),
        },
        _ => ('O', ""),
    }
}

/// Writes entities back as IOB2 tags.
pub fn iob2(chunks: &[Chunk], len: usize) -> Vec<String> {
    let mut tags = vec!["O".to_string(); len];
    for c in chunks {
        for (k, tag) in tags
            .iter_mut()
            .enumerate()
            .take(c.end.min(len))
            .skip(c.start)
        {
            *tag = format!("{}-{}", if k == c.start { "B" } else { "I" }, c.ty);
        }
    }
    tags
}

/// Entity-level counts for one type (or overall).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub gold: usize,
    pub found: usize,
    pub correct: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.found)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Entity-level evaluation with conlleval semantics.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    pub tokens: usize,
    pub correct_tags: usize,
    pub overall: Counts,
    pub by_type: BTreeMap<String, Counts>,
}

impl Evaluation {
    /// Adds one sentence: gold and predicted tags, one per token.
    pub fn add(&mut self, gold: &[&str], predicted: &[&str]) {
        let n = gold.len().min(predicted.len());
        self.tokens += n;
        self.correct_tags += gold
            .iter()
            .zip(predicted)
            .filter(|(g, p)| split_tag(g).1 == split_tag(p).1)
            .count();
        let g = chunks(&gold[..n]);
        let p = chunks(&predicted[..n]);
        for c in &g {
            self.overall.gold += 1;
            self.by_type.entry(c.ty.clone()).or_default().gold += 1;
        }
        for c in &p {
            self.overall.found += 1;
            let e = self.by_type.entry(c.ty.clone()).or_default();
            e.found += 1;
            if g.contains(c) {
                e.correct += 1;
                self.overall.correct += 1;
            }
        }
    }

    /// The report in conlleval's layout.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let o = &self.overall;
        let _ = writeln!(
            s,
            "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
            self.tokens, o.gold, o.found, o.correct
        );
        let _ = writeln!(
            s,
            "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
            ratio(self.correct_tags, self.tokens),
            o.precision(),
            o.recall(),
            o.f1()
        );
        for (ty, c) in &self.by_type {
            let _ = writeln!(
                s,
                "{:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
                ty,
                c.precision(),
                c.recall(),
                c.f1(),
                c.found
            );
        }
        s
    }
}
