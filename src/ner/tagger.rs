//! The trained tagger as shipped: cluster table, first-pass weights and second-pass
//! (document-consistency) weights, with the two-pass tagging of one document and the model
//! file format.
//!
//! Owns `models/ner-en.bin`'s layout; does not know about `Document` (see `statistical`).

use crate::ner::features::{
    doc_features, local_features, token_info, ClusterTable, DocCasing, DocLabels, IdMap, Scratch,
    SentCtx, TokInfo, N_LEX,
};
use crate::ner::model::{put_u32, put_varint, Constraints, Reader, Scheme, Weights};

/// File magic: `GZNER\0`, then the format version and a zero byte.
const MAGIC: &[u8; 8] = b"GZNER\x00\x02\x00";
/// Version 1 had no casing code in the lexicon; it still loads.
const OLDEST: u8 = 1;

/// A loaded model.
#[derive(Clone, Debug)]
pub struct Tagger {
    pub scheme: Scheme,
    pub clusters: ClusterTable,
    pub pass1: Weights,
    /// The document-consistency pass; `None` tags with the first pass only.
    pub pass2: Option<Weights>,
    /// How the model was trained (figures, data, settings), as written by `train`.
    pub notes: String,
    constraints: Constraints,
}

/// Reusable buffers for tagging.
#[derive(Default)]
pub struct TagScratch {
    keys: Vec<u64>,
    offsets: Vec<usize>,
    emit: Vec<i32>,
    back: Vec<u8>,
    local: Vec<Vec<u64>>,
    local_offsets: Vec<Vec<usize>>,
    pub text: Scratch,
}

impl Tagger {
    pub fn new(
        scheme: Scheme,
        clusters: ClusterTable,
        pass1: Weights,
        pass2: Option<Weights>,
        notes: String,
    ) -> Tagger {
        Tagger {
            scheme,
            clusters,
            pass1,
            pass2,
            notes,
            constraints: Constraints::new(scheme),
        }
    }

    /// Token infos for words (gazetteer bits 0).
    pub fn infos(&self, words: &[&str], s: &mut Scratch) -> Vec<TokInfo> {
        words
            .iter()
            .map(|w| token_info(w, &self.clusters, s))
            .collect()
    }

    /// Labels for every sentence of one document.
    pub fn tag_document(&self, sents: &[Vec<TokInfo>], s: &mut TagScratch) -> Vec<Vec<u8>> {
        let casing = DocCasing::new(sents);
        let nl = self.scheme.n_labels();
        let mut labels = Vec::with_capacity(sents.len());
        s.local.resize_with(sents.len(), Vec::new);
        s.local_offsets.resize_with(sents.len(), Vec::new);
        for (si, toks) in sents.iter().enumerate() {
            let ctx = SentCtx::of(toks);
            let keys = &mut s.local[si];
            let offs = &mut s.local_offsets[si];
            keys.clear();
            offs.clear();
            offs.push(0);
            for i in 0..toks.len() {
                local_features(toks, i, ctx, &casing, keys);
                offs.push(keys.len());
            }
            let mut out = Vec::new();
            self.decode(
                &self.pass1,
                keys,
                offs,
                nl,
                &mut s.emit,
                &mut s.back,
                &mut out,
            );
            labels.push(out);
        }
        let Some(pass2) = &self.pass2 else {
            return labels;
        };
        let doc = DocLabels::new(sents, &labels, nl);
        let scheme = self.scheme;
        let mut second = Vec::with_capacity(sents.len());
        for (si, toks) in sents.iter().enumerate() {
            let ctx = SentCtx::of(toks);
            s.keys.clear();
            s.offsets.clear();
            s.offsets.push(0);
            let local = &s.local[si];
            let offs = &s.local_offsets[si];
            for i in 0..toks.len() {
                s.keys.extend_from_slice(&local[offs[i]..offs[i + 1]]);
                doc_features(
                    toks,
                    i,
                    ctx,
                    &labels[si],
                    &doc,
                    |l| scheme.type_of(l),
                    &mut s.keys,
                );
                s.offsets.push(s.keys.len());
            }
            let mut out = Vec::new();
            self.decode(
                pass2,
                &s.keys,
                &s.offsets,
                nl,
                &mut s.emit,
                &mut s.back,
                &mut out,
            );
            second.push(out);
        }
        second
    }

    #[allow(clippy::too_many_arguments)]
    fn decode(
        &self,
        w: &Weights,
        keys: &[u64],
        offs: &[usize],
        nl: usize,
        emit: &mut Vec<i32>,
        back: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        let n = offs.len() - 1;
        emit.clear();
        emit.resize(n * nl, 0);
        for i in 0..n {
            w.add_into(&keys[offs[i]..offs[i + 1]], &mut emit[i * nl..(i + 1) * nl]);
        }
        self.constraints.viterbi(emit, n, &w.trans, back, out);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.push(self.scheme.code());
        out.push(u8::from(self.pass2.is_some()));
        let mut entries: Vec<(u64, [u16; N_LEX])> =
            self.clusters.map.iter().map(|(&k, &v)| (k, v)).collect();
        entries.sort_unstable_by_key(|e| e.0);
        put_u32(&mut out, entries.len() as u32);
        let mut prev = 0u64;
        for (k, _) in &entries {
            put_varint(&mut out, k - prev);
            prev = *k;
        }
        for (_, v) in &entries {
            for c in v {
                out.extend_from_slice(&c.to_le_bytes());
            }
        }
        self.pass1.write(&mut out);
        if let Some(p2) = &self.pass2 {
            p2.write(&mut out);
        }
        put_u32(&mut out, self.notes.len() as u32);
        out.extend_from_slice(self.notes.as_bytes());
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, String> {
        let mut r = Reader::new(bytes);
        let head = r.take(MAGIC.len())?;
        if head[..6] != MAGIC[..6] {
            return Err("not a gazette NER model (bad magic)".into());
        }
        let version = head[6];
        if !(OLDEST..=MAGIC[6]).contains(&version) {
            return Err(format!(
                "model format version {version}; this gazette reads {OLDEST} to {}",
                MAGIC[6]
            ));
        }
        let per_word = if version == 1 { N_LEX - 1 } else { N_LEX };
        let scheme = Scheme::from_code(r.take(1)?[0]).ok_or("unknown label scheme")?;
        let two = r.take(1)?[0] != 0;
        let n = r.u32()? as usize;
        let mut keys = Vec::with_capacity(n.min(1 << 22));
        let mut prev = 0u64;
        for _ in 0..n {
            prev = prev.wrapping_add(r.varint()?);
            keys.push(prev);
        }
        let mut map: IdMap<[u16; N_LEX]> = IdMap::default();
        map.reserve(keys.len());
        for k in keys {
            let mut v = [0u16; N_LEX];
            for c in v.iter_mut().take(per_word) {
                *c = r.u16()?;
            }
            map.insert(k, v);
        }
        let pass1 = Weights::read(&mut r)?;
        let pass2 = if two {
            Some(Weights::read(&mut r)?)
        } else {
            None
        };
        let nl = scheme.n_labels();
        if pass1.nl != nl || pass2.as_ref().is_some_and(|p| p.nl != nl) {
            return Err("label count does not match the scheme".into());
        }
        let len = r.u32()? as usize;
        let notes = String::from_utf8_lossy(r.take(len)?).into_owned();
        Ok(Tagger::new(
            scheme,
            ClusterTable { map },
            pass1,
            pass2,
            notes,
        ))
    }
}
