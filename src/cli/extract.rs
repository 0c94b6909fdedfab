//! `gazette extract`, `gazette sentences` and `gazette mentions`: read inputs, run the
//! pipeline (or the part of it the command needs) in parallel, write JSON lines in input
//! order to stdout or one file per input under `--out DIR`.

use std::fs;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use gazette::ingest::{self, IngestOptions, InputFile, InputFormat, JsonLines};
use gazette::output::{self, Emit, Writer};
use gazette::{Document, EntityType, Error, Pipeline};
use rayon::prelude::*;
use serde_json::Value;

use super::pipeline_args::PipelineArgs;
use super::{UsageError, EXIT_INPUT, EXIT_OK};

pub const EXTRACT_EXAMPLES: &str = "\
Examples:
  cat story.txt | gazette extract --published 2025-10-27
  gazette extract story.txt --pretty
  gazette extract corpus/ --out events/ --errors errors.jsonl
  gazette extract articles.jsonl --emit documents
  gazette extract corpus/ --emit entities | jq -r .name | sort | uniq -c

Inputs: files, folders (walked recursively in sorted order; .txt .md .jsonl .ndjson .json),
or stdin when none is given (JSON lines when the first non-blank character is `{`).
Exit codes: 0 ok, 1 some input failed (the rest was processed), 2 usage error.";

pub const SENTENCES_EXAMPLES: &str = "\
Examples:
  gazette sentences < story.txt
  gazette sentences --tokens story.txt | jq -c '.tokens[].text'";

pub const MENTIONS_EXAMPLES: &str = "\
Examples:
  gazette mentions < story.txt
  gazette mentions --types MONEY,DATE --published 2025-10-27 story.txt";

/// Inputs, outputs and run settings shared by the commands that read articles.
#[derive(Args, Clone, Debug)]
pub struct InputArgs {
    /// Files or folders to read; stdin when none is given or for `-`.
    #[arg(value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// How to read inputs: by extension / first character, plain text, or JSON lines.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub input_format: FormatArg,
    /// Replace invalid UTF-8 with U+FFFD instead of rejecting the input.
    #[arg(long)]
    pub lossy: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Write one `.jsonl` file per input into DIR (atomically) instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write every input that failed as a JSON line (doc_id, path, line, error) to FILE.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
    /// Indent the JSON (one record spans several lines).
    #[arg(long)]
    pub pretty: bool,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
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
    /// Which records to write.
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
}

/// What one input document turned into: output lines, or an error to report.
type Outcome = std::result::Result<Vec<String>, (Option<String>, Error)>;

impl Run {
    fn new(
        io: &InputArgs,
        depth: Depth,
        emit: Emit,
        tokens: bool,
        types: Vec<EntityType>,
    ) -> Result<Run> {
        let pipeline = Pipeline::new(&io.pipeline.options()).context("loading the pipeline")?;
        let errors = match &io.errors {
            Some(path) => Some(Mutex::new(
                fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
            )),
            None => None,
        };
        if let Some(jobs) = io.jobs {
            // Only the first pool build wins; a second run in one process keeps it.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(jobs.max(1))
                .build_global();
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
            },
            io: io.clone(),
            pipeline,
            depth,
            emit,
            tokens,
            types,
            failed: AtomicBool::new(false),
            errors,
        })
    }

    fn go(self) -> Result<u8> {
        let stdin_only =
            self.io.inputs.is_empty() || self.io.inputs.iter().all(|p| p == Path::new("-"));
        if stdin_only {
            if self.io.out.is_some() {
                return Err(
                    UsageError("--out needs input files or folders, not stdin".into()).into(),
                );
            }
            self.stdin()?;
        } else {
            let paths: Vec<PathBuf> = self
                .io
                .inputs
                .iter()
                .filter(|p| *p != Path::new("-"))
                .cloned()
                .collect();
            let (files, problems) = ingest::discover(&paths);
            for e in problems {
                self.report(None, &e)?;
            }
            self.files(&files)?;
        }
        Ok(if self.failed.load(Ordering::Relaxed) {
            EXIT_INPUT
        } else {
            EXIT_OK
        })
    }

    /// Runs the pipeline on one document and renders its records.
    fn process(&self, item: gazette::Result<Document>) -> Outcome {
        let mut doc = item.map_err(|e| (None, e))?;
        match self.depth {
            Depth::Sentences => self.pipeline.segment(&mut doc),
            Depth::Mentions => {
                self.pipeline.segment(&mut doc);
                self.pipeline.mentions(&mut doc);
            }
            Depth::Full => self.pipeline.annotate(&mut doc),
        }
        let records = Writer::new(&doc).records(self.emit, self.tokens);
        Ok(records
            .into_iter()
            .filter(|r| self.keep(r))
            .map(|r| self.line(&r))
            .collect())
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
        eprintln!("gazette: {e}");
        let record = output::error_record(doc_id, e);
        if let Some(errors) = &self.errors {
            let mut f = errors.lock().unwrap_or_else(|p| p.into_inner());
            writeln!(f, "{}", serde_json::to_string(&record)?).context("writing --errors")?;
        }
        Ok(if self.emit == Emit::Documents {
            vec![self.line(&record)]
        } else {
            Vec::new()
        })
    }

    fn finish(&self, outcome: Outcome) -> Result<Vec<String>> {
        match outcome {
            Ok(lines) => Ok(lines),
            Err((id, e)) => self.report(id.as_deref(), &e),
        }
    }

    fn stdin(&self) -> Result<()> {
        let stdin = std::io::stdin();
        let mut reader = BufReader::with_capacity(1 << 16, stdin.lock());
        let jsonl = match self.ingest.format {
            InputFormat::Jsonl => true,
            InputFormat::Text => false,
            InputFormat::Auto => first_non_blank(&mut reader)? == Some(b'{'),
        };
        let mut out = std::io::stdout().lock();
        if !jsonl {
            let item = ingest::read_stdin_text(reader, &self.ingest);
            for line in self.finish(self.process(item))? {
                writeln!(out, "{line}")?;
            }
            out.flush()?;
            return Ok(());
        }
        let mut lines = JsonLines::new(reader, "<stdin>".into(), "stdin", self.ingest.clone());
        let batch_max = 256;
        loop {
            // Process what has arrived: a full batch, or whatever is buffered, so that a
            // pipe stage answers each record without waiting for the end of input.
            let mut batch = Vec::new();
            while let Some(item) = lines.next() {
                batch.push(item);
                if batch.len() >= batch_max || lines.get_ref().buffer().is_empty() {
                    break;
                }
            }
            if batch.is_empty() {
                break;
            }
            let outcomes: Vec<Outcome> = batch
                .into_par_iter()
                .map(|item| self.process(item))
                .collect();
            for outcome in outcomes {
                for line in self.finish(outcome)? {
                    writeln!(out, "{line}")?;
                }
            }
            out.flush()?;
        }
        Ok(())
    }

    fn files(&self, files: &[InputFile]) -> Result<()> {
        let progress = (files.len() > 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(files.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} articles files {elapsed} ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        let mut out = std::io::stdout().lock();
        // Chunks keep memory bounded while the output stays in input order.
        let chunk = rayon::current_num_threads() * 4;
        for group in files.chunks(chunk.max(1)) {
            let results: Vec<Result<Vec<String>>> =
                group.par_iter().map(|f| self.file(f)).collect();
            for r in results {
                for line in r? {
                    writeln!(out, "{line}")?;
                }
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
            }
            out.flush()?;
        }
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        Ok(())
    }

    /// One input file: its lines for stdout, or (with `--out`) written to its own file.
    fn file(&self, file: &InputFile) -> Result<Vec<String>> {
        let mut lines = Vec::new();
        for item in ingest::read_file(file, &self.ingest) {
            lines.extend(self.finish(self.process(item))?);
        }
        let Some(dir) = &self.io.out else {
            return Ok(lines);
        };
        let target = dir.join(Path::new(&file.id).with_extension("jsonl"));
        if let Err(e) = write_atomically(&target, &lines) {
            let e = Error::Io {
                origin: gazette::Origin {
                    path: target.display().to_string(),
                    line: None,
                },
                source: e,
            };
            self.report(Some(&file.id), &e)?;
        }
        Ok(Vec::new())
    }
}

/// Writes `lines` to a temporary file beside `target`, then renames it into place, so an
/// output file is either complete or absent.
fn write_atomically(target: &Path, lines: &[String]) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::io::BufWriter::new(fs::File::create(&tmp)?);
        for line in lines {
            writeln!(f, "{line}")?;
        }
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
