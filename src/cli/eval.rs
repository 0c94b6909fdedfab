//! `gazette eval …`: accuracy figures printed from gold files. `eval events` scores the
//! event records against a gold JSONL (format in `gazette::eval`); `eval ner` joins this
//! group as its own variant.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use gazette::Pipeline;

use super::pipeline_args::PipelineArgs;
use super::{EXIT_INPUT, EXIT_OK};

pub const EVAL_EVENTS_EXAMPLES: &str = "\
Examples:
  gazette eval events tests/data/events/dev.jsonl
  gazette eval events tests/data/events/heldout.jsonl --verbose
  gazette eval events fixtures/expected/*.jsonl

Gold format: one JSON line per document ({\"id\", \"text\" or \"path\", \"published\",
\"events\": [...]}), or a document line followed by one line per event. Events give
type, trigger, and any of modality, subtype, agents, counterparts, place, time, amount,
topic, purpose, condition; a role left out is not scored, null means none.
Prints event-level precision, recall, F1 and per-role accuracy of matched events.";

#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Event-level precision and recall and per-role accuracy against gold JSONL files.
    #[command(after_help = EVAL_EVENTS_EXAMPLES)]
    Events(EvalEventsArgs),
    /// Entity-level precision, recall and F1 per type and overall (conlleval semantics).
    #[command(after_help = super::ner::EVAL_EXAMPLES)]
    Ner(super::ner::EvalNerArgs),
}

#[derive(Args, Debug)]
pub struct EvalEventsArgs {
    /// Gold JSONL files (scored together).
    #[arg(required = true, value_name = "GOLD.jsonl")]
    pub gold: Vec<PathBuf>,
    /// Also list, per document, missed and spurious events and role errors.
    #[arg(long, short)]
    pub verbose: bool,
    /// Exit with code 1 when F1 is below this value.
    #[arg(long, value_name = "F1")]
    pub min_f1: Option<f64>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

pub fn events(args: EvalEventsArgs) -> Result<u8> {
    let pipeline = Pipeline::new(&args.pipeline.options()).context("loading the pipeline")?;
    let mut gold = Vec::new();
    for path in &args.gold {
        let mut docs = gazette::eval::load(path)?;
        if let Some(p) = args.pipeline.published {
            for d in docs.iter_mut().filter(|d| d.published.is_none()) {
                d.published = Some(p);
            }
        }
        gold.extend(docs);
    }
    let report = gazette::eval::evaluate(&pipeline, &gold);
    let mut out = std::io::stdout().lock();
    if args.verbose {
        for d in report.failures() {
            writeln!(out, "== {}", d.id)?;
            for m in &d.missed {
                writeln!(out, "  missed   {m}")?;
            }
            for s in &d.spurious {
                writeln!(out, "  spurious {s}")?;
            }
            for r in &d.role_errors {
                writeln!(out, "  role     {r}")?;
            }
        }
    }
    write!(out, "{report}")?;
    out.flush()?;
    match args.min_f1 {
        Some(min) if report.f1() < min => Ok(EXIT_INPUT),
        _ => Ok(EXIT_OK),
    }
}
