//! Dates and times: `DATE` mentions with an ISO 8601 value at the precision of the text
//! (`2025-10-27`, `2025-10`, `2025`, `2025-W44`; intervals for ranges, quarters, decades and
//! weekends: `2025-10-27/2025-10-29`, `2025-07/2025-09`, `1990/1999`; times of day on their
//! date: `2025-10-27T15:00Z`), relative expressions resolved
//! against the article date with the tense of the sentence deciding the direction
//! (`arrived on Monday` is the past Monday, `will meet on Thursday` the coming one).
//!
//! Owns the `date` mentions; does not attach dates to events (assemble does). Durations
//! ("nearly six years", "a second") are not dates and are left alone.

use std::sync::OnceLock;

#[cfg(test)]
use aho_corasick::AhoCorasick;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::document::{
    DateValue, Document, EntityType, Mention, MentionSource, MentionValue, Span,
};
use crate::money::number::{lower, quantity, with_lexed, Kind, Tok};
use crate::swar::ascii_letters8;

/// Finds `DATE` mentions in text; built once, shared by every thread.
pub struct DateRecognizer {
    _private: (),
}

impl Default for DateRecognizer {
    fn default() -> Self {
        DateRecognizer::new()
    }
}

impl DateRecognizer {
    pub fn new() -> DateRecognizer {
        let _ = (patterns_by_letter(), first_threes());
        DateRecognizer { _private: () }
    }

    /// Appends one `DATE` mention per date or time in each sentence, resolved against
    /// `doc.published`.
    ///
    /// The prefilter runs once over the whole text; only sentences holding a trigger are
    /// lexed and parsed.
    pub fn annotate(&self, doc: &mut Document) {
        let mut found = Vec::new();
        let all = triggers(&doc.text);
        let mut t = 0;
        let mut local = Vec::new();
        for (si, s) in doc.sentences.iter().enumerate() {
            while t < all.len() && all[t] < s.span.start {
                t += 1;
            }
            local.clear();
            while t < all.len() && all[t] < s.span.end {
                local.push(all[t] - s.span.start);
                t += 1;
            }
            if local.is_empty() {
                continue;
            }
            let text = s.span.text(&doc.text);
            let dates = with_lexed(text, |toks| dates_in(text, toks, &local, doc.published));
            for (span, value) in dates {
                let span = Span::new(s.span.start + span.start, s.span.start + span.end);
                let mut m = Mention::new(span, EntityType::Date, MentionSource::Date, si);
                m.value = Some(MentionValue::Date(value));
                found.push(m);
            }
        }
        doc.mentions.extend(found);
    }
}

/// Month and weekday names and the words of relative dates; with [`digit_trigger`] a
/// sentence without one of them has no date. Matched case-insensitively (the case a word
/// needs, `May` and not "may", is checked in [`triggers`]); in this order, which gives
/// the ids of [`UNIT_PATTERNS`], [`MONTH_PATTERNS`] and [`CAPITAL_PATTERNS`].
#[rustfmt::skip]
const PATTERNS: [&str; 39] = [
    "week", "month", "year", "quarter", "decade",
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "q1", "q2", "q3", "q4",
    "yesterday", "today", "tomorrow", "tonight", "ago", "noon", "midnight", "morning",
    "afternoon", "evening", "last night",
];

/// Patterns (text and id) by their first letter (`a` = 0), shortest first.
type ByLetter = [Vec<(&'static [u8], usize)>; 26];

fn patterns_by_letter() -> &'static ByLetter {
    static BY: OnceLock<ByLetter> = OnceLock::new();
    BY.get_or_init(|| {
        let mut by = ByLetter::default();
        for (id, p) in PATTERNS.iter().enumerate() {
            by[usize::from(p.as_bytes()[0] - b'a')].push((p.as_bytes(), id));
        }
        for list in &mut by {
            // Stable: equal lengths keep id order.
            list.sort_by_key(|(p, _)| p.len());
        }
        by
    })
}

/// The [`PATTERNS`] matches that start a word (at the text's start or after a byte that
/// is not an ASCII letter), as `(start, id)`: exactly the matches an Aho-Corasick scan of
/// the whole text (standard, non-overlapping semantics, ASCII case-insensitive) reports
/// at word starts, without running an automaton over every byte.
///
/// Why the two agree: that scan reports, from where the last match ended, the match that
/// ends first. A word start's shortest pattern ends before any other match that could
/// begin inside it (no pattern holds another past its first letter), and a match from
/// before a word start can only reach into it across a space (`last night`, and no
/// pattern starts with `night`). So each word start reports its shortest pattern: `dec`
/// for "decade", as the scan does. `word_starts_match_the_automaton` checks this on
/// random text against the automaton itself.
fn word_start_matches(text: &str, mut found: impl FnMut(usize, usize)) {
    let b = text.as_bytes();
    let by = patterns_by_letter();
    let firsts = first_threes();
    // Where the last match ended: the scan goes on from there.
    let mut pos = 0;
    let mut full_check = |i: usize| {
        if i < pos {
            return;
        }
        let rest = &b[i..];
        let first = usize::from((b[i] | 0x20) - b'a');
        if let Some(&(p, id)) = by[first].iter().find(|(p, _)| {
            rest.get(..p.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(p))
        }) {
            found(i, id);
            pos = i + p.len();
        }
    };
    // Most words begin with no pattern's first three letters: one bit says so (`q1`…`q4`
    // and the text's last two bytes take the full check).
    let maybe = |i: usize| match b.get(i..i + 3) {
        Some(&[c0, c1, c2]) => {
            let k = usize::from(three(c0, c1, c2));
            c0 | 0x20 == b'q' || firsts[k / 64] & (1 << (k % 64)) != 0
        }
        _ => true,
    };
    // Word starts eight bytes at a time: the high bit of each byte that is an ASCII letter
    // after one that is not.
    let mut i = 0;
    let mut prev_letter = 0u64;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let letters = ascii_letters8(x);
        let mut starts = letters & !((letters << 8) | prev_letter);
        while starts != 0 {
            let at = i + (starts.trailing_zeros() / 8) as usize;
            if maybe(at) {
                full_check(at);
            }
            starts &= starts - 1;
        }
        prev_letter = letters >> 56;
        i += 8;
    }
    let mut prev = prev_letter != 0;
    for (k, &c) in b.iter().enumerate().skip(i) {
        let letter = c.is_ascii_alphabetic();
        if letter && !prev && maybe(k) {
            full_check(k);
        }
        prev = letter;
    }
}

/// A 15-bit key of three bytes, case folded for letters.
fn three(c0: u8, c1: u8, c2: u8) -> u16 {
    u16::from(c0 & 31) << 10 | u16::from(c1 & 31) << 5 | u16::from(c2 & 31)
}

/// Which [`three`] keys begin a pattern (of three letters or more), a bit each: 4 KB.
fn first_threes() -> &'static [u64; 512] {
    static FIRST: OnceLock<[u64; 512]> = OnceLock::new();
    FIRST.get_or_init(|| {
        let mut t = [0u64; 512];
        for p in PATTERNS {
            if let [c0, c1, c2, ..] = *p.as_bytes() {
                let k = usize::from(three(c0, c1, c2));
                t[k / 64] |= 1 << (k % 64);
            }
        }
        t
    })
}

/// The automaton [`word_start_matches`] stands for (tests compare the two).
#[cfg(test)]
fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(PATTERNS)
            .expect("valid patterns")
    })
}

/// Prefilter pattern ids: unit words (`week` … `decade`), then month abbreviations,
/// then words that must be capitalised (weekdays, `Q1`…), then the rest.
const UNIT_PATTERNS: std::ops::Range<usize> = 0..5;
const MONTH_PATTERNS: std::ops::Range<usize> = 5..17;
const CAPITAL_PATTERNS: std::ops::Range<usize> = 17..28;

/// A unit word is a trigger after `this`, `last`, `next`, `coming`, `past`, `the`, an
/// ordinal or a hyphen (`this year`, `the end of the year`, `first-quarter`), or before
/// `-end` (`year-end`). `ago` triggers on its own.
fn unit_trigger(text: &str, at: usize) -> bool {
    let before = text.get(..at).unwrap_or("");
    let rest = text.get(at..).unwrap_or("");
    let word_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if before.ends_with('-') || rest.get(word_end..).is_some_and(|r| r.starts_with("-end")) {
        return true;
    }
    let before = before.trim_end_matches(' ');
    let word_start = before
        .rfind(|c: char| !c.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let prev = before.get(word_start..).unwrap_or("");
    [
        "this", "last", "next", "coming", "past", "the", "first", "second", "third", "fourth",
        "This", "Last", "Next", "The", "Coming",
    ]
    .contains(&prev)
}

/// Digits that can be part of a date or time: a year (`1996`, `2025`), `10/27`,
/// `3:30`, `3 p.m.`, `1400 GMT`. Most numbers in news (scores, prices, counts) are not.
fn digit_trigger(text: &str, out: &mut Vec<usize>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i = next_digit(b, i + 1);
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let len = i - start;
        let next = b.get(i).copied().unwrap_or(b' ');
        let after = b.get(i + 1).copied().unwrap_or(b' ');
        let year = len == 4
            && matches!(
                (b[start], b[start + 1]),
                (b'1', b'5'..=b'9') | (b'2', b'0' | b'1')
            );
        let sep = matches!(next, b':' | b'/') && after.is_ascii_digit();
        let ampm = {
            let mut k = i;
            if b.get(k) == Some(&b' ') {
                k += 1;
            }
            matches!(b.get(k), Some(b'a' | b'p' | b'A' | b'P'))
                && matches!(b.get(k + 1), Some(b'm' | b'M' | b'.'))
        };
        let zone = len == 4 && next == b' ' && after.is_ascii_uppercase();
        if year || sep || ampm || zone {
            out.push(start);
        }
    }
}

/// The index of the first ASCII digit at or after `i` (or `b.len()`), eight bytes at a
/// time: most text has no digit for long stretches.
fn next_digit(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while i + 8 <= b.len() {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&b[i..i + 8]);
        // bytes '0'..='9' become 0..=9; a byte below 10 sets its high bit in `t`
        let x = u64::from_le_bytes(chunk) ^ (0x30 * ONES);
        let t = x.wrapping_sub(10 * ONES) & !x & HIGH;
        if t != 0 {
            break;
        }
        i += 8;
    }
    while i < b.len() && !b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// How the sentence places a date relative to the article: tense and cue words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    Past,
    Future,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WdMode {
    Bare,
    Last,
    Next,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
    Decade,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Time {
    h: u32,
    m: u32,
    zone: Option<&'static str>,
}

/// A date as the text gives it, before resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expr {
    Day(Option<i32>, u32, u32),
    Month(Option<i32>, u32),
    /// `last October` (-1), `next May` (+1).
    ShiftedMonth(u32, i64),
    Year(i32),
    Decade(i32),
    Quarter(Option<i32>, u32),
    Weekday(Weekday, WdMode),
    DayOffset(i64),
    WeekOffset(i64),
    MonthOffset(i64),
    YearOffset(i64),
    QuarterOffset(i64),
    WeekendOffset(i64),
    Ago(i64, Unit),
    Time(Time),
    At(Box<Expr>, Time),
    Range(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn relative(&self) -> bool {
        match self {
            Expr::Day(y, ..) | Expr::Month(y, _) | Expr::Quarter(y, _) => y.is_none(),
            Expr::Year(_) | Expr::Decade(_) => false,
            Expr::At(d, _) => d.relative(),
            Expr::Range(a, b) => a.relative() || b.relative(),
            _ => true,
        }
    }

    /// Whether the expression names a day (so a time of day can join it).
    fn is_day(&self) -> bool {
        matches!(self, Expr::Day(..) | Expr::Weekday(..) | Expr::DayOffset(_))
    }
}

/// Finds the dates in one sentence (or any text), resolving relative ones against
/// `published`; spans are byte offsets into `text`.
pub fn find(text: &str, published: Option<NaiveDate>) -> Vec<(Span, DateValue)> {
    let triggers = triggers(text);
    if triggers.is_empty() {
        return Vec::new();
    }
    with_lexed(text, |toks| dates_in(text, toks, &triggers, published))
}

/// Byte offsets of every trigger in `text`, sorted.
fn triggers(text: &str) -> Vec<usize> {
    let mut triggers: Vec<usize> = Vec::new();
    // Words start at a word start ("Chicago" holds no `ago`).
    word_start_matches(text, |start, id| {
        let capital = text.as_bytes()[start].is_ascii_uppercase();
        let ok = if UNIT_PATTERNS.contains(&id) {
            unit_trigger(text, start)
        } else if MONTH_PATTERNS.contains(&id) {
            // `Mar` fires on "market": the whole word must be a capitalised month
            let rest = text.get(start..).unwrap_or("");
            let end = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            capital && month_number(&rest[..end]).is_some()
        } else {
            capital || !CAPITAL_PATTERNS.contains(&id)
        };
        if ok {
            triggers.push(start);
        }
    });
    digit_trigger(text, &mut triggers);
    triggers.sort_unstable();
    triggers
}

fn dates_in(
    text: &str,
    toks: &[Tok],
    triggers: &[usize],
    published: Option<NaiveDate>,
) -> Vec<(Span, DateValue)> {
    let mut out = Vec::new();
    // the index of the next token holding a trigger, for every token
    let mut next_hot = vec![usize::MAX; toks.len() + 1];
    let mut ti = triggers.len();
    for k in (0..toks.len()).rev() {
        next_hot[k] = next_hot[k + 1];
        while ti > 0 && triggers[ti - 1] >= toks[k].start {
            ti -= 1;
            if triggers[ti] < toks[k].end {
                next_hot[k] = k;
            }
        }
    }
    let p = Parser { text, toks };
    let mut i = 0;
    // A date starts at most a few tokens before its trigger (`by the end of last week`).
    const REACH: usize = 6;
    while i < toks.len() {
        let h = next_hot[i];
        if h == usize::MAX {
            break;
        }
        if h - i >= REACH {
            i = h + 1 - REACH;
            continue;
        }
        if !p.can_start(i) {
            i += 1;
            continue;
        }
        match p.mention(i) {
            Some((start, end, expr)) => {
                let relative = expr.relative();
                // the tense is read only where the value depends on it
                let dir = if relative && published.is_some() && needs_direction(&expr) {
                    p.direction(start, end)
                } else {
                    None
                };
                let value = match (relative, published) {
                    (true, None) => None,
                    _ => resolve(&expr, published, dir),
                };
                // an absolute date that does not exist (`Feb. 30, 2025`) is no date
                if value.is_some() || relative {
                    out.push((
                        Span::new(toks[start].start, toks[end - 1].end),
                        DateValue {
                            value,
                            anchor: if relative {
                                published.map(fmt_day)
                            } else {
                                None
                            },
                            relative,
                        },
                    ));
                }
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// A month's number and whether the word is an abbreviation ("Sept"), any case.
pub(crate) fn month_number(word: &str) -> Option<(u32, bool)> {
    let mut buf = [0u8; 24];
    let w = lower(word, &mut buf)?;
    // (month, abbreviation)
    Some(match w {
        "january" => (1, false),
        "february" => (2, false),
        "march" => (3, false),
        "april" => (4, false),
        "may" => (5, false),
        "june" => (6, false),
        "july" => (7, false),
        "august" => (8, false),
        "september" => (9, false),
        "october" => (10, false),
        "november" => (11, false),
        "december" => (12, false),
        "jan" => (1, true),
        "feb" => (2, true),
        "mar" => (3, true),
        "apr" => (4, true),
        "jun" => (6, true),
        "jul" => (7, true),
        "aug" => (8, true),
        "sep" | "sept" => (9, true),
        "oct" => (10, true),
        "nov" => (11, true),
        "dec" => (12, true),
        _ => return None,
    })
}

/// A weekday's full name, any case.
pub(crate) fn weekday(word: &str) -> Option<Weekday> {
    let mut buf = [0u8; 24];
    Some(match lower(word, &mut buf)? {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// A month or weekday name, full or abbreviated ("Sept", "Mon"), any case: the calendar
/// words other stages keep apart from names ("March" is no town in "March 12").
pub(crate) fn is_calendar_word(word: &str) -> bool {
    let mut buf = [0u8; 24];
    month_number(word).is_some()
        || weekday(word).is_some()
        || matches!(
            lower(word, &mut buf),
            Some("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")
        )
}

/// Names are capitalised (`Monday`, `OCTOBER`); lowercase "may", "march" are words.
fn capitalised(word: &str) -> bool {
    word.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_uppercase())
}

fn ordinal(word: &str) -> Option<u32> {
    let mut buf = [0u8; 24];
    Some(match lower(word, &mut buf)? {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        "fourth" | "4th" => 4,
        _ => return None,
    })
}

fn unit(word: &str) -> Option<Unit> {
    let mut buf = [0u8; 24];
    Some(match lower(word, &mut buf)? {
        "day" | "days" => Unit::Day,
        "week" | "weeks" => Unit::Week,
        "month" | "months" => Unit::Month,
        "year" | "years" => Unit::Year,
        "decade" | "decades" => Unit::Decade,
        _ => return None,
    })
}

fn zone(word: &str) -> Option<Option<&'static str>> {
    Some(match word {
        "GMT" | "UTC" | "Z" => Some("Z"),
        "BST" | "CET" | "WAT" => Some("+01:00"),
        "CEST" | "EET" | "SAST" => Some("+02:00"),
        "EEST" | "MSK" => Some("+03:00"),
        "GST" => Some("+04:00"),
        "SGT" | "HKT" | "AWST" => Some("+08:00"),
        "JST" | "KST" => Some("+09:00"),
        "AEST" => Some("+10:00"),
        "AEDT" => Some("+11:00"),
        "EST" => Some("-05:00"),
        "EDT" | "CDT" => Some("-04:00"),
        "MDT" => Some("-06:00"),
        "PDT" | "MST" => Some("-07:00"),
        "PST" => Some("-08:00"),
        "ET" | "CT" | "PT" | "MT" => None,
        _ => return None,
    })
}

/// Prepositions kept in the span (`on Monday`, `since 2020`, `by the end of the year`).
const PREPS: &[&str] = &[
    "on", "in", "since", "by", "until", "till", "through", "during", "before", "after", "from",
    "between", "at", "around", "as", "of", "for",
];

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Tok],
}

/// Whether resolving the expression depends on the tense (a weekday, a yearless month).
fn needs_direction(e: &Expr) -> bool {
    match e {
        Expr::Weekday(_, WdMode::Bare) => true,
        Expr::Day(None, ..) | Expr::Month(None, _) | Expr::Quarter(None, _) => true,
        Expr::At(d, _) => needs_direction(d),
        Expr::Range(a, b) => needs_direction(a) || needs_direction(b),
        _ => false,
    }
}

impl Parser<'_> {
    /// A cheap test that a date can start at token `i`: a number or one of the words
    /// [`Parser::mention`] begins with.
    fn can_start(&self, i: usize) -> bool {
        let Some(t) = self.tok(i) else { return false };
        match t.kind {
            Kind::Num => true,
            Kind::Sym => false,
            Kind::Word => {
                let s = t.text(self.text);
                let mut buf = [0u8; 24];
                let Some(w) = lower(s, &mut buf) else {
                    return false;
                };
                matches!(
                    w,
                    "on" | "in"
                        | "since"
                        | "by"
                        | "until"
                        | "till"
                        | "through"
                        | "during"
                        | "before"
                        | "after"
                        | "from"
                        | "between"
                        | "at"
                        | "around"
                        | "as"
                        | "early"
                        | "earlier"
                        | "late"
                        | "later"
                        | "mid"
                        | "end"
                        | "year"
                        | "the"
                        | "yesterday"
                        | "today"
                        | "tomorrow"
                        | "tonight"
                        | "last"
                        | "next"
                        | "this"
                        | "coming"
                        | "q"
                        | "a"
                        | "an"
                        | "noon"
                        | "midnight"
                        | "first"
                        | "second"
                        | "third"
                        | "fourth"
                ) || weekday(s).is_some()
                    || month_number(s).is_some()
                    || crate::money::number::small_number(w).is_some()
            }
        }
    }

    fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    fn s(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.text(self.text))
    }

    fn is(&self, i: usize, w: &str) -> bool {
        self.tok(i)
            .is_some_and(|t| t.kind == Kind::Word && t.text(self.text).eq_ignore_ascii_case(w))
    }

    fn attached(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| !t.space)
    }

    /// A plain integer token's value.
    fn int(&self, i: usize) -> Option<(u32, usize)> {
        let t = self.tok(i).filter(|t| t.kind == Kind::Num)?;
        let s = t.text(self.text);
        if !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 4 {
            return None;
        }
        Some((s.parse().ok()?, s.len()))
    }

    fn year_at(&self, i: usize) -> Option<i32> {
        match self.int(i)? {
            (y, 4) if (1000..=2199).contains(&y) => Some(y as i32),
            _ => None,
        }
    }

    /// A day of the month, with an optional attached ordinal suffix: `(day, end)`.
    fn day_at(&self, i: usize) -> Option<(u32, usize)> {
        let (d, len) = self.int(i)?;
        if len > 2 || !(1..=31).contains(&d) {
            return None;
        }
        let mut end = i + 1;
        if self.attached(end)
            && matches!(
                self.s(end).to_ascii_lowercase().as_str(),
                "st" | "nd" | "rd" | "th"
            )
        {
            end += 1;
        }
        Some((d, end))
    }

    /// A month name at `i` (with the dot of an abbreviation): `(month, end, abbreviated)`.
    fn month_at(&self, i: usize) -> Option<(u32, usize, bool)> {
        let t = self.tok(i).filter(|t| t.kind == Kind::Word)?;
        let w = t.text(self.text);
        if !capitalised(w) {
            return None;
        }
        let (m, abbr) = month_number(w)?;
        let mut end = i + 1;
        if abbr && self.s(end) == "." && self.attached(end) {
            end += 1;
        }
        Some((m, end, abbr))
    }

    /// The longest date mention starting at token `i`: `(start, end, expression)`.
    fn mention(&self, i: usize) -> Option<(usize, usize, Expr)> {
        let mut k = i;
        let mut prep = false;
        let mut range_word = None;
        if self.tok(i).is_some_and(|t| t.kind == Kind::Word) {
            let mut buf = [0u8; 24];
            if let Some(w) = lower(self.s(i), &mut buf) {
                if w == "as" {
                    if self.is(i + 1, "of") {
                        prep = true;
                        k = i + 2;
                    }
                } else if PREPS.contains(&w) && w != "of" && w != "for" {
                    prep = true;
                    k = i + 1;
                    if w == "from" || w == "between" {
                        range_word = Some(if w == "from" { "to" } else { "and" });
                    }
                }
            }
        }
        let found = self.modified(k, prep || self.context_before(i));
        // `at` goes with times and `at the end of`; `in` not with a day (`in Saturday's
        // game` is the day alone)
        let found = found.filter(|(_, e)| {
            !prep
                || match self.s(i).to_ascii_lowercase().as_str() {
                    "at" => matches!(e, Expr::Time(_)) || self.is(i + 1, "the"),
                    "in" => !matches!(e, Expr::Weekday(..) | Expr::DayOffset(_)),
                    _ => true,
                }
        });
        let (mut end, mut expr) = match found {
            Some(f) => f,
            None if prep => return self.mention(i + 1).filter(|m| m.0 == i + 1),
            None => return None,
        };
        // `from 2020 to 2024`, `between Monday and Wednesday`, `Oct. 27 - Nov. 2`
        let conn = self.s(end);
        let dash = matches!(conn, "-" | "–" | "—");
        if range_word.is_some_and(|w| self.is(end, w) || (w == "to" && self.is(end, "until")))
            || (range_word == Some("to") && (dash || self.is(end, "through")))
            || (dash && matches!(expr, Expr::Day(..) | Expr::Month(..)))
        {
            if let Some((e2, b)) = self.core(end + 1, true) {
                if same_kind(&expr, &b) {
                    expr = range(expr, b);
                    end = e2;
                }
            }
        } else if range_word.is_some() {
            return self.mention(i + 1).filter(|m| m.0 == i + 1);
        }
        // a time of day after the date: `Monday at 3 p.m.`, `Oct. 27, 10 a.m.`
        if expr.is_day() {
            let mut t = end;
            if self.is(t, "at") || self.s(t) == "," {
                t += 1;
            }
            if let Some((e2, time)) = self.time(t, true) {
                expr = Expr::At(Box::new(expr), time);
                end = e2;
            }
        } else if let Expr::Time(time) = expr {
            // `3 p.m. on Monday`, `1400 GMT on Oct. 27`
            let mut t = end;
            if self.is(t, "on") {
                t += 1;
            }
            if let Some((e2, d)) = self.core(t, true) {
                if d.is_day() {
                    expr = Expr::At(Box::new(d), time);
                    end = e2;
                }
            }
        }
        Some((i, end, expr))
    }

    /// Weekday names inside other names: `Black Friday`, `Super Tuesday`, `Bloody
    /// Sunday`, `the Sunday Times`, `Mail on Sunday`.
    fn named_day(&self, k: usize) -> bool {
        let before = self.s(k.wrapping_sub(1));
        let after = self.s(k + 1);
        matches!(
            before,
            "Black"
                | "Good"
                | "Holy"
                | "Ash"
                | "Super"
                | "Cyber"
                | "Bloody"
                | "Easter"
                | "Palm"
                | "Maundy"
                | "Shrove"
                | "Giving"
        ) || matches!(
            after,
            "Times"
                | "Telegraph"
                | "Mirror"
                | "Express"
                | "Post"
                | "Herald"
                | "Tribune"
                | "Independent"
                | "Mail"
                | "People"
                | "Sport"
                | "Night"
                | "Club"
        ) || (before == "on" && self.s(k.wrapping_sub(2)) == "Mail")
    }

    /// Words before the date that make a bare month or year a date (`the 2024 election`).
    fn context_before(&self, i: usize) -> bool {
        if i == 0 {
            return false;
        }
        let mut buf = [0u8; 24];
        let possessive = i > 1 && self.s(i - 1) == "s" && matches!(self.s(i - 2), "'" | "’");
        possessive
            || matches!(
                lower(self.s(i - 1), &mut buf),
                Some(
                    "the"
                        | "of"
                        | "this"
                        | "last"
                        | "next"
                        | "fiscal"
                        | "fy"
                        | "its"
                        | "their"
                        | "and"
                )
            )
    }

    /// Position modifiers kept in the span: `earlier this year`, `early next month`,
    /// `mid-2026`, `the end of the year`, `late October`.
    fn modified(&self, k: usize, context: bool) -> Option<(usize, Expr)> {
        let mut buf = [0u8; 24];
        let w = lower(self.s(k), &mut buf).unwrap_or("");
        match w {
            "early" | "earlier" | "late" | "later" => {
                if let Some(found) = self.core(k + 1, true) {
                    if !matches!(found.1, Expr::Time(_)) {
                        return Some(found);
                    }
                }
                if (w == "earlier" || w == "later") && self.is(k + 1, "in") {
                    // `earlier in the week`
                    if let Some(found) = self.the_period(k + 2) {
                        return Some(found);
                    }
                }
                None
            }
            "mid" if self.s(k + 1) == "-" && self.attached(k + 1) => self.core(k + 2, true),
            "mid" | "end" | "year" => {
                // `mid October`, `end-2025`
                let j = if self.s(k + 1) == "-" { k + 2 } else { k + 1 };
                if w == "year" {
                    // `year-end`
                    if self.s(k + 1) == "-" && self.is(k + 2, "end") {
                        return Some((k + 3, Expr::YearOffset(0)));
                    }
                    return self.core(k, context);
                }
                self.core(j, true)
            }
            "the" => {
                // `the end of the year`, `the start of next month`, `the first quarter`
                let mut b2 = [0u8; 24];
                let w2 = lower(self.s(k + 1), &mut b2).unwrap_or("");
                if matches!(w2, "end" | "start" | "beginning" | "middle" | "turn")
                    && self.is(k + 2, "of")
                {
                    return self.the_period(k + 3).or_else(|| self.core(k + 3, true));
                }
                // `the third quarter`, `the 1990s`, `the 4th of July`, `the coming week`;
                // not `the 2024 election` (the year alone is the date).
                let coming = self.is(k + 1, "coming");
                let ordinal_day = self.tok(k + 1).is_some_and(|t| t.kind == Kind::Num);
                self.core(k + 1, true).filter(|(_, e)| {
                    matches!(e, Expr::Quarter(..) | Expr::Decade(_))
                        || (ordinal_day && matches!(e, Expr::Day(..)))
                        || (coming && matches!(e, Expr::WeekOffset(_) | Expr::MonthOffset(_)))
                })
            }
            _ => self.core(k, context),
        }
    }

    /// `the year`, `the week`, `this month`: the current period.
    fn the_period(&self, k: usize) -> Option<(usize, Expr)> {
        if self.is(k, "the") {
            return match unit(self.s(k + 1)) {
                Some(u @ (Unit::Week | Unit::Month | Unit::Year))
                    if !self.s(k + 1).ends_with('s') =>
                {
                    Some((k + 2, offset(u, 0)))
                }
                _ => None,
            };
        }
        self.core(k, true)
    }

    /// A date without prepositions or position modifiers.
    fn core(&self, k: usize, context: bool) -> Option<(usize, Expr)> {
        let t = self.tok(k)?;
        let s = t.text(self.text);
        match t.kind {
            Kind::Word => self.core_word(k, s, context),
            Kind::Num => self.core_num(k, context),
            Kind::Sym => None,
        }
    }

    fn core_word(&self, k: usize, s: &str, context: bool) -> Option<(usize, Expr)> {
        let mut buf = [0u8; 24];
        let w = lower(s, &mut buf)?;
        // weekdays: `Monday`, `Monday, Oct. 27`, `Monday morning`
        if capitalised(s) {
            if let Some(wd) = weekday(s) {
                if self.named_day(k) {
                    return None;
                }
                let mut end = k + 1;
                if self.s(end) == "," {
                    if let Some((e2, d @ Expr::Day(..))) = self.core(end + 1, true) {
                        return Some((e2, d));
                    }
                }
                if let Some((e2, d @ Expr::Day(..))) = self.core(end, true) {
                    return Some((e2, d));
                }
                end = self.part_of_day(end);
                return Some((end, Expr::Weekday(wd, WdMode::Bare)));
            }
            if let Some(found) = self.month_expr(k, context) {
                return Some(found);
            }
        }
        match w {
            "yesterday" | "today" | "tomorrow" | "tonight" => {
                let n = match w {
                    "yesterday" => -1,
                    "tomorrow" => 1,
                    _ => 0,
                };
                Some((self.part_of_day(k + 1), Expr::DayOffset(n)))
            }
            "last" | "next" | "this" | "coming" | "past" => self.shifted(k, w),
            "q" if capitalised(s) => {
                // `Q3`, `Q3 2025`
                let (q, _) = self.int(k + 1).filter(|_| self.attached(k + 1))?;
                if !(1..=4).contains(&q) {
                    return None;
                }
                let mut end = k + 2;
                let mut year = None;
                if let Some(y) = self.year_at(end) {
                    year = Some(y);
                    end += 1;
                }
                Some((end, Expr::Quarter(year, q)))
            }
            "a" | "an" => {
                // `a year ago`, `a decade ago`
                let u = unit(self.s(k + 1))?;
                if self.is(k + 2, "ago") {
                    return Some((k + 3, ago(1, u)));
                }
                None
            }
            "noon" | "midnight" if context => {
                let h = if w == "noon" { 12 } else { 0 };
                Some((
                    k + 1,
                    Expr::Time(Time {
                        h,
                        m: 0,
                        zone: None,
                    }),
                ))
            }
            _ => {
                if let Some(q) = ordinal(w) {
                    // `first quarter`, `third-quarter`, `second quarter of 2025`
                    let mut j = k + 1;
                    let hyphen = self.s(j) == "-" && self.attached(j);
                    if hyphen {
                        j += 1;
                    }
                    // `first-quarter profit` is a date by itself; `first quarter` needs
                    // `the`/`this`/a preposition (`a first quarter of the match`).
                    if self.is(j, "quarter") && (context || hyphen) {
                        let mut end = j + 1;
                        let mut year = None;
                        if self.is(end, "of") {
                            if let Some(y) = self.year_at(end + 1) {
                                year = Some(y);
                                end += 2;
                            }
                        } else if let Some(y) = self.year_at(end) {
                            year = Some(y);
                            end += 1;
                        }
                        return Some((end, Expr::Quarter(year, q)));
                    }
                    return None;
                }
                // `two weeks ago`
                self.ago(k)
            }
        }
    }

    /// `N days/weeks/months/years ago`.
    fn ago(&self, k: usize) -> Option<(usize, Expr)> {
        let q = quantity(self.text, self.toks, k)?;
        if q.value.fract() != 0.0 || q.value <= 0.0 || q.value > 1000.0 {
            return None;
        }
        let u = unit(self.s(q.end))?;
        if !self.is(q.end + 1, "ago") {
            return None;
        }
        Some((q.end + 2, ago(q.value as i64, u)))
    }

    /// `morning`, `afternoon`, `evening`, `night` after a day: kept in the span.
    fn part_of_day(&self, end: usize) -> usize {
        let mut buf = [0u8; 24];
        match lower(self.s(end), &mut buf) {
            Some("morning" | "afternoon" | "evening" | "night" | "overnight") => end + 1,
            _ => end,
        }
    }

    /// `last week`, `next month`, `this year`, `last Monday`, `this coming Friday`,
    /// `last night`, `this morning`, `the coming week`.
    fn shifted(&self, k: usize, w: &str) -> Option<(usize, Expr)> {
        let mut j = k + 1;
        let n: i64 = match w {
            "last" => -1,
            "next" | "coming" => 1,
            "this" => {
                if self.is(j, "coming") {
                    j += 1;
                    1
                } else if self.is(j, "past") {
                    // `this past weekend`
                    j += 1;
                    -1
                } else {
                    0
                }
            }
            _ => return None, // `past` is a duration ("the past week")
        };
        let s = self.s(j);
        if let Some(wd) = weekday(s).filter(|_| capitalised(s)) {
            let mode = match n {
                -1 => WdMode::Last,
                1 => WdMode::Next,
                _ => WdMode::Bare,
            };
            return Some((self.part_of_day(j + 1), Expr::Weekday(wd, mode)));
        }
        let mut buf = [0u8; 24];
        let lw = lower(s, &mut buf)?;
        match lw {
            "week" => Some((j + 1, Expr::WeekOffset(n))),
            "month" => Some((j + 1, Expr::MonthOffset(n))),
            "year" => Some((j + 1, Expr::YearOffset(n))),
            "quarter" => Some((j + 1, Expr::QuarterOffset(n))),
            "weekend" => Some((j + 1, Expr::WeekendOffset(n))),
            "night" if n == -1 => Some((j + 1, Expr::DayOffset(-1))),
            "morning" | "afternoon" | "evening" if n == 0 => Some((j + 1, Expr::DayOffset(0))),
            _ => {
                // `last October`, `next May`
                let (m, end, _) = self.month_at(j)?;
                Some((
                    end,
                    if n == 0 {
                        Expr::Month(None, m)
                    } else {
                        Expr::ShiftedMonth(m, n)
                    },
                ))
            }
        }
    }

    /// Dates that start with a month name: `Oct. 27, 2025`, `October 27`, `Oct. 27-29`,
    /// `October 2025`, `October`.
    fn month_expr(&self, k: usize, context: bool) -> Option<(usize, Expr)> {
        let (m, end, abbr) = self.month_at(k)?;
        // `Oct. 27`, `October 27th`
        if let Some((d, mut e)) = self.day_at(end) {
            if self.int(end).is_some_and(|(_, len)| len <= 2) {
                // `Oct. 27-29`
                let mut d2 = None;
                if matches!(self.s(e), "-" | "–") {
                    if let Some((x, e2)) = self.day_at(e + 1) {
                        if x > d {
                            d2 = Some(x);
                            e = e2;
                        }
                    }
                }
                let mut year = None;
                let mut y_at = e;
                if self.s(y_at) == "," {
                    y_at += 1;
                }
                if let Some(y) = self.year_at(y_at) {
                    year = Some(y);
                    e = y_at + 1;
                }
                let a = Expr::Day(year, m, d);
                return Some(match d2 {
                    Some(d2) => (
                        e,
                        Expr::Range(Box::new(a), Box::new(Expr::Day(year, m, d2))),
                    ),
                    None => (e, a),
                });
            }
        }
        // `October 2025`, `Oct. 2025`
        let mut y_at = end;
        if self.s(y_at) == "," {
            y_at += 1;
        }
        if let Some(y) = self.year_at(y_at) {
            return Some((y_at + 1, Expr::Month(Some(y), m)));
        }
        // a month alone: abbreviations and "May" need context; `April Jones` is a name.
        let s = self.s(k);
        let next_title = self
            .tok(end)
            .is_some_and(|t| t.kind == Kind::Word && capitalised(t.text(self.text)));
        if abbr || (!context && (s == "May" || next_title)) {
            return None;
        }
        if !context && k == 0 {
            return None;
        }
        Some((end, Expr::Month(None, m)))
    }

    fn core_num(&self, k: usize, context: bool) -> Option<(usize, Expr)> {
        let t = self.tok(k)?;
        let s = t.text(self.text);
        // `27.10.2025`
        if s.bytes().filter(|b| *b == b'.').count() == 2 {
            let mut it = s.split('.');
            let (d, m, y) = (it.next()?, it.next()?, it.next()?);
            if y.len() == 4 && d.len() <= 2 && m.len() <= 2 {
                let (d, m, y) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
                NaiveDate::from_ymd_opt(y, m, d)?;
                return Some((k + 1, Expr::Day(Some(y), m, d)));
            }
            return None;
        }
        // times first: `3 p.m.`, `15:30 GMT`, `1400 GMT`
        if let Some((e, time)) = self.time(k, context) {
            return Some((e, Expr::Time(time)));
        }
        let (n, len) = self.int(k)?;
        // `2025-10-27`, `2025-10`
        if len == 4 && self.s(k + 1) == "-" && self.attached(k + 1) && self.attached(k + 2) {
            if let Some((m, 2)) = self.int(k + 2) {
                if self.s(k + 3) == "-" && self.attached(k + 3) && self.attached(k + 4) {
                    if let Some((d, 2)) = self.int(k + 4) {
                        NaiveDate::from_ymd_opt(n as i32, m, d)?;
                        return Some((k + 5, Expr::Day(Some(n as i32), m, d)));
                    }
                    return None;
                }
                if (1..=12).contains(&m) && (1900..=2099).contains(&n) {
                    return Some((k + 3, Expr::Month(Some(n as i32), m)));
                }
            }
        }
        // `two weeks ago`
        if let Some(found) = self.ago(k) {
            return Some(found);
        }
        // `10/27/2025`, `27/10/2025`, `10-27-2025`: only when the order is unambiguous.
        if len <= 2 {
            let sep = self.s(k + 1);
            if (sep == "/" || sep == "-")
                && self.attached(k + 1)
                && self.attached(k + 2)
                && self.s(k + 3) == sep
                && self.attached(k + 3)
                && self.attached(k + 4)
            {
                let (b, blen) = self.int(k + 2)?;
                let (y, ylen) = self.int(k + 4)?;
                if blen > 2 || !(ylen == 4 || (ylen == 2 && sep == "/")) {
                    return None;
                }
                let y = if ylen == 2 { 2000 + y as i32 } else { y as i32 };
                let (m, d) = match (n, b) {
                    (a, b) if a == b => (a, b),
                    (a, b) if a > 12 && b <= 12 => (b, a),
                    (a, b) if b > 12 && a <= 12 => (a, b),
                    _ => return None,
                };
                NaiveDate::from_ymd_opt(y, m, d)?;
                return Some((k + 5, Expr::Day(Some(y), m, d)));
            }
            // `27 October 2025`, `27th of October`, `27-29 October`
            let (d, mut e) = self.day_at(k)?;
            let mut d2 = None;
            if matches!(self.s(e), "-" | "–") {
                if let Some((x, e2)) = self.day_at(e + 1) {
                    if x > d {
                        d2 = Some(x);
                        e = e2;
                    }
                }
            }
            if self.is(e, "of") {
                e += 1;
            }
            let (m, mut e, _) = self.month_at(e)?;
            let mut year = None;
            if let Some(y) = self.year_at(e) {
                year = Some(y);
                e += 1;
            }
            let a = Expr::Day(year, m, d);
            return Some(match d2 {
                Some(d2) => (
                    e,
                    Expr::Range(Box::new(a), Box::new(Expr::Day(year, m, d2))),
                ),
                None => (e, a),
            });
        }
        if len != 4 {
            return None;
        }
        // `the 1990s`
        if n % 10 == 0 && self.s(k + 1) == "s" && self.attached(k + 1) {
            return Some((k + 2, Expr::Decade(n as i32)));
        }
        if !((1900..=2099).contains(&n) || context && (1000..=2199).contains(&n)) {
            return None;
        }
        let y = n as i32;
        // `2020-2024`, `2020-24`
        if matches!(self.s(k + 1), "-" | "–") && self.attached(k + 1) && self.attached(k + 2) {
            if let Some((y2, l2)) = self.int(k + 2) {
                let y2 = match l2 {
                    4 => y2 as i32,
                    2 => y - y % 100 + y2 as i32,
                    _ => 0,
                };
                if y2 > y && y2 - y <= 100 {
                    return Some((
                        k + 3,
                        Expr::Range(Box::new(Expr::Year(y)), Box::new(Expr::Year(y2))),
                    ));
                }
            }
            return None;
        }
        // `2024's`
        let possessive = matches!(self.s(k + 1), "'" | "’") && self.is(k + 2, "s");
        if context || possessive {
            return Some((k + 1, Expr::Year(y)));
        }
        None
    }

    /// A time of day at `k`: `3 p.m.`, `3:30pm`, `10.30 a.m.`, `15:30 GMT`, `1400 GMT`,
    /// `noon`. Bare `15:30` needs a preposition before it (`context`).
    fn time(&self, k: usize, context: bool) -> Option<(usize, Time)> {
        let t = self.tok(k)?;
        if t.kind == Kind::Word {
            let mut buf = [0u8; 24];
            return match lower(t.text(self.text), &mut buf) {
                Some("noon") if context => Some((
                    k + 1,
                    Time {
                        h: 12,
                        m: 0,
                        zone: None,
                    },
                )),
                Some("midnight") if context => Some((
                    k + 1,
                    Time {
                        h: 0,
                        m: 0,
                        zone: None,
                    },
                )),
                _ => None,
            };
        }
        if t.kind != Kind::Num {
            return None;
        }
        let s = t.text(self.text);
        let (mut h, m, mut e, clock);
        if let Some((a, b)) = s.split_once('.') {
            // `10.30 a.m.`
            if a.len() > 2 || b.len() != 2 {
                return None;
            }
            h = a.parse().ok()?;
            m = b.parse().ok()?;
            e = k + 1;
            clock = false;
        } else {
            let (n, len) = self.int(k)?;
            if self.s(k + 1) == ":" && self.attached(k + 1) && self.attached(k + 2) && len <= 2 {
                let (mm, mlen) = self.int(k + 2)?;
                if mlen != 2 {
                    return None;
                }
                // `1:45.23` is a race time
                if self.s(k + 3) == "." && self.attached(k + 3) {
                    return None;
                }
                h = n;
                m = mm;
                e = k + 3;
                clock = true;
            } else if len == 4 {
                // `1400 GMT`
                h = n / 100;
                m = n % 100;
                e = k + 1;
                let z = zone(self.s(e))?;
                if h > 23 || m > 59 {
                    return None;
                }
                return Some((e + 1, Time { h, m, zone: z }));
            } else if len <= 2 {
                h = n;
                m = 0;
                e = k + 1;
                clock = false;
            } else {
                return None;
            }
        }
        let mut buf = [0u8; 24];
        let suffix = lower(self.s(e), &mut buf).unwrap_or("");
        let suffix = match suffix {
            "a.m." | "am" | "a.m" => Some(false),
            "p.m." | "pm" | "p.m" => Some(true),
            _ => None,
        };
        if let Some(pm) = suffix {
            if !(1..=12).contains(&h) || m > 59 {
                return None;
            }
            if pm && h != 12 {
                h += 12;
            } else if !pm && h == 12 {
                h = 0;
            }
            e += 1;
        } else if !clock || h > 23 || m > 59 {
            return None;
        }
        let mut z = None;
        if let Some(found) = zone(self.s(e)) {
            z = found;
            e += 1;
        } else if self.is(e, "local") && self.is(e + 1, "time") {
            e += 2;
        } else if suffix.is_none() && !context {
            return None;
        }
        Some((e, Time { h, m, zone: z }))
    }

    /// The direction the sentence gives a date: the nearest tense cue before it, else
    /// after it. Without one a weekday is the past one (news reports what happened) and
    /// a month or day is the nearest.
    fn direction(&self, start: usize, end: usize) -> Option<Dir> {
        let lo = start.saturating_sub(25);
        for i in (lo..start).rev() {
            if let Some(d) = self.cue(i) {
                return Some(d);
            }
        }
        for i in end..(end + 10).min(self.toks.len()) {
            if let Some(d) = self.cue(i) {
                return Some(d);
            }
        }
        None
    }

    fn cue(&self, i: usize) -> Option<Dir> {
        let t = self.tok(i).filter(|t| t.kind == Kind::Word)?;
        let s = t.text(self.text);
        if capitalised(s) && i > 0 {
            return None;
        }
        let mut buf = [0u8; 24];
        let w = lower(s, &mut buf)?;
        // `will be held`, `is expected`: a participle after `be` leaves the decision to
        // the auxiliary, after `is`/`are` it is a present passive (a schedule).
        let mut b2 = [0u8; 24];
        let aux = lower(self.s(i.wrapping_sub(1)), &mut b2).unwrap_or("");
        let participle = w.ends_with("ed")
            || matches!(
                w,
                "held"
                    | "made"
                    | "set"
                    | "met"
                    | "paid"
                    | "sold"
                    | "told"
                    | "given"
                    | "taken"
                    | "seen"
                    | "done"
                    | "signed"
            );
        if participle && matches!(aux, "be" | "being") {
            return None;
        }
        if participle && matches!(aux, "is" | "are") && w != "expected" {
            return Some(Dir::Future);
        }
        match w {
            "will" | "shall" | "ll" | "expected" | "expects" | "expect" | "scheduled"
            | "slated" | "due" | "plans" | "plan" | "planned" | "planning" | "intends"
            | "upcoming" | "would" | "going" | "aims" | "hopes" | "next" | "forthcoming"
            | "coming" | "tomorrow" | "later" | "soon" => return Some(Dir::Future),
            "set" if self.is(i + 1, "to") => return Some(Dir::Future),
            "is" | "are" | "am" | "begins" | "starts" | "opens" | "meets" | "holds" | "arrives"
            | "travels" | "heads" | "hosts" | "remains" | "takes" => return Some(Dir::Future),
            "said" | "was" | "were" | "had" | "did" | "met" | "came" | "went" | "took" | "made"
            | "told" | "saw" | "began" | "left" | "held" | "gave" | "rose" | "fell" | "won"
            | "lost" | "spoke" | "sent" | "paid" | "sold" | "bought" | "brought" | "ran"
            | "led" | "kept" | "got" | "found" | "thought" | "chose" | "flew" | "drew" | "grew"
            | "knew" | "wrote" | "became" | "broke" | "fought" | "stood" | "shot" | "spent"
            | "heard" | "felt" | "sought" | "threw" | "ago" | "last" | "previously" | "earlier"
            | "yesterday" | "has" | "have" | "been" | "struck" | "hit" | "beat" | "swore"
            | "wore" | "rang" | "sang" | "sank" | "slid" | "dealt" | "meant" | "taught"
            | "caught" | "unveiled" => return Some(Dir::Past),
            _ => {}
        }
        if w.len() > 4 && w.ends_with("ed") && !NOT_PAST.contains(&w) {
            return Some(Dir::Past);
        }
        if w.len() > 5 && w.ends_with("ised") {
            return Some(Dir::Past);
        }
        None
    }
}

/// Words ending in `-ed` that are not past tense.
const NOT_PAST: &[&str] = &[
    "need", "speed", "seed", "feed", "indeed", "exceed", "succeed", "proceed", "hundred", "breed",
    "embed", "united", "based", "related", "limited", "advanced", "detailed", "proposed",
    "alleged", "supposed", "armed",
];

fn same_kind(a: &Expr, b: &Expr) -> bool {
    matches!(
        (a, b),
        (Expr::Day(..), Expr::Day(..))
            | (Expr::Month(..), Expr::Month(..))
            | (Expr::Year(_), Expr::Year(_))
            | (Expr::Weekday(..), Expr::Weekday(..))
            | (Expr::Quarter(..), Expr::Quarter(..))
            | (Expr::Time(_), Expr::Time(_))
    )
}

/// A range whose end gives the year the start leaves out (`from March 3 to June 30,
/// 2026`).
fn range(a: Expr, b: Expr) -> Expr {
    let a = match (a, &b) {
        (Expr::Day(None, m1, d1), Expr::Day(Some(y), m2, d2)) => {
            let y1 = if (m1, d1) <= (*m2, *d2) { *y } else { y - 1 };
            Expr::Day(Some(y1), m1, d1)
        }
        (Expr::Month(None, m1), Expr::Month(Some(y), m2)) => {
            Expr::Month(Some(if m1 <= *m2 { *y } else { y - 1 }), m1)
        }
        (a, _) => a,
    };
    Expr::Range(Box::new(a), Box::new(b))
}

fn offset(u: Unit, n: i64) -> Expr {
    match u {
        Unit::Day => Expr::DayOffset(n),
        Unit::Week => Expr::WeekOffset(n),
        Unit::Month => Expr::MonthOffset(n),
        Unit::Year => Expr::YearOffset(n),
        Unit::Decade => Expr::YearOffset(10 * n),
    }
}

fn ago(n: i64, u: Unit) -> Expr {
    Expr::Ago(n, u)
}

/// `a` moved by `days`; `None` past the calendar's ends (an input date near year
/// 262143 must not panic).
fn shift(a: NaiveDate, days: i64) -> Option<NaiveDate> {
    a.checked_add_signed(Duration::try_days(days)?)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn fmt_day(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn fmt_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

fn fmt_month(y: i32, m: u32) -> String {
    format!("{y:04}-{m:02}")
}

fn add_months(a: NaiveDate, n: i64) -> (i32, u32) {
    let idx = a.year() as i64 * 12 + a.month0() as i64 + n;
    (idx.div_euclid(12) as i32, idx.rem_euclid(12) as u32 + 1)
}

fn quarter_of(a: NaiveDate) -> u32 {
    a.month0() / 3 + 1
}

/// The ISO 8601 value of an expression, or `None` where it needs an anchor it lacks or
/// names no real date.
fn resolve(e: &Expr, anchor: Option<NaiveDate>, dir: Option<Dir>) -> Option<String> {
    match e {
        Expr::Day(Some(y), m, d) => ymd(*y, *m, *d).map(fmt_day),
        Expr::Day(None, m, d) => {
            let a = anchor?;
            day_near(a, *m, *d, dir).map(fmt_day)
        }
        Expr::Month(Some(y), m) => Some(fmt_month(*y, *m)),
        Expr::Month(None, m) => {
            let a = anchor?;
            let y = match dir {
                Some(Dir::Past) if *m > a.month() => a.year() - 1,
                Some(Dir::Future) if *m < a.month() => a.year() + 1,
                Some(_) => a.year(),
                None => nearest_year(a.year(), a.year() * 12 + a.month0() as i32, |y| {
                    y * 12 + *m as i32 - 1
                }),
            };
            Some(fmt_month(y, *m))
        }
        Expr::ShiftedMonth(m, n) => {
            // `last March` is the latest March before this month; `last October` said
            // in October is a year ago.
            let a = anchor?;
            let y = match (*n < 0, *m < a.month(), *m > a.month()) {
                (true, true, _) => a.year(),
                (true, false, _) => a.year() - 1,
                (false, _, true) => a.year(),
                (false, _, false) => a.year() + 1,
            };
            Some(fmt_month(y, *m))
        }
        Expr::Year(y) => Some(format!("{y:04}")),
        Expr::Decade(y) => Some(format!("{:04}/{:04}", y / 10 * 10, y / 10 * 10 + 9)),
        Expr::Quarter(Some(y), q) => Some(fmt_quarter(*y as i64, *q as i64)),
        Expr::Quarter(None, q) => {
            let a = anchor?;
            let cur = quarter_of(a);
            let y = match dir {
                Some(Dir::Past) if *q > cur => a.year() - 1,
                Some(Dir::Future) if *q < cur => a.year() + 1,
                Some(_) => a.year(),
                None => nearest_year(a.year(), a.year() * 4 + cur as i32 - 1, |y| {
                    y * 4 + *q as i32 - 1
                }),
            };
            Some(fmt_quarter(y as i64, *q as i64))
        }
        Expr::Weekday(wd, mode) => {
            let a = anchor?;
            let aw = a.weekday().num_days_from_monday() as i64;
            let w = wd.num_days_from_monday() as i64;
            let back = (aw - w).rem_euclid(7);
            let fwd = (w - aw).rem_euclid(7);
            let days = match (mode, dir) {
                (WdMode::Last, _) => -(if back == 0 { 7 } else { back }),
                (WdMode::Next, _) => {
                    if fwd == 0 {
                        7
                    } else {
                        fwd
                    }
                }
                (WdMode::Bare, Some(Dir::Future)) => fwd,
                (WdMode::Bare, _) => -back,
            };
            Some(fmt_day(shift(a, days)?))
        }
        Expr::DayOffset(n) => Some(fmt_day(shift(anchor?, *n)?)),
        Expr::WeekOffset(n) => Some(fmt_week(shift(anchor?, 7 * n)?)),
        Expr::MonthOffset(n) => {
            let (y, m) = add_months(anchor?, *n);
            Some(fmt_month(y, m))
        }
        Expr::YearOffset(n) => Some(format!("{:04}", anchor?.year() as i64 + n)),
        Expr::QuarterOffset(n) => {
            let a = anchor?;
            let idx = a.year() as i64 * 4 + (quarter_of(a) - 1) as i64 + n;
            Some(fmt_quarter(idx.div_euclid(4), idx.rem_euclid(4) + 1))
        }
        Expr::WeekendOffset(n) => {
            let a = anchor?;
            let monday = shift(a, -(a.weekday().num_days_from_monday() as i64))?;
            let sat = shift(monday, 5 + 7 * n)?;
            Some(format!("{}/{}", fmt_day(sat), fmt_day(shift(sat, 1)?)))
        }
        Expr::Ago(n, u) => {
            let a = anchor?;
            Some(match u {
                Unit::Day => fmt_day(shift(a, -n)?),
                Unit::Week => fmt_week(shift(a, -7 * n)?),
                Unit::Month => {
                    let (y, m) = add_months(a, -n);
                    fmt_month(y, m)
                }
                Unit::Year => format!("{:04}", a.year() as i64 - n),
                Unit::Decade => format!("{:04}", a.year() as i64 - 10 * n),
            })
        }
        // a time of day alone is on the article's day ("the talks began at 10 a.m.")
        Expr::Time(t) => Some(format!("{}T{}", fmt_day(anchor?), fmt_time(t))),
        Expr::At(d, t) => {
            let day = resolve(d, anchor, dir)?;
            if day.len() == 10 {
                Some(format!("{day}T{}", fmt_time(t)))
            } else {
                Some(day)
            }
        }
        Expr::Range(a, b) => {
            let first = resolve(a, anchor, dir)?;
            // the end inherits the year the start resolved to (`Dec. 30 - Jan. 2`)
            let second = match (a.as_ref(), b.as_ref()) {
                (Expr::Day(None, m1, d1), Expr::Day(None, m2, d2)) => {
                    let y: i32 = first.get(..4)?.parse().ok()?;
                    let y2 = if (m2, d2) < (m1, d1) { y + 1 } else { y };
                    fmt_day(ymd(y2, *m2, *d2)?)
                }
                _ => resolve(b, anchor, dir)?,
            };
            Some(format!("{first}/{second}"))
        }
    }
}

/// A quarter as the ISO 8601 interval of its months (`2025-07/2025-09` for Q3).
fn fmt_quarter(y: i64, q: i64) -> String {
    let m = (q - 1) * 3 + 1;
    format!("{y:04}-{m:02}/{y:04}-{:02}", m + 2)
}

fn fmt_time(t: &Time) -> String {
    format!("{:02}:{:02}{}", t.h, t.m, t.zone.unwrap_or(""))
}

/// The date with month `m` and day `d` nearest the anchor in the direction given:
/// the latest on or before it for the past, the earliest on or after it for the future.
fn day_near(a: NaiveDate, m: u32, d: u32, dir: Option<Dir>) -> Option<NaiveDate> {
    let this = ymd(a.year(), m, d);
    match dir {
        Some(Dir::Past) => match this {
            Some(x) if x <= a => Some(x),
            _ => ymd(a.year() - 1, m, d),
        },
        Some(Dir::Future) => match this {
            Some(x) if x >= a => Some(x),
            _ => ymd(a.year() + 1, m, d),
        },
        None => {
            let y = nearest_year(a.year(), a.num_days_from_ce(), |y| {
                ymd(y, m, d).map_or(i32::MAX / 2, |x| x.num_days_from_ce())
            });
            ymd(y, m, d)
        }
    }
}

/// The year next to `year` whose position (`pos(y)`, in the units of `at`) is nearest
/// `at`; the earlier one on a tie.
fn nearest_year(year: i32, at: i32, pos: impl Fn(i32) -> i32) -> i32 {
    let mut best = (i32::MAX, year);
    for y in [year - 1, year, year + 1] {
        let d = (pos(y) - at).abs();
        if d < best.0 {
            best = (d, y);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Matches as (start, pattern id).
    type Matches = Vec<(usize, usize)>;

    /// What the automaton reports at word starts (the definition), and the scan.
    fn both(text: &str) -> (Matches, Matches) {
        let b = text.as_bytes();
        let automaton = prefilter()
            .find_iter(text)
            .filter(|m| m.start() == 0 || !b[m.start() - 1].is_ascii_alphabetic())
            .map(|m| (m.start(), m.pattern().as_usize()))
            .collect();
        let mut scan = Vec::new();
        word_start_matches(text, |start, id| scan.push((start, id)));
        (automaton, scan)
    }

    #[test]
    fn pattern_ids() {
        assert_eq!(PATTERNS[UNIT_PATTERNS.start], "week");
        assert_eq!(PATTERNS[UNIT_PATTERNS.end - 1], "decade");
        assert_eq!(PATTERNS[MONTH_PATTERNS.start], "jan");
        assert_eq!(PATTERNS[MONTH_PATTERNS.end - 1], "dec");
        assert_eq!(PATTERNS[CAPITAL_PATTERNS.start], "monday");
        assert_eq!(PATTERNS[CAPITAL_PATTERNS.end - 1], "q4");
    }

    #[test]
    fn word_starts_match_the_automaton_on_cases() {
        for text in [
            "",
            "Chicago agony ago",
            "last decade, the Decade and DEC. 5",
            "blast nighttime; last nights; last night",
            "Iraq1 Q1 q2x afternoon noon midnight",
            "this weekend, year-end, mid-March, Mayor May",
            "é ago\u{e9}ago 1ago _today todayyesterday",
            "tomorrowtonight Monday's MONDAY mondays",
        ] {
            let (automaton, scan) = both(text);
            assert_eq!(scan, automaton, "{text:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Text made of the patterns' pieces, in any case, joined any way.
        #[test]
        fn word_starts_match_the_automaton(pieces in proptest::collection::vec(
            (proptest::sample::select(PATTERNS.iter().flat_map(|p| {
                (1..=p.len()).filter(|&k| p.is_char_boundary(k)).flat_map(move |k| [&p[..k], &p[p.len() - k..]])
            }).chain([
                " ", "-", "1", ".", "é", "É", "x", "z", "@", "[", "`", "{", "the ", "last ", "night", "ade",
            ]).collect::<Vec<_>>()),
             proptest::bool::ANY),
            0..24,
        )) {
            let text: String = pieces
                .iter()
                .map(|(p, upper)| if *upper { p.to_ascii_uppercase() } else { p.to_string() })
                .collect();
            let (automaton, scan) = both(&text);
            proptest::prop_assert_eq!(scan, automaton, "{:?}", text);
        }
    }

    fn one(text: &str) -> (String, Option<String>) {
        let p = NaiveDate::from_ymd_opt(2025, 10, 27);
        let found = find(text, p);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        let (span, v) = &found[0];
        (span.text(text).to_string(), v.value.clone())
    }

    #[test]
    fn seed_dates() {
        assert_eq!(
            one("Trump arrived in Tokyo, Japan, on Monday for the second leg"),
            ("on Monday".into(), Some("2025-10-27".into()))
        );
        assert_eq!(
            one("the expected meeting between them at the APEC Summit in South Korea on Thursday, where"),
            ("on Thursday".into(), Some("2025-10-30".into()))
        );
        assert_eq!(
            one("a trade deal reached earlier this year, which"),
            ("earlier this year".into(), Some("2025".into()))
        );
        assert_eq!(
            one("which Trump believes will be finalised later this week."),
            ("later this week".into(), Some("2025-W44".into()))
        );
        assert!(find(
            "his first visit in nearly six years",
            NaiveDate::from_ymd_opt(2025, 10, 27)
        )
        .is_empty());
    }
}
