//! `gazette train ner`, `gazette tag --format conll` and `gazette eval ner`: training the
//! statistical NER model on CoNLL files, tagging CoNLL files with it, and scoring tagged
//! files the way conlleval does.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use gazette::conll::{self, Evaluation, Line};
use gazette::gazetteer::Gazetteer;
use gazette::ner::features::TYPES;
use gazette::ner::model::Scheme;
use gazette::ner::statistical::{gazetteer_bits, ModelRecognizer};
use gazette::ner::tagger::TagScratch;
use gazette::ner::train::{self, TrainConfig};

use super::{UsageError, EXIT_OK};

pub const TRAIN_EXAMPLES: &str = "\
Examples:
  gazette train ner --train ../shared/data/conll2003/train.txt \\
      --dev ../shared/data/conll2003/dev.txt --out models/ner-en.bin
  scripts/train-ner            # the same, as the shipped model was built

Progress and dev F1 per epoch go to stderr; the epoch with the best dev F1 is kept.
Training is deterministic for a given --seed.";

pub const TAG_EXAMPLES: &str = "\
Examples:
  gazette tag --format conll < ../shared/data/conll2003/dev.txt > dev.tagged
  gazette tag --format conll dev.txt --model my-model.bin

Each token line is written back with one more column, the predicted IOB2 tag
(PER, LOC, ORG, MISC); -DOCSTART- and blank lines pass through.";

pub const EVAL_EXAMPLES: &str = "\
Examples:
  gazette tag --format conll < dev.txt | gazette eval ner -
  gazette eval ner dev.tagged

The last column is the prediction, the one before it the gold tag (IOB1 or IOB2).";

#[derive(Subcommand)]
pub enum TrainCommand {
    /// Train the statistical NER model on CoNLL-2003-style column files.
    #[command(after_help = TRAIN_EXAMPLES)]
    Ner(TrainNerArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    Bilou,
    Iob2,
}

#[derive(Args, Debug)]
pub struct TrainNerArgs {
    /// Training file (CoNLL columns, token first, NER tag last; IOB1 or IOB2).
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,
    /// Development file: dev F1 is printed per epoch and picks the epoch kept.
    #[arg(long, value_name = "FILE")]
    pub dev: Option<PathBuf>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE", default_value = "models/ner-en.bin")]
    pub out: PathBuf,
    /// Seed for the shuffling of training sentences.
    #[arg(long, default_value_t = 2003)]
    pub seed: u64,
    /// Perceptron epochs per pass.
    #[arg(long, default_value_t = 15)]
    pub epochs: usize,
    /// Cross-validation folds for the first-pass labels the second pass learns from.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Label scheme. Both score about the same on CoNLL-2003 dev; BILOU labels tell the
    /// document pass which part of a name a word was elsewhere (a surname alone).
    #[arg(long, value_enum, default_value_t = SchemeArg::Bilou)]
    pub scheme: SchemeArg,
    /// Train the first (sentence-level) pass only, without document consistency.
    #[arg(long)]
    pub first_pass_only: bool,
    /// Do not use gazetteer matches as features.
    #[arg(long)]
    pub no_gazetteer: bool,
    /// Extra gazetteer for the features (as for `extract`). Repeatable.
    #[arg(long = "gazetteer", value_name = "FILE")]
    pub gazetteers: Vec<String>,
    /// Drop features seen fewer times in the training data.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_count: u32,
    /// Per thousand of training documents split into one-sentence documents, so the model
    /// also learns to tag a lone sentence (no document context).
    #[arg(long, default_value_t = 150, value_name = "N")]
    pub split_docs: u32,
    /// Drop quantised weights below this magnitude (of 32000), to shrink the model.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub prune: i16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TagFormat {
    /// CoNLL column lines in, the same lines plus a predicted IOB2 column out.
    Conll,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// Input file; stdin when absent or `-`.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Input and output format.
    #[arg(long, value_enum, default_value_t = TagFormat::Conll)]
    pub format: TagFormat,
    /// Model file (default: the embedded models/ner-en.bin).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Do not run the gazetteer for the gazetteer features.
    #[arg(long)]
    pub no_gazetteer: bool,
    /// Extra gazetteer (as for `extract`). Repeatable.
    #[arg(long = "gazetteer", value_name = "FILE")]
    pub gazetteers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct EvalNerArgs {
    /// Tagged CoNLL file (`-` for stdin): gold tag in the column before the last,
    /// prediction in the last.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

fn read_input(path: Option<&Path>) -> Result<String> {
    let mut text = String::new();
    match path {
        Some(p) if p != Path::new("-") => {
            text = std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .lock()
                .read_to_string(&mut text)
                .context("<stdin>")?;
        }
    }
    Ok(text)
}

fn load_gazetteer(off: bool, extra: &[String]) -> Result<Option<Gazetteer>> {
    if off {
        return Ok(None);
    }
    Ok(Some(
        Gazetteer::load(extra).context("loading the gazetteer")?,
    ))
}

pub fn train_ner(args: TrainNerArgs) -> Result<u8> {
    let start = Instant::now();
    let train_text = read_input(Some(&args.train))?;
    let train_docs = conll::documents(&train_text);
    if train_docs.is_empty() {
        return Err(UsageError(format!("{}: no sentences", args.train.display())).into());
    }
    let dev_docs = match &args.dev {
        Some(p) => conll::documents(&read_input(Some(p))?),
        None => Vec::new(),
    };
    let gazetteer = load_gazetteer(args.no_gazetteer, &args.gazetteers)?;
    let gaz_fn = |sents: &[Vec<String>]| -> Vec<Vec<u32>> {
        match &gazetteer {
            Some(g) => gazetteer_bits(g, sents),
            None => Vec::new(),
        }
    };
    let cfg = TrainConfig {
        scheme: match args.scheme {
            SchemeArg::Bilou => Scheme::Bilou,
            SchemeArg::Iob2 => Scheme::Iob2,
        },
        epochs: args.epochs.max(1),
        folds: args.folds.max(2),
        seed: args.seed,
        min_count: args.min_count.max(1),
        prune: args.prune.max(0),
        second_pass: !args.first_pass_only,
        split_docs: args.split_docs.min(1000),
        ..TrainConfig::default()
    };
    let n_sent: usize = train_docs.iter().map(|d| d.sentences.len()).sum();
    let n_tok: usize = train_docs
        .iter()
        .flat_map(|d| &d.sentences)
        .map(|s| s.words.len())
        .sum();
    eprintln!(
        "train: {} documents, {n_sent} sentences, {n_tok} tokens; dev: {} documents; gazetteer features: {}",
        train_docs.len(),
        dev_docs.len(),
        if gazetteer.is_some() { "on" } else { "off" }
    );
    let trained = train::train(&train_docs, &dev_docs, Some(&gaz_fn), &cfg, &mut |s| {
        eprintln!("{s}")
    });
    let mut tagger = trained.tagger;
    let secs = start.elapsed().as_secs_f64();
    // No timings in the notes: the same data and seed give the same file, byte for byte.
    tagger.notes = format!(
        "gazette NER model\ntrain: {} ({n_tok} tokens)\ndev: {}\nscheme: {:?}; epochs: {}; folds: {}; seed: {}; \
         min-count: {}; prune: {}; split-docs: {}/1000; passes: {}; gazetteer features: {}\n\
         dev F1: first pass {:.2}, final {:.2}\n",
        file_name(&args.train),
        args.dev.as_deref().map_or("none".into(), file_name),
        cfg.scheme,
        cfg.epochs,
        cfg.folds,
        cfg.seed,
        cfg.min_count,
        cfg.prune,
        cfg.split_docs,
        if cfg.second_pass { 2 } else { 1 },
        if gazetteer.is_some() { "on" } else { "off" },
        trained.dev_f1_pass1,
        trained.dev_f1,
    );
    let bytes = tagger.to_bytes();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    }
    let tmp = args.out.with_extension("bin.tmp");
    std::fs::write(&tmp, &bytes).with_context(|| format!("{}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("{}", args.out.display()))?;
    eprintln!(
        "wrote {} ({:.2} MB): dev F1 {:.2} (first pass {:.2}), {} + {} features, {secs:.0} s",
        args.out.display(),
        bytes.len() as f64 / 1e6,
        trained.dev_f1,
        trained.dev_f1_pass1,
        tagger.pass1().len,
        tagger.pass2().map_or(0, |w| w.len),
    );
    Ok(EXIT_OK)
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

pub fn tag(args: TagArgs) -> Result<u8> {
    let TagFormat::Conll = args.format;
    let recognizer = match &args.model {
        Some(p) => ModelRecognizer::from_file(p)?,
        None => ModelRecognizer::embedded()?,
    };
    let gazetteer = load_gazetteer(args.no_gazetteer, &args.gazetteers)?;
    let tagger = recognizer.tagger();
    let mut scratch = TagScratch::default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let input: Box<dyn BufRead> = match &args.input {
        Some(p) if p != Path::new("-") => Box::new(BufReader::new(
            std::fs::File::open(p).with_context(|| format!("{}", p.display()))?,
        )),
        _ => Box::new(BufReader::new(std::io::stdin().lock())),
    };
    // One document at a time: its lines are held until the next -DOCSTART- (or the end),
    // so document-level features see the whole article.
    let mut pending: Vec<Line> = Vec::new();
    let mut flush = |pending: &mut Vec<Line>, out: &mut dyn Write| -> Result<()> {
        let mut sentences: Vec<Vec<String>> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for l in pending.iter() {
            match l {
                Line::Token(t) => current.push(t.split_whitespace().next().unwrap_or("").into()),
                _ => {
                    if !current.is_empty() {
                        sentences.push(std::mem::take(&mut current));
                    }
                }
            }
        }
        if !current.is_empty() {
            sentences.push(current);
        }
        let mut infos: Vec<_> = sentences
            .iter()
            .map(|s| {
                let words: Vec<&str> = s.iter().map(String::as_str).collect();
                tagger.infos(&words, &mut scratch)
            })
            .collect();
        if let Some(g) = &gazetteer {
            for (toks, bits) in infos.iter_mut().zip(gazetteer_bits(g, &sentences)) {
                for (t, b) in toks.iter_mut().zip(bits) {
                    t.gaz = b;
                }
            }
        }
        let labels = tagger.tag_document(&infos, &mut scratch);
        let mut tags = labels.iter().zip(&sentences).map(|(l, s)| {
            let chunks: Vec<conll::Chunk> = tagger
                .scheme
                .decode(l)
                .into_iter()
                .map(|(start, end, ty)| conll::Chunk {
                    start,
                    end,
                    ty: TYPES.get(ty).copied().unwrap_or("MISC").to_string(),
                })
                .collect();
            conll::iob2(&chunks, s.len())
        });
        let mut sent_tags: Option<std::vec::IntoIter<String>> = None;
        for l in pending.drain(..) {
            match l {
                Line::Token(t) => {
                    if sent_tags.is_none() {
                        sent_tags = tags.next().map(Vec::into_iter);
                    }
                    let tag = sent_tags
                        .as_mut()
                        .and_then(Iterator::next)
                        .unwrap_or_else(|| "O".into());
                    writeln!(out, "{t} {tag}")?;
                }
                Line::Blank(b) | Line::DocStart(b) => {
                    sent_tags = None;
                    writeln!(out, "{b}")?;
                }
            }
        }
        Ok(())
    };
    for line in input.lines() {
        let line = line.context("reading the input")?;
        let parsed = conll::lines(&line)
            .pop()
            .unwrap_or(Line::Blank(String::new()));
        if matches!(parsed, Line::DocStart(_)) && !pending.is_empty() {
            flush(&mut pending, &mut out)?;
        }
        pending.push(parsed);
    }
    flush(&mut pending, &mut out)?;
    out.flush()?;
    Ok(EXIT_OK)
}

pub fn eval_ner(args: EvalNerArgs) -> Result<u8> {
    let text = read_input(Some(&args.file))?;
    let mut ev = Evaluation::default();
    for doc in conll::documents(&text) {
        for s in &doc.sentences {
            if let Some(k) = s.columns.iter().position(|c| c.len() < 2) {
                return Err(UsageError(format!(
                    "{}: token {:?} has no gold and predicted columns (need at least 3 columns)",
                    args.file.display(),
                    s.words[k]
                ))
                .into());
            }
            ev.add(&s.second_last_column(), &s.last_column());
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(ev.report().as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}
