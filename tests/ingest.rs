//! The ingest stage as a library: JSON lines (cases in `tests/data/ingest/lines.jsonl`:
//! input bytes and options → one expected record per line), folder discovery, files that
//! change or vanish while a run goes on, and the size limit.
//!
//! A case: `{"name", "input": CONTENT, "options": {"lossy", "max_bytes", "published"},
//! "expect": [{"line", "doc_id"?, "blank"?, "reason"?, "message"?, "title"?, "published"?,
//! "meta"?, "text"?, "notice"?}]}` where CONTENT is a string or `{"hex": "…"}`.

use std::fs;
use std::path::{Path, PathBuf};

use gazette::ingest::{self, IngestOptions, InputFile, InputFormat, JsonLines, Opened};
use serde_json::Value;

fn bytes(spec: &Value) -> Vec<u8> {
    match spec {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Object(o) => {
            let hex = o["hex"].as_str().unwrap();
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        }
        other => panic!("bad input spec {other}"),
    }
}

fn options(spec: &Value) -> IngestOptions {
    let mut o = IngestOptions::default();
    if let Some(l) = spec.get("lossy").and_then(Value::as_bool) {
        o.lossy = l;
    }
    if let Some(m) = spec.get("max_bytes").and_then(Value::as_u64) {
        o.max_bytes = m;
    }
    if let Some(p) = spec.get("published").and_then(Value::as_str) {
        o.published = ingest::parse_published(p);
    }
    o
}

fn check_case(case: &Value) -> Vec<String> {
    let name = case["name"].as_str().unwrap();
    let input = bytes(&case["input"]);
    let mut lines = JsonLines::new(&input[..], "in.jsonl".into(), "", options(&case["options"]));
    let mut problems = Vec::new();
    let expect = case["expect"].as_array().unwrap();
    for (i, want) in expect.iter().enumerate() {
        let Some(r) = lines.next_record() else {
            problems.push(format!("{name}: record {} missing", i + 1));
            break;
        };
        let mut bad = |what: String| problems.push(format!("{name}: line {}: {what}", r.line));
        if Some(r.line as u64) != want["line"].as_u64() {
            bad(format!("line number {}, expected {}", r.line, want["line"]));
        }
        if let Some(id) = want.get("doc_id").and_then(Value::as_str) {
            if r.doc_id != id {
                bad(format!("doc_id {:?}, expected {id:?}", r.doc_id));
            }
        }
        if let Some(n) = want.get("notice").and_then(Value::as_bool) {
            if r.notice.is_some() != n {
                bad(format!("notice {:?}", r.notice));
            }
        }
        match (&r.result, want.get("reason").and_then(Value::as_str)) {
            (Err(e), Some(reason)) => {
                if e.reason() != reason {
                    bad(format!("reason {}, expected {reason}", e.reason()));
                }
                if e.origin().and_then(|o| o.line) != Some(r.line) {
                    bad(format!("error origin {:?}", e.origin()));
                }
                if let Some(m) = want.get("message").and_then(Value::as_str) {
                    if e.to_string() != m {
                        bad(format!("message {:?}, expected {m:?}", e.to_string()));
                    }
                }
            }
            (Err(e), None) => bad(format!("unexpected error {e}")),
            (Ok(_), Some(reason)) => bad(format!("no error, expected {reason}")),
            (Ok(None), None) => {
                if want.get("blank") != Some(&Value::Bool(true)) {
                    bad("blank, expected a document".into());
                }
            }
            (Ok(Some(doc)), None) => {
                if let Some(t) = want.get("title") {
                    if doc.title.as_deref() != t.as_str() {
                        bad(format!("title {:?}", doc.title));
                    }
                }
                if let Some(p) = want.get("published").and_then(Value::as_str) {
                    if doc.published.map(|d| d.to_string()).as_deref() != Some(p) {
                        bad(format!("published {:?}", doc.published));
                    }
                }
                if let Some(m) = want.get("meta") {
                    if &Value::Object(doc.meta.clone()) != m {
                        bad(format!("meta {:?}", doc.meta));
                    }
                }
                if let Some(t) = want.get("text").and_then(Value::as_str) {
                    if doc.text != t {
                        bad(format!("text {:?}", doc.text));
                    }
                }
            }
        }
    }
    if let Some(r) = lines.next_record() {
        problems.push(format!("{name}: unexpected record at line {}", r.line));
    }
    problems
}

#[test]
fn json_lines_cases() {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ingest/lines.jsonl"),
    )
    .unwrap();
    let problems: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| check_case(&serde_json::from_str(l).unwrap()))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn write(root: &Path, rel: &str, content: &[u8]) -> PathBuf {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, content).unwrap();
    p
}

#[test]
fn folders_are_walked_in_sorted_order_with_relative_ids() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    for rel in [
        "b.txt",
        "a/z.md",
        "a/b.jsonl",
        "c.JSON",
        "Z.txt",
        "skip.csv",
        "a/.hidden.txt",
    ] {
        write(&root, rel, b"Text.");
    }
    let d = ingest::discover_all(std::slice::from_ref(&root));
    let ids: Vec<&str> = d.files.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "Z.txt",
            "a/.hidden.txt",
            "a/b.jsonl",
            "a/z.md",
            "b.txt",
            "c.JSON"
        ]
    );
    assert!(d.files.iter().all(|f| f.walked));
    assert!(d.errors.is_empty());
    assert_eq!(d.notices.len(), 1, "{:?}", d.notices);
    assert!(d.notices[0].message.contains("skipped 1 file(s)"));
    // Named files keep their name as id and are not "walked".
    let (files, errors) = ingest::discover(&[root.join("b.txt"), root.join("missing.txt")]);
    assert_eq!(files, vec![InputFile::named(root.join("b.txt"))]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].reason(), "io");
}

#[test]
fn a_file_deleted_after_discovery_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    write(&root, "a.txt", b"Trump visited Tokyo.");
    let gone = write(&root, "b.txt", b"Japan pledged $5 billion.");
    write(&root, "c.jsonl", b"{\"text\":\"x\"}\n");
    let d = ingest::discover_all(std::slice::from_ref(&root));
    assert_eq!(d.files.len(), 3);
    fs::remove_file(&gone).unwrap();
    fs::remove_file(root.join("c.jsonl")).unwrap();
    let o = IngestOptions::default();
    assert!(matches!(
        ingest::open(&d.files[0], &o),
        Ok(Opened::Text { .. })
    ));
    for f in &d.files[1..] {
        let e = ingest::open(f, &o).err().expect("an error");
        let msg = e.to_string();
        assert!(msg.contains(&f.path.display().to_string()), "{msg}");
        assert!(msg.contains("no longer there"), "{msg}");
    }
}

#[test]
fn plain_text_files_title_bom_limits_and_binary() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let o = IngestOptions::default();
    let open = |rel: &str, content: &[u8], o: &IngestOptions| {
        let p = write(root, rel, content);
        ingest::open(&InputFile::named(p), o)
    };
    match open(
        "t.txt",
        b"\xEF\xBB\xBFHeadline here\r\n\r\nBody text.\r\n",
        &o,
    ) {
        Ok(Opened::Text { doc, notice }) => {
            assert_eq!(doc.title.as_deref(), Some("Headline here"));
            assert!(doc.text.starts_with("Headline"));
            assert!(notice.is_none());
        }
        _ => panic!("not read"),
    }
    match open("one.txt", b"Only one line.", &o) {
        Ok(Opened::Text { doc, .. }) => assert_eq!(doc.title, None),
        _ => panic!("not read"),
    }
    let small = IngestOptions {
        max_bytes: 8,
        ..IngestOptions::default()
    };
    let e = open("big.txt", b"0123456789", &small).err().unwrap();
    assert_eq!(e.reason(), "too_large");
    assert!(matches!(
        open("ok.txt", b"01234567", &small),
        Ok(Opened::Text { .. })
    ));
    let e = open("nul.txt", b"a\0b", &o).err().unwrap();
    assert_eq!(e.reason(), "binary", "named files: an error");
    let e = open("bad.txt", b"line one\nline \xff two", &o)
        .err()
        .unwrap();
    assert_eq!(e.reason(), "utf8");
    assert_eq!(e.origin().unwrap().line, Some(2));
    let lossy = IngestOptions {
        lossy: true,
        ..IngestOptions::default()
    };
    match open("bad2.txt", b"line \xff two \xfe", &lossy) {
        Ok(Opened::Text { doc, notice }) => {
            assert_eq!(doc.text, "line \u{FFFD} two \u{FFFD}");
            assert!(notice.is_some());
        }
        _ => panic!("not read"),
    }
    // Inside a folder, binary content is skipped, not failed.
    let walked = InputFile {
        walked: true,
        ..InputFile::named(write(root, "w.txt", b"\x89PNG\r\n\x1a\n\0\0"))
    };
    assert!(matches!(ingest::open(&walked, &o), Ok(Opened::Skipped(_))));
}

#[test]
fn stdin_text_is_limited_and_checked() {
    let o = IngestOptions {
        max_bytes: 10,
        ..IngestOptions::default()
    };
    assert_eq!(
        ingest::read_stdin_text(&b"0123456789A"[..], &o)
            .unwrap_err()
            .reason(),
        "too_large"
    );
    let doc = ingest::read_stdin_text(&b"Hello."[..], &o).unwrap();
    assert_eq!(doc.id, "stdin");
    assert_eq!(
        ingest::read_stdin_text(&b"  \n "[..], &o)
            .unwrap_err()
            .reason(),
        "empty"
    );
}

#[test]
fn a_huge_line_is_not_held_in_memory() {
    // A reader that yields a 200 MB line without ever holding it: ingest must skip it
    // with a bounded buffer and go on to the next line.
    struct Huge {
        left: usize,
        tail: &'static [u8],
        chunk: Vec<u8>,
        pos: usize,
    }
    impl std::io::Read for Huge {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            use std::io::BufRead;
            let n = {
                let avail = self.fill_buf()?;
                let n = avail.len().min(buf.len());
                buf[..n].copy_from_slice(&avail[..n]);
                n
            };
            self.consume(n);
            Ok(n)
        }
    }
    impl std::io::BufRead for Huge {
        fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
            if self.left > 0 {
                let n = self.left.min(self.chunk.len());
                return Ok(&self.chunk[..n]);
            }
            Ok(&self.tail[self.pos..])
        }
        fn consume(&mut self, n: usize) {
            if self.left > 0 {
                self.left -= n;
            } else {
                self.pos += n;
            }
        }
    }
    let reader = Huge {
        left: 200 << 20,
        tail: b"\n{\"id\":\"after\",\"text\":\"Still read.\"}\n",
        chunk: vec![b'a'; 1 << 16],
        pos: 0,
    };
    let mut lines = JsonLines::new(reader, "<stdin>".into(), "stdin", IngestOptions::default());
    let first = lines.next_record().unwrap();
    assert_eq!(first.result.unwrap_err().reason(), "too_large");
    assert_eq!(first.bytes, (200 << 20) + 1);
    let second = lines.next_record().unwrap();
    assert_eq!(second.doc_id, "after");
    assert!(lines.next_record().is_none());
}

#[test]
fn format_detection() {
    assert!(ingest::is_jsonl(Path::new("a.JSONL"), InputFormat::Auto));
    assert!(ingest::is_jsonl(Path::new("a.ndjson"), InputFormat::Auto));
    assert!(ingest::is_jsonl(Path::new("a.json"), InputFormat::Auto));
    assert!(!ingest::is_jsonl(Path::new("a.md"), InputFormat::Auto));
    assert!(!ingest::is_jsonl(Path::new("a.jsonl"), InputFormat::Text));
    assert!(ingest::is_jsonl(Path::new("a.txt"), InputFormat::Jsonl));
}
