//! Word clusters learnt at training time from the training text: each word is a vector of
//! its left and right neighbours (±2 tokens, PPMI-weighted), and spherical k-means groups
//! words at several granularities. Only the word → cluster table ships in the model.
//!
//! Deterministic: words are ordered by frequency then hash, and k-means starts from the
//! most frequent words.

use crate::ner::features::{IdMap, TokInfo, N_CLUSTERS, N_LEX};

/// Settings for [`learn`].
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Clusters at each granularity.
    pub k: [usize; N_CLUSTERS],
    /// Frequent words used as context features (rarer neighbours count by their shape).
    pub contexts: usize,
    /// Words seen fewer times do not move centroids (they are still assigned).
    pub min_count: u32,
    pub iterations: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            k: [50, 200, 800],
            contexts: 1000,
            min_count: 3,
            iterations: 12,
        }
    }
}

/// Learns the cluster table (lower-cased word hash → cluster id + 1 per granularity)
/// from sentences of tokens (clusters in the input are ignored).
pub fn learn(
    sentences: &[Vec<TokInfo>],
    cfg: &ClusterConfig,
    log: &mut dyn FnMut(&str),
) -> IdMap<[u16; N_LEX]> {
    // Word frequencies, in a deterministic order.
    let mut freq: IdMap<u32> = IdMap::default();
    for s in sentences {
        for t in s {
            *freq.entry(t.lower).or_default() += 1;
        }
    }
    let mut vocab: Vec<(u64, u32)> = freq.iter().map(|(&k, &v)| (k, v)).collect();
    vocab.sort_unstable_by_key(|&(k, v)| (std::cmp::Reverse(v), k));
    let index: IdMap<u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, &(k, _))| (k, i as u32))
        .collect();
    // Context ids: frequent words, then shapes (assigned in corpus order), then BOS/EOS.
    let n_ctx_words = cfg.contexts.min(vocab.len());
    let mut shape_ids: IdMap<u32> = IdMap::default();
    let mut shape_order: Vec<u64> = Vec::new();
    for s in sentences {
        for t in s {
            if index[&t.lower] as usize >= n_ctx_words && !shape_ids.contains_key(&t.shape) {
                shape_ids.insert(t.shape, shape_order.len() as u32);
                shape_order.push(t.shape);
            }
        }
    }
    let per_pos = n_ctx_words + shape_order.len() + 2;
    let ctx_of = |s: &[TokInfo], j: isize| -> usize {
        if j < 0 {
            per_pos - 2
        } else if j as usize >= s.len() {
            per_pos - 1
        } else {
            let t = &s[j as usize];
            let wi = index[&t.lower] as usize;
            if wi < n_ctx_words {
                wi
            } else {
                n_ctx_words + shape_ids[&t.shape] as usize
            }
        }
    };
    const OFFSETS: [isize; 4] = [-2, -1, 1, 2];
    let dim = per_pos * OFFSETS.len();
    // Co-occurrence counts per word.
    let mut rows: Vec<IdMap<u32>> = vec![IdMap::default(); vocab.len()];
    let mut ctx_total = vec![0f64; dim];
    for s in sentences {
        for (i, t) in s.iter().enumerate() {
            let w = index[&t.lower] as usize;
            for (p, &o) in OFFSETS.iter().enumerate() {
                let f = p * per_pos + ctx_of(s, i as isize + o);
                *rows[w].entry(f as u64).or_default() += 1;
                ctx_total[f] += 1.0;
            }
        }
    }
    // PPMI with context smoothing (counts^0.75), then unit length.
    let smooth: Vec<f64> = ctx_total.iter().map(|&c| c.powf(0.75)).collect();
    let smooth_sum: f64 = smooth.iter().sum();
    let total: f64 = ctx_total.iter().sum();
    let vectors: Vec<Vec<(u32, f32)>> = rows
        .iter()
        .enumerate()
        .map(|(w, r)| {
            let wc = f64::from(vocab[w].1) * OFFSETS.len() as f64;
            let mut v: Vec<(u32, f32)> = r
                .iter()
                .filter_map(|(&f, &c)| {
                    let p_wf = f64::from(c) / total;
                    let p_w = wc / total;
                    let p_f = smooth[f as usize] / smooth_sum;
                    let pmi = (p_wf / (p_w * p_f)).ln();
                    (pmi > 0.0).then_some((f as u32, pmi as f32))
                })
                .collect();
            v.sort_unstable_by_key(|e| e.0);
            let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
            if norm > 0.0 {
                for e in &mut v {
                    e.1 /= norm;
                }
            }
            v
        })
        .collect();
    let movers = vocab
        .iter()
        .take_while(|&&(_, c)| c >= cfg.min_count)
        .count();
    log(&format!(
        "clusters: {} words ({} with count >= {}), {} context features",
        vocab.len(),
        movers,
        cfg.min_count,
        dim
    ));
    let mut table: IdMap<[u16; N_LEX]> = IdMap::default();
    for (g, &k) in cfg.k.iter().enumerate() {
        let assign = kmeans(&vectors, movers, dim, k, cfg.iterations);
        for (w, &c) in assign.iter().enumerate() {
            table.entry(vocab[w].0).or_default()[g] = c + 1;
        }
        log(&format!("clusters: k = {k} done"));
    }
    table
}

/// Spherical k-means: the first `movers` vectors (most frequent first) place the
/// centroids; every vector is assigned. Returns the cluster of each vector.
fn kmeans(
    vectors: &[Vec<(u32, f32)>],
    movers: usize,
    dim: usize,
    k: usize,
    iterations: usize,
) -> Vec<u16> {
    let k = k.min(movers.max(1)).min(u16::MAX as usize - 1);
    // Centroids stored transposed (feature-major) so a sparse dot product walks rows.
    let mut ct = vec![0f32; dim * k];
    for (c, v) in vectors.iter().take(k).enumerate() {
        for &(f, x) in v {
            ct[f as usize * k + c] = x;
        }
    }
    let mut assign = vec![0u16; vectors.len()];
    let mut scores = vec![0f32; k];
    for it in 0..=iterations {
        let last = it == iterations;
        let upto = if last { vectors.len() } else { movers };
        for (w, v) in vectors.iter().enumerate().take(upto) {
            scores.iter_mut().for_each(|s| *s = 0.0);
            for &(f, x) in v {
                let row = &ct[f as usize * k..(f as usize + 1) * k];
                for (s, &c) in scores.iter_mut().zip(row) {
                    *s += x * c;
                }
            }
            let mut best = 0usize;
            for c in 1..k {
                if scores[c] > scores[best] {
                    best = c;
                }
            }
            assign[w] = best as u16;
        }
        if last {
            break;
        }
        // New centroids: normalised sums of their members; an empty cluster keeps its own.
        let mut sums = vec![0f32; dim * k];
        let mut sizes = vec![0usize; k];
        for (w, v) in vectors.iter().enumerate().take(movers) {
            let c = assign[w] as usize;
            sizes[c] += 1;
            for &(f, x) in v {
                sums[f as usize * k + c] += x;
            }
        }
        let mut norms = vec![0f32; k];
        for f in 0..dim {
            for c in 0..k {
                norms[c] += sums[f * k + c] * sums[f * k + c];
            }
        }
        for f in 0..dim {
            for c in 0..k {
                if sizes[c] > 0 && norms[c] > 0.0 {
                    ct[f * k + c] = sums[f * k + c] / norms[c].sqrt();
                }
            }
        }
    }
    assign
}
