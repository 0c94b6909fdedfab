//! The flags that configure the pipeline, shared by `extract`, `mentions` and friends.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use gazette::{Device, NerBackend, PipelineOptions};

#[derive(Args, Clone, Debug)]
pub struct PipelineArgs {
    /// Article date (YYYY-MM-DD) for inputs that have none; relative dates resolve against it.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub published: Option<chrono::NaiveDate>,
    /// Name recogniser: the embedded statistical model, capitalisation rules, or a transformer.
    #[arg(long, value_enum, default_value_t = NerArg::Model)]
    pub ner: NerArg,
    /// Model file (for `--ner model`) or Hugging Face folder (for `--ner bert`).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Sentences per transformer batch (`--ner bert`).
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub batch_size: usize,
    /// Where the transformer runs (`--ner bert`).
    #[arg(long, value_enum, default_value_t = DeviceArg::Auto)]
    pub device: DeviceArg,
    /// Extra gazetteer: FILE.tsv (alias, name, type, id, attributes) or phoenix:FILE
    /// (a TABARI/PETRARCH actor or agent dictionary). Repeatable.
    #[arg(long = "gazetteer", value_name = "FILE")]
    pub gazetteers: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NerArg {
    Model,
    Rules,
    Bert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeviceArg {
    Cpu,
    Cuda,
    Auto,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    gazette::ingest::parse_published(s).ok_or_else(|| format!("not a date (YYYY-MM-DD): {s:?}"))
}

impl PipelineArgs {
    pub fn options(&self) -> PipelineOptions {
        PipelineOptions {
            ner: match self.ner {
                NerArg::Model => NerBackend::Model,
                NerArg::Rules => NerBackend::Rules,
                NerArg::Bert => NerBackend::Bert,
            },
            model: self.model.clone(),
            batch_size: self.batch_size.max(1),
            device: match self.device {
                DeviceArg::Cpu => Device::Cpu,
                DeviceArg::Cuda => Device::Cuda,
                DeviceArg::Auto => Device::Auto,
            },
            gazetteers: self.gazetteers.clone(),
        }
    }
}
