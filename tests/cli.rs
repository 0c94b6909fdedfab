//! The command line as a user meets it: bad input of every kind (table-driven, cases in
//! `tests/data/cli/cases.jsonl`), exit codes, streaming stdin, determinism across `--jobs`,
//! `--out` under interruption (SIGINT, SIGKILL) and `--resume`, a closed stdout pipe,
//! unreadable inputs and an unwritable or full output folder.
//!
//! A case is one JSON line:
//! `{"name", "files": {PATH: CONTENT}, "symlinks": {PATH: TARGET}, "sockets": [PATH],
//!   "stdin": CONTENT, "args": [...], "exit": N, "stderr": [SUBSTRING…],
//!   "stderr_absent": [...], "stderr_once": [...], "stdout": [...], "stdout_absent": [...],
//!   "stdout_lines": N, "errors": [REASON…], "exists": [PATH…], "absent": [PATH…]}`
//! where CONTENT is a string, `{"hex": "ff00"}`, `{"repeat": S, "times": N}`, or
//! `{"parts": [CONTENT…]}`. Paths are relative to a fresh temporary folder, the working
//! directory of the run; `"errors"` lists the `reason` of each line of `errors.jsonl`.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gazette")
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The bytes a CONTENT spec stands for.
fn content(spec: &Value) -> Vec<u8> {
    match spec {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Object(o) => {
            if let Some(hex) = o.get("hex").and_then(Value::as_str) {
                let hex: String = hex.split_whitespace().collect();
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                    .collect()
            } else if let Some(unit) = o.get("repeat") {
                let unit = content(unit);
                let times = o["times"].as_u64().expect("times") as usize;
                unit.repeat(times)
            } else if let Some(parts) = o.get("parts").and_then(Value::as_array) {
                parts.iter().flat_map(content).collect()
            } else {
                panic!("unknown content spec {spec}")
            }
        }
        other => panic!("unknown content spec {other}"),
    }
}

fn strings(case: &Value, key: &str) -> Vec<String> {
    case.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().expect("string").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `cmd` with a deadline, feeding `stdin`; returns (exit code, stdout, stderr).
fn run_with_deadline(
    mut cmd: Command,
    stdin: Vec<u8>,
    deadline: Duration,
) -> (i32, String, String) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn gazette");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        // The program may stop reading early (an over-long stdin): that is not a failure.
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            panic!("gazette did not finish within {deadline:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    let out = String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    (status.code().unwrap_or(-1), out, err)
}

fn run_case(case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("?");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    if let Some(files) = case.get("files").and_then(Value::as_object) {
        for (path, spec) in files {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, content(spec)).unwrap();
        }
    }
    if let Some(dirs) = case.get("dirs").and_then(Value::as_array) {
        for d in dirs {
            fs::create_dir_all(root.join(d.as_str().unwrap())).unwrap();
        }
    }
    #[cfg(unix)]
    if let Some(links) = case.get("symlinks").and_then(Value::as_object) {
        for (path, target) in links {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target.as_str().unwrap(), &p).unwrap();
        }
    }
    #[cfg(unix)]
    let _sockets: Vec<_> = strings(case, "sockets")
        .iter()
        .map(|p| {
            let p = root.join(p);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::os::unix::net::UnixListener::bind(p).unwrap()
        })
        .collect();
    let mut cmd = Command::new(bin());
    cmd.current_dir(root).args(strings(case, "args"));
    let stdin = case.get("stdin").map(content).unwrap_or_default();
    let deadline = Duration::from_secs(case.get("timeout").and_then(Value::as_u64).unwrap_or(120));
    let start = Instant::now();
    let (code, out, err) = run_with_deadline(cmd, stdin, deadline);
    eprintln!("{:>6.2}s  {name}", start.elapsed().as_secs_f64());
    let mut problems = Vec::new();
    let want = case["exit"].as_i64().unwrap_or(0) as i32;
    if code != want {
        problems.push(format!("exit code {code}, expected {want}"));
    }
    for s in strings(case, "stderr") {
        if !err.contains(&s) {
            problems.push(format!("stderr lacks {s:?}"));
        }
    }
    for s in strings(case, "stderr_absent") {
        if err.contains(&s) {
            problems.push(format!("stderr has {s:?}"));
        }
    }
    for s in strings(case, "stderr_once") {
        let n = err.matches(&s).count();
        if n != 1 {
            problems.push(format!("stderr has {s:?} {n} times, expected once"));
        }
    }
    for s in strings(case, "stdout") {
        if !out.contains(&s) {
            problems.push(format!("stdout lacks {s:?}"));
        }
    }
    for s in strings(case, "stdout_absent") {
        if out.contains(&s) {
            problems.push(format!("stdout has {s:?}"));
        }
    }
    if let Some(n) = case.get("stdout_lines").and_then(Value::as_u64) {
        let got = out.lines().count() as u64;
        if got != n {
            problems.push(format!("{got} stdout lines, expected {n}"));
        }
    }
    let args = strings(case, "args");
    let json_out = !args
        .iter()
        .any(|a| a == "--pretty" || a == "--help" || a == "schema");
    for line in out.lines() {
        if json_out && serde_json::from_str::<Value>(line).is_err() {
            problems.push(format!("stdout line is not JSON: {:.80}", line));
            break;
        }
    }
    if let Some(reasons) = case.get("errors").and_then(Value::as_array) {
        let text = fs::read_to_string(root.join("errors.jsonl")).unwrap_or_default();
        let got: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("errors.jsonl line is JSON"))
            .collect();
        for r in &got {
            for key in ["doc_id", "path", "line", "reason", "error"] {
                if r.get(key).is_none() {
                    problems.push(format!("errors.jsonl record lacks {key}: {r}"));
                }
            }
        }
        let got: Vec<&Value> = got.iter().map(|r| &r["reason"]).collect();
        let want: Vec<&Value> = reasons.iter().collect();
        if got != want {
            problems.push(format!("errors.jsonl reasons {got:?}, expected {want:?}"));
        }
    }
    for p in strings(case, "exists") {
        if !root.join(&p).exists() {
            problems.push(format!("{p} missing"));
        }
    }
    for p in strings(case, "absent") {
        if root.join(&p).exists() {
            problems.push(format!("{p} exists"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "case {name:?}: {}\n--- stderr:\n{}\n--- stdout (start):\n{:.600}",
            problems.join("; "),
            err.chars().take(2000).collect::<String>(),
            out
        ))
    }
}

#[test]
fn bad_input_cases() {
    let text = fs::read_to_string(data("tests/data/cli/cases.jsonl")).unwrap();
    let cases: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("//"))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad case {l:.60}: {e}")))
        .collect();
    assert!(cases.len() > 30);
    let filter = std::env::var("CLI_CASE").unwrap_or_default();
    let failures: Vec<String> = cases
        .iter()
        .filter(|c| c["name"].as_str().unwrap_or("").contains(&filter))
        .filter_map(|c| run_case(c).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------
// Helpers for the tests below.

/// Articles for corpus-shaped tests: the fixtures, plus generated wire-style stories.
fn write_corpus(dir: &Path, n: usize, paragraphs: usize) {
    fs::create_dir_all(dir).unwrap();
    let places = [
        "Tokyo", "Paris", "Berlin", "Seoul", "Canberra", "Ottawa", "Brasilia",
    ];
    let people = [
        "Donald Trump",
        "Sanae Takaichi",
        "Emmanuel Macron",
        "Olaf Scholz",
    ];
    for i in 0..n {
        let p = places[i % places.len()];
        let a = people[i % people.len()];
        let b = people[(i + 1) % people.len()];
        let mut text = format!("{a} visits {p} for talks\n\n");
        for k in 0..paragraphs {
            text.push_str(&format!(
                "{p}, Oct. {} (Reuters) - {a} arrived in {p} on Monday for a visit and a meeting \
                 with {b}, officials said. Japan pledged over ${} billion in investment, and the \
                 two leaders signed a framework agreement on critical minerals. \"We will keep \
                 working together,\" {b} said in a statement on Tuesday.\n\n",
                1 + (i + k) % 28,
                100 + i * 7 + k
            ));
        }
        fs::write(dir.join(format!("story-{i:04}.txt")), text).unwrap();
    }
}

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(cwd);
    run_with_deadline(cmd, Vec::new(), Duration::from_secs(300))
}

/// Every file under `dir` with its bytes, by relative path.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn temp_files(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.ends_with(".gazette-tmp"))
        .collect()
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill {sig} failed");
}

fn wait_for(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("gazette did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until `dir` holds at least one finished output file.
fn wait_for_output(dir: &Path, child: &mut Child) {
    let start = Instant::now();
    loop {
        let done = fs::read_dir(dir)
            .map(|r| {
                r.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".jsonl"))
            })
            .unwrap_or(false);
        if done {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "run ended before any output appeared"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no output appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn output_is_identical_whatever_the_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_corpus(&corpus, 60, 3);
    // JSON lines among the text files, and the fixture articles.
    let mut jsonl = String::new();
    for i in 0..80 {
        jsonl.push_str(&serde_json::json!({"id": format!("j{i}"), "text": format!("Trump met Takaichi in Tokyo on Monday and Japan pledged ${i} billion.")}).to_string());
        jsonl.push('\n');
    }
    fs::write(corpus.join("lines.jsonl"), &jsonl).unwrap();
    let fixtures = data("fixtures/articles");
    let mut base: Option<Vec<String>> = None;
    for jobs in ["1", "2", "3", "8"] {
        let mut outs = Vec::new();
        for emit in ["events", "entities", "documents"] {
            let mut args = vec!["extract", "-j", jobs, "--emit", emit, "corpus"];
            if fixtures.is_dir() {
                args.push(fixtures.to_str().unwrap());
            }
            let (code, out, err) = run(&args, dir.path());
            assert_eq!(code, 0, "{err}");
            assert!(!out.is_empty());
            outs.push(out);
        }
        let mut cmd = Command::new(bin());
        cmd.args(["extract", "-j", jobs, "--emit", "documents"]);
        let (code, out, err) =
            run_with_deadline(cmd, jsonl.clone().into_bytes(), Duration::from_secs(120));
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.lines().count(), 80);
        outs.push(out);
        match &base {
            None => base = Some(outs),
            Some(b) => assert!(b == &outs, "output with -j {jobs} differs from -j 1"),
        }
    }
}

#[test]
fn output_dir_is_identical_whatever_the_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(&dir.path().join("corpus"), 40, 2);
    let (c1, _, e1) = run(&["extract", "-j", "1", "corpus", "--out", "o1"], dir.path());
    let (c2, _, e2) = run(&["extract", "-j", "2", "corpus", "--out", "o2"], dir.path());
    assert_eq!((c1, c2), (0, 0), "{e1}{e2}");
    let (s1, s2) = (
        snapshot(&dir.path().join("o1")),
        snapshot(&dir.path().join("o2")),
    );
    assert_eq!(s1.len(), 40);
    assert!(s1 == s2);
}

#[test]
fn stdin_json_lines_are_answered_one_at_a_time() {
    // A pipe stage (Spark `RDD.pipe`) writes a line and may wait for its answer before
    // writing the next; each answer must come without waiting for more input.
    let mut child = Command::new(bin())
        .args(["extract", "--emit", "documents"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let inputs = [
        r#"{"id":"a","text":"Donald Trump arrived in Tokyo on Monday."}"#,
        "not json",
        "",
        r#"{"id":"c","text":"Japan pledged over $550 billion."}"#,
    ];
    for (i, line) in inputs.iter().enumerate() {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        let answer = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no answer to line {} before the next was written", i + 1));
        let v: Value = serde_json::from_str(&answer).unwrap();
        match i {
            0 => assert_eq!(v["doc_id"], "a"),
            1 => assert_eq!(v["reason"], "json"),
            2 => assert_eq!(v["reason"], "blank"),
            _ => assert_eq!(v["doc_id"], "c"),
        }
        if i > 0 {
            assert_eq!(
                v.get("line")
                    .and_then(Value::as_u64)
                    .unwrap_or(i as u64 + 1),
                i as u64 + 1
            );
        }
    }
    drop(stdin);
    assert!(
        rx.recv_timeout(Duration::from_secs(30)).is_err(),
        "an extra line"
    );
    let status = wait_for(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(1), "a bad line makes the exit code 1");
}

#[test]
fn documents_mode_writes_one_line_per_input_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    let kinds = [
        r#"{"text":"Trump visited Tokyo."}"#.as_bytes().to_vec(),
        b"".to_vec(),
        b"[1,2]".to_vec(),
        b"{\"text\":\"bad \xff byte\"}".to_vec(),
        br#"{"id":7,"text":"   "}"#.to_vec(),
        br#"{"text":null}"#.to_vec(),
        b"{\"text\":\"CRLF line\"}\r".to_vec(),
        br#"{"text":"trunc"#.to_vec(),
    ];
    for i in 0..200 {
        input.extend_from_slice(&kinds[i % kinds.len()]);
        input.push(b'\n');
    }
    fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let (code, out, _) = run(&["extract", "--emit", "documents", "in.jsonl"], dir.path());
    assert_eq!(code, 1);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 200);
    for (i, v) in lines.iter().enumerate() {
        let ok = matches!(i % kinds.len(), 0 | 6);
        assert_eq!(v.get("error").is_none(), ok, "line {}: {v}", i + 1);
        if !ok {
            assert_eq!(v["line"], i + 1);
        }
    }
    // The same through stdin.
    let mut cmd = Command::new(bin());
    cmd.args(["extract", "--emit", "documents", "-j", "2"]);
    let (code, out2, _) = run_with_deadline(cmd, input, Duration::from_secs(120));
    assert_eq!(code, 1);
    assert_eq!(out2.lines().count(), 200);
}

#[test]
fn every_document_yields_records_or_an_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_corpus(&corpus, 10, 1);
    fs::write(corpus.join("bad.txt"), b"broken \xc3\x28 text").unwrap();
    fs::write(corpus.join("empty.txt"), b"  \n").unwrap();
    fs::write(
        corpus.join("mixed.jsonl"),
        "{\"id\":\"ok\",\"text\":\"Fine.\"}\n{\"id\":\"no\"}\n",
    )
    .unwrap();
    let (code, out, _) = run(
        &[
            "extract",
            "corpus",
            "--emit",
            "documents",
            "--errors",
            "errors.jsonl",
        ],
        dir.path(),
    );
    assert_eq!(code, 1);
    let ids: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["doc_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 14, "{ids:?}");
    for want in [
        "bad.txt",
        "empty.txt",
        "ok",
        "no",
        "story-0000.txt",
        "story-0009.txt",
    ] {
        assert!(ids.iter().any(|i| i == want), "{want} not in {ids:?}");
    }
    let errors: Vec<Value> = fs::read_to_string(dir.path().join("errors.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e["doc_id"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("bad.txt", "utf8"),
            ("empty.txt", "empty"),
            ("no", "no_text")
        ]
    );
    assert_eq!(errors[2]["line"], 2);
}

#[test]
fn a_closed_stdout_pipe_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(&dir.path().join("big"), 300, 2);
    let mut child = Command::new(bin())
        .args(["extract", "big"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with('{'));
    drop(stdout); // `| head -1`
    let status = wait_for(&mut child, Duration::from_secs(120));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "stderr: {err}");
}

/// A reference `--out` run, then a run stopped by `sig` midway and resumed: the resumed
/// folder must equal the reference byte for byte, and no temporary file may be left.
fn interrupt_and_resume(sig: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_corpus(&root.join("corpus"), 400, 6);
    // A JSON-lines file is written while it is read: the interruption may land inside it.
    let mut jsonl = String::new();
    for i in 0..3000 {
        jsonl.push_str(&serde_json::json!({"id": format!("j{i}"), "text": format!("Trump met Takaichi in Tokyo on Monday. Japan pledged ${i} billion in investment.")}).to_string());
        jsonl.push('\n');
    }
    fs::write(root.join("corpus/0-lines.jsonl"), jsonl).unwrap();
    let (code, _, err) = run(&["extract", "corpus", "--out", "reference"], root);
    assert_eq!(code, 0, "{err}");
    let reference = snapshot(&root.join("reference"));
    assert_eq!(reference.len(), 401);

    let mut child = Command::new(bin())
        .args([
            "extract",
            "-j",
            "2",
            "corpus",
            "--out",
            "out",
            "--errors",
            "errors.jsonl",
        ])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt while the JSON-lines output is being written, or just after.
    wait_for_output(&root.join("out"), &mut child);
    signal(&child, sig);
    let status = wait_for(&mut child, Duration::from_secs(60));
    let partial = snapshot(&root.join("out"));
    if sig == "-INT" {
        assert_eq!(status.code(), Some(130), "SIGINT exits with 130");
        assert!(
            temp_files(&root.join("out")).is_empty(),
            "temp files left: {:?}",
            temp_files(&root.join("out"))
        );
    }
    let finished: Vec<_> = partial
        .iter()
        .filter(|(p, _)| !p.ends_with(".gazette-tmp"))
        .collect();
    assert!(
        finished.len() < reference.len(),
        "the run finished before the signal; make the corpus bigger"
    );
    // What is there is complete: each output equals the reference's.
    for (path, bytes) in &finished {
        let r = reference
            .iter()
            .find(|(p, _)| p == path)
            .expect("an output the reference has");
        assert!(&r.1 == bytes, "{path} is not complete");
    }

    let (code, _, err) = run(
        &[
            "extract",
            "corpus",
            "--out",
            "out",
            "--resume",
            "--errors",
            "errors.jsonl",
        ],
        root,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("already done"), "{err}");
    assert!(
        snapshot(&root.join("out")) == reference,
        "resumed output differs from a clean run"
    );
}

#[test]
fn sigint_leaves_no_partial_files_and_resume_completes_the_run() {
    interrupt_and_resume("-INT");
}

#[test]
fn sigkill_then_resume_gives_the_same_result() {
    interrupt_and_resume("-KILL");
}

#[test]
fn resume_redoes_inputs_newer_than_their_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_corpus(&root.join("corpus"), 5, 1);
    let (code, _, _) = run(&["extract", "corpus", "--out", "out"], root);
    assert_eq!(code, 0);
    let changed = root.join("corpus/story-0002.txt");
    std::thread::sleep(Duration::from_millis(20));
    fs::write(
        &changed,
        "Emmanuel Macron arrived in Tokyo on Monday for a visit.",
    )
    .unwrap();
    let (code, _, err) = run(&["extract", "corpus", "--out", "out", "--resume"], root);
    assert_eq!(code, 0);
    assert!(err.contains("4 input(s) already done"), "{err}");
    let out = fs::read_to_string(root.join("out/story-0002.jsonl")).unwrap();
    assert!(out.contains("Macron"), "{out}");
}

/// Runs as an unprivileged user when the tests run as root (as CI does), so that file
/// permissions mean something; `None` when that cannot be arranged here.
fn unprivileged(args: &[&str], cwd: &Path) -> Option<(i32, String, String)> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin());
        c
    } else {
        Command::new(bin())
    };
    if root {
        let works = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin())
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !works {
            eprintln!(
                "note: cannot run gazette as an unprivileged user here; permission cases not run"
            );
            return None;
        }
    }
    cmd.args(args).current_dir(cwd);
    Some(run_with_deadline(cmd, Vec::new(), Duration::from_secs(120)))
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_errors_and_the_rest_is_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::set_permissions(root, fs::Permissions::from_mode(0o777)).unwrap();
    let corpus = root.join("corpus");
    write_corpus(&corpus, 3, 1);
    fs::create_dir(corpus.join("locked")).unwrap();
    fs::write(corpus.join("locked/inside.txt"), "Hidden.").unwrap();
    fs::write(corpus.join("secret.txt"), "Secret.").unwrap();
    fs::set_permissions(corpus.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(corpus.join("secret.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    let Some((code, out, err)) = unprivileged(&["extract", "corpus", "--emit", "documents"], root)
    else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("corpus/locked") && err.contains("ermission denied"),
        "{err}"
    );
    assert!(err.contains("corpus/secret.txt"), "{err}");
    assert_eq!(
        out.lines().filter(|l| !l.contains("\"error\"")).count(),
        3,
        "{out}"
    );
    fs::set_permissions(corpus.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn an_unwritable_output_folder_is_an_error_for_each_file_it_affects() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::set_permissions(root, fs::Permissions::from_mode(0o777)).unwrap();
    let corpus = root.join("corpus");
    write_corpus(&corpus.join("ok"), 2, 1);
    write_corpus(&corpus.join("blocked"), 2, 1);
    fs::create_dir_all(root.join("out/ok")).unwrap();
    fs::create_dir_all(root.join("out/blocked")).unwrap();
    for d in ["out", "out/ok"] {
        fs::set_permissions(root.join(d), fs::Permissions::from_mode(0o777)).unwrap();
    }
    fs::set_permissions(root.join("out/blocked"), fs::Permissions::from_mode(0o555)).unwrap();
    let Some((code, _, err)) = unprivileged(&["extract", "corpus", "--out", "out"], root) else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("out/blocked/story-").count(), 2, "{err}");
    assert!(err.contains("ermission denied"), "{err}");
    assert_eq!(fs::read_dir(root.join("out/ok")).unwrap().count(), 2);
    assert_eq!(fs::read_dir(root.join("out/blocked")).unwrap().count(), 0);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_for_the_file_and_leaves_no_partial_output() {
    // A 64 KiB tmpfs in a private mount namespace stands in for a full disk; it needs root
    // (as CI has). What the run left on it is copied out before the namespace ends.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_corpus(&root.join("corpus"), 30, 8);
    let (code, _, err) = run(
        &[
            "extract",
            "corpus",
            "--out",
            "reference",
            "--emit",
            "documents",
        ],
        root,
    );
    assert_eq!(code, 0, "{err}");
    fs::create_dir(root.join("out")).unwrap();
    fs::create_dir(root.join("saved")).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=64k tmpfs out || exit 99; \
         {} extract corpus --out out --emit documents --errors errors.jsonl; code=$?; \
         cp -a out/. saved/; exit $code",
        bin().display()
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "sh", "-c", &script]).current_dir(root);
    let (code, _, err) = run_with_deadline(cmd, Vec::new(), Duration::from_secs(120));
    if code == 99 || (code != 1 && err.contains("unshare")) {
        eprintln!("note: no private tmpfs here (not root?); full-disk case not run: {err}");
        return;
    }
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    let errors = fs::read_to_string(root.join("errors.jsonl")).unwrap();
    assert!(errors.lines().count() >= 1);
    assert!(
        errors.lines().all(|l| l.contains("\"reason\":\"io\"")),
        "{errors}"
    );
    let saved = snapshot(&root.join("saved"));
    let reference = snapshot(&root.join("reference"));
    assert!(saved.len() < reference.len(), "the disk did not fill up");
    assert!(
        !saved.is_empty(),
        "nothing fitted on the disk: make the articles smaller"
    );
    assert_eq!(
        saved.len() + errors.lines().count(),
        reference.len(),
        "an input neither written nor reported"
    );
    for (path, bytes) in &saved {
        assert!(!path.ends_with(".gazette-tmp"), "temp file left: {path}");
        let r = reference
            .iter()
            .find(|(p, _)| p == path)
            .expect("an output the reference has");
        assert!(&r.1 == bytes, "{path} is partial");
    }
}

#[test]
fn help_shows_examples_and_exit_codes() {
    for args in [vec!["--help"], vec!["extract", "--help"]] {
        let out = Command::new(bin()).args(&args).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Examples:"), "{text}");
        assert!(text.contains("Exit codes"), "{text}");
    }
}
