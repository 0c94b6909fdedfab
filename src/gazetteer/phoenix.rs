//! Import of TABARI/PETRARCH dictionaries as published by the Phoenix project
//! (`--gazetteer phoenix:FILE`): actor files become gazetteer entries carrying CAMEO actor
//! codes (`cameo` attribute), agent files become titles with a CAMEO agent code
//! (`cameo_agent`).
//!
//! Format handled (see `../shared/data/phoenix/SOURCE.md`): a primary phrase line, `+`
//! synonym lines, code lines starting with blanks; codes also on the primary line, several
//! per line (with or without a blank between), date restrictions `<D`, `>D`, `D-D` with
//! `YYMMDD` (two-digit years pivot at 30: `00`–`30` are 2000–2030) or `YYYYMMDD` dates,
//! `[---]` null codes, `#` comments anywhere, `<!-- -->` blocks. Malformed dates and
//! records without a phrase or code are reported with their line number and skipped; the
//! rest of the file still loads.
//!
//! Phrases follow PETRARCH: words joined by `_` are consecutive, words joined by a blank
//! may have other words between them (matched as the consecutive alias, and by the
//! gazetteer's gapped matcher with up to three words between segments — PETRARCH's limit
//! is the noun phrase, which needs a parser); a phrase not ending in `_` also gets its
//! regular plural (last word: +S, Y → IES, S/SS/CH/SH/X → ES), as PETRARCH does for the
//! noun phrases of its other dictionaries. See [`Phrase`].

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::{title_case, Builder, CameoCode, EntryType, MatchRule, Origin, Row};
use crate::document::EntityType;

/// What an import found, for reports and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Actor records (a primary phrase with its synonyms) or agent phrases read.
    pub records: usize,
    /// Synonym lines read.
    pub synonyms: usize,
    /// Codes kept (dated and undated).
    pub codes: usize,
    /// `(line, message)` for everything reported and skipped.
    pub problems: Vec<(usize, String)>,
}

/// Imports one file into the builder; problems become builder warnings (`FILE:LINE: …`).
pub(crate) fn import(b: &mut Builder, name: &str, text: &str) -> ImportReport {
    let report = if looks_like_agents(text) {
        let (report, agents) = parse_agents(text);
        for (phrase, code) in agents {
            b.add_agent(phrase, code);
        }
        report
    } else {
        let (report, out, rows) = parse_actors(text, name);
        b.add_rows(Cow::Owned(out), rows, Origin::Phoenix);
        report
    };
    for (line, msg) in &report.problems {
        b.warn(format!("{name}:{line}: {msg}"));
    }
    report
}

/// Parses a file without a gazetteer, for tests and tools.
pub fn parse_report(text: &str) -> ImportReport {
    if looks_like_agents(text) {
        parse_agents(text).0
    } else {
        parse_actors(text, "-").0
    }
}

/// Agent files use `~` codes (`[~GOVFRM]`, `[IGO~]`) and `!X! =` substitutions.
fn looks_like_agents(text: &str) -> bool {
    let mut tilde = 0;
    let mut plain = 0;
    for line in text.lines().take(2000) {
        let l = strip_comment(line);
        if l.trim_start().starts_with('!') && l.contains("! =") {
            return true;
        }
        for code in l.split('[').skip(1) {
            if code.trim_start().starts_with('~')
                || code
                    .split(']')
                    .next()
                    .is_some_and(|c| c.trim_end().ends_with('~'))
            {
                tilde += 1;
            } else {
                plain += 1;
            }
        }
    }
    tilde > plain
}

fn strip_comment(line: &str) -> &str {
    match line.find('#') {
        Some(i) => &line[..i],
        None => line,
    }
}

/// One `[...]` group's content, or a message for a malformed one.
fn parse_code(group: &str) -> Result<Option<CameoCode>, String> {
    let mut parts = group.split_whitespace();
    let Some(code) = parts.next() else {
        return Err("empty code []".into());
    };
    if code.chars().all(|c| c == '-') {
        return Ok(None); // the null code
    }
    let rest: Vec<&str> = parts.collect();
    let code = code.to_ascii_uppercase();
    let mut c = CameoCode {
        code,
        from: None,
        to: None,
    };
    if rest.is_empty() {
        return Ok(Some(c));
    }
    let r = rest.join("");
    let bad = |d: &str| format!("malformed date {d:?} in [{group}]; code skipped");
    if let Some(d) = r.strip_prefix('<') {
        c.to = Some(parse_date(d).ok_or_else(|| bad(d))?);
    } else if let Some(d) = r.strip_prefix('>') {
        c.from = Some(parse_date(d).ok_or_else(|| bad(d))?);
    } else if let Some((a, z)) = r.split_once('-') {
        c.from = Some(parse_date(a).ok_or_else(|| bad(a))?);
        c.to = Some(parse_date(z).ok_or_else(|| bad(z))?);
    } else {
        return Err(format!(
            "unknown date restriction {r:?} in [{group}]; code skipped"
        ));
    }
    Ok(Some(c))
}

/// `YYMMDD` (pivot 30) or `YYYYMMDD`.
fn parse_date(d: &str) -> Option<NaiveDate> {
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |s: &str| s.parse::<u32>().ok();
    let (y, m, day) = match d.len() {
        6 => {
            let yy = n(&d[0..2])? as i32;
            (
                if yy <= 30 { 2000 + yy } else { 1900 + yy },
                n(&d[2..4])?,
                n(&d[4..6])?,
            )
        }
        8 => (n(&d[0..4])? as i32, n(&d[4..6])?, n(&d[6..8])?),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, day)
}

/// The codes on a line and the text before the first `[`.
fn split_codes(line: &str, lineno: usize, report: &mut ImportReport) -> (String, Vec<CameoCode>) {
    let (phrase, rest) = match line.find('[') {
        Some(i) => (&line[..i], &line[i..]),
        None => (line, ""),
    };
    let mut codes = Vec::new();
    let mut rest = rest;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            report.problems.push((
                lineno,
                format!("unclosed code bracket in {:?}", line.trim()),
            ));
            break;
        };
        match parse_code(&after[..close]) {
            Ok(Some(c)) => codes.push(c),
            Ok(None) => {}
            Err(msg) => report.problems.push((lineno, msg)),
        }
        rest = &after[close + 1..];
    }
    (phrase.trim().to_string(), codes)
}

/// An actor alias without a leading "THE" or title ("PRESIDENT BARACK OBAMA" → "BARACK
/// OBAMA"): the matcher reads titles itself, and the bare name then meets the default
/// gazetteer's entry (and its id) instead of out-matching it.
fn bare_alias(p: &str) -> &str {
    let mut p = p;
    loop {
        if let Some(rest) = p.strip_prefix("THE ") {
            p = rest;
            continue;
        }
        match super::strip_title(p) {
            Some((_, offset)) if offset < p.len() => p = &p[offset..],
            _ => return p,
        }
    }
}

/// An actor phrase as PETRARCH reads it: words joined by `_` (consecutive) or blanks
/// (other words may come between), and whether it ends in `_` (an exact form: no plural).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrase {
    pub words: Vec<String>,
    /// `gap[i]`: a blank between word `i` and word `i + 1`.
    pub gap: Vec<bool>,
    pub exact: bool,
}

impl Phrase {
    pub fn parse(p: &str) -> Phrase {
        let p = p.trim();
        let mut words = Vec::new();
        let mut gap = Vec::new();
        let mut word = String::new();
        let mut blank = false;
        for c in p.chars() {
            if c == '_' || c.is_whitespace() {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    blank = false;
                }
                blank |= c.is_whitespace();
            } else {
                if word.is_empty() && !words.is_empty() {
                    gap.push(blank);
                }
                word.push(c);
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
        Phrase {
            words,
            gap,
            exact: p.ends_with('_'),
        }
    }

    /// The phrase, and unless it is exact its regular plural (last word: +S, Y → IES,
    /// S/SS/CH/SH/X → ES, as PETRARCH forms noun plurals); a last word that does not end
    /// in a letter ("GROUP OF 77") gets none.
    pub fn forms(&self) -> Vec<Phrase> {
        let mut out = vec![self.clone()];
        if let Some(last) = self.words.last() {
            if !self.exact && last.chars().last().is_some_and(char::is_alphabetic) {
                let mut plural = self.clone();
                if let Some(w) = plural.words.last_mut() {
                    *w = regular_plural(last);
                }
                out.push(plural);
            }
        }
        out
    }

    /// The alias (consecutive words, a leading `THE` or title dropped) and, when blanks
    /// join words after that, the segments of consecutive words for the gapped matcher.
    pub fn alias(&self) -> (String, Option<Vec<Vec<String>>>) {
        let joined = self.words.join(" ");
        let bare = bare_alias(&joined);
        let dropped = joined[..joined.len() - bare.len()]
            .split_whitespace()
            .count();
        let mut segments: Vec<Vec<String>> = Vec::new();
        for (i, w) in self.words.iter().enumerate().skip(dropped) {
            if i == dropped || self.gap.get(i - 1).copied().unwrap_or(false) {
                segments.push(Vec::new());
            }
            if let Some(s) = segments.last_mut() {
                s.push(w.to_ascii_lowercase());
            }
        }
        let gapped = (segments.len() > 1).then_some(segments);
        (bare.to_string(), gapped)
    }
}

/// `ANN_VENEMAN_` → `ANN VENEMAN` (underscores and blanks are both word breaks here).
fn phrase_words(p: &str) -> String {
    p.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The entity type a record's codes suggest.
fn type_of(codes: &[CameoCode]) -> EntityType {
    const ORG_BLOCKS: &[&str] = &[
        "IGO", "NGO", "MNC", "IMG", "NGM", "UIS", "REB", "INS", "UAF", "SPY",
    ];
    let dated = codes.iter().any(|c| c.from.is_some() || c.to.is_some());
    let bare_country = codes.iter().any(|c| c.code.len() == 3);
    // People hold roles for a time (Obama [USAGOV >090120], Veneman [IGOUNOKID >050501]);
    // a dated bare country code is a place changing hands (Tel Afar [IRQ <20030320]).
    if dated && !bare_country {
        return EntityType::Person;
    }
    if codes
        .iter()
        .any(|c| ORG_BLOCKS.iter().any(|b| c.code.starts_with(b)))
    {
        return EntityType::Org;
    }
    if bare_country {
        return EntityType::Place;
    }
    EntityType::Org
}

struct Record {
    line: usize,
    phrases: Vec<String>,
    codes: Vec<CameoCode>,
}

fn parse_actors(text: &str, file: &str) -> (ImportReport, String, Vec<Row>) {
    let mut report = ImportReport::default();
    let mut records: Vec<Record> = Vec::new();
    let mut in_block = false;
    // Consecutive primary lines before one code block share it (BREZHNEV and its
    // variants); a blank or comment line ends such a group.
    let mut separated = true;
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let mut line = raw;
        // <!-- ... --> blocks (validation files), possibly over several lines.
        if in_block {
            match line.find("-->") {
                Some(e) => {
                    in_block = false;
                    line = &line[e + 3..];
                }
                None => continue,
            }
        }
        if line.trim_start().starts_with("<!") && !line.contains("<!--") {
            separated = true;
            continue; // a malformed comment opener ("<! --") on one line
        }
        if let Some(s) = line.find("<!--") {
            match line[s..].find("-->") {
                Some(_) => continue, // one-line block
                None => {
                    in_block = true;
                    line = &line[..s];
                }
            }
        }
        let line = strip_comment(line);
        if line.trim().is_empty() {
            separated = true;
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        let t = line.trim_start();
        if t.starts_with('[') {
            let (_, codes) = split_codes(t, lineno, &mut report);
            match records.last_mut() {
                Some(r) if indented => r.codes.extend(codes),
                Some(r) => r.codes.extend(codes),
                None => report
                    .problems
                    .push((lineno, "code line before any record".into())),
            }
        } else if let Some(syn) = t.strip_prefix('+') {
            let (phrase, codes) = split_codes(syn, lineno, &mut report);
            let Some(r) = records.last_mut() else {
                report
                    .problems
                    .push((lineno, "synonym before any record".into()));
                continue;
            };
            report.synonyms += 1;
            if phrase.contains('+') {
                report.problems.push((
                    lineno,
                    format!("'+' inside synonym {phrase:?}: read as two synonyms"),
                ));
            }
            for p in phrase.split('+') {
                if !phrase_words(p).is_empty() {
                    r.phrases.push(p.trim().to_string());
                }
            }
            r.codes.extend(codes);
        } else {
            let (phrase, codes) = split_codes(t, lineno, &mut report);
            if phrase_words(&phrase).is_empty() {
                report
                    .problems
                    .push((lineno, format!("no phrase in {:?}", t.trim())));
                continue;
            }
            report.records += 1;
            let open = records.last().is_some_and(|r| r.codes.is_empty());
            if open && !separated {
                if let Some(r) = records.last_mut() {
                    r.phrases.push(phrase);
                    r.codes.extend(codes);
                }
                continue;
            }
            separated = false;
            records.push(Record {
                line: lineno,
                phrases: vec![phrase],
                codes,
            });
        }
    }
    // Generated names and aliases live in one text; rows point into it.
    let mut out = String::new();
    let mut rows = Vec::new();
    let push = |out: &mut String, s: &str| {
        let start = out.len();
        out.push_str(s);
        (start, s.len())
    };
    for r in records {
        if r.codes.is_empty() {
            report.problems.push((
                r.line,
                format!("record {:?} has no code; skipped", r.phrases[0]),
            ));
            continue;
        }
        report.codes += r.codes.len();
        let ty = type_of(&r.codes);
        let primary = phrase_words(&r.phrases[0]);
        let name = display_name(&primary, ty);
        let id = format!("gazette:phoenix-{}", slug(&primary));
        let attrs = format!(
            "source=phoenix {}:{}{}",
            file.rsplit('/').next().unwrap_or(file),
            r.line,
            if ty == EntityType::Place {
                ";kind=country"
            } else {
                ""
            }
        );
        let name_r = push(&mut out, &name);
        let id_r = push(&mut out, &id);
        let attr_r = push(&mut out, &attrs);
        let mut first = true;
        let mut seen: Vec<String> = Vec::new();
        for p in &r.phrases {
            for form in Phrase::parse(p).forms() {
                let (alias, gapped) = form.alias();
                if alias.is_empty() || seen.contains(&alias) {
                    continue;
                }
                let alias_r = push(&mut out, &alias);
                seen.push(alias);
                rows.push(Row {
                    alias: alias_r,
                    name: name_r,
                    id: id_r,
                    attributes: if first { attr_r } else { (0, 0) },
                    ty: Some(EntryType::Mention(ty)),
                    rule: Some(MatchRule::Fold),
                    cameo: if first { r.codes.clone() } else { Vec::new() },
                    gapped,
                });
                first = false;
            }
        }
    }
    (report, out, rows)
}

/// `BARACK OBAMA` → `Barack Obama`; short organisation acronyms stay capitals.
fn display_name(p: &str, ty: EntityType) -> String {
    let letters = p.chars().filter(|c| c.is_alphabetic()).count();
    if ty == EntityType::Org && !p.contains(' ') && letters <= 5 {
        return p.to_string();
    }
    title_case(&p.to_lowercase())
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Agent phrases (lower case, blanks between words) with their codes, plurals included.
fn parse_agents(text: &str) -> (ImportReport, HashMap<String, String>) {
    let mut report = ImportReport::default();
    let mut subst: HashMap<String, Vec<String>> = HashMap::new();
    let mut out = HashMap::new();
    let mut in_block = false;
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        if in_block {
            if raw.contains("-->") {
                in_block = false;
            }
            continue;
        }
        if raw.contains("<!--") {
            in_block = !raw.contains("-->");
            continue;
        }
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some((k, v)) = line.split_once(" = ").filter(|(k, _)| k.starts_with('!')) {
            subst.insert(
                k.trim().to_string(),
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            );
            continue;
        }
        let (head, code) = match (line.find('['), line.rfind(']')) {
            (Some(o), Some(c)) if o < c => (&line[..o], line[o + 1..c].trim()),
            _ => {
                report
                    .problems
                    .push((lineno, format!("agent without [code]: {line:?}")));
                continue;
            }
        };
        let (phrase, plural) = match (head.find('{'), head.find('}')) {
            (Some(o), Some(c)) if o < c => (head[..o].trim(), Some(head[o + 1..c].trim())),
            (None, None) => (head.trim(), None),
            _ => {
                report
                    .problems
                    .push((lineno, format!("unbalanced {{}} in {line:?}")));
                continue;
            }
        };
        if phrase.is_empty() || code.is_empty() {
            report
                .problems
                .push((lineno, format!("agent without phrase or code: {line:?}")));
            continue;
        }
        report.records += 1;
        report.codes += 1;
        let mut forms = vec![phrase.to_string()];
        match plural {
            Some("") => {}
            Some(p) => forms.push(p.to_string()),
            None => forms.push(regular_plural(phrase)),
        }
        for f in forms {
            for expanded in expand(&f, &subst) {
                out.entry(phrase_words(&expanded).to_lowercase())
                    .or_insert_with(|| code.to_string());
            }
        }
    }
    (report, out)
}

fn regular_plural(p: &str) -> String {
    if p.ends_with('S') || p.ends_with("CH") || p.ends_with("SH") || p.ends_with('X') {
        format!("{p}ES")
    } else if let Some(stem) = p.strip_suffix('Y') {
        if stem.ends_with(['A', 'E', 'O', 'U']) {
            format!("{p}S")
        } else {
            format!("{stem}IES")
        }
    } else {
        format!("{p}S")
    }
}

/// Replaces each `!X!` marker with each of its alternatives.
fn expand(p: &str, subst: &HashMap<String, Vec<String>>) -> Vec<String> {
    let Some(s) = p.find('!') else {
        return vec![p.to_string()];
    };
    let Some(len) = p[s + 1..].find('!') else {
        return vec![p.to_string()];
    };
    let key = &p[s..s + len + 2];
    let Some(alts) = subst.get(key) else {
        return vec![p.replace(key, "")];
    };
    let mut out = Vec::new();
    for a in alts {
        let replaced = format!("{}{}{}", &p[..s], a, &p[s + len + 2..]);
        if out.len() < 64 {
            out.extend(expand(&replaced, subst));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_pivot_and_reject_bad_lengths() {
        assert_eq!(parse_date("170120"), NaiveDate::from_ymd_opt(2017, 1, 20));
        assert_eq!(parse_date("730717"), NaiveDate::from_ymd_opt(1973, 7, 17));
        assert_eq!(parse_date("20061201"), NaiveDate::from_ymd_opt(2006, 12, 1));
        assert_eq!(parse_date("2004017"), None);
        assert_eq!(parse_date("201005011"), None);
        assert_eq!(parse_date("991332"), None);
    }

    #[test]
    fn several_codes_on_one_line() {
        let mut r = ImportReport::default();
        let (p, c) = split_codes(
            "ANN_VENEMAN_\t[USAGOV 010120-050120] [IGOUNOKID >050501]",
            1,
            &mut r,
        );
        assert_eq!(p, "ANN_VENEMAN_");
        assert_eq!(c.len(), 2);
        let (_, c) = split_codes("[IGOUNOIAE 971201-091130][EGYOPP]", 1, &mut r);
        assert_eq!(c.len(), 2);
        assert!(r.problems.is_empty());
    }
}
