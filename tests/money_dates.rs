//! Table-driven tests for money amounts and dates: every line of `tests/data/money/*.tsv`
//! and `tests/data/dates/*.tsv` is one case (see the header line of each file), so adding
//! a case is adding a line. Each test reports every failing line, not just the first.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use gazette::money::{self, MoneyContext};
use gazette::time;
use gazette::{Document, EntityType, Qualifier};

fn data(area: &str) -> Vec<(String, usize, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(area);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable test data");
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols = line.split('\t').map(|c| c.replace("\\t", "\t")).collect();
            cases.push((name.clone(), n + 1, cols));
        }
    }
    cases
}

fn opt(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

fn qualifier(s: &str) -> Option<Qualifier> {
    Some(match s {
        "over" => Qualifier::Over,
        "under" => Qualifier::Under,
        "about" => Qualifier::About,
        "up_to" => Qualifier::UpTo,
        "at_least" => Qualifier::AtLeast,
        "range" => Qualifier::Range,
        "-" => return None,
        other => panic!("unknown qualifier {other}"),
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn money_cases() {
    let cases = data("money");
    assert!(cases.len() >= 250, "only {} money cases", cases.len());
    let mut failures = Vec::new();
    for (file, line, c) in &cases {
        assert_eq!(c.len(), 7, "{file}:{line}: want 7 columns, got {}", c.len());
        let text = &c[0];
        let ctx = MoneyContext::detect(text);
        let found = money::find(text, &ctx);
        let shown: Vec<String> = found
            .iter()
            .map(|(s, m)| format!("{:?} {m:?}", s.text(text)))
            .collect();
        let Some(span) = opt(&c[1]) else {
            if !found.is_empty() {
                failures.push(format!("{file}:{line}: {text:?}: want none, got {shown:?}"));
            }
            continue;
        };
        let value: f64 = c[2].parse().expect("numeric value");
        let value_max = opt(&c[5]).map(|v| v.parse::<f64>().expect("numeric value_max"));
        let ok = found.iter().any(|(s, m)| {
            s.text(text) == span
                && close(m.value, value)
                && m.currency == c[3]
                && m.qualifier == qualifier(&c[4])
                && match (m.value_max, value_max) {
                    (Some(a), Some(b)) => close(a, b),
                    (None, None) => true,
                    _ => false,
                }
                && m.per.as_deref() == opt(&c[6])
        });
        if !ok {
            failures.push(format!(
                "{file}:{line}: {text:?}: want {span:?} {value} {} {} max {:?} per {}, got {shown:?}",
                c[3], c[4], value_max, c[6]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} money cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn date_cases() {
    let cases = data("dates");
    assert!(cases.len() >= 120, "only {} date cases", cases.len());
    let mut failures = Vec::new();
    for (file, line, c) in &cases {
        assert_eq!(c.len(), 5, "{file}:{line}: want 5 columns, got {}", c.len());
        let text = &c[0];
        let published = opt(&c[1])
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("published as YYYY-MM-DD"));
        let found = time::find(text, published);
        let shown: Vec<String> = found
            .iter()
            .map(|(s, d)| format!("{:?} {:?} anchor {:?}", s.text(text), d.value, d.anchor))
            .collect();
        let Some(span) = opt(&c[2]) else {
            if !found.is_empty() {
                failures.push(format!("{file}:{line}: {text:?}: want none, got {shown:?}"));
            }
            continue;
        };
        let ok = found.iter().any(|(s, d)| {
            s.text(text) == span
                && d.value.as_deref() == opt(&c[3])
                && d.anchor.as_deref() == opt(&c[4])
                && match (opt(&c[4]), published) {
                    (Some(_), _) => d.relative,
                    (None, Some(_)) => !d.relative,
                    (None, None) => true,
                }
        });
        if !ok {
            failures.push(format!(
                "{file}:{line}: {text:?}: want {span:?} {} anchor {}, got {shown:?}",
                c[3], c[4]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} date cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// No input panics and every span lies on char boundaries: every prefix of every case,
/// odd Unicode, and article dates at the ends of the calendar.
#[test]
fn never_panics_on_odd_input() {
    let mut texts: Vec<String> = data("money")
        .into_iter()
        .chain(data("dates"))
        .map(|(_, _, c)| c[0].clone())
        .collect();
    texts.extend(
        [
            "€€€ $$$ ¥¥ 5¥ ¥5 $-( $( ( $5- -$ 1,2,3 27.10.2025.1 Oct. Oct. 32 Feb. 30, 2025",
            "東京 ¥５００ 円 — “$5bn” ‘Monday’ ﬁ 🙂 $🙂5 5🙂bn 2025‐10‐27 10/27/2025/1",
            "tomorrow yesterday next week last year two weeks ago 9999 years ago",
            "at 99:99 p.m. 25:61 GMT 0 a.m. 13 p.m. Q9 2025 the 0th of May",
        ]
        .map(String::from),
    );
    let dates = [
        NaiveDate::MIN,
        NaiveDate::MAX,
        NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
    ];
    for text in &texts {
        let cuts: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for &cut in &cuts {
            let t = &text[..cut];
            for (span, _) in money::find(t, &MoneyContext::detect(t)) {
                assert!(
                    t.get(span.start..span.end).is_some_and(|s| !s.is_empty()),
                    "{t:?}"
                );
            }
            for published in dates.iter().copied().map(Some).chain([None]) {
                for (span, _) in time::find(t, published) {
                    assert!(
                        t.get(span.start..span.end).is_some_and(|s| !s.is_empty()),
                        "{t:?}"
                    );
                }
            }
        }
    }
}

/// The user's seed article through segmentation and both recognisers, as
/// `gazette mentions --types MONEY,DATE --published 2025-10-27` runs them.
#[test]
fn seed_article() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds/tokyo-minerals-pact.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        panic!("seed article missing at {}", path.display());
    };
    let mut doc = Document::new("tokyo-minerals-pact.txt", text);
    doc.published = NaiveDate::from_ymd_opt(2025, 10, 27);
    gazette::segment::Segmenter::new().annotate(&mut doc);
    money::MoneyRecognizer::new().annotate(&mut doc);
    time::DateRecognizer::new().annotate(&mut doc);
    let got: Vec<(String, String)> = doc
        .mentions
        .iter()
        .map(|m| {
            let value = match (m.money(), m.date()) {
                (Some(x), _) => format!(
                    "{} {} {}",
                    x.value,
                    x.currency,
                    x.qualifier.map_or("-", |q| q.as_str())
                ),
                (_, Some(d)) => d.value.clone().unwrap_or_default(),
                _ => String::new(),
            };
            (doc.span_text(m.span).to_string(), value)
        })
        .collect();
    let want = [
        ("on Monday", "2025-10-27"),
        ("earlier this year", "2025"),
        ("over $550 billion", "550000000000 USD over"),
        ("later this week", "2025-W44"),
        ("on Thursday", "2025-10-30"),
    ];
    for (span, value) in want {
        assert!(
            got.iter().any(|(s, v)| s == span && v == value),
            "want {span:?} = {value:?}; got {got:?}"
        );
    }
    assert_eq!(got.len(), want.len(), "unexpected extra mentions: {got:?}");
    for m in &doc.mentions {
        assert!(matches!(m.ty, EntityType::Money | EntityType::Date));
        let s = &doc.sentences[m.sentence].span;
        assert!(s.contains(m.span), "mention outside its sentence");
    }
}
