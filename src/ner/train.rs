//! Training the tagger on CoNLL files: word clusters from the training text, an averaged
//! perceptron for the first pass, cross-validated first-pass labels over the training set
//! (so the second pass learns from labels as noisy as it will see at tagging time), then
//! the document-consistency pass. Deterministic for a given seed; single-threaded.
//!
//! Owns the training procedure; the model it produces is a [`Tagger`].

use std::time::Instant;

use crate::conll::{chunks, ConllDocument};
use crate::ner::clusters::{self, ClusterConfig};
use crate::ner::features::{
    casing_code, count_casing, doc_features, local_features, token_info, ClusterTable, DocCasing,
    DocLabels, IdMap, Scratch, SentCtx, TokInfo, N_CLUSTERS, TYPES,
};
use crate::ner::model::{Constraints, Scheme, TrainWeights, Weights};
use crate::ner::tagger::Tagger;

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    pub scheme: Scheme,
    pub epochs: usize,
    /// Cross-validation folds for the first-pass labels the second pass trains on.
    pub folds: usize,
    pub seed: u64,
    /// Features seen fewer times in the training set are dropped.
    pub min_count: u32,
    /// Quantised weights below this magnitude are dropped from the model.
    pub prune: i16,
    pub clusters: ClusterConfig,
    pub second_pass: bool,
    /// Share (per thousand) of training documents split into one-sentence documents, so
    /// the model also learns to tag text without document context (a lone sentence).
    pub split_docs: u32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            scheme: Scheme::Bilou,
            epochs: 15,
            folds: 5,
            seed: 2003,
            min_count: 1,
            prune: 0,
            clusters: ClusterConfig::default(),
            second_pass: true,
            split_docs: 150,
        }
    }
}

/// Supplies gazetteer bits for the tokens of a document (sentences of words), or nothing.
pub type GazetteerBits<'a> = &'a dyn Fn(&[Vec<String>]) -> Vec<Vec<u32>>;

/// A document as the trainer sees it.
struct Doc {
    sents: Vec<Vec<TokInfo>>,
    gold: Vec<Vec<u8>>,
}

/// One sentence's features as keys, with per-token offsets.
#[derive(Clone, Default)]
struct Keys {
    keys: Vec<u64>,
    offsets: Vec<usize>,
}

/// One sentence's features as dictionary indices.
struct Encoded {
    feats: Vec<u32>,
    offsets: Vec<usize>,
    gold: Vec<u8>,
}

/// What came out of training.
pub struct Trained {
    pub tagger: Tagger,
    pub dev_f1_pass1: f64,
    pub dev_f1: f64,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::ner::features::mix(self.0)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn gold_labels(doc: &ConllDocument, scheme: Scheme) -> Vec<Vec<u8>> {
    doc.sentences
        .iter()
        .map(|s| {
            let tags = s.last_column();
            let spans: Vec<(usize, usize, usize)> = chunks(&tags)
                .into_iter()
                .filter_map(|c| {
                    TYPES
                        .iter()
                        .position(|&t| t == c.ty)
                        .map(|ty| (c.start, c.end, ty))
                })
                .collect();
            scheme.encode(&spans, s.words.len())
        })
        .collect()
}

fn prepare(
    docs: &[ConllDocument],
    scheme: Scheme,
    clusters: &ClusterTable,
    gaz: Option<GazetteerBits<'_>>,
) -> Vec<Doc> {
    let mut s = Scratch::default();
    docs.iter()
        .map(|d| {
            let mut sents: Vec<Vec<TokInfo>> = d
                .sentences
                .iter()
                .map(|st| {
                    st.words
                        .iter()
                        .map(|w| token_info(w, clusters, &mut s))
                        .collect()
                })
                .collect();
            if let Some(g) = gaz {
                let words: Vec<Vec<String>> = d.sentences.iter().map(|s| s.words.clone()).collect();
                for (toks, bits) in sents.iter_mut().zip(g(&words)) {
                    for (t, b) in toks.iter_mut().zip(bits) {
                        t.gaz = b;
                    }
                }
            }
            Doc {
                sents,
                gold: gold_labels(d, scheme),
            }
        })
        .collect()
}

fn local_keys(docs: &[Doc]) -> Vec<Vec<Keys>> {
    docs.iter()
        .map(|d| {
            let casing = DocCasing::new(&d.sents);
            d.sents
                .iter()
                .map(|toks| {
                    let ctx = SentCtx::of(toks);
                    let mut k = Keys {
                        keys: Vec::with_capacity(toks.len() * 60),
                        offsets: vec![0],
                    };
                    for i in 0..toks.len() {
                        local_features(toks, i, ctx, &casing, &mut k.keys);
                        k.offsets.push(k.keys.len());
                    }
                    k
                })
                .collect()
        })
        .collect()
}

fn with_doc_keys(
    docs: &[Doc],
    local: &[Vec<Keys>],
    p1: &[Vec<Vec<u8>>],
    scheme: Scheme,
) -> Vec<Vec<Keys>> {
    let nl = scheme.n_labels();
    docs.iter()
        .zip(local)
        .zip(p1)
        .map(|((d, lk), labels)| {
            let dl = DocLabels::new(&d.sents, labels, nl);
            d.sents
                .iter()
                .zip(lk)
                .zip(labels)
                .map(|((toks, k), lab)| {
                    let ctx = SentCtx::of(toks);
                    let mut out = Keys {
                        keys: Vec::with_capacity(k.keys.len() + toks.len() * 12),
                        offsets: vec![0],
                    };
                    for i in 0..toks.len() {
                        out.keys
                            .extend_from_slice(&k.keys[k.offsets[i]..k.offsets[i + 1]]);
                        doc_features(toks, i, ctx, lab, &dl, |l| scheme.type_of(l), &mut out.keys);
                        out.offsets.push(out.keys.len());
                    }
                    out
                })
                .collect()
        })
        .collect()
}

fn dictionary(keys: &[Vec<Keys>], min_count: u32) -> IdMap<u32> {
    let mut counts: IdMap<u32> = IdMap::default();
    for d in keys {
        for s in d {
            for &k in &s.keys {
                *counts.entry(k).or_default() += 1;
            }
        }
    }
    let mut kept: Vec<u64> = counts
        .into_iter()
        .filter(|&(_, c)| c >= min_count)
        .map(|(k, _)| k)
        .collect();
    kept.sort_unstable();
    kept.into_iter()
        .enumerate()
        .map(|(i, k)| (k, i as u32))
        .collect()
}

fn encode(keys: &Keys, dict: &IdMap<u32>, gold: &[u8]) -> Encoded {
    let mut feats = Vec::with_capacity(keys.keys.len());
    let mut offsets = vec![0];
    for i in 0..keys.offsets.len() - 1 {
        for k in &keys.keys[keys.offsets[i]..keys.offsets[i + 1]] {
            if let Some(&f) = dict.get(k) {
                feats.push(f);
            }
        }
        offsets.push(feats.len());
    }
    Encoded {
        feats,
        offsets,
        gold: gold.to_vec(),
    }
}

/// Tags sentences (as keys) with quantised weights.
fn predict(w: &Weights, scheme: Scheme, sents: &[&Keys]) -> Vec<Vec<u8>> {
    let nl = scheme.n_labels();
    let cons = Constraints::new(scheme);
    let mut emit = Vec::new();
    let mut back = Vec::new();
    sents
        .iter()
        .map(|k| {
            let n = k.offsets.len() - 1;
            emit.clear();
            emit.resize(n * nl, 0);
            for i in 0..n {
                w.add_into(
                    &k.keys[k.offsets[i]..k.offsets[i + 1]],
                    &mut emit[i * nl..(i + 1) * nl],
                );
            }
            let mut out = Vec::new();
            cons.viterbi(&emit, n, &w.trans, &mut back, &mut out);
            out
        })
        .collect()
}

/// Entity-level F1 (percent) of predicted against gold label sequences.
pub fn f1(scheme: Scheme, gold: &[&[u8]], pred: &[Vec<u8>]) -> f64 {
    let (mut g, mut p, mut c) = (0usize, 0usize, 0usize);
    for (gs, ps) in gold.iter().zip(pred) {
        let gc = scheme.decode(gs);
        let pc = scheme.decode(ps);
        g += gc.len();
        p += pc.len();
        c += pc.iter().filter(|x| gc.contains(x)).count();
    }
    if p == 0 || g == 0 || c == 0 {
        return 0.0;
    }
    let (pr, rc) = (c as f64 / p as f64, c as f64 / g as f64);
    200.0 * pr * rc / (pr + rc)
}

/// Trains one pass: `epochs` perceptron epochs over `train`, returning the weights of the
/// epoch that scored best on `dev` (or of the last epoch without dev), that epoch and its F1.
#[allow(clippy::too_many_arguments)]
fn train_pass(
    name: &str,
    train: &[Encoded],
    dict: &IdMap<u32>,
    dev: Option<(&[&Keys], &[&[u8]])>,
    cfg: &TrainConfig,
    epochs: usize,
    seed: u64,
    log: &mut dyn FnMut(&str),
) -> (Weights, usize, f64) {
    let scheme = cfg.scheme;
    let nl = scheme.n_labels();
    let cons = Constraints::new(scheme);
    let mut tw = TrainWeights::new(dict.len(), nl);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut rng = Rng(seed);
    let mut emit = Vec::new();
    let mut back = Vec::new();
    let mut pred = Vec::new();
    let mut best: Option<(Weights, usize, f64)> = None;
    for epoch in 1..=epochs {
        let t0 = Instant::now();
        rng.shuffle(&mut order);
        let mut errors = 0usize;
        let mut tokens = 0usize;
        for &si in &order {
            let s = &train[si];
            let n = s.gold.len();
            tw.emit(&s.feats, &s.offsets, &mut emit);
            cons.viterbi(&emit, n, &tw.trans, &mut back, &mut pred);
            tokens += n;
            if pred != s.gold {
                errors += s.gold.iter().zip(&pred).filter(|(a, b)| a != b).count();
                tw.update(&s.feats, &s.offsets, &s.gold, &pred);
            }
            tw.tick();
        }
        let (emit_avg, trans_avg) = tw.averaged();
        let w = Weights::quantise(dict, &emit_avg, &trans_avg, nl, cfg.prune);
        let score = match dev {
            Some((keys, gold)) => {
                let p = predict(&w, scheme, keys);
                f1(scheme, gold, &p)
            }
            None => 0.0,
        };
        log(&format!(
            "{name} epoch {epoch:2}: train token errors {:.2}%, dev F1 {score:.2} ({:.1}s)",
            100.0 * errors as f64 / tokens.max(1) as f64,
            t0.elapsed().as_secs_f64()
        ));
        if dev.is_none() || best.as_ref().is_none_or_worse(score) {
            best = Some((w, epoch, score));
        }
    }
    best.unwrap_or_else(|| (Weights::quantise(dict, &[], &[], nl, 0), 0, 0.0))
}

trait BestExt {
    fn is_none_or_worse(&self, score: f64) -> bool;
}

impl BestExt for Option<&(Weights, usize, f64)> {
    fn is_none_or_worse(&self, score: f64) -> bool {
        !matches!(self, Some((_, _, s)) if *s >= score)
    }
}

/// Trains a tagger. `log` receives progress lines (the CLI prints them on stderr).
pub fn train(
    train_docs: &[ConllDocument],
    dev_docs: &[ConllDocument],
    gaz: Option<GazetteerBits<'_>>,
    cfg: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> Trained {
    let start = Instant::now();
    let scheme = cfg.scheme;
    let mut rng = Rng(cfg.seed ^ 0x5eed);
    let mut split: Vec<ConllDocument> = Vec::new();
    for d in train_docs {
        if (rng.next() % 1000) < u64::from(cfg.split_docs) {
            for s in &d.sentences {
                split.push(ConllDocument {
                    sentences: vec![s.clone()],
                });
            }
        } else {
            split.push(d.clone());
        }
    }
    let train_docs = &split[..];
    // Clusters from the training text only.
    let plain = prepare(train_docs, scheme, &ClusterTable::default(), None);
    // How each word is written in the training text; a training token sees the counts
    // without its own document, as a word in new text does.
    let mut casing: IdMap<[u32; 3]> = IdMap::default();
    let per_doc: Vec<IdMap<[u32; 3]>> = plain
        .iter()
        .map(|d| {
            let mut c = IdMap::default();
            count_casing(&d.sents, &mut c);
            for (k, v) in &c {
                let e: &mut [u32; 3] = casing.entry(*k).or_default();
                for j in 0..3 {
                    e[j] += v[j];
                }
            }
            c
        })
        .collect();
    let all: Vec<Vec<TokInfo>> = plain.into_iter().flat_map(|d| d.sents).collect();
    let mut clusters = ClusterTable {
        map: clusters::learn(&all, &cfg.clusters, log),
    };
    drop(all);
    for (k, v) in &casing {
        clusters.map.entry(*k).or_default()[N_CLUSTERS] = casing_code(v[0], v[1], v[2]);
    }
    log(&format!(
        "clusters learnt ({:.1}s)",
        start.elapsed().as_secs_f64()
    ));
    let mut train = prepare(train_docs, scheme, &clusters, gaz);
    for (d, own) in train.iter_mut().zip(&per_doc) {
        for t in d.sents.iter_mut().flatten() {
            let (Some(g), Some(o)) = (casing.get(&t.lower), own.get(&t.lower)) else {
                continue;
            };
            t.lexcase = casing_code(g[0] - o[0], g[1] - o[1], g[2] - o[2]);
        }
    }
    let dev = prepare(dev_docs, scheme, &clusters, gaz);
    let train_local = local_keys(&train);
    let dev_local = local_keys(&dev);
    let dict1 = dictionary(&train_local, cfg.min_count);
    log(&format!("pass 1: {} features", dict1.len()));
    let train_enc: Vec<Encoded> = train
        .iter()
        .zip(&train_local)
        .flat_map(|(d, ks)| d.gold.iter().zip(ks).map(|(g, k)| encode(k, &dict1, g)))
        .collect();
    let dev_keys: Vec<&Keys> = dev_local.iter().flatten().collect();
    let dev_gold: Vec<&[u8]> = dev
        .iter()
        .flat_map(|d| d.gold.iter().map(Vec::as_slice))
        .collect();
    let have_dev = !dev_keys.is_empty();
    let dev_arg = have_dev.then_some((dev_keys.as_slice(), dev_gold.as_slice()));
    let (w1, epoch1, f1_1) = train_pass(
        "pass 1", &train_enc, &dict1, dev_arg, cfg, cfg.epochs, cfg.seed, log,
    );
    log(&format!("pass 1: best epoch {epoch1}, dev F1 {f1_1:.2}"));
    if !cfg.second_pass {
        return Trained {
            tagger: Tagger::new(scheme, clusters, w1, None, String::new()),
            dev_f1_pass1: f1_1,
            dev_f1: f1_1,
        };
    }
    // Cross-validated first-pass labels for the training documents.
    let folds = cfg.folds.max(2);
    let mut train_p1: Vec<Vec<Vec<u8>>> = vec![Vec::new(); train.len()];
    for f in 0..folds {
        let fold_enc: Vec<Encoded> = train
            .iter()
            .zip(&train_local)
            .enumerate()
            .filter(|(di, _)| di % folds != f)
            .flat_map(|(_, (d, ks))| d.gold.iter().zip(ks).map(|(g, k)| encode(k, &dict1, g)))
            .collect();
        let (wf, _, _) = train_pass(
            &format!("fold {}/{folds}", f + 1),
            &fold_enc,
            &dict1,
            None,
            cfg,
            epoch1.max(1),
            cfg.seed + 1 + f as u64,
            &mut |_| {},
        );
        for (di, ks) in train_local.iter().enumerate() {
            if di % folds == f {
                let refs: Vec<&Keys> = ks.iter().collect();
                train_p1[di] = predict(&wf, scheme, &refs);
            }
        }
        log(&format!(
            "fold {}/{folds} labelled ({:.1}s)",
            f + 1,
            start.elapsed().as_secs_f64()
        ));
    }
    let dev_p1: Vec<Vec<Vec<u8>>> = dev_local
        .iter()
        .map(|ks| {
            let refs: Vec<&Keys> = ks.iter().collect();
            predict(&w1, scheme, &refs)
        })
        .collect();
    let train2 = with_doc_keys(&train, &train_local, &train_p1, scheme);
    drop(train_local);
    let dev2 = with_doc_keys(&dev, &dev_local, &dev_p1, scheme);
    let dict2 = dictionary(&train2, cfg.min_count);
    log(&format!("pass 2: {} features", dict2.len()));
    let train2_enc: Vec<Encoded> = train
        .iter()
        .zip(&train2)
        .flat_map(|(d, ks)| d.gold.iter().zip(ks).map(|(g, k)| encode(k, &dict2, g)))
        .collect();
    drop(train2);
    let dev2_keys: Vec<&Keys> = dev2.iter().flatten().collect();
    let dev_arg2 = have_dev.then_some((dev2_keys.as_slice(), dev_gold.as_slice()));
    let (w2, epoch2, f1_2) = train_pass(
        "pass 2",
        &train2_enc,
        &dict2,
        dev_arg2,
        cfg,
        cfg.epochs,
        cfg.seed + 100,
        log,
    );
    log(&format!(
        "pass 2: best epoch {epoch2}, dev F1 {f1_2:.2}; trained in {:.1}s",
        start.elapsed().as_secs_f64()
    ));
    Trained {
        tagger: Tagger::new(scheme, clusters, w1, Some(w2), String::new()),
        dev_f1_pass1: f1_1,
        dev_f1: f1_2,
    }
}
