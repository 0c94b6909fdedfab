//! The command line: every command's help, examples and flags live in this folder, one
//! file per command family. Exit codes: 0 ok, 1 some input failed, 2 usage error.
//! Writing into a closed pipe (`| head`) ends quietly.

mod eval;
mod extract;
mod ner;
mod ordered;
mod pipeline_args;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code when every input was processed.
pub const EXIT_OK: u8 = 0;
/// Exit code when some input failed (the rest was processed).
pub const EXIT_INPUT: u8 = 1;
/// Exit code for usage errors.
pub const EXIT_USAGE: u8 = 2;

const ABOUT: &str = "Reads English news articles and writes what happened in them as JSON lines: \
who met, visited, signed, pledged or said what, with whom, how much, where and when.";

const EXAMPLES: &str = "\
Examples:
  cat story.txt | gazette extract --published 2025-10-27
  gazette extract corpus/ --out events/
  gazette extract articles.jsonl --emit documents
  gazette sentences < story.txt
  gazette mentions --types MONEY,DATE < story.txt
  gazette schema events
  gazette render story.txt > story.html

Exit codes: 0 ok, 1 some input failed (the rest was processed), 2 usage error.";

#[derive(Parser)]
#[command(name = "gazette", version, about = ABOUT, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract events (or entities, documents) as JSON lines.
    #[command(after_help = extract::EXTRACT_EXAMPLES)]
    Extract(extract::ExtractArgs),
    /// Print one JSON line per sentence (text, start, end; --tokens adds tokens).
    #[command(after_help = extract::SENTENCES_EXAMPLES)]
    Sentences(extract::SentencesArgs),
    /// Print one JSON line per mention (names, money, dates) with values.
    #[command(after_help = extract::MENTIONS_EXAMPLES)]
    Mentions(extract::MentionsArgs),
    /// Draw articles with their entities and events as self-contained HTML pages.
    #[command(after_help = render::RENDER_EXAMPLES)]
    Render(render::RenderArgs),
    /// Print the JSON Schema of a record kind.
    #[command(
        after_help = "Examples:\n  gazette schema events\n  gazette schema documents > documents.schema.json"
    )]
    Schema {
        /// events, entities, documents, mentions or sentences.
        kind: String,
    },
    /// Train a model (`train ner`).
    #[command(subcommand)]
    Train(ner::TrainCommand),
    /// Tag CoNLL column files with the NER model (`--format conll`).
    #[command(after_help = ner::TAG_EXAMPLES)]
    Tag(ner::TagArgs),
    /// Print accuracy figures against gold files (`eval events`, `eval ner`).
    #[command(subcommand)]
    Eval(eval::EvalCommand),
}

/// Whether an error chain ends in a closed pipe, which is not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Extract(args) => extract::extract(args),
        Command::Sentences(args) => extract::sentences(args),
        Command::Mentions(args) => extract::mentions(args),
        Command::Render(args) => render::render(args),
        Command::Schema { kind } => schema(&kind),
        Command::Eval(eval::EvalCommand::Events(args)) => eval::events(args),
        Command::Eval(eval::EvalCommand::Ner(args)) => ner::eval_ner(args),
        Command::Train(ner::TrainCommand::Ner(args)) => ner::train_ner(args),
        Command::Tag(args) => ner::tag(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("gazette: {e:#}");
            ExitCode::from(
                e.downcast_ref::<UsageError>()
                    .map_or(EXIT_INPUT, |_| EXIT_USAGE),
            )
        }
    }
}

/// An error in how gazette was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn schema(kind: &str) -> anyhow::Result<u8> {
    let Some(text) = gazette::schema::get(kind) else {
        return Err(UsageError(format!(
            "unknown record kind {kind:?}; one of: {}",
            gazette::schema::KINDS.join(", ")
        ))
        .into());
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}
