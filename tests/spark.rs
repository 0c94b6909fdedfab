//! gazette as a stage of Apache Spark: `scripts/spark-example.py` runs in Spark local mode
//! with 2 partitions over 200 articles (the seed article, the fixture articles and the
//! articles of `tests/data/spark/`, cycled with varied ids and dates), and the Parquet it
//! writes holds exactly the events of a direct `gazette extract` run, order aside, each
//! under the partition of its type and date.
//!
//! PySpark comes from `scripts/setup-spark` (a pinned version in a cached venv, installed
//! when missing). Only a missing Java skips the test, loudly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn java_works() -> bool {
    Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The venv python with PySpark, installing it when missing.
fn spark_python() -> PathBuf {
    let out = Command::new(root().join("scripts/setup-spark"))
        .output()
        .expect("running scripts/setup-spark");
    assert!(
        out.status.success(),
        "scripts/setup-spark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let py = stdout.lines().last().unwrap_or("").trim();
    assert!(!py.is_empty(), "scripts/setup-spark printed no python path");
    PathBuf::from(py)
}

/// The source articles: (name, text, published if the source gives one).
fn sources() -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    let seed = root().join("../shared/seeds/tokyo-minerals-pact.txt");
    out.push((
        "tokyo-minerals-pact".into(),
        std::fs::read_to_string(seed).unwrap(),
        None,
    ));
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/articles"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    fixtures.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    fixtures.sort();
    for p in fixtures {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((name, std::fs::read_to_string(&p).unwrap(), None));
    }
    let unicode = root().join("tests/data/render/unicode.txt");
    out.push((
        "unicode".into(),
        std::fs::read_to_string(unicode).unwrap(),
        None,
    ));
    let extra = std::fs::read_to_string(root().join("tests/data/spark/articles.jsonl")).unwrap();
    for line in extra.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        out.push((
            v["id"].as_str().unwrap().into(),
            v["text"].as_str().unwrap().into(),
            v["published"].as_str().map(String::from),
        ));
    }
    out
}

/// 200 JSON-lines articles in four files of 50.
fn write_corpus(dir: &Path) -> usize {
    let sources = sources();
    std::fs::create_dir_all(dir).unwrap();
    let mut files = vec![String::new(); 4];
    for n in 0..200 {
        let (name, text, published) = &sources[n % sources.len()];
        // Varied dates, so relative dates resolve differently and fill several partitions.
        let published = published
            .clone()
            .unwrap_or_else(|| format!("2025-10-{:02}", 1 + n % 28));
        let record = serde_json::json!({
            "id": format!("a{n:03}-{name}"),
            "published": published,
            "text": text,
        });
        files[n / 50].push_str(&record.to_string());
        files[n / 50].push('\n');
    }
    for (k, f) in files.iter().enumerate() {
        std::fs::write(dir.join(format!("part-{k}.jsonl")), f).unwrap();
    }
    200
}

/// A JSON value as text with object keys sorted, so equal records compare equal.
fn canonical(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let sorted: BTreeMap<&String, Value> =
                    m.iter().map(|(k, v)| (k, sort(v))).collect();
                let mut out = serde_json::Map::new();
                for (k, v) in sorted {
                    out.insert(k.clone(), v);
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

const READ_BACK: &str = r#"
import json, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("gazette-read-back")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
         .getOrCreate())
df = spark.read.parquet(sys.argv[1])
with open(sys.argv[2], "w") as f:
    for r in df.select("type", "date", "event_id", "record").toLocalIterator():
        f.write(json.dumps({"type": r["type"], "date": r["date"], "event_id": r["event_id"],
                            "record": r["record"]}) + "\n")
spark.stop()
"#;

#[test]
fn spark_job_writes_the_events_of_a_direct_run() {
    if !java_works() {
        eprintln!(
            "\n**********************************************************************\n\
             SKIPPED the Spark test: no working `java` on PATH. Spark needs Java 17\n\
             (Debian: apt-get install openjdk-17-jre-headless).\n\
             **********************************************************************\n"
        );
        return;
    }
    let python = spark_python();
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("articles");
    let n = write_corpus(&input);
    assert_eq!(n, 200);

    // The direct run.
    let direct = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .arg("extract")
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        direct.status.success(),
        "gazette extract: {}",
        String::from_utf8_lossy(&direct.stderr)
    );
    let mut want: Vec<String> = String::from_utf8(direct.stdout)
        .unwrap()
        .lines()
        .map(|l| canonical(&serde_json::from_str(l).unwrap()))
        .collect();
    assert!(!want.is_empty(), "the corpus gives no events");

    // The Spark job: local mode, 2 partitions.
    let output = work.path().join("events.parquet");
    let job = Command::new(&python)
        .arg(root().join("scripts/spark-example.py"))
        .arg(&input)
        .arg(&output)
        .arg("--gazette")
        .arg(env!("CARGO_BIN_EXE_gazette"))
        .args(["--master", "local[2]", "--partitions", "2"])
        .env("PYSPARK_PYTHON", &python)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .current_dir(work.path())
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&job.stderr);
    assert!(job.status.success(), "spark-example.py failed:\n{log}");
    assert!(
        log.contains("from 2 partitions"),
        "the job ran on 2 partitions:\n{log}"
    );

    // Read the Parquet back.
    let dump = work.path().join("read-back.jsonl");
    let read = Command::new(&python)
        .args(["-c", READ_BACK])
        .arg(&output)
        .arg(&dump)
        .env("PYSPARK_PYTHON", &python)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "reading the Parquet back failed:\n{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let mut got = Vec::new();
    for line in std::fs::read_to_string(&dump).unwrap().lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        let record: Value = serde_json::from_str(row["record"].as_str().unwrap()).unwrap();
        // Each row sits under the partition of its type and date.
        assert_eq!(
            row["type"], record["type"],
            "type partition of {}",
            row["event_id"]
        );
        let date = record["time"].get("value").cloned().unwrap_or(Value::Null);
        assert_eq!(row["date"], date, "date partition of {}", row["event_id"]);
        assert_eq!(row["event_id"], record["event_id"]);
        got.push(canonical(&record));
    }
    want.sort();
    got.sort();
    assert_eq!(
        got.len(),
        want.len(),
        "as many events from Spark as from gazette extract"
    );
    if let Some(k) = (0..want.len()).find(|&k| got[k] != want[k]) {
        panic!(
            "Spark's events differ from the direct run's:\n  spark:  {}\n  direct: {}",
            got[k], want[k]
        );
    }
    // The Parquet folder is partitioned by type, then date.
    let types: Vec<String> = std::fs::read_dir(&output)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("type="))
        .collect();
    assert!(
        !types.is_empty(),
        "type=… partitions in {}",
        output.display()
    );
    for t in &types {
        let dates = std::fs::read_dir(output.join(t))
            .unwrap()
            .filter_map(|e| e.ok())
            .all(|e| e.file_name().to_string_lossy().starts_with("date="));
        assert!(dates, "{t} holds date=… partitions");
    }
    eprintln!(
        "spark test: {} events from 200 articles, {} type partitions",
        got.len(),
        types.len()
    );
}
