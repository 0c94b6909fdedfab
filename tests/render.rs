//! `gazette render`: the checks of `tests/data/render/cases.tsv` hold on the HTML written
//! and on the DOM headless Chromium builds from it (with the page's script run); event
//! cards and entity boxes react to clicks and keys; records written earlier draw the same
//! page; a site has an index and a page per article. Screenshots go to `target/render/`.
//!
//! The browser test installs Debian's `chromium` through `scripts/setup-chromium` when it
//! is missing; where that is impossible it is skipped with a loud message, except under CI
//! (`CI` set), where it fails.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gazette() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
}

/// Where screenshots and pages for people to look at go.
fn out_dir() -> PathBuf {
    let d = root().join("target/render");
    std::fs::create_dir_all(&d).unwrap();
    d
}

// ---------------------------------------------------------------- a small HTML reader

/// An element of a page: its name, attributes and text content.
#[derive(Debug, Clone)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    /// Index of the parent element.
    parent: Option<usize>,
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn has_class(&self, c: &str) -> bool {
        self.attr("class")
            .is_some_and(|v| v.split_ascii_whitespace().any(|x| x == c))
    }
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e < 12);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads serialised HTML (ours, or Chromium's `--dump-dom`) into its elements.
fn parse(html: &str) -> Vec<El> {
    let mut els: Vec<El> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    let add_text = |els: &mut Vec<El>, open: &[usize], t: &str| {
        for &k in open {
            els[k].text.push_str(t);
        }
    };
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').unwrap_or(r.len());
            let name = r[..end].trim().to_ascii_lowercase();
            if let Some(pos) = open.iter().rposition(|&k| els[k].name == name) {
                open.truncate(pos);
            }
            i += 2 + end + 1;
        } else if rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        {
            let (el, len, self_closing) = tag(rest);
            i += len;
            let name = el.name.clone();
            els.push(El {
                parent: open.last().copied(),
                ..el
            });
            let k = els.len() - 1;
            if name == "script" || name == "style" || name == "title" || name == "textarea" {
                let close = format!("</{name}");
                let end = html[i..].find(&close).unwrap_or(html.len() - i);
                let raw = &html[i..i + end];
                els[k].text = if name == "title" || name == "textarea" {
                    decode(raw)
                } else {
                    raw.to_string()
                };
                i += end;
                i += html[i..].find('>').map_or(html.len() - i, |e| e + 1);
            } else if !self_closing && !VOID.contains(&name.as_str()) {
                open.push(k);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let end = if end == 0 { 1 } else { end };
            add_text(&mut els, &open, &decode(&rest[..end]));
            i += end;
        }
    }
    els
}

/// One start tag: the element, the bytes it took, whether it ended in `/>`.
fn tag(s: &str) -> (El, usize, bool) {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let name = s[1..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            i += 1;
            break;
        }
        self_closing = false;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let aname = s[start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = decode(&s[vs..i.min(s.len())]);
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode(&s[vs..i]);
            }
        }
        attrs.push((aname, value));
    }
    (
        El {
            name,
            attrs,
            text: String::new(),
            parent: None,
        },
        i.min(s.len()),
        self_closing,
    )
}

fn by_id<'a>(els: &'a [El], id: &str) -> Option<&'a El> {
    els.iter().find(|e| e.attr("id") == Some(id))
}

/// HTML reads CR LF and lone CR as LF; compare texts the way a browser shows them.
fn newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

// ---------------------------------------------------------------- the cases table

#[derive(Debug, Clone)]
struct Case {
    line: usize,
    input: String,
    args: Vec<String>,
    check: String,
    a: String,
    b: String,
}

/// Whether the fixture articles are in the tree (they arrive from another branch).
fn have_fixtures() -> bool {
    std::fs::read_dir(root().join("fixtures/articles")).is_ok_and(|d| {
        d.filter_map(|e| e.ok())
            .any(|e| e.path().extension().is_some_and(|x| x == "txt"))
    })
}

fn cases() -> Vec<Case> {
    let path = root().join("tests/data/render/cases.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = Vec::new();
    let fixtures = have_fixtures();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("fixture:") && !fixtures {
            eprintln!(
                "render cases: NOT RUN cases.tsv:{}: no fixture articles in fixtures/articles yet",
                n + 1
            );
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert!(
            f.len() >= 3,
            "cases.tsv:{}: needs input, args, check",
            n + 1
        );
        out.push(Case {
            line: n + 1,
            input: f[0].to_string(),
            args: f[1].split_whitespace().map(String::from).collect(),
            check: f[2].to_string(),
            a: f.get(3).unwrap_or(&"").to_string(),
            b: f.get(4).unwrap_or(&"").to_string(),
        });
    }
    out
}

fn input_path(input: &str) -> PathBuf {
    if input == "seed" {
        root().join("../shared/seeds/tokyo-minerals-pact.txt")
    } else if let Some(f) = input.strip_prefix("data:") {
        root().join("tests/data/render").join(f)
    } else if let Some(f) = input.strip_prefix("records:") {
        root().join("tests/data/render").join(f)
    } else if let Some(f) = input.strip_prefix("fixture:") {
        root().join("fixtures/articles").join(f)
    } else {
        panic!("unknown input {input:?}")
    }
}

/// The article text as gazette reads it (a JSON-lines file: the first record's text).
fn article_text(input: &str) -> String {
    let path = input_path(input);
    let raw = std::fs::read_to_string(&path).unwrap();
    if path.extension().is_some_and(|e| e == "jsonl") {
        let v: serde_json::Value = serde_json::from_str(raw.lines().next().unwrap()).unwrap();
        v["text"].as_str().unwrap().to_string()
    } else {
        raw
    }
}

fn render_page(input: &str, args: &[String]) -> String {
    let mut cmd = gazette();
    cmd.arg("render");
    if input.starts_with("records:") {
        cmd.arg("--from");
    }
    let out = cmd.arg(input_path(input)).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "gazette render {input} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Applies one check to a page; `dom` says whether the page is the browser's DOM.
fn check(case: &Case, els: &[El], dom: bool) -> Result<(), String> {
    let (a, b) = (case.a.as_str(), case.b.as_str());
    let ok = match case.check.as_str() {
        "mark" => els.iter().any(|e| {
            e.name == "mark"
                && e.has_class("m")
                && e.has_class(&format!("t-{a}"))
                && e.text.contains(b)
        }),
        "card" => els
            .iter()
            .any(|e| e.has_class("card") && e.has_class(&format!("et-{a}"))),
        "badge" => els
            .iter()
            .any(|e| e.has_class("badge") && e.has_class(&format!("mod-{a}"))),
        "timeline" => els
            .iter()
            .any(|e| e.name == "time" && e.has_class("d") && e.text == a),
        "money" => els.iter().any(|e| e.name == "td" && e.text.contains(a)),
        "scripts" => {
            let n = els.iter().filter(|e| e.name == "script").count();
            if n.to_string() != a {
                return Err(format!("{n} script elements"));
            }
            true
        }
        "no-tag" => {
            if let Some(e) = els.iter().find(|e| e.name == a) {
                return Err(format!("found <{a}> {:?}", e.attrs));
            }
            true
        }
        "no-attr" => {
            if let Some(e) = els.iter().find(|e| e.attr(a).is_some()) {
                return Err(format!("<{}> has {a}", e.name));
            }
            true
        }
        "no-attr-prefix" => {
            if let Some(e) = els.iter().find(|e| {
                e.attr(a)
                    .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with(b))
            }) {
                return Err(format!("<{}> {a}={:?}", e.name, e.attr(a)));
            }
            true
        }
        "text-roundtrip" => {
            let want = newlines(&article_text(&case.input));
            let got = newlines(
                &by_id(els, "text")
                    .map(|e| e.text.clone())
                    .unwrap_or_default(),
            );
            if got != want {
                let at = got
                    .chars()
                    .zip(want.chars())
                    .position(|(x, y)| x != y)
                    .unwrap_or(got.len().min(want.len()));
                return Err(format!(
                    "text differs at char {at}: got {:?}… want {:?}…",
                    got.chars().skip(at).take(40).collect::<String>(),
                    want.chars().skip(at).take(40).collect::<String>()
                ));
            }
            true
        }
        "title" => els.iter().any(|e| e.name == "title" && e.text == a),
        "ready" => {
            !dom || els
                .iter()
                .any(|e| e.name == "html" && e.attr("data-gz-ready") == Some("1"))
        }
        other => return Err(format!("unknown check {other:?}")),
    };
    if ok {
        Ok(())
    } else {
        Err("not found".into())
    }
}

fn run_cases(pages: &HashMap<(String, Vec<String>), String>, dom: bool) {
    let mut failures = Vec::new();
    let mut parsed: HashMap<(String, Vec<String>), Vec<El>> = HashMap::new();
    for case in cases() {
        let key = (case.input.clone(), case.args.clone());
        let els = parsed
            .entry(key.clone())
            .or_insert_with(|| parse(&pages[&key]));
        if let Err(e) = check(&case, els, dom) {
            failures.push(format!(
                "cases.tsv:{} {} {} {} {}: {e}",
                case.line, case.input, case.check, case.a, case.b
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the render cases failed ({}):\n{}",
        failures.len(),
        if dom { "in Chromium" } else { "in the HTML" },
        failures.join("\n")
    );
}

fn all_pages() -> HashMap<(String, Vec<String>), String> {
    let mut pages = HashMap::new();
    for case in cases() {
        let key = (case.input.clone(), case.args.clone());
        pages
            .entry(key)
            .or_insert_with(|| render_page(&case.input, &case.args));
    }
    pages
}

#[test]
fn cases_hold_in_the_written_html() {
    run_cases(&all_pages(), false);
}

// ---------------------------------------------------------------- the same page, other roads

fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let data = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn documents_records_draw_the_same_page() {
    let seed = input_path("seed");
    let direct = render_page("seed", &["--published".into(), "2025-10-27".into()]);
    let docs = run(
        gazette()
            .args([
                "extract",
                "--emit",
                "documents",
                "--published",
                "2025-10-27",
            ])
            .arg(&seed),
        None,
    );
    assert!(docs.status.success());
    let drawn = run(
        gazette().args(["render", "--from", "-"]),
        Some(&docs.stdout),
    );
    assert!(
        drawn.status.success(),
        "{}",
        String::from_utf8_lossy(&drawn.stderr)
    );
    assert_eq!(
        String::from_utf8(drawn.stdout).unwrap(),
        direct,
        "render --from documents differs from render of the article"
    );
}

#[test]
fn event_records_draw_their_cards() {
    let seed = input_path("seed");
    let events = run(
        gazette()
            .args(["extract", "--published", "2025-10-27"])
            .arg(&seed),
        None,
    );
    assert!(events.status.success());
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&events.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!records.is_empty(), "the seed article gives no events");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    std::fs::write(&file, &events.stdout).unwrap();
    let out = run(gazette().arg("render").arg("--from").arg(&file), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = String::from_utf8(out.stdout).unwrap();
    let els = parse(&page);
    let cards: Vec<&El> = els.iter().filter(|e| e.has_class("card")).collect();
    assert_eq!(cards.len(), records.len(), "one card per event record");
    for (r, card) in records.iter().zip(&cards) {
        assert!(card.has_class(&format!("et-{}", r["type"].as_str().unwrap())));
        assert!(card.text.contains(r["trigger"]["text"].as_str().unwrap()));
        // Each event's sentence is shown, with its trigger underlined inside it.
        let s = &r["sentence"];
        let sent = by_id(&els, &format!("s-{}", s["index"])).expect("event sentence drawn");
        assert_eq!(sent.text, s["text"].as_str().unwrap());
        for a in r["agents"].as_array().unwrap() {
            assert!(
                els.iter()
                    .any(|e| e.name == "mark" && e.text == a["text"].as_str().unwrap()),
                "agent {a} highlighted"
            );
        }
    }
    assert!(page.contains("Drawn from event records"));

    // With entity records too, the entity list has their attributes and every mention.
    let entities = run(
        gazette()
            .args(["extract", "--emit", "entities", "--published", "2025-10-27"])
            .arg(&seed),
        None,
    );
    let ents_file = dir.path().join("entities.jsonl");
    std::fs::write(&ents_file, &entities.stdout).unwrap();
    let out = run(
        gazette()
            .arg("render")
            .arg("--from")
            .arg(&file)
            .arg("--from")
            .arg(&ents_file),
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let els = parse(&String::from_utf8(out.stdout).unwrap());
    for line in String::from_utf8_lossy(&entities.stdout).lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = e["entity"].as_str().unwrap();
        let ent = by_id(&els, &format!("ent-{id}")).expect("entity drawn");
        assert!(ent.text.contains(e["name"].as_str().unwrap()));
        for (_, v) in e["attributes"].as_object().unwrap() {
            if let Some(v) = v.as_str() {
                assert!(ent.text.contains(v), "{id} shows attribute {v}");
            }
        }
        let n = e["mentions"].as_array().unwrap().len();
        assert!(
            ent.text.contains(&format!("{n} mention")),
            "{id}: {n} mentions"
        );
    }
}

#[test]
fn a_site_has_an_index_and_a_page_per_article() {
    let corpus = tempfile::tempdir().unwrap();
    for f in ["hostile.txt", "unicode.txt", "hostile.jsonl"] {
        std::fs::copy(input_path(&format!("data:{f}")), corpus.path().join(f)).unwrap();
    }
    std::fs::copy(input_path("seed"), corpus.path().join("seed.txt")).unwrap();
    let site = tempfile::tempdir().unwrap();
    let out = run(
        gazette()
            .arg("render")
            .arg(corpus.path())
            .args(["--published", "2025-10-27", "--out"])
            .arg(site.path()),
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(site.path().join("index.html")).unwrap();
    let els = parse(&index);
    let rows: Vec<&El> = els
        .iter()
        .filter(|e| e.name == "tr" && e.parent.is_some_and(|p| els[p].name == "tbody"))
        .collect();
    assert!(rows.len() >= 4, "a row per article, then money rows");
    let mut pages = 0;
    for a in els.iter().filter(|e| e.name == "a") {
        let href = a.attr("href").unwrap();
        let (file, frag) = href.split_once('#').unwrap_or((href, ""));
        if file.is_empty() {
            continue;
        }
        assert!(!file.contains('/'), "pages stay inside the site: {href}");
        let page = std::fs::read_to_string(site.path().join(file))
            .unwrap_or_else(|e| panic!("index links {href}: {e}"));
        if !frag.is_empty() {
            assert!(
                by_id(&parse(&page), frag).is_some(),
                "{href} has no #{frag}"
            );
        }
        pages += 1;
    }
    assert!(pages >= 4);
    let files = std::fs::read_dir(site.path()).unwrap().count();
    assert_eq!(files, 5, "index.html and four article pages");
    // The timeline of the corpus has the seed's dated events.
    assert!(els
        .iter()
        .any(|e| e.name == "time" && e.text == "2025-10-27"));
    let seed = std::fs::read_to_string(site.path().join("seed.txt.html")).unwrap();
    assert!(
        seed.contains("href=\"index.html\""),
        "article pages link back"
    );
}

#[test]
fn bad_usage_and_bad_records() {
    let two = run(
        gazette()
            .arg("render")
            .arg(input_path("data:unicode.txt"))
            .arg(input_path("seed")),
        None,
    );
    assert_eq!(two.status.code(), Some(2), "two articles need --out");
    assert!(String::from_utf8_lossy(&two.stderr).contains("--out"));

    // A bad line is named and skipped; the other records are still drawn.
    let events = run(gazette().arg("extract").arg(input_path("seed")), None);
    let mut records = b"{\"not\": \"a record\"}\nnot json\n".to_vec();
    records.extend_from_slice(&events.stdout);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, &records).unwrap();
    let out = run(gazette().arg("render").arg("--from").arg(&file), None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mixed.jsonl:1"), "{err}");
    assert!(err.contains("mixed.jsonl:2"), "{err}");
    assert!(parse(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .any(|e| e.has_class("card")));
}

// ---------------------------------------------------------------- headless Chromium

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| which(n))
}

/// Chromium, installed through scripts/setup-chromium when missing.
fn chromium() -> Option<PathBuf> {
    if let Some(c) = find_chromium() {
        return Some(c);
    }
    eprintln!("render test: no chromium on PATH; running scripts/setup-chromium");
    let _ = Command::new(root().join("scripts/setup-chromium")).status();
    find_chromium()
}

/// Runs Chromium headless on `url` with `extra` flags; kills it after two minutes.
fn browse(bin: &Path, extra: &[String], url: &str) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting chromium");
    // Drain the pipes while waiting: a DOM larger than the pipe buffer would block it.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium did not finish on {url} within 180 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn dump_dom(bin: &Path, url: &str) -> String {
    let out = browse(
        bin,
        &["--virtual-time-budget=5000".into(), "--dump-dom".into()],
        url,
    );
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("<html"),
        "chromium gave no DOM for {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

fn screenshot(bin: &Path, url: &str, png: &Path, size: &str) {
    let out = browse(
        bin,
        &[
            "--virtual-time-budget=3000".into(),
            format!("--window-size={size}"),
            format!("--screenshot={}", png.display()),
        ],
        url,
    );
    assert!(
        png.is_file(),
        "no screenshot {}: {}",
        png.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn file_url(path: &Path) -> String {
    let path = path.canonicalize().unwrap().display().to_string();
    let mut url = String::from("file://");
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(b as char)
            }
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url
}

#[test]
fn cases_hold_in_headless_chromium() {
    let Some(bin) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("CI must run the browser test, but chromium is missing and scripts/setup-chromium failed");
        }
        eprintln!(
            "\n**********************************************************************\n\
             SKIPPED render browser test: no chromium and scripts/setup-chromium could\n\
             not install it (needs root and Debian's package lists).\n\
             **********************************************************************\n"
        );
        return;
    };
    let dir = out_dir();
    let pages = all_pages();
    // Every page of the table, saved, opened in the browser and dumped after its script ran.
    let mut doms = HashMap::new();
    for (k, (key, page)) in pages.iter().enumerate() {
        let name = format!(
            "case-{k}-{}.html",
            key.0.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let path = dir.join(&name);
        std::fs::write(&path, page).unwrap();
        doms.insert(key.clone(), dump_dom(&bin, &file_url(&path)));
    }
    run_cases(&doms, true);

    // Clicking a card marks exactly its evidence sentences; clicking a highlight opens its
    // entity box and marks the entity's other mentions; keys do the same.
    let seed = render_page("seed", &["--published".into(), "2025-10-27".into()]);
    let seed_path = dir.join("seed.html");
    std::fs::write(&seed_path, &seed).unwrap();
    let els = parse(&seed);
    let cards: Vec<&El> = els.iter().filter(|e| e.has_class("card")).collect();
    assert!(cards.len() >= 2, "the seed article has events");
    let card = cards[cards.len() / 2];
    let card_id = card.attr("id").unwrap();
    let mention = els
        .iter()
        .find(|e| e.name == "mark" && e.attr("data-e").is_some())
        .expect("a highlight linked to an entity");
    let (m_id, entity) = (mention.attr("id").unwrap(), mention.attr("data-e").unwrap());
    let name = els
        .iter()
        .find(|e| e.has_class("ent") && e.attr("data-e") == Some(entity))
        .and_then(|e| {
            let k = els.iter().position(|x| std::ptr::eq(x, e)).unwrap();
            els.iter()
                .find(|x| x.has_class("nm") && x.parent.is_some_and(|p| els[p].parent == Some(k)))
        })
        .map(|e| e.text.clone())
        .expect("the entity's name in the entity list");
    let url = format!(
        "{}?gz-test=click:{card_id},click:{m_id}",
        file_url(&seed_path)
    );
    let dom = parse(&dump_dom(&bin, &url));
    let html = dom.iter().find(|e| e.name == "html").unwrap();
    assert_eq!(html.attr("data-gz-test"), Some("done"), "test hook ran");
    let active = by_id(&dom, card_id).unwrap();
    assert!(active.has_class("active") && active.attr("aria-pressed") == Some("true"));
    let want: Vec<String> = card
        .attr("data-sents")
        .unwrap()
        .split(' ')
        .map(|i| format!("s-{i}"))
        .collect();
    let marked: Vec<String> = dom
        .iter()
        .filter(|e| e.has_class("s") && e.has_class("evidence"))
        .map(|e| e.attr("id").unwrap().to_string())
        .collect();
    assert_eq!(marked, want, "evidence of {card_id}");
    let pop = by_id(&dom, "gz-pop").unwrap();
    assert!(pop.attr("hidden").is_none(), "entity box open");
    assert!(
        pop.text.contains(&name) && pop.text.contains(entity),
        "{:?}",
        pop.text
    );
    let same = dom
        .iter()
        .filter(|e| e.name == "mark" && e.attr("data-e") == Some(entity));
    assert!(
        same.clone().all(|e| e.has_class("same")),
        "all mentions of {entity} marked"
    );

    let first = cards[0].attr("id").unwrap();
    let url = format!(
        "{}?gz-test=key:{first}:Enter,click:legend-PLACE",
        file_url(&seed_path)
    );
    let dom = parse(&dump_dom(&bin, &url));
    assert!(
        by_id(&dom, first).unwrap().has_class("active"),
        "Enter opens a card"
    );
    let body = dom.iter().find(|e| e.name == "body").unwrap();
    assert!(
        body.has_class("hide-PLACE"),
        "the legend hides PLACE highlights"
    );
    assert_eq!(
        by_id(&dom, "legend-PLACE").unwrap().attr("aria-pressed"),
        Some("false")
    );
    // A link from the index (#ev-N) opens that card.
    let last = cards[cards.len() - 1].attr("id").unwrap();
    let dom = parse(&dump_dom(&bin, &format!("{}#{last}", file_url(&seed_path))));
    assert!(
        by_id(&dom, last).unwrap().has_class("active"),
        "#{last} opens its card"
    );

    // Every fixture article: the browser's DOM keeps the written highlights and cards and
    // the exact text, runs only the page's script, and a screenshot is saved.
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/articles"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    fixtures.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    fixtures.sort();
    for path in &fixtures {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let input = format!("fixture:{}", path.file_name().unwrap().to_string_lossy());
        let page = render_page(&input, &[]);
        let html_path = dir.join(format!("fixture-{name}.html"));
        std::fs::write(&html_path, &page).unwrap();
        let written = parse(&page);
        let dom = parse(&dump_dom(&bin, &file_url(&html_path)));
        let count = |els: &[El], class: &str| els.iter().filter(|e| e.has_class(class)).count();
        assert_eq!(
            count(&dom, "card"),
            count(&written, "card"),
            "{name}: cards"
        );
        assert_eq!(count(&dom, "m"), count(&written, "m"), "{name}: highlights");
        assert_eq!(
            dom.iter().filter(|e| e.name == "script").count(),
            1,
            "{name}"
        );
        let text = newlines(&std::fs::read_to_string(path).unwrap());
        assert_eq!(
            by_id(&dom, "text").map(|e| e.text.clone()),
            Some(text),
            "{name}: text"
        );
        screenshot(
            &bin,
            &format!("{}?gz-test=top", file_url(&html_path)),
            &dir.join(format!("fixture-{name}.png")),
            "1280,1000",
        );
    }

    // Screenshots for people: the seed article with a card open, and the hostile article.
    screenshot(
        &bin,
        &format!("{}?gz-test=click:{card_id}", file_url(&seed_path)),
        &dir.join("seed.png"),
        "1400,1800",
    );
    let hostile = dir.join("hostile.html");
    std::fs::write(&hostile, render_page("data:hostile.txt", &[])).unwrap();
    screenshot(
        &bin,
        &file_url(&hostile),
        &dir.join("hostile.png"),
        "1400,900",
    );
    eprintln!("render test: screenshots in {}", dir.display());
}
