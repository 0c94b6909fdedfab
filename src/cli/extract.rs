//! `gazette extract`, `gazette sentences` and `gazette mentions`: read inputs, run the
//! pipeline (or the part of it the command needs) in parallel, write JSON lines in input
//! order to stdout or one file per input under `--out DIR`.
//!
//! Reliability rules (issue #9): every input document yields its records or an error
//! (stderr, `--errors FILE`, and an error record under `--emit documents`); a panic in a
//! stage loses only its own document; files under `--out` appear only complete (temp file
//! and rename, temp files removed on SIGINT/SIGTERM); `--resume` skips inputs whose output
//! is already there and newer; stdin JSON lines are answered line by line as they arrive.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use gazette::ingest::{
    self, IngestOptions, InputFile, InputFormat, JsonLines, Notice, Opened, Unparsed,
};
use gazette::output::{self, Emit, Writer};
use gazette::{Document, EntityType, Error, Origin, Pipeline};
use serde_json::Value;

use super::ordered::{self, Feed};
use super::pipeline_args::PipelineArgs;
use super::{UsageError, EXIT_INPUT, EXIT_OK};

pub const EXTRACT_EXAMPLES: &str = "\
Examples:
  cat story.txt | gazette extract --published 2025-10-27
  gazette extract story.txt --pretty
  gazette extract corpus/ --out events/ --errors errors.jsonl
  gazette extract corpus/ --out events/ --resume      # after an interrupted run
  gazette extract articles.jsonl --emit documents
  gazette extract corpus/ --emit entities | jq -r .name | sort | uniq -c

Inputs: files, folders (walked recursively in sorted order; .txt .md .jsonl .ndjson .json),
or stdin when none is given or for `-` (JSON lines when the first non-blank character is `{`;
each line is answered as soon as it arrives, so gazette can be a pipe stage).
Bad input is reported on stderr naming the file and line, and processing goes on.
Exit codes: 0 ok, 1 some input failed (the rest was processed), 2 usage error.";

pub const SENTENCES_EXAMPLES: &str = "\
Examples:
  gazette sentences < story.txt
  gazette sentences --tokens story.txt | jq -c '.tokens[].text'";

pub const MENTIONS_EXAMPLES: &str = "\
Examples:
  gazette mentions < story.txt
  gazette mentions --types MONEY,DATE --published 2025-10-27 story.txt";

/// JSON lines per batch of work ([`ordered::run`]), and the input bytes that also end a
/// batch; plain-text files per batch, and their bytes. Batches are small, since none waits
/// for another: a batch is a task to hand out and a result to send back, not a barrier.
const BATCH_LINES: usize = 32;
const BATCH_BYTES: usize = 1 << 20;
const BATCH_FILES: usize = 16;
/// Batches given out and not yet written, per worker thread: enough that a worker never
/// waits for the writing thread, few enough to bound memory; and their input bytes, all
/// threads together (past one batch). An article takes about 40 times its size to
/// analyse, so articles of 16 MB and more are analysed one at a time, as when a 16 MB
/// batch ended the old barrier batches (a 20 MB one peaks at 1.7 GB).
const WINDOW_PER_THREAD: usize = 4;
const WINDOW_BYTES: usize = 16 << 20;

fn window() -> ordered::Window {
    ordered::Window {
        batches: WINDOW_PER_THREAD * rayon::current_num_threads().max(1),
        bytes: WINDOW_BYTES,
    }
}

/// Inputs, outputs and run settings shared by the commands that read articles.
#[derive(Args, Clone, Debug)]
pub struct InputArgs {
    /// Files or folders to read; stdin when none is given or for `-`.
    #[arg(value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// How to read inputs: by extension / first character, plain text, or JSON lines.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub input_format: FormatArg,
    /// Replace invalid UTF-8 with U+FFFD instead of rejecting the input (said once per file).
    #[arg(long)]
    pub lossy: bool,
    /// Largest document accepted: a plain-text file or stdin stream, or one JSON line.
    /// Bytes, or with a K, M or G suffix. Larger ones are reported and skipped.
    #[arg(long, value_name = "SIZE", default_value = "32M", value_parser = parse_size)]
    pub max_bytes: u64,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Write one `.jsonl` file per input into DIR (atomically) instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: skip inputs whose output file exists and is newer than the input, and
    /// append to --errors; restarts an interrupted run.
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// Also write every input that failed as a JSON line (doc_id, path, line, reason,
    /// error) to FILE.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
    /// Indent the JSON (one record spans several lines).
    #[arg(long)]
    pub pretty: bool,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

fn parse_size(s: &str) -> Result<u64, String> {
    match ingest::parse_size(s) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(format!("not a size (bytes, or with K, M, G): {s:?}")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Auto,
    Text,
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitArg {
    Events,
    Entities,
    Documents,
}

#[derive(Args, Debug)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub io: InputArgs,
    /// Which records to write. `documents` writes exactly one line per input document
    /// (an error record for one that failed, and for a blank JSON line).
    #[arg(long, value_enum, default_value_t = EmitArg::Events)]
    pub emit: EmitArg,
}

#[derive(Args, Debug)]
pub struct SentencesArgs {
    #[command(flatten)]
    pub io: InputArgs,
    /// Add each sentence's tokens.
    #[arg(long)]
    pub tokens: bool,
}

#[derive(Args, Debug)]
pub struct MentionsArgs {
    #[command(flatten)]
    pub io: InputArgs,
    /// Only these types, comma-separated (PERSON,PLACE,ORG,NORP,MONEY,DATE,MISC).
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    pub types: Vec<String>,
}

/// How much of the pipeline a command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Depth {
    Sentences,
    Mentions,
    Full,
}

pub fn extract(args: ExtractArgs) -> Result<u8> {
    let emit = match args.emit {
        EmitArg::Events => Emit::Events,
        EmitArg::Entities => Emit::Entities,
        EmitArg::Documents => Emit::Documents,
    };
    Run::new(&args.io, Depth::Full, emit, false, Vec::new())?.go()
}

pub fn sentences(args: SentencesArgs) -> Result<u8> {
    Run::new(
        &args.io,
        Depth::Sentences,
        Emit::Sentences,
        args.tokens,
        Vec::new(),
    )?
    .go()
}

pub fn mentions(args: MentionsArgs) -> Result<u8> {
    let mut types = Vec::new();
    for t in &args.types {
        types.push(
            EntityType::parse(t.trim())
                .ok_or_else(|| UsageError(format!("unknown mention type {t:?}")))?,
        );
    }
    Run::new(&args.io, Depth::Mentions, Emit::Mentions, false, types)?.go()
}

type Stdout = BufWriter<io::StdoutLock<'static>>;

struct Run {
    io: InputArgs,
    pipeline: Pipeline,
    depth: Depth,
    emit: Emit,
    tokens: bool,
    types: Vec<EntityType>,
    ingest: IngestOptions,
    failed: AtomicBool,
    errors: Option<Mutex<fs::File>>,
    /// Serialises stderr lines (and keeps them clear of the progress bar).
    stderr: Mutex<()>,
    progress: OnceLock<indicatif::ProgressBar>,
    articles: AtomicU64,
    resumed: AtomicUsize,
    /// The first paths' discovery, started before the models load (see [`Early`]).
    early: Mutex<Option<Early>>,
}

/// Discovery of the paths given before the first `-`, run on its own thread while the
/// models load: walking a folder and reading each file's size is serial work (tens of ms
/// for 10,000 files) that would otherwise keep every worker waiting.
struct Early {
    paths: Vec<PathBuf>,
    found: std::thread::JoinHandle<(ingest::Discovery, Vec<u64>)>,
}

/// The files under `paths`, and each one's size ([`InputFile::size`]).
fn discover(paths: &[PathBuf]) -> (ingest::Discovery, Vec<u64>) {
    let found = ingest::discover_all(paths);
    let sizes = found.files.iter().map(InputFile::size).collect();
    (found, sizes)
}

/// What one input document turned into.
enum Outcome {
    Lines(Vec<String>),
    Failed(Option<String>, Error),
    /// A blank JSON line: no article, not a failure.
    Blank(Origin),
}

impl Run {
    fn new(
        io: &InputArgs,
        depth: Depth,
        emit: Emit,
        tokens: bool,
        types: Vec<EntityType>,
    ) -> Result<Run> {
        let stdin_named = io.inputs.is_empty() || io.inputs.iter().any(|p| p == Path::new("-"));
        if let Some(dir) = &io.out {
            if stdin_named {
                return Err(
                    UsageError("--out needs input files or folders, not stdin".into()).into(),
                );
            }
            if dir.exists() && !dir.is_dir() {
                return Err(UsageError(format!("--out {}: not a folder", dir.display())).into());
            }
            fs::create_dir_all(dir)
                .map_err(|e| UsageError(format!("--out {}: {e}", dir.display())))?;
            // Before the inputs are discovered (below): an output folder may be inside an
            // input folder.
            tempfiles::sweep_stale(dir);
        }
        if io.jobs == Some(0) {
            return Err(UsageError("--jobs must be at least 1".into()).into());
        }
        let errors = match &io.errors {
            Some(path) => {
                let mut open = fs::OpenOptions::new();
                if io.resume {
                    open.append(true).create(true);
                } else {
                    open.write(true).create(true).truncate(true);
                }
                Some(Mutex::new(open.open(path).map_err(|e| {
                    UsageError(format!("--errors {}: {e}", path.display()))
                })?))
            }
            None => None,
        };
        if let Some(jobs) = io.jobs {
            // Only the first pool build wins; a second run in one process keeps it.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(jobs)
                .build_global();
        }
        let first: Vec<PathBuf> = io
            .inputs
            .iter()
            .take_while(|p| *p != Path::new("-"))
            .cloned()
            .collect();
        let early = (!first.is_empty()).then(|| Early {
            found: {
                let first = first.clone();
                std::thread::spawn(move || discover(&first))
            },
            paths: first,
        });
        let pipeline = Pipeline::new(&io.pipeline.options()).context("loading the pipeline")?;
        if io.out.is_some() {
            tempfiles::clean_up_on_signal();
        }
        Ok(Run {
            ingest: IngestOptions {
                format: match io.input_format {
                    FormatArg::Auto => InputFormat::Auto,
                    FormatArg::Text => InputFormat::Text,
                    FormatArg::Jsonl => InputFormat::Jsonl,
                },
                published: io.pipeline.published,
                lossy: io.lossy,
                max_bytes: io.max_bytes,
            },
            io: io.clone(),
            pipeline,
            depth,
            emit,
            tokens,
            types,
            failed: AtomicBool::new(false),
            errors,
            stderr: Mutex::new(()),
            progress: OnceLock::new(),
            articles: AtomicU64::new(0),
            resumed: AtomicUsize::new(0),
            early: Mutex::new(early),
        })
    }

    fn go(self) -> Result<u8> {
        let mut out: Stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
        if self.io.inputs.is_empty() {
            self.stdin(&mut out)?;
        } else {
            // Inputs in the order given; `-` reads stdin at its place.
            let mut paths = Vec::new();
            for p in &self.io.inputs {
                if p == Path::new("-") {
                    self.paths(&std::mem::take(&mut paths), &mut out)?;
                    self.stdin(&mut out)?;
                } else {
                    paths.push(p.clone());
                }
            }
            self.paths(&paths, &mut out)?;
        }
        out.flush()?;
        let resumed = self.resumed.load(Ordering::Relaxed);
        if resumed > 0 {
            self.say(&format!(
                "--resume: {resumed} input(s) already done, not read again"
            ));
        }
        let code = if self.failed.load(Ordering::Relaxed) {
            EXIT_INPUT
        } else {
            EXIT_OK
        };
        // The process ends next: freeing the models' many small allocations one by one
        // (about 9M instructions, a few ms of every run) gives nothing back to anyone.
        std::mem::forget(self.pipeline);
        Ok(code)
    }

    /// One line on stderr, clear of the progress bar.
    fn say(&self, message: &str) {
        let _guard = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        let write = || {
            // Nowhere to report a failing stderr; ignoring it beats a panic.
            let _ = writeln!(io::stderr(), "gazette: {message}");
        };
        match self.progress.get() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn warn(&self, notice: &Notice) {
        self.say(&format!("warning: {notice}"));
    }

    /// Runs the pipeline on one document and renders its records; a panic in a stage
    /// fails this document only.
    fn process(&self, mut doc: Document, origin: &Origin) -> Outcome {
        let id = doc.id.clone();
        let result = catch_unwind(AssertUnwindSafe(|| -> gazette::Result<Vec<String>> {
            // A recogniser that fails at run time (a transformer backend) fails the
            // document: records without its names would be silently incomplete.
            match self.depth {
                Depth::Sentences => self.pipeline.segment(&mut doc),
                Depth::Mentions => {
                    self.pipeline.segment(&mut doc);
                    self.pipeline.try_mentions(&mut doc)?;
                }
                Depth::Full => self.pipeline.try_annotate(&mut doc)?,
            }
            let writer = Writer::new(&doc);
            if self.emit == Emit::Documents && !self.io.pretty {
                return Ok(vec![writer.document_json()]);
            }
            // Events (the default) are serialised straight from the document, without a
            // JSON tree per record; the same bytes as `line(&writer.event(i))`.
            if self.emit == Emit::Events && self.types.is_empty() {
                let lines = (0..doc.events.len())
                    .map(|i| match self.io.pretty {
                        true => writer.event_json_pretty(i),
                        false => writer.event_json(i),
                    })
                    .collect();
                return Ok(lines);
            }
            let mut lines = Vec::new();
            writer.for_each_record(self.emit, self.tokens, |r| {
                if self.keep(&r) {
                    lines.push(self.line(&r));
                }
            });
            Ok(lines)
        }));
        self.articles.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(Ok(lines)) => Outcome::Lines(lines),
            Ok(Err(e)) => Outcome::Failed(Some(id), e),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Outcome::Failed(
                    Some(id.clone()),
                    Error::rejected(
                        origin.clone(),
                        "panic",
                        format!("document {id}: internal error, please report it: {what}"),
                    ),
                )
            }
        }
    }

    fn keep(&self, record: &Value) -> bool {
        self.types.is_empty()
            || record
                .get("type")
                .and_then(Value::as_str)
                .and_then(EntityType::parse)
                .is_some_and(|t| self.types.contains(&t))
    }

    fn line(&self, record: &Value) -> String {
        let s = if self.io.pretty {
            serde_json::to_string_pretty(record)
        } else {
            serde_json::to_string(record)
        };
        s.unwrap_or_default()
    }

    /// Reports a failed input on stderr (and in `--errors`); returns the lines that stand in
    /// for it in the output (an error record under `--emit documents`).
    fn report(&self, doc_id: Option<&str>, e: &Error) -> Result<Vec<String>> {
        self.failed.store(true, Ordering::Relaxed);
        self.say(&e.to_string());
        let record = output::error_record(doc_id, e);
        if let Some(errors) = &self.errors {
            // One write per record, so an interrupted run leaves whole lines.
            let mut text = serde_json::to_string(&record)?;
            text.push('\n');
            let mut f = errors.lock().unwrap_or_else(|p| p.into_inner());
            f.write_all(text.as_bytes()).context("writing --errors")?;
        }
        Ok(if self.emit == Emit::Documents {
            vec![self.line(&record)]
        } else {
            Vec::new()
        })
    }

    fn finish(&self, outcome: Outcome) -> Result<Vec<String>> {
        match outcome {
            Outcome::Lines(lines) => Ok(lines),
            Outcome::Failed(id, e) => self.report(id.as_deref(), &e),
            Outcome::Blank(origin) if self.emit == Emit::Documents => {
                let e = Error::rejected(origin, "blank", "blank line");
                Ok(vec![self.line(&output::error_record(None, &e))])
            }
            Outcome::Blank(_) => Ok(Vec::new()),
        }
    }

    fn stdin(&self, out: &mut Stdout) -> Result<()> {
        let stdin = io::stdin();
        let mut reader = BufReader::with_capacity(1 << 16, stdin.lock());
        let jsonl = match self.ingest.format {
            InputFormat::Jsonl => true,
            InputFormat::Text => false,
            InputFormat::Auto => first_non_blank(&mut reader)? == Some(b'{'),
        };
        if !jsonl {
            let origin = Origin {
                path: "<stdin>".into(),
                line: None,
            };
            let outcome = match ingest::read_stdin_text_noticed(reader, &self.ingest) {
                Ok((doc, notice)) => {
                    if let Some(n) = notice {
                        self.warn(&n);
                    }
                    self.process(doc, &origin)
                }
                Err(e) => Outcome::Failed(Some("stdin".into()), e),
            };
            for line in self.finish(outcome)? {
                writeln!(out, "{line}")?;
            }
            out.flush()?;
            return Ok(());
        }
        let mut lines = JsonLines::new(reader, "<stdin>".into(), "stdin", self.ingest.clone());
        // Stdout failures end the run (a closed pipe quietly).
        self.stream(&mut lines, out, true)??;
        Ok(())
    }

    /// Runs a stream of JSON lines in parallel batches ([`ordered::run`]), writing the
    /// records in input order. `interactive`: when no more input can be read without
    /// waiting, what is in flight is answered first, so a pipe stage answers each line
    /// without waiting for the next (input that is ready, as a file's always is, is read
    /// on). The outer error ends the run; the inner one is a failure of `sink` (the caller
    /// decides what it means).
    fn stream<R: BufRead + InputReady>(
        &self,
        lines: &mut JsonLines<R>,
        sink: &mut dyn Write,
        interactive: bool,
    ) -> Result<io::Result<()>> {
        let path = lines.path().to_string();
        let sink = RefCell::new(sink);
        // A failing sink stops the run, and is returned apart from the run's own errors.
        let sink_failed = RefCell::new(None);
        let failed = |e: io::Error| {
            *sink_failed.borrow_mut() = Some(e);
            anyhow::anyhow!("the output failed")
        };
        let next = |idle: bool| -> Result<Feed<(Vec<Unparsed>, usize)>> {
            let mut batch = Vec::new();
            let mut bytes = 0;
            // A pipe stage waits for input only once it has answered all it was given, and
            // only for a batch's first line.
            loop {
                let may_wait = idle && batch.is_empty();
                if interactive && !may_wait && !lines.get_ref().ready() {
                    break;
                }
                let Some(mut line) = lines.next_unparsed() else {
                    break;
                };
                if let Some(n) = line.take_notice() {
                    self.warn(&n);
                }
                bytes += line.bytes();
                batch.push(line);
                if batch.len() >= BATCH_LINES || bytes >= BATCH_BYTES {
                    break;
                }
            }
            Ok(match batch.is_empty() {
                false => Feed::Batch((batch, bytes), bytes),
                true if interactive && !idle => Feed::Stall,
                true => Feed::End,
            })
        };
        // Lines are parsed on the workers: on the reading thread, parsing was time the
        // workers spent waiting for input.
        let work = |(batch, bytes): (Vec<Unparsed>, usize)| {
            let outcomes: Vec<Outcome> = batch
                .into_iter()
                .map(|line| {
                    let record = line.parse();
                    let origin = Origin {
                        path: path.clone(),
                        line: Some(record.line),
                    };
                    match record.result {
                        Ok(Some(doc)) => self.process(doc, &origin),
                        Ok(None) => Outcome::Blank(origin),
                        Err(e) => Outcome::Failed(Some(record.doc_id), e),
                    }
                })
                .collect();
            (outcomes, bytes)
        };
        let deliver = |(outcomes, bytes): (Vec<Outcome>, usize)| -> Result<()> {
            let mut sink = sink.borrow_mut();
            for outcome in outcomes {
                for line in self.finish(outcome)? {
                    writeln!(sink, "{line}").map_err(failed)?;
                }
            }
            self.advance(bytes as u64);
            Ok(())
        };
        let idle = || sink.borrow_mut().flush().map_err(failed);
        let result = ordered::run(window(), next, work, deliver, idle);
        match sink_failed.into_inner() {
            Some(e) => Ok(Err(e)),
            None => result.map(Ok),
        }
    }

    /// Files and folders: discovered, then read in order (plain-text files in parallel
    /// chunks, JSON-lines files streamed in parallel batches).
    fn paths(&self, paths: &[PathBuf], out: &mut Stdout) -> Result<()> {
        if paths.is_empty() {
            return Ok(());
        }
        let early = self
            .early
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .filter(|e| e.paths == paths);
        let (found, sizes) = match early.map(|e| e.found.join()) {
            Some(Ok(found)) => found,
            // Not started for these paths (or its thread panicked): discover here.
            _ => discover(paths),
        };
        for n in &found.notices {
            self.warn(n);
        }
        for e in &found.errors {
            // Under --emit documents a path that cannot be read has its error record too.
            for line in self.report(None, e)? {
                if self.io.out.is_none() {
                    writeln!(out, "{line}")?;
                }
            }
        }
        let targets = match &self.io.out {
            Some(dir) => Some(self.targets(dir, &found.files)?),
            None => None,
        };
        let mut jobs = Vec::new();
        let mut total = 0;
        for (i, file) in found.files.iter().enumerate() {
            let target = match &targets {
                // A collision, already reported.
                Some(t) if t[i].is_none() => continue,
                Some(t) => t[i].clone(),
                None => None,
            };
            if let Some(t) = &target {
                if self.io.resume && up_to_date(&file.path, t) {
                    self.resumed.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            }
            let size = sizes.get(i).copied().unwrap_or(0);
            total += size;
            jobs.push(Job {
                file,
                target,
                size,
                jsonl: ingest::is_jsonl(&file.path, self.ingest.format),
            });
        }
        if jobs.len() > 1 && io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {binary_bytes}/{binary_total_bytes} {msg} {elapsed} ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let _ = self.progress.set(bar);
        }
        let mut i = 0;
        while i < jobs.len() {
            if jobs[i].jsonl {
                self.jsonl_file(&jobs[i], out)?;
                i += 1;
                continue;
            }
            // A run of plain-text files, in batches: output, warnings and errors come in
            // input order.
            let run = i + jobs[i..].iter().take_while(|j| !j.jsonl).count();
            let next = |_idle: bool| -> Result<Feed<&[Job]>> {
                let start = i;
                let mut bytes = 0;
                while i < run && i - start < BATCH_FILES && bytes < BATCH_BYTES as u64 {
                    bytes += jobs[i].size;
                    i += 1;
                }
                Ok(match start < i {
                    true => Feed::Batch(&jobs[start..i], bytes as usize),
                    false => Feed::End,
                })
            };
            let work = |batch: &[Job]| -> Vec<Done> {
                batch.iter().map(|job| self.text_file(job)).collect()
            };
            let out = RefCell::new(&mut *out);
            let deliver = |done: Vec<Done>| -> Result<()> {
                let mut out = out.borrow_mut();
                done.into_iter().try_for_each(|d| self.deliver(d, &mut out))
            };
            let idle = || Ok(out.borrow_mut().flush()?);
            ordered::run(window(), next, work, deliver, idle)?;
        }
        if let Some(bar) = self.progress.get() {
            bar.finish_and_clear();
        }
        Ok(())
    }

    /// The output file of each input under `--out DIR`: its id with the extension
    /// `.jsonl`; where two inputs would share one (`a.txt`, `a.md`), the whole id plus
    /// `.jsonl`; `None` (reported) if they still collide.
    fn targets(&self, dir: &Path, files: &[InputFile]) -> Result<Vec<Option<PathBuf>>> {
        let short: Vec<PathBuf> = files
            .iter()
            .map(|f| dir.join(Path::new(&f.id).with_extension("jsonl")))
            .collect();
        let mut count: HashMap<&Path, usize> = HashMap::new();
        for t in &short {
            *count.entry(t).or_default() += 1;
        }
        let chosen: Vec<PathBuf> = files
            .iter()
            .zip(&short)
            .map(|(f, t)| {
                if count[t.as_path()] > 1 {
                    dir.join(format!("{}.jsonl", f.id))
                } else {
                    t.clone()
                }
            })
            .collect();
        let mut seen: HashMap<&Path, &InputFile> = HashMap::new();
        let mut out = Vec::new();
        for (f, t) in files.iter().zip(&chosen) {
            if let Some(first) = seen.get(t.as_path()) {
                let e = Error::rejected(
                    Origin {
                        path: f.path.display().to_string(),
                        line: None,
                    },
                    "output",
                    format!(
                        "not read: its output {} is that of {} too (give their folder instead)",
                        t.display(),
                        first.path.display()
                    ),
                );
                self.report(Some(&f.id), &e)?;
                out.push(None);
            } else {
                seen.insert(t, f);
                out.push(Some(t.clone()));
            }
        }
        Ok(out)
    }

    fn output_failed(&self, job: &Job, target: &Path, source: io::Error) -> Result<()> {
        self.report(Some(&job.file.id), &output_error(job, target, source))
            .map(drop)
    }

    /// One plain-text file: its lines for stdout, or (with `--out`) written to its own file.
    fn text_file(&self, job: &Job) -> Done {
        self.single(job, ingest::open(job.file, &self.ingest))
    }

    /// An input that is one article (a plain-text file, or a `.json` file with one
    /// object): its lines for stdout, or written to its own file under `--out`.
    fn single(&self, job: &Job, opened: gazette::Result<Opened>) -> Done {
        let file = job.file;
        let origin = Origin {
            path: file.path.display().to_string(),
            line: None,
        };
        let mut done = Done::default();
        let outcome = match opened {
            Ok(Opened::Text { doc, notice }) => {
                done.notices.extend(notice);
                self.process(*doc, &origin)
            }
            Ok(Opened::Skipped(n)) => {
                done.notices.push(n);
                self.advance(job.size);
                return done;
            }
            // Jobs are routed by the same test `open` uses, so this does not happen.
            Ok(Opened::Lines(_)) => Outcome::Failed(
                Some(file.id.clone()),
                Error::rejected(
                    origin.clone(),
                    "internal",
                    "read as JSON lines unexpectedly",
                ),
            ),
            Err(e) => Outcome::Failed(Some(file.id.clone()), e),
        };
        self.advance(job.size);
        let lines = match outcome {
            Outcome::Lines(lines) => lines,
            Outcome::Failed(id, e) => {
                // A file that gave no document writes no output, so --resume tries it again.
                done.failures.push((id, e));
                return done;
            }
            Outcome::Blank(_) => Vec::new(),
        };
        match &job.target {
            None => done.lines = lines,
            Some(target) => {
                if let Err(e) = tempfiles::write_atomically(target, &lines) {
                    done.failures
                        .push((Some(file.id.clone()), output_error(job, target, e)));
                }
            }
        }
        done
    }

    /// Reports what a parallel worker found, and writes its lines, in input order.
    fn deliver(&self, done: Done, out: &mut Stdout) -> Result<()> {
        for n in &done.notices {
            self.warn(n);
        }
        for (id, e) in &done.failures {
            for line in self.report(id.as_deref(), e)? {
                if self.io.out.is_none() {
                    writeln!(out, "{line}")?;
                }
            }
        }
        for line in &done.lines {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = self.progress.get() {
            bar.inc(bytes);
            bar.set_message(format!(
                "{} articles",
                self.articles.load(Ordering::Relaxed)
            ));
        }
    }

    /// One JSON-lines file, streamed to stdout or to its own file under `--out`.
    fn jsonl_file(&self, job: &Job, out: &mut Stdout) -> Result<()> {
        let lines = match ingest::open(job.file, &self.ingest) {
            Ok(Opened::Lines(lines)) => Ok(lines),
            Ok(Opened::Skipped(n)) => {
                self.warn(&n);
                self.advance(job.size);
                return Ok(());
            }
            // A `.json` file holding one article.
            Ok(opened @ Opened::Text { .. }) => {
                let done = self.single(job, Ok(opened));
                return self.deliver(done, out);
            }
            Err(e) => Err(e),
        };
        let mut lines = match lines {
            Ok(lines) => lines,
            Err(e) => {
                let lines = self.report(Some(&job.file.id), &e)?;
                if job.target.is_none() {
                    for line in lines {
                        writeln!(out, "{line}")?;
                    }
                }
                self.advance(job.size);
                return Ok(());
            }
        };
        let Some(target) = &job.target else {
            self.stream(&mut lines, out, false)??;
            return Ok(());
        };
        let mut file = match tempfiles::AtomicFile::create(target) {
            Ok(f) => f,
            Err(e) => return self.output_failed(job, target, e),
        };
        let written = match self.stream(&mut lines, &mut file, false)? {
            Ok(()) => file.commit(),
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            self.output_failed(job, target, e)?;
        }
        Ok(())
    }
}

/// What a worker found in one input, delivered in input order by [`Run::deliver`].
#[derive(Default)]
struct Done {
    notices: Vec<Notice>,
    failures: Vec<(Option<String>, Error)>,
    lines: Vec<String>,
}

fn output_error(job: &Job, target: &Path, source: io::Error) -> Error {
    Error::Io {
        origin: Origin {
            path: target.display().to_string(),
            line: None,
        },
        source: io::Error::new(
            source.kind(),
            format!(
                "writing the output of {}: {source}",
                job.file.path.display()
            ),
        ),
    }
}

struct Job<'a> {
    file: &'a InputFile,
    target: Option<PathBuf>,
    size: u64,
    jsonl: bool,
}

/// Whether a reader has input it can give without waiting (see [`Run::stream`]).
trait InputReady {
    /// Whether more input can be read without waiting: bytes in the buffer, or ready on
    /// the descriptor (a pipe with data, or EOF; a regular file always is).
    fn ready(&self) -> bool;
}

#[cfg(unix)]
impl<R: io::Read + std::os::fd::AsFd> InputReady for BufReader<R> {
    fn ready(&self) -> bool {
        use std::os::fd::AsRawFd;
        if !self.buffer().is_empty() {
            return true;
        }
        let mut poll = libc::pollfd {
            fd: self.get_ref().as_fd().as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid `pollfd` for a descriptor this reader owns; no waiting.
        unsafe { libc::poll(&mut poll, 1, 0) > 0 }
    }
}

#[cfg(not(unix))]
impl<R: io::Read> InputReady for BufReader<R> {
    fn ready(&self) -> bool {
        !self.buffer().is_empty()
    }
}

/// Whether `target` exists and is at least as new as `input`.
fn up_to_date(input: &Path, target: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(input), modified(target)) {
        (Some(i), Some(t)) => t >= i,
        _ => false,
    }
}

/// Peeks at the first non-blank byte without consuming anything but leading whitespace.
fn first_non_blank(reader: &mut impl BufRead) -> Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        // A BOM is skipped by decoding later; look past it here too.
        let skip = buf
            .iter()
            .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
            .unwrap_or(buf.len());
        if skip < buf.len() {
            return Ok(Some(buf[skip]));
        }
        let n = buf.len();
        reader.consume(n);
    }
}

/// Output files that appear only complete: written under a temporary name beside the
/// target, then renamed. Temporary files still open when SIGINT, SIGTERM or SIGHUP
/// arrives are removed before the process exits; those of a killed run (`kill -9`) are
/// removed by the next run into the same folder.
mod tempfiles {
    use std::collections::BTreeSet;
    use std::fs;
    use std::io::{self, BufWriter, Write};
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    const SUFFIX: &str = ".gazette-tmp";

    /// Temporary files that exist now. Held while creating one and while cleaning up, so
    /// none is created after the signal handler has looked.
    static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

    fn live() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
        LIVE.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts (once) a thread that, on SIGINT/SIGTERM/SIGHUP, removes the live temporary
    /// files and exits with 128 + the signal number.
    pub fn clean_up_on_signal() {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            static STARTED: std::sync::Once = std::sync::Once::new();
            STARTED.call_once(|| {
                let Ok(mut signals) =
                    signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
                else {
                    return;
                };
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        let files = live();
                        for f in files.iter() {
                            let _ = fs::remove_file(f);
                        }
                        let _ =
                            writeln!(io::stderr(), "gazette: interrupted; no partial output left");
                        std::process::exit(128 + signal);
                    }
                });
            });
        }
    }

    fn temp_path(target: &Path) -> PathBuf {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        target.with_file_name(format!(".{name}.{}{SUFFIX}", std::process::id()))
    }

    /// An output file being written; [`AtomicFile::commit`] puts it in place, dropping it
    /// without commit removes it.
    pub struct AtomicFile {
        target: PathBuf,
        tmp: PathBuf,
        file: Option<BufWriter<fs::File>>,
    }

    impl AtomicFile {
        pub fn create(target: &Path) -> io::Result<AtomicFile> {
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            let tmp = temp_path(target);
            let file = {
                let mut live = live();
                let f = fs::File::create(&tmp)?;
                live.insert(tmp.clone());
                f
            };
            Ok(AtomicFile {
                target: target.to_path_buf(),
                tmp,
                file: Some(BufWriter::with_capacity(1 << 16, file)),
            })
        }

        /// Flushes, syncs and renames into place; on any failure the temp file is removed
        /// (by `drop`, or here after a failed rename) and nothing is left.
        pub fn commit(mut self) -> io::Result<()> {
            if let Some(w) = &mut self.file {
                w.flush()?;
                w.get_ref().sync_all()?;
            }
            drop(self.file.take());
            let renamed = fs::rename(&self.tmp, &self.target);
            if renamed.is_err() {
                let _ = fs::remove_file(&self.tmp);
            }
            live().remove(&self.tmp);
            renamed
        }
    }

    impl Write for AtomicFile {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match &mut self.file {
                Some(f) => f.write(buf),
                None => Err(io::Error::other("output already committed")),
            }
        }

        fn flush(&mut self) -> io::Result<()> {
            match &mut self.file {
                Some(f) => f.flush(),
                None => Ok(()),
            }
        }
    }

    impl Drop for AtomicFile {
        fn drop(&mut self) {
            if self.file.take().is_some() {
                let _ = fs::remove_file(&self.tmp);
                live().remove(&self.tmp);
            }
        }
    }

    /// Writes `lines` to `target` atomically.
    pub fn write_atomically(target: &Path, lines: &[String]) -> io::Result<()> {
        let mut f = AtomicFile::create(target)?;
        for line in lines {
            f.write_all(line.as_bytes())?;
            f.write_all(b"\n")?;
        }
        f.commit()
    }

    /// Removes temporary files left under `dir` by runs that no longer exist (killed
    /// with SIGKILL, or a machine that went down). Only where `/proc` tells which
    /// processes are alive.
    pub fn sweep_stale(dir: &Path) {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = fs::read_dir(&d) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = entry.file_name();
                let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(SUFFIX)) else {
                    continue;
                };
                let pid = stem
                    .rsplit_once('.')
                    .and_then(|(_, p)| p.parse::<u32>().ok());
                if let Some(pid) = pid {
                    if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                        let _ = fs::remove_file(&path);
                    }
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_dropped_file_leaves_nothing_and_a_committed_one_is_whole() {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("sub/a.jsonl");
            {
                let mut f = AtomicFile::create(&target).unwrap();
                f.write_all(b"partial").unwrap();
            }
            assert!(!target.exists());
            assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 0);
            write_atomically(&target, &["{}".into(), "{}".into()]).unwrap();
            assert_eq!(fs::read_to_string(&target).unwrap(), "{}\n{}\n");
            assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 1);
            assert!(live().is_empty());
        }

        #[test]
        fn stale_temp_files_of_dead_runs_are_swept() {
            let dir = tempfile::tempdir().unwrap();
            // Pids above the kernel's maximum (2^22) cannot be alive.
            let stale = dir.path().join(format!(".a.jsonl.99999999{SUFFIX}"));
            let mine = dir
                .path()
                .join(format!(".b.jsonl.{}{SUFFIX}", std::process::id()));
            let other = dir.path().join("c.jsonl");
            for p in [&stale, &mine, &other] {
                fs::write(p, "x").unwrap();
            }
            sweep_stale(dir.path());
            assert!(!stale.exists());
            assert!(mine.exists());
            assert!(other.exists());
        }
    }
}
