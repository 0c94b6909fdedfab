//! Transformer NER through rust-bert (Cargo feature `bert`): a [`Recognizer`] that runs a local
//! Hugging Face token-classification folder (BERT, DistilBERT, RoBERTa) with libtorch.
//!
//! Owns: loading the folder (`config.json`, tokenizer files, `model.safetensors`), windowing
//! sentences longer than the model, batching, the forward pass (rust-bert's
//! `*ForTokenClassification` models on a tch `VarStore`), and turning word-piece scores into
//! words and entity spans exactly as the Hugging Face `token-classification` pipeline does
//! (transformers 4.46: softmax, `gather_pre_entities`, `aggregate_words`, `group_entities`,
//! `aggregate_overlapping_entities`). The rust-bert pipeline's own aggregation differs from
//! HF's, so the model is run directly and the aggregation is done here; `tests/bert.rs` proves
//! the result equal to HF's on tiny seeded models.
//!
//! Does not own: merging with gazetteer/money/date mentions ([`super::merge`]), linking.
//!
//! Threads: rust-bert models are not `Sync`. The recogniser keeps a small pool of models, each
//! used by one thread at a time (taken from the pool under a mutex, given back after the
//! batch); at most [`BertOptions::workers`] models exist (default 1, because one libtorch
//! forward pass already uses every core). No model is ever shared between threads.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_bert::roberta::RobertaForTokenClassification;
use serde_json::Value;
use tch::{nn, Kind, Tensor};
use tokenizers::models::bpe::BPE;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::models::ModelWrapper;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{
    AddedToken, PostProcessor, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

use super::Recognizer;
use crate::document::{Document, EntityType, Mention, MentionSource, Span};
use crate::error::{Error, Result};
use crate::{Device, PipelineOptions};

/// How word-piece predictions become word predictions; the names and semantics of the
/// Hugging Face pipeline's `aggregation_strategy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Aggregation {
    /// No word aggregation: every word piece is a "word"; adjacent pieces group into entities.
    Simple,
    /// A word takes the label and score of its first piece.
    #[default]
    First,
    /// A word takes the label with the best mean score over its pieces.
    Average,
    /// A word takes the label of its most confident piece.
    Max,
}

impl Aggregation {
    pub fn parse(s: &str) -> Option<Aggregation> {
        Some(match s {
            "simple" => Aggregation::Simple,
            "first" => Aggregation::First,
            "average" => Aggregation::Average,
            "max" => Aggregation::Max,
            _ => return None,
        })
    }
}

/// Settings of the backend.
#[derive(Clone, Debug)]
pub struct BertOptions {
    /// A Hugging Face token-classification folder.
    pub model: PathBuf,
    /// Windows (sentences or parts of long sentences) per forward pass.
    pub batch_size: usize,
    pub device: Device,
    pub aggregation: Aggregation,
    /// Tokens per window, special tokens included; `None`: the tokenizer's
    /// `model_max_length`, capped by the model's position embeddings.
    pub window: Option<usize>,
    /// Tokens shared by consecutive windows of a long sentence; `None`: a quarter of the window.
    pub stride: Option<usize>,
    /// Most model instances alive at once (one per concurrently working thread).
    pub workers: usize,
}

impl BertOptions {
    pub fn new(model: impl Into<PathBuf>) -> BertOptions {
        BertOptions {
            model: model.into(),
            batch_size: 16,
            device: Device::Cpu,
            aggregation: Aggregation::default(),
            window: None,
            stride: None,
            workers: 1,
        }
    }
}

/// A word (or, with [`Aggregation::Simple`], a word piece) and its predicted label.
/// Offsets are Unicode code points into the sentence, as the Hugging Face pipeline gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct WordPrediction {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub score: f32,
}

/// An entity span: adjacent words of one type. `label` is the type without its `B-`/`I-`
/// prefix, as the model names it (`PER`, `GPE`…). Code point offsets into the sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityPrediction {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub score: f32,
}

/// What the model says about one sentence.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SentencePrediction {
    /// Number of windows the sentence was split into.
    pub windows: usize,
    /// Per-word predictions of every window, in order (words of overlapping windows repeat).
    pub words: Vec<WordPrediction>,
    /// Entities, `O` removed, overlaps between windows resolved as HF does.
    pub entities: Vec<EntityPrediction>,
    /// Model tokens of the sentence (special tokens included, summed over windows).
    pub tokens: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arch {
    Bert,
    DistilBert,
    Roberta,
}

/// One loaded model. Kept with its `VarStore`, which owns the weights.
enum Model {
    Bert(BertForTokenClassification),
    DistilBert(DistilBertForTokenClassification),
    Roberta(RobertaForTokenClassification),
}

struct Loaded {
    model: Model,
    _vs: nn::VarStore,
}

/// The models not in use, and how many exist.
struct Pool {
    idle: Vec<Loaded>,
    alive: usize,
}

/// The `bert` NER backend.
pub struct BertRecognizer {
    dir: PathBuf,
    arch: Arch,
    config: Value,
    labels: Vec<String>,
    tokenizer: Tokenizer,
    /// The tokenizer's model marks continuation pieces (`##`): HF then fuses pieces into
    /// words by length; otherwise (byte-level BPE) by a whitespace heuristic.
    word_aware: bool,
    unk_id: Option<u32>,
    pad_id: u32,
    device: tch::Device,
    batch_size: usize,
    aggregation: Aggregation,
    window: usize,
    stride: usize,
    workers: usize,
    pool: Mutex<Pool>,
    returned: Condvar,
}

impl std::fmt::Debug for BertRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BertRecognizer")
            .field("dir", &self.dir)
            .field("arch", &self.arch)
            .field("labels", &self.labels)
            .field("window", &self.window)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

fn model_err(dir: &Path, message: impl Into<String>) -> Error {
    Error::Model {
        path: dir.to_path_buf(),
        message: message.into(),
    }
}

fn read_json(dir: &Path, name: &str) -> Result<Option<Value>> {
    let path = dir.join(name);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| model_err(dir, format!("cannot read {name}: {e}")))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| model_err(dir, format!("{name} is not valid JSON: {e}")))
}

/// Deserialises a rust-bert config from HF's `config.json`, taking rust-bert's defaults for
/// fields HF leaves out (`tie_weights_`, …) instead of failing.
fn rust_bert_config<C>(dir: &Path, config: &Value, default: C) -> Result<C>
where
    C: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut merged = serde_json::to_value(default)
        .map_err(|e| model_err(dir, format!("config defaults: {e}")))?;
    if let (Some(m), Some(c)) = (merged.as_object_mut(), config.as_object()) {
        for (k, v) in c {
            if !v.is_null() {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    serde_json::from_value(merged).map_err(|e| model_err(dir, format!("config.json: {e}")))
}

fn special_token(tok_config: &Value, key: &str, default: &str) -> String {
    match tok_config.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string(),
        _ => default.to_string(),
    }
}

/// Builds the fast tokenizer from `vocab.txt` (WordPiece) or `vocab.json` + `merges.txt`
/// (byte-level BPE) the way transformers' `convert_slow_tokenizer` does, for folders that
/// ship no `tokenizer.json`.
fn tokenizer_from_vocab(dir: &Path, arch: Arch, tok_config: &Value) -> Result<Tokenizer> {
    let flag = |k: &str| tok_config.get(k).and_then(Value::as_bool);
    let text = |p: &Path| p.to_string_lossy().into_owned();
    let mut tokenizer = match arch {
        Arch::Bert | Arch::DistilBert => {
            let vocab = dir.join("vocab.txt");
            if !vocab.exists() {
                return Err(model_err(dir, "no tokenizer.json and no vocab.txt"));
            }
            let unk = special_token(tok_config, "unk_token", "[UNK]");
            let cls = special_token(tok_config, "cls_token", "[CLS]");
            let sep = special_token(tok_config, "sep_token", "[SEP]");
            let wp = WordPiece::from_file(&text(&vocab))
                .unk_token(unk)
                .build()
                .map_err(|e| model_err(dir, format!("vocab.txt: {e}")))?;
            let lowercase = flag("do_lower_case").unwrap_or(true);
            let mut t = Tokenizer::new(wp);
            t.with_normalizer(Some(BertNormalizer::new(
                true,
                flag("tokenize_chinese_chars").unwrap_or(true),
                flag("strip_accents"),
                lowercase,
            )));
            t.with_pre_tokenizer(Some(BertPreTokenizer));
            let id = |s: &str| {
                t.token_to_id(s)
                    .ok_or_else(|| model_err(dir, format!("vocab.txt lacks {s}")))
            };
            let (cls_id, sep_id) = (id(&cls)?, id(&sep)?);
            let post = TemplateProcessing::builder()
                .try_single(format!("{cls}:0 $A:0 {sep}:0"))
                .and_then(|b| b.try_pair(format!("{cls}:0 $A:0 {sep}:0 $B:1 {sep}:1")))
                .map_err(|e| model_err(dir, format!("tokenizer template: {e}")))?
                .special_tokens(vec![(cls.clone(), cls_id), (sep.clone(), sep_id)])
                .build()
                .map_err(|e| model_err(dir, format!("tokenizer template: {e}")))?;
            t.with_post_processor(Some(post));
            t
        }
        Arch::Roberta => {
            let (vocab, merges) = (dir.join("vocab.json"), dir.join("merges.txt"));
            if !vocab.exists() || !merges.exists() {
                return Err(model_err(
                    dir,
                    "no tokenizer.json and no vocab.json + merges.txt",
                ));
            }
            let bpe = BPE::from_file(&text(&vocab), &text(&merges))
                .continuing_subword_prefix(String::new())
                .end_of_word_suffix(String::new())
                .build()
                .map_err(|e| model_err(dir, format!("vocab.json/merges.txt: {e}")))?;
            let prefix = flag("add_prefix_space").unwrap_or(false);
            let cls = special_token(tok_config, "cls_token", "<s>");
            let sep = special_token(tok_config, "sep_token", "</s>");
            let mut t = Tokenizer::new(bpe);
            t.with_pre_tokenizer(Some(ByteLevel::new(prefix, true, true)));
            let id = |s: &str| {
                t.token_to_id(s)
                    .ok_or_else(|| model_err(dir, format!("vocab.json lacks {s}")))
            };
            let (cls_id, sep_id) = (id(&cls)?, id(&sep)?);
            t.with_post_processor(Some(
                RobertaProcessing::new((sep, sep_id), (cls, cls_id))
                    .trim_offsets(true)
                    .add_prefix_space(prefix),
            ));
            t
        }
    };
    let defaults: &[(&str, &str)] = match arch {
        Arch::Roberta => &[
            ("bos_token", "<s>"),
            ("eos_token", "</s>"),
            ("unk_token", "<unk>"),
            ("sep_token", "</s>"),
            ("pad_token", "<pad>"),
            ("cls_token", "<s>"),
            ("mask_token", "<mask>"),
        ],
        _ => &[
            ("unk_token", "[UNK]"),
            ("sep_token", "[SEP]"),
            ("pad_token", "[PAD]"),
            ("cls_token", "[CLS]"),
            ("mask_token", "[MASK]"),
        ],
    };
    let specials: Vec<AddedToken> = defaults
        .iter()
        .map(|(k, d)| AddedToken::from(special_token(tok_config, k, d), true))
        .collect();
    tokenizer.add_special_tokens(&specials);
    Ok(tokenizer)
}

impl BertRecognizer {
    /// Builds the recogniser from pipeline options (`--model`, `--batch-size`, `--device`).
    pub fn from_options(options: &PipelineOptions) -> Result<BertRecognizer> {
        let model = options.model.clone().ok_or_else(|| {
            Error::Config(
                "--ner bert needs --model DIR (a Hugging Face token-classification folder)".into(),
            )
        })?;
        let mut o = BertOptions::new(model);
        o.batch_size = options.batch_size.max(1);
        o.device = options.device;
        BertRecognizer::new(o)
    }

    /// Loads the folder and one model instance (so a bad folder fails here, not mid-run).
    pub fn new(options: BertOptions) -> Result<BertRecognizer> {
        let dir = options.model.clone();
        if !dir.is_dir() {
            return Err(model_err(
                &dir,
                "not a folder (want a Hugging Face token-classification folder)",
            ));
        }
        let config =
            read_json(&dir, "config.json")?.ok_or_else(|| model_err(&dir, "no config.json"))?;
        let model_type = config
            .get("model_type")
            .and_then(Value::as_str)
            .unwrap_or("");
        let arch = match model_type {
            "bert" => Arch::Bert,
            "distilbert" => Arch::DistilBert,
            "roberta" => Arch::Roberta,
            other => {
                return Err(model_err(
                    &dir,
                    format!("model_type {other:?} is not supported (bert, distilbert, roberta)"),
                ))
            }
        };
        let labels = labels_of(&dir, &config)?;

        let tok_config = read_json(&dir, "tokenizer_config.json")?.unwrap_or(Value::Null);
        let mut tokenizer = if dir.join("tokenizer.json").exists() {
            Tokenizer::from_file(dir.join("tokenizer.json"))
                .map_err(|e| model_err(&dir, format!("tokenizer.json: {e}")))?
        } else {
            tokenizer_from_vocab(&dir, arch, &tok_config)?
        };
        tokenizer.with_padding(None);

        let positions = config
            .get("max_position_embeddings")
            .and_then(Value::as_u64)
            .unwrap_or(512) as usize;
        // RoBERTa's position ids start after the padding index.
        let positions = if arch == Arch::Roberta {
            positions.saturating_sub(2)
        } else {
            positions
        };
        let declared = tok_config
            .get("model_max_length")
            .and_then(Value::as_u64)
            .map(|n| n as usize)
            .filter(|&n| n > 0 && n < 1_000_000)
            .unwrap_or(positions);
        let window = options.window.unwrap_or(declared).min(positions);
        let specials = tokenizer
            .get_post_processor()
            .map_or(0, |p| p.added_tokens(false));
        if window <= specials + 1 {
            return Err(model_err(
                &dir,
                format!("window of {window} tokens is too small"),
            ));
        }
        let room = window - specials;
        let stride = options.stride.unwrap_or(room / 4);
        if stride >= room {
            return Err(Error::Config(format!(
                "stride {stride} must be below the window's {room} content tokens"
            )));
        }
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: window,
                strategy: TruncationStrategy::LongestFirst,
                stride,
            }))
            .map_err(|e| model_err(&dir, format!("tokenizer truncation: {e}")))?;

        let word_aware = match tokenizer.get_model() {
            ModelWrapper::WordPiece(wp) => !wp.continuing_subword_prefix.is_empty(),
            ModelWrapper::BPE(bpe) => bpe
                .continuing_subword_prefix
                .as_ref()
                .is_some_and(|p| !p.is_empty()),
            _ => false,
        };
        let unk_name = special_token(
            &tok_config,
            "unk_token",
            if arch == Arch::Roberta {
                "<unk>"
            } else {
                "[UNK]"
            },
        );
        let unk_id = tokenizer.token_to_id(&unk_name);
        let pad_id = config
            .get("pad_token_id")
            .and_then(Value::as_u64)
            .map(|n| n as u32)
            .unwrap_or(if arch == Arch::Roberta { 1 } else { 0 });
        if arch == Arch::Roberta && pad_id != 1 {
            return Err(model_err(
                &dir,
                "RoBERTa models with pad_token_id other than 1 are not supported by rust-bert",
            ));
        }

        let device = match options.device {
            Device::Cpu => tch::Device::Cpu,
            Device::Cuda => {
                if !tch::Cuda::is_available() {
                    return Err(Error::Config(
                        "--device cuda: no CUDA device is available to libtorch".into(),
                    ));
                }
                tch::Device::Cuda(0)
            }
            Device::Auto => tch::Device::cuda_if_available(),
        };

        let recognizer = BertRecognizer {
            dir,
            arch,
            config,
            labels,
            tokenizer,
            word_aware,
            unk_id,
            pad_id,
            device,
            batch_size: options.batch_size.max(1),
            aggregation: options.aggregation,
            window,
            stride,
            workers: options.workers.max(1),
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                alive: 1,
            }),
            returned: Condvar::new(),
        };
        let first = recognizer.load()?;
        recognizer.give_back(first);
        Ok(recognizer)
    }

    /// The label names, by class id.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Tokens per window, special tokens included.
    pub fn window(&self) -> usize {
        self.window
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    pub fn set_aggregation(&mut self, aggregation: Aggregation) {
        self.aggregation = aggregation;
    }

    fn load(&self) -> Result<Loaded> {
        let dir = &self.dir;
        let weights = ["model.safetensors", "rust_model.ot"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists())
            .ok_or_else(|| {
                model_err(
                    dir,
                    "no model.safetensors (see docs/bert.md to convert pytorch_model.bin)",
                )
            })?;
        let mut vs = nn::VarStore::new(self.device);
        let model = match self.arch {
            Arch::Bert | Arch::Roberta => {
                let c: BertConfig = rust_bert_config(dir, &self.config, BertConfig::default())?;
                if self.arch == Arch::Bert {
                    Model::Bert(
                        BertForTokenClassification::new(vs.root(), &c)
                            .map_err(|e| model_err(dir, e.to_string()))?,
                    )
                } else {
                    Model::Roberta(
                        RobertaForTokenClassification::new(vs.root(), &c)
                            .map_err(|e| model_err(dir, e.to_string()))?,
                    )
                }
            }
            Arch::DistilBert => {
                let c: DistilBertConfig =
                    rust_bert_config(dir, &self.config, DistilBertConfig::default())?;
                Model::DistilBert(
                    DistilBertForTokenClassification::new(vs.root(), &c)
                        .map_err(|e| model_err(dir, e.to_string()))?,
                )
            }
        };
        let missing = vs
            .load_partial(&weights)
            .map_err(|e| model_err(dir, format!("{}: {e}", weights.display())))?;
        if !missing.is_empty() {
            return Err(model_err(
                dir,
                format!(
                    "{} lacks weights the {:?} architecture needs: {}",
                    weights.display(),
                    self.arch,
                    missing.join(", ")
                ),
            ));
        }
        vs.freeze();
        Ok(Loaded { model, _vs: vs })
    }

    /// Takes an idle model, builds one if fewer than `workers` exist, else waits for one.
    fn take(&self) -> Result<Loaded> {
        let mut pool = self
            .pool
            .lock()
            .map_err(|_| model_err(&self.dir, "model pool poisoned by an earlier panic"))?;
        loop {
            if let Some(m) = pool.idle.pop() {
                return Ok(m);
            }
            if pool.alive < self.workers {
                pool.alive += 1;
                drop(pool);
                return self.load().inspect_err(|_| {
                    if let Ok(mut p) = self.pool.lock() {
                        p.alive -= 1;
                    }
                });
            }
            pool = self
                .returned
                .wait(pool)
                .map_err(|_| model_err(&self.dir, "model pool poisoned by an earlier panic"))?;
        }
    }

    fn give_back(&self, model: Loaded) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.idle.push(model);
        }
        self.returned.notify_one();
    }

    /// Runs the model on sentences (each an independent text) and returns, per sentence,
    /// what the Hugging Face pipeline would: per-word labels and entity spans, code point
    /// offsets into that sentence.
    pub fn predict(&self, sentences: &[&str]) -> Result<Vec<SentencePrediction>> {
        // Tokenise every sentence into windows (the tokenizer's truncation with stride is
        // the same code HF's `stride=` uses).
        let mut windows: Vec<Window> = Vec::new();
        for (s, text) in sentences.iter().enumerate() {
            let enc = self
                .tokenizer
                .encode_char_offsets(*text, true)
                .map_err(|e| model_err(&self.dir, format!("tokenizer: {e}")))?;
            let mut parts = vec![enc];
            let overflow = parts[0].take_overflowing();
            parts.extend(overflow);
            for e in parts {
                windows.push(Window {
                    sentence: s,
                    ids: e.get_ids().iter().map(|&i| i64::from(i)).collect(),
                    special: e.get_special_tokens_mask().to_vec(),
                    offsets: e.get_offsets().to_vec(),
                    scores: Vec::new(),
                });
            }
        }

        // Longest first, so each batch pads little.
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(windows[i].ids.len()));
        let n_labels = self.labels.len();
        for batch in order.chunks(self.batch_size) {
            let inputs: Vec<&[i64]> = batch.iter().map(|&i| windows[i].ids.as_slice()).collect();
            let probs = self.forward(&inputs)?;
            for (&i, p) in batch.iter().zip(probs) {
                windows[i].scores = p;
            }
        }

        let mut out: Vec<SentencePrediction> = vec![SentencePrediction::default(); sentences.len()];
        let mut entities: Vec<Vec<EntityPrediction>> = vec![Vec::new(); sentences.len()];
        for w in &windows {
            let chars: Vec<char> = sentences[w.sentence].chars().collect();
            let pre = self.pre_entities(w, &chars, n_labels);
            let words = aggregate_words(&pre, self.aggregation);
            let pred = &mut out[w.sentence];
            pred.windows += 1;
            pred.tokens += w.ids.len();
            let groups = group_entities(&words, &self.labels);
            entities[w.sentence].extend(groups.into_iter().filter(|g| g.label != "O"));
            pred.words.extend(words.into_iter().map(|w| WordPrediction {
                start: w.start,
                end: w.end,
                label: self.labels[w.label].clone(),
                score: w.score,
            }));
        }
        for (pred, ents) in out.iter_mut().zip(entities) {
            pred.entities = if pred.windows > 1 {
                aggregate_overlapping(ents)
            } else {
                ents
            };
        }
        Ok(out)
    }

    /// One padded batch through the model; per window, per token, the label probabilities
    /// (softmax as the HF pipeline computes it, in f32).
    fn forward(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<f32>>> {
        let len = inputs.iter().map(|i| i.len()).max().unwrap_or(0);
        if len == 0 {
            return Ok(inputs.iter().map(|_| Vec::new()).collect());
        }
        let rows = inputs.len();
        let mut ids = Vec::with_capacity(rows * len);
        let mut mask = Vec::with_capacity(rows * len);
        for input in inputs {
            ids.extend_from_slice(input);
            ids.extend(std::iter::repeat(i64::from(self.pad_id)).take(len - input.len()));
            mask.extend(std::iter::repeat(1i64).take(input.len()));
            mask.extend(std::iter::repeat(0i64).take(len - input.len()));
        }
        let shape = [rows as i64, len as i64];
        let loaded = self.take()?;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            tch::no_grad(|| -> std::result::Result<Vec<f32>, tch::TchError> {
                let ids = Tensor::from_slice(&ids).view(shape).to_device(self.device);
                let mask = Tensor::from_slice(&mask).view(shape).to_device(self.device);
                let logits = match &loaded.model {
                    Model::Bert(m) => {
                        let types = ids.zeros_like();
                        m.forward_t(Some(&ids), Some(&mask), Some(&types), None, None, false)
                            .logits
                    }
                    Model::Roberta(m) => {
                        m.forward_t(Some(&ids), Some(&mask), None, None, None, false)
                            .logits
                    }
                    Model::DistilBert(m) => {
                        m.forward_t(Some(&ids), Some(&mask), None, false)
                            .map_err(|e| tch::TchError::Kind(e.to_string()))?
                            .logits
                    }
                };
                let logits = logits
                    .to_kind(Kind::Float)
                    .to_device(tch::Device::Cpu)
                    .contiguous()
                    .view([-1]);
                Vec::<f32>::try_from(&logits)
            })
        }));
        self.give_back(loaded);
        let logits = match result {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => return Err(model_err(&self.dir, format!("forward pass: {e}"))),
            Err(_) => return Err(model_err(&self.dir, "forward pass failed inside libtorch")),
        };
        let n = self.labels.len();
        if logits.len() != rows * len * n {
            return Err(model_err(
                &self.dir,
                format!(
                    "model gave {} logits, expected {}",
                    logits.len(),
                    rows * len * n
                ),
            ));
        }
        Ok(inputs
            .iter()
            .enumerate()
            .map(|(r, input)| {
                let row = &logits[r * len * n..(r * len + input.len()) * n];
                let mut probs = Vec::with_capacity(row.len());
                for tok in row.chunks(n) {
                    softmax_into(tok, &mut probs);
                }
                probs
            })
            .collect())
    }

    /// HF's `gather_pre_entities`: drop special tokens, decide which pieces continue a word.
    fn pre_entities<'w>(&self, w: &'w Window, chars: &[char], n: usize) -> Vec<Pre<'w>> {
        let mut pre = Vec::new();
        for (idx, &id) in w.ids.iter().enumerate() {
            if w.special.get(idx).copied().unwrap_or(1) != 0 {
                continue;
            }
            let Some(scores) = w.scores.get(idx * n..(idx + 1) * n) else {
                continue;
            };
            let (start, end) = w.offsets.get(idx).copied().unwrap_or((0, 0));
            let id = id as u32;
            let word_ref_len = end.min(chars.len()).saturating_sub(start.min(chars.len()));
            let mut subword = if self.word_aware {
                let piece = self.tokenizer.id_to_token(id).unwrap_or_default();
                piece.chars().count() != word_ref_len
            } else {
                // sentence[start-1:start+1] has no space
                start > 0
                    && !chars
                        .get(start - 1..(start + 1).min(chars.len()))
                        .is_some_and(|c| c.contains(&' '))
            };
            if Some(id) == self.unk_id {
                subword = false;
            }
            pre.push(Pre {
                start,
                end,
                scores,
                subword,
            });
        }
        pre
    }

    /// The entities of every sentence of `doc` as NER mentions with byte spans.
    fn mentions_of(&self, doc: &Document) -> Result<Vec<Mention>> {
        let mut spans: Vec<(usize, Span)> = Vec::new();
        let mut texts: Vec<&str> = Vec::new();
        for (i, s) in doc.sentences.iter().enumerate() {
            if let Some(t) = doc.text.get(s.span.start..s.span.end) {
                if !t.trim().is_empty() {
                    spans.push((i, s.span));
                    texts.push(t);
                }
            }
        }
        let preds = self.predict(&texts)?;
        let mut mentions = Vec::new();
        for (((index, span), text), pred) in spans.iter().zip(&texts).zip(preds) {
            // code point index -> byte offset within the sentence
            let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            bytes.push(text.len());
            for e in pred.entities {
                let Some(ty) = entity_type(&e.label) else {
                    continue;
                };
                let (Some(&s), Some(&t)) = (bytes.get(e.start), bytes.get(e.end)) else {
                    continue;
                };
                if s >= t {
                    continue;
                }
                let mut m = Mention::new(
                    Span::new(span.start + s, span.start + t),
                    ty,
                    MentionSource::Ner,
                    *index,
                );
                m.score = e.score;
                mentions.push(m);
            }
        }
        Ok(mentions)
    }
}

impl Recognizer for BertRecognizer {
    fn recognize(&self, doc: &Document) -> Result<Vec<Mention>> {
        self.mentions_of(doc)
    }

    fn name(&self) -> &'static str {
        "bert"
    }
}

/// The gazette type of a model's entity label (without `B-`/`I-`): CoNLL and OntoNotes names.
/// OntoNotes' numeric types (CARDINAL, PERCENT, QUANTITY, ORDINAL, TIME) are not names and
/// are dropped; EVENT, PRODUCT, WORK_OF_ART, LAW and LANGUAGE become MISC.
pub fn entity_type(label: &str) -> Option<EntityType> {
    EntityType::parse(label).or_else(|| {
        matches!(
            label.to_ascii_uppercase().as_str(),
            "EVENT" | "PRODUCT" | "WORK_OF_ART" | "LAW" | "LANGUAGE"
        )
        .then_some(EntityType::Misc)
    })
}

fn labels_of(dir: &Path, config: &Value) -> Result<Vec<String>> {
    let map = config
        .get("id2label")
        .and_then(Value::as_object)
        .ok_or_else(|| model_err(dir, "config.json has no id2label"))?;
    let mut labels = vec![None; map.len()];
    for (k, v) in map {
        let i: usize = k
            .parse()
            .map_err(|_| model_err(dir, format!("id2label key {k:?} is not a number")))?;
        let slot = labels
            .get_mut(i)
            .ok_or_else(|| model_err(dir, format!("id2label ids are not 0..{}", map.len())))?;
        *slot = v.as_str().map(str::to_string);
    }
    labels
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| model_err(dir, "id2label must name every class 0..n"))
}

/// One window of a sentence, and its scores once the model has run.
struct Window {
    sentence: usize,
    ids: Vec<i64>,
    special: Vec<u32>,
    /// Code point offsets into the sentence.
    offsets: Vec<(usize, usize)>,
    /// `ids.len() × labels` probabilities.
    scores: Vec<f32>,
}

/// A word piece: HF's `pre_entity`.
struct Pre<'w> {
    start: usize,
    end: usize,
    scores: &'w [f32],
    subword: bool,
}

/// A word with its winning label id.
struct Word {
    start: usize,
    end: usize,
    label: usize,
    score: f32,
}

/// numpy's softmax as the pipeline writes it: `exp(x - max) / sum`.
fn softmax_into(logits: &[f32], out: &mut Vec<f32>) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let start = out.len();
    out.extend(logits.iter().map(|&x| (x - max).exp()));
    let sum: f32 = out[start..].iter().sum();
    for p in &mut out[start..] {
        *p /= sum;
    }
}

/// numpy's `argmax`: the first index of the maximum.
fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    best
}

fn aggregate_words(pre: &[Pre], strategy: Aggregation) -> Vec<Word> {
    if strategy == Aggregation::Simple {
        return pre
            .iter()
            .map(|p| {
                let label = argmax(p.scores);
                Word {
                    start: p.start,
                    end: p.end,
                    label,
                    score: p.scores[label],
                }
            })
            .collect();
    }
    let mut words = Vec::new();
    let mut group: Vec<&Pre> = Vec::new();
    for p in pre {
        if !group.is_empty() && !p.subword {
            words.push(aggregate_word(&group, strategy));
            group.clear();
        }
        group.push(p);
    }
    if !group.is_empty() {
        words.push(aggregate_word(&group, strategy));
    }
    words
}

fn aggregate_word(group: &[&Pre], strategy: Aggregation) -> Word {
    let (start, end) = (group[0].start, group[group.len() - 1].end);
    let (label, score) = match strategy {
        Aggregation::Simple | Aggregation::First => {
            let l = argmax(group[0].scores);
            (l, group[0].scores[l])
        }
        Aggregation::Max => {
            // Python's max(): the first piece with the highest top score
            let mut best = group[0];
            let top = |p: &Pre| p.scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for p in &group[1..] {
                if top(p) > top(best) {
                    best = p;
                }
            }
            let l = argmax(best.scores);
            (l, best.scores[l])
        }
        Aggregation::Average => {
            let n = group[0].scores.len();
            let mut mean = vec![0f32; n];
            for p in group {
                for (m, s) in mean.iter_mut().zip(p.scores) {
                    *m += s;
                }
            }
            for m in &mut mean {
                *m /= group.len() as f32;
            }
            let l = argmax(&mean);
            (l, mean[l])
        }
    };
    Word {
        start,
        end,
        label,
        score,
    }
}

/// HF's `get_tag`: (`B` or `I`, type); a label without prefix counts as `I`.
fn tag(label: &str) -> (char, &str) {
    if let Some(t) = label.strip_prefix("B-") {
        ('B', t)
    } else if let Some(t) = label.strip_prefix("I-") {
        ('I', t)
    } else {
        ('I', label)
    }
}

/// HF's `group_entities` + `group_sub_entities`.
fn group_entities(words: &[Word], labels: &[String]) -> Vec<EntityPrediction> {
    let mut groups = Vec::new();
    let mut current: Vec<&Word> = Vec::new();
    let close = |current: &[&Word]| {
        let first = &labels[current[0].label];
        let label = first.split_once('-').map_or(first.as_str(), |(_, t)| t);
        let score = current.iter().map(|w| w.score).sum::<f32>() / current.len() as f32;
        EntityPrediction {
            start: current[0].start,
            end: current[current.len() - 1].end,
            label: label.to_string(),
            score,
        }
    };
    for w in words {
        if let Some(last) = current.last() {
            let (bi, t) = tag(&labels[w.label]);
            let (_, last_t) = tag(&labels[last.label]);
            if !(t == last_t && bi != 'B') {
                groups.push(close(&current));
                current.clear();
            }
        }
        current.push(w);
    }
    if !current.is_empty() {
        groups.push(close(&current));
    }
    groups
}

/// HF's `aggregate_overlapping_entities`: of entities from overlapping windows, the longest
/// wins, then the more confident.
fn aggregate_overlapping(mut entities: Vec<EntityPrediction>) -> Vec<EntityPrediction> {
    entities.sort_by_key(|e| e.start);
    let Some(first) = entities.first().cloned() else {
        return entities;
    };
    let mut out = Vec::new();
    let mut previous = first;
    for e in entities {
        if previous.start <= e.start && e.start < previous.end {
            let (len, prev_len) = (e.end - e.start, previous.end - previous.start);
            if len > prev_len || (len == prev_len && e.score > previous.score) {
                previous = e;
            }
        } else {
            out.push(std::mem::replace(&mut previous, e));
        }
    }
    out.push(previous);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces as (start, end, continues a word, label id); labels O, B-ENT, I-ENT, I-NAME.
    /// The first case is the example of transformers' `aggregate_words` docstring:
    /// micro|soft| com|pany| B-ENT I-NAME I-ENT I-ENT → microsoft| company| B-ENT I-ENT.
    #[test]
    fn pieces_aggregate_and_group_as_in_transformers() {
        let labels: Vec<String> = ["O", "B-ENT", "I-ENT", "I-NAME"].map(String::from).to_vec();
        let one_hot = |l: usize| -> Vec<f32> {
            (0..4)
                .map(|i| if i == l { 0.9 } else { 0.1 / 3.0 })
                .collect()
        };
        type Case = (
            &'static [(usize, usize, bool, usize)],
            Aggregation,
            &'static [(usize, usize, &'static str)],
        );
        let cases: &[Case] = &[
            (
                &[
                    (0, 5, false, 1),
                    (5, 9, true, 3),
                    (10, 13, false, 2),
                    (13, 17, true, 2),
                ],
                Aggregation::First,
                &[(0, 17, "ENT")],
            ),
            (
                &[
                    (0, 5, false, 1),
                    (5, 9, true, 3),
                    (10, 13, false, 2),
                    (13, 17, true, 2),
                ],
                Aggregation::Simple,
                &[(0, 5, "ENT"), (5, 9, "NAME"), (10, 17, "ENT")],
            ),
            (
                &[
                    (0, 3, false, 1),
                    (4, 7, false, 1),
                    (8, 9, false, 0),
                    (10, 12, false, 2),
                ],
                Aggregation::First,
                &[(0, 3, "ENT"), (4, 7, "ENT"), (8, 9, "O"), (10, 12, "ENT")],
            ),
        ];
        for (pieces, strategy, want) in cases {
            let scores: Vec<Vec<f32>> = pieces.iter().map(|p| one_hot(p.3)).collect();
            let pre: Vec<Pre> = pieces
                .iter()
                .zip(&scores)
                .map(|(p, s)| Pre {
                    start: p.0,
                    end: p.1,
                    subword: p.2,
                    scores: s,
                })
                .collect();
            let got: Vec<(usize, usize, String)> =
                group_entities(&aggregate_words(&pre, *strategy), &labels)
                    .into_iter()
                    .map(|e| (e.start, e.end, e.label))
                    .collect();
            let want: Vec<(usize, usize, String)> =
                want.iter().map(|w| (w.0, w.1, w.2.to_string())).collect();
            assert_eq!(got, want, "{strategy:?} {pieces:?}");
        }
    }

    #[test]
    fn overlapping_windows_keep_the_longest_then_the_surest() {
        let e = |start, end, score| EntityPrediction {
            start,
            end,
            label: "PER".into(),
            score,
        };
        let cases = [
            (vec![e(0, 5, 0.9), e(3, 10, 0.5)], vec![e(3, 10, 0.5)]),
            (
                vec![e(0, 5, 0.5), e(0, 5, 0.9), e(20, 25, 0.1)],
                vec![e(0, 5, 0.9), e(20, 25, 0.1)],
            ),
            (
                vec![e(8, 9, 0.5), e(0, 5, 0.9)],
                vec![e(0, 5, 0.9), e(8, 9, 0.5)],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(aggregate_overlapping(input.clone()), want, "{input:?}");
        }
    }
}
