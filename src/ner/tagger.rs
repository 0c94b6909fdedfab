//! The trained tagger as shipped: cluster table, first-pass weights and second-pass
//! (document-consistency) weights, with the two-pass tagging of one document and the model
//! file format.
//!
//! Owns `models/ner-en.bin`'s layout; does not know about `Document` (see `statistical`).

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::ner::features::{
    hash_bytes, lexical_context_features, token_info, word_features, ClusterTable, ContextKey,
    DocCasing, DocKey, DocLabels, IdHasher, IdMap, Scratch, SentCtx, TokInfo, BOUNDARIES, N_LEX,
    ROLES, ROLE_M1, ROLE_M2, ROLE_P1, ROLE_P2,
};
use crate::ner::model::{
    prefetch, put_u32, put_varint, Constraints, Dense, Reader, Scheme, Table, Weights,
};
use crate::pages;

/// File magic: `GZNER\0`, then the format version and a zero byte.
const MAGIC: &[u8; 8] = b"GZNER\x00\x02\x00";
/// Version 1 had no casing code in the lexicon; it still loads.
const OLDEST: u8 = 1;

/// A loaded model.
#[derive(Debug)]
pub struct Tagger {
    pub scheme: Scheme,
    clusters: ClusterTable,
    pass1: Weights,
    /// The document-consistency pass; `None` tags with the first pass only.
    pass2: Option<Weights>,
    /// How the model was trained (figures, data, settings), as written by `train`.
    pub notes: String,
    constraints: Constraints,
    /// `pass1` and `pass2` side by side: the first-pass features score both passes.
    joint: Table,
    /// Each pass's transitions laid out for decoding ([`Constraints::dense`]).
    dense: [Option<Dense>; 2],
    /// Identifies this model to [`WordCache`]s; the weights are not changed after `new`.
    id: u64,
    /// Words' summed scores, shared by the threads tagging with this model.
    shared: SharedWords,
}

impl Clone for Tagger {
    /// The same model, with a cache of its own.
    fn clone(&self) -> Tagger {
        Tagger::new(
            self.scheme,
            self.clusters.clone(),
            self.pass1.clone(),
            self.pass2.clone(),
            self.notes.clone(),
        )
    }
}

/// Reusable buffers for tagging, and a per-word score cache (see [`WordCache`]). Reuse one
/// per thread across documents: the cache is what makes tagging fast.
#[derive(Default)]
pub struct TagScratch {
    keys: Vec<u64>,
    back: Vec<u8>,
    /// Per sentence: emission scores, a row of `passes × nl` per token (see `tag_document`).
    rows: Vec<Vec<i32>>,
    /// Per token of the current sentence: its cache slot, and its context key's.
    slots: Vec<u32>,
    /// The current sentence's context keys (first pass) or doc keys (second pass), their
    /// hashes, and their cache slots.
    context_keys: Vec<ContextKey>,
    doc_keys: Vec<DocKey>,
    hashes: Vec<u64>,
    key_slots: Vec<u32>,
    /// The current sentence's looked-up features.
    found: Found,
    cache: WordCache,
    text: Scratch,
}

/// A sentence's features looked up in one table together ([`Table::find_all`]): the rows
/// found, and where each token's start.
#[derive(Default)]
struct Found {
    keys: Vec<u64>,
    rows: Vec<u32>,
    starts: Vec<usize>,
}

impl Found {
    /// Collects the features `features(i, out)` gives for tokens `0..n` and looks them up.
    fn look_up(&mut self, table: &Table, n: usize, mut features: impl FnMut(usize, &mut Vec<u64>)) {
        self.keys.clear();
        self.starts.clear();
        for i in 0..n {
            self.starts.push(self.keys.len());
            features(i, &mut self.keys);
        }
        self.starts.push(self.keys.len());
        table.find_all(&self.keys, &mut self.rows);
    }

    /// The rows of token `i`'s features.
    fn of(&self, i: usize) -> &[u32] {
        self.rows
            .get(self.starts[i]..self.starts[i + 1])
            .unwrap_or_default()
    }
}

/// Summed weights of every [`word_features`] role of a word, per pass: most of a token's
/// first-pass features depend on one word of the window alone, so each distinct word is
/// looked up in the weight tables once instead of at every occurrence. The sums are
/// integers, so cached and uncached scores are identical.
///
/// One thread's: the words' sums are the model's [`SharedWords`] first, and here only once
/// that is full; the token infos, context and doc sums are here.
#[derive(Default)]
struct WordCache {
    /// The tagger the sums belong to ([`Tagger::id`]).
    owner: u64,
    /// The slots of words' sums: word `j` of `words` (a [`TokInfo::word`]) has slot `j`.
    slot: SlotIndex,
    words: Vec<u64>,
    infos: Infos,
    /// `ROLES × passes × nl` scores per slot (the sentence boundaries are the shared
    /// cache's).
    sums: Vec<i32>,
    /// Summed scores of each context key's features, `passes × nl` per slot.
    contexts: KeyedSums<ContextKey>,
    /// Summed second-pass scores of each [`DocKey`]'s features, `nl` per slot.
    docs: KeyedSums<DocKey>,
}

/// An open-addressing index from keys' 64-bit hashes to their slots, one word per key:
/// `tag << 32 | slot + 1` (0 where empty; the tag is the hash's high half). It is small
/// enough to stay in the CPU's cache, and a sentence's keys are looked up together, their
/// index words prefetched first, so the misses overlap instead of each lookup waiting for
/// the one before. The slots' keys and values are the owner's.
struct SlotIndex {
    /// A power of two long, at most half full.
    words: Vec<u64>,
}

impl Default for SlotIndex {
    fn default() -> Self {
        let mut index = SlotIndex { words: Vec::new() };
        index.reset(0);
        index
    }
}

impl SlotIndex {
    /// Empties the index, with room for `keys` keys.
    fn reset(&mut self, keys: usize) {
        self.words.clear();
        self.words.resize((keys * 2).next_power_of_two().max(16), 0);
    }

    fn prefetch(&self, h: u64) {
        prefetch(&self.words[h as usize & (self.words.len() - 1)]);
    }

    /// The slot of the key hashing to `h` that `is(slot)` confirms, or where to insert it.
    fn find(&self, h: u64, is: impl Fn(u32) -> bool) -> Result<u32, usize> {
        let mask = self.words.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let e = self.words[i];
            if e == 0 {
                return Err(i);
            }
            if e >> 32 == h >> 32 && is((e as u32).wrapping_sub(1)) {
                return Ok((e as u32).wrapping_sub(1));
            }
            i = (i + 1) & mask;
        }
    }

    /// Records slot `s` (the slots before it are `0..s`) for `h` at `at`, from
    /// [`SlotIndex::find`]; past half full the index doubles, rehashing slot `x` as
    /// `hash_of(x)` (a sentence may add keys past the bound [`WordCache::prepare`] keeps).
    fn insert(&mut self, at: usize, h: u64, s: u32, hash_of: impl Fn(u32) -> u64) {
        let word = (h >> 32) << 32 | (u64::from(s) + 1);
        if (s as usize + 1) * 2 <= self.words.len() {
            self.words[at] = word;
            return;
        }
        self.reset(self.words.len());
        for x in 0..=s {
            let hx = if x == s { h } else { hash_of(x) };
            let Err(at) = self.find(hx, |_| false) else {
                continue;
            };
            self.words[at] = (hx >> 32) << 32 | (u64::from(x) + 1);
        }
    }
}

/// Summed scores of the features of keys that many tokens share (`ContextKey`, `DocKey`),
/// a slot of `width` scores per distinct key.
struct KeyedSums<K> {
    index: SlotIndex,
    /// The key of each slot.
    keys: Vec<K>,
    sums: Vec<i32>,
}

impl<K> Default for KeyedSums<K> {
    fn default() -> Self {
        KeyedSums {
            index: SlotIndex::default(),
            keys: Vec::new(),
            sums: Vec::new(),
        }
    }
}

/// The hash a key gives [`IdHasher`] (the keys write one mixed word).
fn key_hash<K: std::hash::Hash>(k: &K) -> u64 {
    use std::hash::Hasher;
    let mut h = IdHasher::default();
    k.hash(&mut h);
    h.finish()
}

impl<K: std::hash::Hash + Eq + Copy> KeyedSums<K> {
    /// The slot of each key of `ks` into `out`, their scores summed on first sight:
    /// `features(k, keys)` lists a key's features, found in `table`.
    fn slots(
        &mut self,
        ks: &[K],
        hashes: &mut Vec<u64>,
        out: &mut Vec<u32>,
        table: &Table,
        keys: &mut Vec<u64>,
        mut features: impl FnMut(&K, &mut Vec<u64>),
    ) {
        hashes.clear();
        for k in ks {
            let h = key_hash(k);
            self.index.prefetch(h);
            hashes.push(h);
        }
        out.clear();
        for (k, &h) in ks.iter().zip(hashes.iter()) {
            let at = match self.index.find(h, |s| self.keys[s as usize] == *k) {
                Ok(s) => {
                    out.push(s);
                    continue;
                }
                Err(at) => at,
            };
            let s = self.keys.len();
            let width = table.width;
            self.sums.resize((s + 1) * width, 0);
            keys.clear();
            features(k, keys);
            table.add_into(keys, &mut self.sums[s * width..]);
            self.keys.push(*k);
            let all = &self.keys;
            self.index
                .insert(at, h, s as u32, |x| key_hash(&all[x as usize]));
            out.push(s as u32);
        }
    }

    /// The scores of a slot (`width` as given to [`KeyedSums::slots`]).
    fn row(&self, slot: u32, width: usize) -> &[i32] {
        let at = slot as usize * width;
        &self.sums[at..at + width]
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    /// Empties the table, keeping room for `keys` slots of `width` scores.
    fn clear(&mut self, keys: usize, width: usize) {
        self.index.reset(keys);
        self.keys.clear();
        self.keys.reserve_exact(keys);
        self.sums.clear();
        self.sums.reserve_exact(keys * width);
        pages::huge_pages(&self.sums);
    }
}

/// Token infos by the hash of the word as written.
#[derive(Default)]
struct Infos {
    index: SlotIndex,
    hashes: Vec<u64>,
    infos: Vec<TokInfo>,
}

impl Infos {
    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn clear(&mut self, words: usize) {
        self.index.reset(words);
        self.hashes.clear();
        self.infos.clear();
        self.infos.reserve_exact(words);
        pages::huge_pages(&self.infos);
    }
}

/// Bound on cached words (about 680 bytes each with two passes): past it the cache starts
/// again, which costs one lookup per word per role.
const CACHE_WORDS: usize = 1 << 15;

impl WordCache {
    fn stride(t: &Tagger) -> usize {
        ROLES * t.passes() * t.scheme.n_labels()
    }

    /// Makes the cache belong to `t`, emptying it if it was another tagger's or is full.
    fn prepare(&mut self, t: &Tagger) {
        if self.owner == t.id
            && self.words.len() < CACHE_WORDS
            && self.infos.len() < CACHE_WORDS
            && self.contexts.len() < CACHE_WORDS
            && self.docs.len() < CACHE_WORDS
        {
            return;
        }
        // Tagger ids start at 1, so a new cache is always prepared here once.
        self.owner = t.id;
        // Small: words come here only once the shared cache is full (the index grows).
        self.slot.reset(0);
        self.words.clear();
        self.infos.clear(CACHE_WORDS);
        // The sums grow to their bound on a corpus of any size; room for all of it up front
        // spares the copies of doubling and, above all, the fresh pages each larger copy
        // faults in (which the kernel must zero), while the room not yet used costs no
        // memory.
        self.sums.clear();
        self.sums.reserve_exact(CACHE_WORDS * Self::stride(t));
        pages::huge_pages(&self.sums);
        self.contexts.clear(CACHE_WORDS, t.joint.width);
        self.docs
            .clear(CACHE_WORDS, t.pass2.as_ref().map_or(0, |p| p.table().width));
    }

    fn push(&mut self, t: &Tagger, w: &TokInfo, keys: &mut Vec<u64>) -> u32 {
        let at = self.sums.len();
        self.sums.resize(at + Self::stride(t), 0);
        word_sums(t, w, keys, &mut self.sums[at..]);
        (at / Self::stride(t)) as u32
    }

    /// The slots of context keys `ks`' summed scores, every pass, into `out`; their rows
    /// are prefetched.
    fn context_slots(
        &mut self,
        t: &Tagger,
        ks: &[ContextKey],
        hashes: &mut Vec<u64>,
        out: &mut Vec<u32>,
        keys: &mut Vec<u64>,
    ) {
        let width = t.joint.width;
        self.contexts
            .slots(ks, hashes, out, &t.joint, keys, ContextKey::features);
        for &slot in out.iter() {
            for line in self.contexts.row(slot, width).chunks(16) {
                prefetch(&line[0]);
            }
        }
    }

    /// The summed scores of a context slot.
    fn context(&self, slot: u32, width: usize) -> &[i32] {
        self.contexts.row(slot, width)
    }

    /// The slots of [`DocKey`]s `ks`' summed second-pass scores, into `out`.
    fn doc_slots(
        &mut self,
        pass2: &Weights,
        ks: &[DocKey],
        hashes: &mut Vec<u64>,
        out: &mut Vec<u32>,
        keys: &mut Vec<u64>,
    ) {
        self.docs
            .slots(ks, hashes, out, pass2.table(), keys, DocKey::features);
    }

    /// The summed second-pass scores of a doc slot.
    fn doc(&self, slot: u32, width: usize) -> &[i32] {
        self.docs.row(slot, width)
    }

    fn slot_of(&mut self, t: &Tagger, w: &TokInfo, keys: &mut Vec<u64>) -> u32 {
        let at = match self.slot.find(w.word, |j| self.words[j as usize] == w.word) {
            Ok(j) => return j,
            Err(at) => at,
        };
        let s = self.push(t, w, keys);
        self.words.push(w.word);
        let all = &self.words;
        self.slot.insert(at, w.word, s, |x| all[x as usize]);
        s
    }

    /// The cached sums of slot `s` in `role`, every pass (`w` = passes × labels).
    #[inline]
    fn sums(&self, s: u32, role: usize, w: usize) -> &[i32] {
        let at = (s as usize * ROLES + role) * w;
        &self.sums[at..at + w]
    }

    /// Asks the CPU to start loading slot `s`'s sums: the table is larger than the caches,
    /// and each word's sums are first needed two tokens before the word.
    #[inline]
    fn prefetch(&self, s: u32, w: usize) {
        let at = s as usize * ROLES * w;
        if let Some(entry) = self.sums.get(at..at + ROLES * w) {
            for line in entry.chunks(16) {
                prefetch(&line[0]);
            }
        }
    }
}

/// The summed scores of every [`word_features`] role of `w`, every pass, added into `out`
/// (`ROLES × passes × labels` long).
fn word_sums(t: &Tagger, w: &TokInfo, keys: &mut Vec<u64>, out: &mut [i32]) {
    for (role, row) in out.chunks_exact_mut(t.joint.width).enumerate() {
        keys.clear();
        word_features(w, role, keys);
        t.joint.add_into(keys, row);
    }
}

/// Words' summed scores (as in [`WordCache`]) shared by every thread tagging with one
/// model: each distinct word's sums are computed once, and the CPU's caches hold one copy
/// of them instead of one per thread. It only grows, up to [`CACHE_WORDS`]; a word that
/// finds it full goes to its thread's own [`WordCache`].
///
/// A slot is claimed from `next`, and its sums and word are written by the thread that
/// claimed it alone before it is published in `index` (a release); readers find a slot
/// only through `index` (an acquire), so none ever reads a slot being written.
struct SharedWords {
    /// Scores per slot: `ROLES × passes × labels`.
    stride: usize,
    /// `tag << 32 | slot + 1`, 0 where empty (as in [`SlotIndex`]); at most half full.
    index: Box<[AtomicU64]>,
    /// The word ([`TokInfo::word`]) of each slot.
    words: Box<[AtomicU64]>,
    /// The next slot to claim; at or past the room when full.
    next: AtomicUsize,
    /// `words.len() × stride` scores, owned (freed in `drop`).
    sums: NonNull<i32>,
}

// SAFETY: the scores are written only through a slot claimed by one thread and read only
// once published (see the type's comment); everything else is atomic.
unsafe impl Send for SharedWords {}
unsafe impl Sync for SharedWords {}

impl std::fmt::Debug for SharedWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedWords")
            .field(
                "slots",
                &self.next.load(Ordering::Relaxed).min(self.words.len()),
            )
            .finish()
    }
}

impl Drop for SharedWords {
    fn drop(&mut self) {
        let len = self.words.len() * self.stride;
        // SAFETY: `sums` is the boxed slice `new` leaked, of `len` scores.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.sums.as_ptr(), len)) });
    }
}

impl SharedWords {
    /// Room for the sentence boundaries (slots 0 and 1, as in [`WordCache`]) and
    /// [`CACHE_WORDS`] words of `stride` scores.
    fn new(stride: usize) -> SharedWords {
        let slots = CACHE_WORDS + BOUNDARIES.len();
        // Zeroed memory is not touched until a slot is written.
        let sums = vec![0i32; slots * stride];
        pages::huge_pages(&sums);
        let sums = NonNull::from(Box::leak(sums.into_boxed_slice())).cast::<i32>();
        SharedWords {
            stride,
            index: (0..(2 * slots).next_power_of_two())
                .map(|_| AtomicU64::new(0))
                .collect(),
            words: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            next: AtomicUsize::new(0),
            sums,
        }
    }

    /// Claims the next slot and writes `w`'s sums into it; `None` when full.
    fn claim(&self, t: &Tagger, w: &TokInfo, keys: &mut Vec<u64>) -> Option<u32> {
        // Once full, misses stop writing the counter (its cache line would go back and forth
        // between the cores at every miss).
        if self.next.load(Ordering::Relaxed) >= self.words.len() {
            return None;
        }
        let s = self.next.fetch_add(1, Ordering::Relaxed);
        if s >= self.words.len() {
            return None;
        }
        // SAFETY: slot `s` is inside the allocation, was claimed by this thread alone, and
        // is not published yet, so no other thread reads or writes it.
        let out = unsafe {
            std::slice::from_raw_parts_mut(self.sums.as_ptr().add(s * self.stride), self.stride)
        };
        word_sums(t, w, keys, out);
        self.words[s].store(w.word, Ordering::Relaxed);
        Some(s as u32)
    }

    fn prefetch_word(&self, word: u64) {
        prefetch(&self.index[word as usize & (self.index.len() - 1)]);
    }

    /// The slot of `w`, its sums computed on first sight; `None` when full.
    fn slot_of(&self, t: &Tagger, w: &TokInfo, keys: &mut Vec<u64>) -> Option<u32> {
        let mask = self.index.len() - 1;
        let tag = w.word >> 32;
        let mut i = w.word as usize & mask;
        let mut mine = None;
        loop {
            let mut e = self.index[i].load(Ordering::Acquire);
            if e == 0 {
                let s = match mine {
                    Some(s) => s,
                    None => {
                        let s = self.claim(t, w, keys)?;
                        mine = Some(s);
                        s
                    }
                };
                let word = tag << 32 | (u64::from(s) + 1);
                match self.index[i].compare_exchange(0, word, Ordering::Release, Ordering::Acquire)
                {
                    Ok(_) => return Some(s),
                    // Another thread published here first: maybe this very word.
                    Err(other) => e = other,
                }
            }
            let slot = (e as u32).wrapping_sub(1);
            if e >> 32 == tag && self.words[slot as usize].load(Ordering::Relaxed) == w.word {
                // A slot this thread claimed for the word stays unused.
                return Some(slot);
            }
            i = (i + 1) & mask;
        }
    }

    /// The sums of slot `s` in `role` (`w` = passes × labels).
    #[inline]
    fn sums(&self, s: u32, role: usize, w: usize) -> &[i32] {
        let at = (s as usize * ROLES + role) * w;
        debug_assert!(at + w <= self.words.len() * self.stride);
        // SAFETY: `s` came from `slot_of` or is a boundary, so it is written and published:
        // no thread writes it any more.
        unsafe { std::slice::from_raw_parts(self.sums.as_ptr().add(at), w) }
    }

    #[inline]
    fn prefetch(&self, s: u32) {
        let at = s as usize * self.stride;
        for k in (0..self.stride).step_by(16) {
            // SAFETY: inside slot `s` of the allocation; a prefetch reads nothing.
            prefetch(unsafe { &*self.sums.as_ptr().add(at + k) });
        }
    }
}

/// Marks a word slot of the thread's own [`WordCache`] (the shared one was full).
const LOCAL: u32 = 1 << 31;

/// Distinct ids for taggers, so a [`WordCache`] never serves another model's sums.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Tagger {
    pub fn new(
        scheme: Scheme,
        clusters: ClusterTable,
        pass1: Weights,
        pass2: Option<Weights>,
        notes: String,
    ) -> Tagger {
        let constraints = Constraints::new(scheme);
        let passes = 1 + usize::from(pass2.is_some());
        let t = Tagger {
            shared: SharedWords::new(ROLES * passes * scheme.n_labels()),
            scheme,
            clusters,
            joint: Weights::joint(&pass1, pass2.as_ref()),
            dense: [
                constraints.dense(&pass1.trans),
                pass2.as_ref().and_then(|p| constraints.dense(&p.trans)),
            ],
            pass1,
            pass2,
            notes,
            constraints,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        };
        let mut keys = Vec::new();
        for b in &BOUNDARIES {
            // Slots 0 and 1 of a fresh cache.
            let _ = t.shared.claim(&t, b, &mut keys);
        }
        t
    }

    pub fn pass1(&self) -> &Weights {
        &self.pass1
    }

    pub fn pass2(&self) -> Option<&Weights> {
        self.pass2.as_ref()
    }

    fn passes(&self) -> usize {
        1 + usize::from(self.pass2.is_some())
    }

    /// Token infos for words (gazetteer bits 0), cached per distinct word like the scores.
    pub fn infos(&self, words: &[&str], s: &mut TagScratch) -> Vec<TokInfo> {
        s.cache.prepare(self);
        let cache = &mut s.cache.infos;
        // All of the sentence's words hashed and their index words prefetched first (see
        // `SlotIndex`).
        s.hashes.clear();
        for w in words {
            let h = hash_bytes(w.as_bytes());
            cache.index.prefetch(h);
            s.hashes.push(h);
        }
        words
            .iter()
            .zip(&s.hashes)
            .map(|(w, &h)| {
                let at = match cache.index.find(h, |x| cache.hashes[x as usize] == h) {
                    Ok(x) => return cache.infos[x as usize],
                    Err(at) => at,
                };
                let info = token_info(w, &self.clusters, &mut s.text);
                let x = cache.hashes.len() as u32;
                cache.hashes.push(h);
                cache.infos.push(info);
                let all = &cache.hashes;
                cache.index.insert(at, h, x, |y| all[y as usize]);
                info
            })
            .collect()
    }

    /// Labels for every sentence of one document.
    pub fn tag_document(&self, sents: &[Vec<TokInfo>], s: &mut TagScratch) -> Vec<Vec<u8>> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { self.tag_document_avx2(sents, s) };
        }
        self.tag_document_portable(sents, s)
    }

    /// [`Tagger::tag_document`] compiled for AVX2: the score rows are 17 or 34 integers, and
    /// adding them 8 at a time instead of 4 is most of the tagger's time.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn tag_document_avx2(&self, sents: &[Vec<TokInfo>], s: &mut TagScratch) -> Vec<Vec<u8>> {
        self.tag_document_portable(sents, s)
    }

    #[inline(always)]
    fn tag_document_portable(&self, sents: &[Vec<TokInfo>], s: &mut TagScratch) -> Vec<Vec<u8>> {
        let casing = DocCasing::new(sents);
        let nl = self.scheme.n_labels();
        let passes = self.passes();
        s.rows.resize_with(sents.len(), Vec::new);
        let mut labels = Vec::with_capacity(sents.len());
        for (si, toks) in sents.iter().enumerate() {
            // Per sentence, not per document: a long article must not grow the cache past
            // its bound (slots are only held within a sentence).
            s.cache.prepare(self);
            let ctx = SentCtx::of(toks);
            let n = toks.len();
            s.slots.clear();
            for w in toks {
                self.shared.prefetch_word(w.word);
            }
            for w in toks {
                let slot = match self.shared.slot_of(self, w, &mut s.keys) {
                    Some(slot) => slot,
                    None => s.cache.slot_of(self, w, &mut s.keys) | LOCAL,
                };
                s.slots.push(slot);
            }
            // The sentence's context keys looked up before any is used: the lookups miss
            // the cache, and done together they overlap.
            s.context_keys.clear();
            s.context_keys
                .extend((0..n).map(|i| ContextKey::of(toks, i, ctx, &casing)));
            s.cache.context_slots(
                self,
                &s.context_keys,
                &mut s.hashes,
                &mut s.key_slots,
                &mut s.keys,
            );
            s.found.look_up(&self.joint, n, |i, out| {
                lexical_context_features(toks, i, ctx, out)
            });
            // One row per token: pass-1 scores, then pass-2 scores of the local features.
            let w = passes * nl;
            // Every value is written below (the first role's sums are copied, not added):
            // only growth needs zeroing.
            let rows = &mut s.rows[si];
            rows.truncate(n * w);
            rows.resize(n * w, 0);
            for (i, row) in rows.chunks_exact_mut(w).enumerate() {
                match s.slots.get(i + 4) {
                    Some(&ahead) if ahead & LOCAL != 0 => s.cache.prefetch(ahead & !LOCAL, w),
                    Some(&ahead) => self.shared.prefetch(ahead),
                    None => {}
                }
                let sums = |role: usize| {
                    // A boundary's slot is the shared cache's.
                    let slot = match role_index(i, n, role) {
                        Ok(j) => s.slots[j],
                        Err(boundary) => boundary,
                    };
                    match slot & LOCAL {
                        0 => self.shared.sums(slot, role, w),
                        _ => s.cache.sums(slot & !LOCAL, role, w),
                    }
                };
                for (o, &x) in row.iter_mut().zip(sums(0)) {
                    *o = x;
                }
                for role in 1..ROLES {
                    for (o, &x) in row.iter_mut().zip(sums(role)) {
                        *o += x;
                    }
                }
                for (o, &x) in row
                    .iter_mut()
                    .zip(s.cache.context(s.key_slots[i], self.joint.width))
                {
                    *o += x;
                }
                for &r in s.found.of(i) {
                    self.joint.add_row(r, row);
                }
            }
            let mut out = Vec::new();
            self.constraints.viterbi_with(
                rows,
                w,
                n,
                &self.pass1.trans,
                self.dense[0].as_ref(),
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
            let n = toks.len();
            s.doc_keys.clear();
            s.doc_keys.extend(
                (0..n).map(|i| DocKey::of(toks, i, ctx, &labels[si], &doc, |l| scheme.type_of(l))),
            );
            s.cache.doc_slots(
                pass2,
                &s.doc_keys,
                &mut s.hashes,
                &mut s.key_slots,
                &mut s.keys,
            );
            let rows = &mut s.rows[si];
            let width = pass2.table().width;
            for (row, &slot) in rows.chunks_exact_mut(2 * nl).zip(&s.key_slots) {
                for (o, &x) in row[nl..].iter_mut().zip(s.cache.doc(slot, width)) {
                    *o += x;
                }
            }
            let mut out = Vec::new();
            let pass2_rows = rows.get(nl..).unwrap_or_default();
            self.constraints.viterbi_with(
                pass2_rows,
                2 * nl,
                n,
                &pass2.trans,
                self.dense[1].as_ref(),
                &mut s.back,
                &mut out,
            );
            second.push(out);
        }
        second
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

/// The token a role of token `i` refers to in a sentence of `n`: `Ok(index)`, or `Err(slot)`
/// of the boundary word past either end (cache slot 0 before the start, 1 after the end).
#[inline]
fn role_index(i: usize, n: usize, role: usize) -> Result<usize, u32> {
    let j = match role {
        ROLE_M1 => i.checked_sub(1),
        ROLE_M2 => i.checked_sub(2),
        ROLE_P1 => Some(i + 1),
        ROLE_P2 => Some(i + 2),
        _ => Some(i),
    };
    match j {
        Some(j) if j < n => Ok(j),
        Some(_) => Err(1),
        None => Err(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::features::{doc_features, local_features};
    use crate::ner::statistical::EMBEDDED;

    /// Keys past the room the index was reset for (it doubles), hashes that share their
    /// low bits (long probe runs) and hashes that share their tag: every key keeps the slot
    /// it was given, and a key not inserted is not found.
    #[test]
    fn the_slot_index_finds_every_key_through_growth_and_collisions() {
        let mut index = SlotIndex::default();
        index.reset(4);
        let mut hashes: Vec<u64> = Vec::new();
        let keys = (0..3000u64)
            .map(|i| match i % 3 {
                0 => i << 40,                 // low bits all zero: one long probe run
                1 => (7 << 32) | (i * 2 + 1), // the same tag
                _ => crate::ner::features::mix(i),
            })
            .collect::<Vec<_>>();
        for &h in &keys {
            index.prefetch(h);
            let at = index.find(h, |x| hashes[x as usize] == h).unwrap_err();
            let s = hashes.len() as u32;
            hashes.push(h);
            let all = &hashes;
            index.insert(at, h, s, |y| all[y as usize]);
        }
        for (s, &h) in keys.iter().enumerate() {
            assert_eq!(index.find(h, |x| hashes[x as usize] == h), Ok(s as u32));
        }
        assert!(index.find(12345, |x| hashes[x as usize] == 12345).is_err());
        assert!(index.words.len() >= 2 * keys.len());
    }

    /// Tagging as defined: every feature of every token looked up, no cache.
    fn uncached(t: &Tagger, sents: &[Vec<TokInfo>]) -> Vec<Vec<u8>> {
        let casing = DocCasing::new(sents);
        let nl = t.scheme.n_labels();
        let emit_of = |w: &Weights, keys: &[Vec<u64>]| -> Vec<i32> {
            let mut e = vec![0; keys.len() * nl];
            for (i, k) in keys.iter().enumerate() {
                w.add_into(k, &mut e[i * nl..(i + 1) * nl]);
            }
            e
        };
        let mut local = Vec::new();
        let mut first = Vec::new();
        for toks in sents {
            let ctx = SentCtx::of(toks);
            let keys: Vec<Vec<u64>> = (0..toks.len())
                .map(|i| {
                    let mut k = Vec::new();
                    local_features(toks, i, ctx, &casing, &mut k);
                    k
                })
                .collect();
            let (mut back, mut out) = (Vec::new(), Vec::new());
            let e = emit_of(&t.pass1, &keys);
            t.constraints
                .viterbi(&e, toks.len(), &t.pass1.trans, &mut back, &mut out);
            first.push(out);
            local.push(keys);
        }
        let Some(p2) = &t.pass2 else { return first };
        let doc = DocLabels::new(sents, &first, nl);
        sents
            .iter()
            .enumerate()
            .map(|(si, toks)| {
                let ctx = SentCtx::of(toks);
                let mut keys = local[si].clone();
                for (i, k) in keys.iter_mut().enumerate() {
                    doc_features(toks, i, ctx, &first[si], &doc, |l| t.scheme.type_of(l), k);
                }
                let (mut back, mut out) = (Vec::new(), Vec::new());
                let e = emit_of(p2, &keys);
                t.constraints
                    .viterbi(&e, toks.len(), &p2.trans, &mut back, &mut out);
                out
            })
            .collect()
    }

    #[test]
    fn word_cache_gives_the_uncached_labels() {
        let t = Tagger::from_bytes(EMBEDDED).unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/articles");
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.sort();
        // One scratch for every document, twice over: the second round is all cache hits,
        // and documents share words with different gazetteer bits and positions.
        let mut s = TagScratch::default();
        let mut tagged = 0;
        for round in 0..2 {
            for (d, text) in texts.iter().enumerate() {
                let mut sents: Vec<Vec<TokInfo>> = text
                    .split(['.', '\n'])
                    .map(|l| l.split_whitespace().collect::<Vec<_>>())
                    .filter(|w| !w.is_empty())
                    .map(|w| t.infos(&w, &mut s))
                    .collect();
                for (k, tok) in sents.iter_mut().flatten().enumerate() {
                    tok.gaz = if (k + d + round) % 7 == 0 { 1 << 4 } else { 0 };
                }
                let got = t.tag_document(&sents, &mut s);
                assert_eq!(got, uncached(&t, &sents), "document {d}, round {round}");
                tagged += got.iter().filter(|l| l.iter().any(|&x| x != 0)).count();
            }
        }
        assert!(tagged > 10, "the fixtures have names: {tagged}");
    }

    /// Two threads tagging with one model share its word cache, and past its room words go
    /// to each thread's own cache: every document still gets the uncached labels.
    #[test]
    fn shared_and_thread_caches_give_the_uncached_labels() {
        let t = Tagger::from_bytes(EMBEDDED).unwrap();
        // Letters only (digits all normalise to 0): more distinct words than the shared
        // cache holds, among words of news text.
        let word = |mut k: usize| {
            let mut w = String::from("Q");
            while k > 0 {
                w.push((b'a' + (k % 26) as u8) as char);
                k /= 26;
            }
            w
        };
        let real = [
            "the", "minister", "said", "in", "Tokyo", "on", "Monday", ".",
        ];
        let docs: Vec<Vec<Vec<String>>> = (0..CACHE_WORDS / 300 + 8)
            .map(|d| {
                (0..30)
                    .map(|si| {
                        (0..24)
                            .map(|i| match i % 3 {
                                0 => real[(d + si + i) % real.len()].to_string(),
                                _ => word(((d * 30 + si) * 24 + i) * 7 % (CACHE_WORDS + 4001) + 1),
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let tag_half = |half: usize| {
            let mut s = TagScratch::default();
            for doc in docs.iter().skip(half).step_by(2) {
                let sents: Vec<Vec<TokInfo>> = doc
                    .iter()
                    .map(|w| t.infos(&w.iter().map(String::as_str).collect::<Vec<_>>(), &mut s))
                    .collect();
                assert_eq!(t.tag_document(&sents, &mut s), uncached(&t, &sents));
            }
            s.cache.words.len()
        };
        let own = std::thread::scope(|scope| {
            let a = scope.spawn(|| tag_half(0));
            tag_half(1) + a.join().unwrap()
        });
        assert!(own > 0, "words went to the threads' own caches");
        let next = t.shared.next.load(Ordering::Relaxed);
        assert!(next >= t.shared.words.len(), "it filled up: {next}");
    }
}
