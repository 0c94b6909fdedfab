//! Gazetteer cases as data: `tests/data/gazetteer/*.tsv`, one case a line (see each file's
//! header). Adding a case is adding a line.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use gazette::gazetteer::{phoenix, Gazetteer};
use gazette::{Document, MentionSource, Pipeline, PipelineOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data(name: &str) -> String {
    let p = root().join("tests/data/gazetteer").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn phoenix_path(file: &str) -> PathBuf {
    root().join("../shared/data/phoenix").join(file)
}

/// Case lines: not blank, not comments; with their 1-based line numbers.
fn cases(text: &str) -> Vec<(usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
        .collect()
}

fn pipeline(gazetteers: &[String]) -> &'static Pipeline {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<Vec<String>, &'static Pipeline>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap();
    cache.entry(gazetteers.to_vec()).or_insert_with(|| {
        let options = PipelineOptions {
            gazetteers: gazetteers.to_vec(),
            ..PipelineOptions::default()
        };
        Box::leak(Box::new(Pipeline::new(&options).expect("pipeline loads")))
    })
}

/// `surface | name | TYPE | kb | key=value, key=value` for each gazetteer mention.
fn found(p: &Pipeline, text: &str, published: Option<NaiveDate>) -> Vec<(String, String)> {
    let mut doc = Document::new("case", text);
    doc.published = published;
    p.segment(&mut doc);
    p.gazetteer().annotate(&mut doc);
    doc.mentions
        .iter()
        .filter(|m| m.source == MentionSource::Gazetteer)
        .map(|m| {
            let link = m.link.clone().unwrap_or_default();
            let head = format!(
                "{} | {} | {} | {}",
                doc.span_text(m.span),
                link.name,
                m.ty,
                link.kb.unwrap_or_default()
            );
            let attrs = link
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ");
            (head, attrs)
        })
        .collect()
}

/// Compares found mentions with `expected` (`-` for none; items joined by ` ; `; an item's
/// fifth field lists attributes that must be present).
fn check(found: &[(String, String)], expected: &str) -> Result<(), String> {
    let want: Vec<&str> = if expected.trim() == "-" {
        Vec::new()
    } else {
        expected.split(" ; ").map(str::trim).collect()
    };
    let heads: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    let want_heads: Vec<String> = want
        .iter()
        .map(|w| w.split(" | ").take(4).collect::<Vec<_>>().join(" | "))
        .collect();
    if heads != want_heads {
        return Err(format!("found {heads:?}\n   expected {want_heads:?}"));
    }
    for (w, f) in want.iter().zip(found) {
        if let Some(attrs) = w.split(" | ").nth(4) {
            for kv in attrs.split(", ") {
                if !f.1.split(", ").any(|a| a == kv) {
                    return Err(format!("{:?} lacks {kv:?} (has {:?})", f.0, f.1));
                }
            }
        }
    }
    Ok(())
}

fn run_table(file: &str, gazetteers: &[String]) {
    let p = pipeline(gazetteers);
    let text = data(file);
    let mut failures = Vec::new();
    let mut n = 0;
    for (line, cols) in cases(&text) {
        n += 1;
        let (date, text, expected) = match cols.as_slice() {
            [text, expected] => (None, *text, *expected),
            [date, text, expected] => (
                NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
                *text,
                *expected,
            ),
            _ => panic!("{file}:{line}: expected 2 or 3 tab-separated columns"),
        };
        if let Err(e) = check(&found(p, text, date), expected) {
            failures.push(format!("{file}:{line}: {text:?}\n   {e}"));
        }
    }
    assert!(n > 0, "{file} has no cases");
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn default_gazetteer_matches() {
    run_table("matches.tsv", &[]);
}

#[test]
fn user_list_adds_and_overrides_entries() {
    let user = root()
        .join("tests/data/gazetteer/user.tsv")
        .display()
        .to_string();
    run_table("user-cases.tsv", &[user]);
}

#[test]
fn user_list_problems_name_file_and_line() {
    let bad = root().join("tests/data/gazetteer/user-bad.tsv");
    let g = Gazetteer::load(&[bad.display().to_string()]).expect("a bad row does not stop loading");
    let want = data("user-bad-expected.tsv");
    for (line, cols) in cases(&want) {
        let needle = format!("user-bad.tsv:{}: ", cols[0]);
        assert!(
            g.warnings()
                .iter()
                .any(|w| w.contains(&needle) && w.contains(cols[1])),
            "user-bad-expected.tsv:{line}: no warning {needle}…{} in {:?}",
            cols[1],
            g.warnings()
        );
    }
}

#[test]
fn missing_user_list_is_an_error_naming_it() {
    let err = Gazetteer::load(&["no/such/list.tsv".into()])
        .err()
        .expect("an error");
    assert!(err.to_string().contains("no/such/list.tsv"), "{err}");
}

/// Every Phoenix file parses: records and synonyms as counted in SOURCE.md, problems few
/// and each on a line of the file.
#[test]
fn phoenix_files_parse_or_report_by_line() {
    let table = data("phoenix-files.tsv");
    for (line, cols) in cases(&table) {
        let path = phoenix_path(cols[0]);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let r = phoenix::parse_report(&text);
        let lines = text.lines().count();
        let want = |i: usize| cols[i].parse::<usize>().expect("a number");
        assert_eq!(
            r.records,
            want(1),
            "phoenix-files.tsv:{line}: records of {}",
            cols[0]
        );
        assert_eq!(
            r.synonyms,
            want(2),
            "phoenix-files.tsv:{line}: synonyms of {}",
            cols[0]
        );
        assert!(
            r.problems.len() <= want(3),
            "phoenix-files.tsv:{line}: {} problems: {:?}",
            r.problems.len(),
            r.problems
        );
        for (l, msg) in &r.problems {
            assert!(
                (1..=lines).contains(l),
                "{}: problem on line {l} of {lines}: {msg}",
                cols[0]
            );
        }
    }
}

/// Each known quirk is reported on its line with the right message.
#[test]
fn phoenix_quirks_are_reported_on_their_line() {
    let mut texts: HashMap<String, (String, phoenix::ImportReport)> = HashMap::new();
    let table = data("phoenix-problems.tsv");
    for (line, cols) in cases(&table) {
        let (text, report) = texts.entry(cols[0].to_string()).or_insert_with(|| {
            let t = std::fs::read_to_string(phoenix_path(cols[0])).expect("phoenix file");
            let r = phoenix::parse_report(&t);
            (t, r)
        });
        let at: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(cols[1]))
            .map(|(i, _)| i + 1)
            .collect();
        assert!(
            !at.is_empty(),
            "phoenix-problems.tsv:{line}: {:?} not in {}",
            cols[1],
            cols[0]
        );
        for l in at {
            assert!(
                report
                    .problems
                    .iter()
                    .any(|(pl, m)| *pl == l && m.contains(cols[2])),
                "phoenix-problems.tsv:{line}: no problem {:?} reported at {}:{l}",
                cols[2],
                cols[0]
            );
        }
    }
}

/// CAMEO codes from imported dictionaries, chosen by the article date.
#[test]
fn phoenix_codes_reach_mention_attributes() {
    let text = data("phoenix-cameo.tsv");
    let mut failures = Vec::new();
    for (line, cols) in cases(&text) {
        let dicts: Vec<String> = cols[0]
            .split(',')
            .map(|f| format!("phoenix:{}", phoenix_path(f).display()))
            .collect();
        let p = pipeline(&dicts);
        let date = NaiveDate::parse_from_str(cols[1], "%Y-%m-%d").ok();
        let got = found(p, cols[2], date);
        let hit = got
            .iter()
            .find(|f| f.0.starts_with(&format!("{} |", cols[3])));
        let cameo = hit.and_then(|f| {
            f.1.split(", ")
                .find_map(|a| a.strip_prefix("cameo="))
                .map(str::to_string)
        });
        let want = (cols[4] != "-").then(|| cols[4].to_string());
        if let (Some(ty), Some(h)) = (cols.get(5), hit) {
            if !h.0.contains(&format!("| {ty} |")) {
                failures.push(format!(
                    "phoenix-cameo.tsv:{line}: {:?} is not {ty}: {h:?}",
                    cols[3]
                ));
            }
        }
        if hit.is_none() || cameo != want {
            failures.push(format!("phoenix-cameo.tsv:{line}: {:?} in {:?}: cameo {cameo:?}, expected {want:?} (found {got:?})", cols[3], cols[2]));
        }
        // Through the whole pipeline the code is an attribute of the entity.
        let mut doc = Document::new("case", cols[2]);
        doc.published = date;
        p.annotate(&mut doc);
        let entity = doc.entities.iter().find(|e| {
            e.mentions
                .iter()
                .any(|&m| doc.span_text(doc.mentions[m].span) == cols[3])
        });
        let ecameo = entity.and_then(|e| e.attributes.get("cameo").cloned());
        if ecameo != want {
            failures.push(format!(
                "phoenix-cameo.tsv:{line}: entity of {:?} has cameo {ecameo:?}, expected {want:?}",
                cols[3]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn currencies_are_looked_up_not_mentioned() {
    let g = pipeline(&[]).gazetteer();
    let table = data("currencies.tsv");
    for (line, cols) in cases(&table) {
        assert_eq!(
            g.currency(cols[0]).as_deref(),
            Some(cols[1]),
            "currencies.tsv:{line}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// No input makes the gazetteer or resolution panic, and every mention span is on char
    /// boundaries of the text (odd spaces, quotes, bullets and names mixed).
    #[test]
    fn any_text_is_safe(words in proptest::collection::vec(
        proptest::sample::select(vec![
            "Tokyo", "Tokyo’s", "Washington", "and", "Prime", "Minister", "Takaichi", "President",
            "Trump", "\u{a0}", "\u{3000}", "“", "”", "•", "APEC", "Reading", "in", "Georgia",
            "Zürich", "東京", "Ωmega", ",", ".", "\n", "'s", "Foreign Minister", "Ça", "İstanbul",
        ]),
        0..40,
    )) {
        let text = words.join(" ");
        let p = pipeline(&[format!("phoenix:{}", phoenix_path("Phoenix.agents.txt").display())]);
        let mut doc = Document::new("prop", text.clone());
        p.annotate(&mut doc);
        for m in &doc.mentions {
            proptest::prop_assert!(text.is_char_boundary(m.span.start) && text.is_char_boundary(m.span.end));
        }
        for (i, e) in doc.entities.iter().enumerate() {
            for &m in &e.mentions {
                proptest::prop_assert_eq!(doc.mentions[m].entity, Some(i));
            }
        }
    }
}

/// `phoenix-phrases.tsv`: the aliases and gapped segments a PETRARCH phrase makes.
#[test]
fn phoenix_phrases_follow_petrarch() {
    let table = data("phoenix-phrases.tsv");
    let mut failures = Vec::new();
    for (line, cols) in cases(&table) {
        let forms = phoenix::Phrase::parse(cols[0]).forms();
        let made: Vec<(String, Option<Vec<Vec<String>>>)> =
            forms.iter().map(phoenix::Phrase::alias).collect();
        let aliases = made
            .iter()
            .map(|m| m.0.as_str())
            .collect::<Vec<_>>()
            .join(" ; ");
        let segments = if made.iter().all(|m| m.1.is_none()) {
            "-".to_string()
        } else {
            made.iter()
                .map(|m| {
                    m.1.as_ref().map_or("-".to_string(), |s| {
                        s.iter()
                            .map(|w| w.join(" "))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    })
                })
                .collect::<Vec<_>>()
                .join(" ; ")
        };
        if aliases != cols[1] || segments != cols[2] {
            failures.push(format!(
                "phoenix-phrases.tsv:{line}: {:?} made {aliases:?} / {segments:?}",
                cols[0]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `phoenix-matches.tsv`: a dictionary written to a file, imported, and matched.
#[test]
fn phoenix_phrases_match_as_petrarch_reads_them() {
    let table = data("phoenix-matches.tsv");
    let mut failures = Vec::new();
    for (line, cols) in cases(&table) {
        let dict = cols[0].replace("\\n", "\n").replace("\\t", "\t");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("case.actors.txt");
        std::fs::write(&path, dict).expect("writes");
        let g = Gazetteer::load(&[format!("phoenix:{}", path.display())]).expect("loads");
        let mut doc = Document::new("case", cols[1]);
        gazette::segment::Segmenter::new().annotate(&mut doc);
        g.annotate(&mut doc);
        let got: Vec<String> = doc
            .mentions
            .iter()
            .filter(|m| m.source == MentionSource::Gazetteer)
            .filter_map(|m| {
                let cameo = m.link.as_ref()?.attributes.get("cameo")?;
                Some(format!("{}={cameo}", doc.span_text(m.span)))
            })
            .collect();
        let got = if got.is_empty() {
            "-".to_string()
        } else {
            got.join(" ; ")
        };
        if got != cols[2] {
            failures.push(format!(
                "phoenix-matches.tsv:{line}: {:?}: {got:?}, expected {:?}",
                cols[1], cols[2]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
