//! Segmentation: table-driven cases (`tests/data/segment/*.tsv`, one case a line),
//! the seed article, lossless properties on arbitrary Unicode, and inputs that would
//! take minutes if any pass were quadratic (no timings: a quadratic pass shows up as a
//! test that does not finish).

use std::path::PathBuf;

use gazette::segment::{dateline, Segmenter, HARD_MAX_SENTENCE_BYTES, MAX_SENTENCE_BYTES};
use gazette::{Document, SentenceKind, TokenKind};
use proptest::prelude::*;

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/segment")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Undoes the TSV escapes: `\n`, `\r`, `\t`, `\\`, `\uXXXX`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut cs = s.chars();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = cs.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or_else(|| panic!("bad escape \\u{hex}"));
                out.push(c);
            }
            other => panic!("bad escape \\{other:?}"),
        }
    }
    out
}

/// `(line number, columns)` of every case in a table.
fn cases(name: &str) -> Vec<(usize, Vec<String>)> {
    data(name)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split('\t').map(str::to_string).collect()))
        .collect()
}

fn kind_letter(k: SentenceKind) -> &'static str {
    match k {
        SentenceKind::Heading => "h",
        SentenceKind::Body => "b",
        SentenceKind::Bullet => "l",
    }
}

fn token_letter(k: TokenKind) -> &'static str {
    match k {
        TokenKind::Word => "w",
        TokenKind::Number => "n",
        TokenKind::Punct => "p",
        TokenKind::Symbol => "s",
    }
}

fn report(name: &str, total: usize, failures: Vec<String>) {
    assert!(total > 0, "{name}: no cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases in {name} fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn sentence_cases() {
    let seg = Segmenter::new();
    let all = cases("sentences.tsv");
    assert!(all.len() >= 200, "only {} sentence cases", all.len());
    let mut failures = Vec::new();
    for (line, cols) in &all {
        let input = unescape(&cols[0]);
        let want: Vec<String> = cols[1].split(" ||| ").map(unescape).collect();
        let mut doc = Document::new("case", input.clone());
        seg.annotate(&mut doc);
        let got: Vec<&str> = doc.sentences.iter().map(|s| s.span.text(&input)).collect();
        if got != want {
            failures.push(format!(
                "line {line}: {input:?}\n   want {want:?}\n   got  {got:?}"
            ));
            continue;
        }
        if let Some(kinds) = cols.get(2) {
            let got: Vec<&str> = doc.sentences.iter().map(|s| kind_letter(s.kind)).collect();
            let want: Vec<&str> = kinds.split(' ').collect();
            if got != want {
                failures.push(format!(
                    "line {line}: {input:?} kinds want {want:?} got {got:?}"
                ));
            }
        }
    }
    report("sentences.tsv", all.len(), failures);
}

#[test]
fn token_cases() {
    let seg = Segmenter::new();
    let all = cases("tokens.tsv");
    assert!(all.len() >= 60, "only {} token cases", all.len());
    let mut failures = Vec::new();
    for (line, cols) in &all {
        let input = unescape(&cols[0]);
        let want: Vec<String> = cols[1].split(' ').map(unescape).collect();
        let toks = seg.tokens(&input);
        let got: Vec<&str> = toks.iter().map(|t| t.span.text(&input)).collect();
        if got != want {
            failures.push(format!(
                "line {line}: {input:?}\n   want {want:?}\n   got  {got:?}"
            ));
            continue;
        }
        if let Some(kinds) = cols.get(2) {
            let got: Vec<&str> = toks.iter().map(|t| token_letter(t.kind)).collect();
            let want: Vec<&str> = kinds.split(' ').collect();
            if got != want {
                failures.push(format!(
                    "line {line}: {input:?} kinds want {want:?} got {got:?}"
                ));
            }
        }
    }
    report("tokens.tsv", all.len(), failures);
}

#[test]
fn dateline_cases() {
    let all = cases("datelines.tsv");
    let mut failures = Vec::new();
    for (line, cols) in &all {
        let input = unescape(&cols[0]);
        let want = cols.get(1).map(|s| unescape(s)).unwrap_or_default();
        let got = dateline(&input)
            .map(|s| s.text(&input).to_string())
            .unwrap_or_default();
        if got != want {
            failures.push(format!("line {line}: {input:?} want {want:?} got {got:?}"));
        }
    }
    report("datelines.tsv", all.len(), failures);
}

fn seed() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds/tokyo-minerals-pact.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn seed_article_layout() {
    let text = seed();
    let mut doc = Document::new("seed", text.clone());
    Segmenter::new().annotate(&mut doc);
    let kinds: String = doc.sentences.iter().map(|s| kind_letter(s.kind)).collect();
    // Headline, body, section headings, bullet lists, and the quotation with its
    // attribution kept whole.
    assert_eq!(kinds, "hbbbhbhbbblllbhbbhbllbhblll");
    for s in &doc.sentences {
        let t = s.span.text(&text);
        assert!(!t.contains('\n'), "a sentence spans lines: {t:?}");
        if s.kind == SentenceKind::Bullet {
            assert!(t.starts_with('•'), "{t:?}");
        }
    }
    let quote = doc
        .sentences
        .iter()
        .map(|s| s.span.text(&text))
        .find(|t| t.starts_with('“'))
        .expect("the quotation");
    assert!(quote.ends_with("he stated."), "{quote:?}");
    // `$550` is two tokens, the amount a number.
    let toks: Vec<&str> = doc.tokens.iter().map(|t| t.span.text(&text)).collect();
    let i = toks.iter().position(|t| *t == "$").expect("a dollar sign");
    assert_eq!(toks[i + 1], "550");
    assert_eq!(doc.tokens[i + 1].kind, TokenKind::Number);
}

/// Every invariant the later stages rely on.
fn check(text: &str) {
    let seg = Segmenter::new();
    let mut doc = Document::new("p", text.to_string());
    seg.annotate(&mut doc);
    let is_sep = |c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}';
    // Sentences: in order, non-empty, on char boundaries, trimmed; the gaps between
    // them only whitespace, so sentences plus gaps give back the text byte for byte.
    let mut rebuilt = String::new();
    let mut at = 0;
    for s in &doc.sentences {
        let t = text
            .get(s.span.start..s.span.end)
            .expect("sentence on char boundaries");
        assert!(
            !t.is_empty() && s.span.start >= at,
            "sentences overlap or are empty"
        );
        let gap = &text[at..s.span.start];
        assert!(
            gap.chars().all(is_sep),
            "non-space outside sentences: {gap:?}"
        );
        assert!(
            !t.starts_with(is_sep) && !t.ends_with(is_sep),
            "untrimmed {t:?}"
        );
        rebuilt.push_str(gap);
        rebuilt.push_str(t);
        at = s.span.end;
    }
    let tail = &text[at..];
    assert!(
        tail.chars().all(is_sep),
        "non-space after the last sentence: {tail:?}"
    );
    rebuilt.push_str(tail);
    assert_eq!(rebuilt, text);
    // Tokens: the sentences' ranges tile the token list; each token lies inside its
    // sentence, in order, non-overlapping, on char boundaries, without whitespace, and
    // every non-space char is in a token.
    let mut next = 0;
    for s in &doc.sentences {
        assert_eq!(s.tokens.start, next, "token ranges do not tile");
        assert!(s.tokens.end > s.tokens.start, "a sentence without tokens");
        next = s.tokens.end;
        let toks = &doc.tokens[s.tokens.clone()];
        assert_eq!(toks[0].span.start, s.span.start);
        assert_eq!(toks[toks.len() - 1].span.end, s.span.end);
        let mut at = s.span.start;
        for t in toks {
            let tt = text
                .get(t.span.start..t.span.end)
                .expect("token on char boundaries");
            assert!(!tt.is_empty() && t.span.start >= at && s.span.contains(t.span));
            assert!(!tt.chars().any(is_sep), "whitespace in token {tt:?}");
            assert!(
                text[at..t.span.start].chars().all(is_sep),
                "a char outside tokens"
            );
            at = t.span.end;
        }
    }
    assert_eq!(next, doc.tokens.len());
    // The other entry points agree, and annotating again changes nothing.
    let spans: Vec<_> = doc.sentences.iter().map(|s| s.span).collect();
    assert_eq!(seg.sentences(text), spans);
    assert_eq!(seg.tokens(text), doc.tokens);
    let before = (doc.sentences.clone(), doc.tokens.clone());
    seg.annotate(&mut doc);
    assert_eq!((doc.sentences, doc.tokens), before);
    // No unbounded sentence.
    for s in &spans {
        let longest_token = 4 * 1024 * 1024;
        assert!(s.len() <= HARD_MAX_SENTENCE_BYTES + longest_token);
    }
    let _ = dateline(text);
}

/// Pieces that exercise the rules: abbreviations, marks, quotes, brackets, bullets,
/// list markers, line breaks, links, numbers, multi-byte chars.
fn newsish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Mr."),
        Just("U.S."),
        Just("p.m."),
        Just("J."),
        Just("No."),
        Just("Inc."),
        Just("etc."),
        Just("e.g."),
        Just("The"),
        Just("he"),
        Just("eBay"),
        Just("don't"),
        Just("Japan’s"),
        Just("$5.5bn"),
        Just("3.14"),
        Just("1,000"),
        Just("1."),
        Just("2)"),
        Just("a."),
        Just("(a)"),
        Just("."),
        Just(". . ."),
        Just("..."),
        Just("…"),
        Just("?!"),
        Just("!"),
        Just("\""),
        Just("“"),
        Just("”"),
        Just("'"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("•"),
        Just("- "),
        Just("—"),
        Just(","),
        Just(":"),
        Just(" "),
        Just("  "),
        Just("\n"),
        Just("\n\n"),
        Just("\r\n"),
        Just("\t"),
        Just("\u{a0}"),
        Just("\u{200b}"),
        Just("\u{2028}"),
        Just("https://x.com/a."),
        Just("jane@x.org"),
        Just("Amazon.com"),
        Just("TOKYO (Reuters) -"),
        Just("é"),
        Just("\u{301}"),
        Just("👍🏽"),
        Just("\u{200d}"),
        Just("東京"),
        Just("。"),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lossless_on_arbitrary_unicode(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn lossless_on_newsish_text(text in newsish()) {
        check(&text);
    }

    #[test]
    fn lossless_on_mixed_text(a in newsish(), b in any::<String>(), c in newsish()) {
        check(&format!("{a}{b}{c}"));
    }
}

const MB: usize = 1 << 20;

/// 1 MB inputs that take seconds, not milliseconds, if anything is quadratic.
#[test]
fn linear_inputs() {
    let inputs = [
        "word ".repeat(MB / 5),
        ".".repeat(MB),
        ". ".repeat(MB / 2),
        "a.".repeat(MB / 2),
        "a".repeat(MB),
        "a-,".repeat(MB / 3),
        "\n".repeat(MB),
        "\"".repeat(MB),
        "“a. ".repeat(MB / 6),
        "(".repeat(MB),
        "(a. b. ".repeat(MB / 7),
        "1. ".repeat(MB / 3),
        "Mr. ".repeat(MB / 4),
        "a.m. Mr. ".repeat(MB / 9),
        "x@".repeat(MB / 2),
        "http://".repeat(MB / 7),
        "’s".repeat(MB / 4),
        "é".repeat(MB / 2),
        "No.".repeat(MB / 3) + " 5",
        "TOKYO ".repeat(MB / 6),
        "The cat sat on the mat and then it sat on the hat ".repeat(MB / 50),
    ];
    for text in &inputs {
        check(text);
    }
}

#[test]
fn long_sentences_are_cut_at_whitespace() {
    let text = "word ".repeat(10_000);
    let spans = Segmenter::new().sentences(&text);
    assert!(spans.len() > 1);
    for s in &spans {
        assert!(s.len() <= MAX_SENTENCE_BYTES + "word".len(), "{}", s.len());
        // Cut at whitespace: each piece is whole words.
        assert!(s.text(&text).split(' ').all(|w| w == "word"));
    }
    // Without whitespace there is no place to cut but between tokens.
    let text = "a-,".repeat(10_000);
    for s in Segmenter::new().sentences(&text) {
        assert!(s.len() <= HARD_MAX_SENTENCE_BYTES + 3, "{}", s.len());
    }
}

#[test]
fn cut_sentences_are_body_text() {
    let text = format!("{}\n", "word ".repeat(1000));
    let mut doc = Document::new("d", text);
    Segmenter::new().annotate(&mut doc);
    assert!(doc.sentences.len() > 1);
    assert!(doc.sentences.iter().all(|s| s.kind == SentenceKind::Body));
}

/// Joins CoNLL tokens into text: no space before punctuation and clitics, none inside
/// brackets or straight quotes.
fn detokenise(toks: &[&str]) -> String {
    let mut line = String::new();
    let mut in_quote = false;
    for &tok in toks {
        let mut glue = matches!(
            tok,
            "." | "," | ";" | ":" | "!" | "?" | ")" | "%" | "'s" | "n't"
        ) || line.ends_with('(')
            || line.ends_with('$');
        if tok == "\"" {
            glue |= in_quote;
            in_quote = !in_quote;
        } else if in_quote && line.ends_with('"') {
            glue = true;
        }
        if !line.is_empty() && !glue {
            line.push(' ');
        }
        line.push_str(tok);
    }
    line
}

/// Sentence boundaries on real news: each CoNLL-2003 dev document's sentences joined
/// by single spaces (so no line break helps), split again, and the boundaries after
/// sentences that end in a final mark scored (the others cannot be found without the
/// line breaks). Prints precision and recall; run with
/// `cargo test --test segment conll -- --nocapture`. Most remaining errors are sports
/// result tables (one row per line in the original) and CoNLL's own splits such as
/// `Sept.` / `24`.
#[test]
fn conll_dev_boundaries() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/conll2003/dev.txt");
    let Ok(raw) = std::fs::read_to_string(&path) else {
        eprintln!("{} not found; skipping", path.display());
        return;
    };
    let mut docs: Vec<Vec<String>> = Vec::new();
    let mut sent: Vec<&str> = Vec::new();
    for l in raw.lines() {
        let tok = l.split(' ').next().unwrap_or("");
        if tok.is_empty() {
            if !sent.is_empty() {
                if docs.is_empty() {
                    docs.push(Vec::new());
                }
                docs.last_mut().expect("a document").push(detokenise(&sent));
                sent.clear();
            }
        } else if tok == "-DOCSTART-" {
            docs.push(Vec::new());
        } else {
            sent.push(tok);
        }
    }
    let seg = Segmenter::new();
    let (mut tp, mut fp, mut missed) = (0usize, 0usize, 0usize);
    for d in &docs {
        let mut text = String::new();
        let mut gold = std::collections::HashSet::new();
        let mut unknowable = std::collections::HashSet::new();
        for (i, s) in d.iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(s);
            if i + 1 < d.len() {
                if s.ends_with(['.', '!', '?', '"']) {
                    gold.insert(text.len());
                } else {
                    unknowable.insert(text.len());
                }
            }
        }
        let spans = seg.sentences(&text);
        let ends: std::collections::HashSet<usize> = spans
            .iter()
            .take(spans.len().saturating_sub(1))
            .map(|s| s.end)
            .collect();
        tp += gold.intersection(&ends).count();
        missed += gold.difference(&ends).count();
        fp += ends
            .iter()
            .filter(|e| !gold.contains(e) && !unknowable.contains(e))
            .count();
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + missed) as f64;
    println!(
        "CoNLL-2003 dev sentence boundaries: precision {precision:.3} recall {recall:.3} ({tp} found, {fp} extra, {missed} missed)"
    );
    assert!(
        precision >= 0.86 && recall >= 0.92,
        "{precision:.3} / {recall:.3}"
    );
}
