//! gazette reads English news articles and writes what happened in them as JSON: who met,
//! visited, signed, pledged or said what, with whom, how much, where and when.
//!
//! The pipeline is a list of stages, each adding one layer of annotations to a
//! [`Document`] that holds the original text:
//!
//! ```text
//! ingest ─► segment ─► gazetteer ─► money, time ─► ner ─► resolve ─► assemble ─► output
//! ```
//!
//! Build a [`Pipeline`] once and call it per article; it is `Send + Sync`, so one pipeline
//! serves every thread:
//!
//! ```
//! let pipeline = gazette::Pipeline::new(&gazette::PipelineOptions::default()).unwrap();
//! let mut doc = gazette::Document::new("example", "Japan pledged over $550 billion.");
//! pipeline.annotate(&mut doc);
//! assert!(doc.mentions.iter().any(|m| m.ty == gazette::EntityType::Money));
//! ```

pub mod assemble;
pub mod conll;
pub mod document;
pub mod error;
pub mod eval;
pub mod gazetteer;
pub mod ingest;
pub mod money;
pub mod ner;
pub mod output;
mod pages;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod segment;
mod swar;
pub mod time;

use std::path::PathBuf;

pub use document::{
    Argument, Attributes, DateValue, Document, Entity, EntityType, Event, EventType, Link, Mention,
    MentionSource, MentionValue, Modality, Money, Qualifier, Sentence, SentenceKind, Span, Token,
    TokenKind,
};
pub use error::{Error, Origin, Result};

/// Which recogniser finds names the gazetteer does not know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NerBackend {
    /// The embedded statistical model (`models/ner-en.bin`).
    #[default]
    Model,
    /// Capitalisation and context cues only; no model file.
    Rules,
    /// A Hugging Face token-classification model through rust-bert (feature `bert`).
    Bert,
}

/// Where a transformer runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Device {
    Cpu,
    Cuda,
    #[default]
    Auto,
}

/// Everything that configures a [`Pipeline`]. `Default` is the embedded default models.
#[derive(Clone, Debug)]
pub struct PipelineOptions {
    pub ner: NerBackend,
    /// Model file or folder for the NER backend (`--model`); `None` uses the embedded one.
    pub model: Option<PathBuf>,
    /// Sentences per transformer batch.
    pub batch_size: usize,
    pub device: Device,
    /// Extra gazetteers: `FILE.tsv`, or `phoenix:FILE` for a TABARI/PETRARCH dictionary.
    pub gazetteers: Vec<String>,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            ner: NerBackend::default(),
            model: None,
            batch_size: 16,
            device: Device::default(),
            gazetteers: Vec::new(),
        }
    }
}

/// The whole analysis, built once and shared across threads.
pub struct Pipeline {
    segmenter: segment::Segmenter,
    gazetteer: gazetteer::Gazetteer,
    money: money::MoneyRecognizer,
    time: time::DateRecognizer,
    ner: Box<dyn ner::Recognizer>,
    resolver: resolve::Resolver,
    assembler: assemble::Assembler,
}

impl Pipeline {
    /// Loads the models the options name.
    pub fn new(options: &PipelineOptions) -> Result<Pipeline> {
        // The gazetteer and the NER model load side by side: they are most of start-up.
        let (gazetteer, ner) = std::thread::scope(|scope| {
            let ner = scope.spawn(|| ner::build(options));
            let gazetteer = gazetteer::Gazetteer::load(&options.gazetteers);
            (gazetteer, ner.join())
        });
        let gazetteer = gazetteer?;
        let ner = ner.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        Ok(Pipeline {
            segmenter: segment::Segmenter::new(),
            ner,
            gazetteer,
            money: money::MoneyRecognizer::new(),
            time: time::DateRecognizer::new(),
            resolver: resolve::Resolver::new(),
            assembler: assemble::Assembler::new(),
        })
    }

    /// Runs every stage on `doc`, replacing any annotations it had.
    ///
    /// Only a transformer NER backend can fail at run time; here such a failure leaves the
    /// NER layer empty. Use [`Pipeline::try_annotate`] to get the error instead.
    pub fn annotate(&self, doc: &mut Document) {
        let _ = self.try_annotate(doc);
    }

    /// [`Pipeline::annotate`], reporting a recogniser failure (the document is then fully
    /// annotated except for the NER layer).
    pub fn try_annotate(&self, doc: &mut Document) -> Result<()> {
        self.segment(doc);
        let ner = self.try_mentions(doc);
        self.resolver.annotate_with(doc, &self.gazetteer);
        self.assembler.annotate(doc);
        ner
    }

    /// Only sentences and tokens (`gazette sentences`).
    pub fn segment(&self, doc: &mut Document) {
        doc.sentences.clear();
        doc.tokens.clear();
        doc.mentions.clear();
        doc.entities.clear();
        doc.events.clear();
        self.segmenter.annotate(doc);
    }

    /// Gazetteer, money, dates and NER on a segmented document, merged by
    /// [`ner::merge`] (`gazette mentions`).
    ///
    /// A recogniser failure leaves the NER layer empty; [`Pipeline::try_mentions`] reports it.
    pub fn mentions(&self, doc: &mut Document) {
        let _ = self.try_mentions(doc);
    }

    /// [`Pipeline::mentions`], reporting a recogniser failure.
    pub fn try_mentions(&self, doc: &mut Document) -> Result<()> {
        self.gazetteer.annotate(doc);
        self.money.annotate(doc);
        self.time.annotate(doc);
        let found = self.ner.recognize(doc);
        let (found, result) = match found {
            Ok(found) => (found, Ok(())),
            Err(e) => (Vec::new(), Err(e)),
        };
        ner::merge(doc, found);
        result
    }

    /// The gazetteer stage, for tools that need its entries (NER training features).
    pub fn gazetteer(&self) -> &gazetteer::Gazetteer {
        &self.gazetteer
    }
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn pipeline_types_are_send_and_sync() {
        assert_send_sync::<super::Pipeline>();
        assert_send_sync::<super::PipelineOptions>();
        assert_send_sync::<super::Document>();
    }
}
