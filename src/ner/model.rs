//! The sequence model: label scheme (BILOU or IOB2 over PER/LOC/ORG/MISC), first-order
//! Viterbi decoding with hard transition constraints, averaged-perceptron training weights,
//! and the compact quantised weight table that ships in `models/ner-en.bin`.
//!
//! Owns scoring and decoding; does not know what a feature means (see `features`).

use crate::ner::features::{IdMap, N_TYPES};

/// How entity spans are written as per-token labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Begin, Inside, Last, Unit, Outside: 17 labels.
    Bilou,
    /// Begin, Inside, Outside: 9 labels.
    Iob2,
}

impl Scheme {
    pub fn code(self) -> u8 {
        match self {
            Scheme::Bilou => 1,
            Scheme::Iob2 => 2,
        }
    }

    pub fn from_code(c: u8) -> Option<Scheme> {
        match c {
            1 => Some(Scheme::Bilou),
            2 => Some(Scheme::Iob2),
            _ => None,
        }
    }

    fn per_type(self) -> usize {
        match self {
            Scheme::Bilou => 4,
            Scheme::Iob2 => 2,
        }
    }

    pub fn n_labels(self) -> usize {
        1 + N_TYPES * self.per_type()
    }

    /// 0 for O, 1 + type index otherwise.
    pub fn type_of(self, l: u8) -> u8 {
        if l == 0 {
            0
        } else {
            1 + (l - 1) / self.per_type() as u8
        }
    }

    /// 0 B, 1 I, 2 L, 3 U (IOB2 has only B and I).
    fn part(self, l: u8) -> u8 {
        (l - 1) % self.per_type() as u8
    }

    fn label(self, ty: usize, part: u8) -> u8 {
        (1 + ty * self.per_type()) as u8 + part
    }

    /// Whether `cur` may follow `prev` (`None` at the sentence start).
    pub fn allowed(self, prev: Option<u8>, cur: u8) -> bool {
        let open = |p: Option<u8>| -> Option<u8> {
            match p {
                Some(p) if p != 0 => {
                    let part = self.part(p);
                    let opens = match self {
                        Scheme::Bilou => part <= 1,
                        Scheme::Iob2 => false,
                    };
                    opens.then(|| self.type_of(p))
                }
                _ => None,
            }
        };
        match self {
            Scheme::Bilou => {
                let continues = cur != 0 && matches!(self.part(cur), 1 | 2);
                match open(prev) {
                    Some(ty) => continues && self.type_of(cur) == ty,
                    None => !continues,
                }
            }
            Scheme::Iob2 => {
                if cur != 0 && self.part(cur) == 1 {
                    prev.is_some_and(|p| p != 0 && self.type_of(p) == self.type_of(cur))
                } else {
                    true
                }
            }
        }
    }

    /// Whether a sentence may end on `l`.
    pub fn final_ok(self, l: u8) -> bool {
        match self {
            Scheme::Bilou => l == 0 || self.part(l) >= 2,
            Scheme::Iob2 => true,
        }
    }

    /// Labels for entities `(start, end, type)` over `len` tokens.
    pub fn encode(self, chunks: &[(usize, usize, usize)], len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        for &(s, e, ty) in chunks {
            if s >= e || e > len {
                continue;
            }
            for (k, o) in out.iter_mut().enumerate().take(e).skip(s) {
                let part = match self {
                    Scheme::Bilou if e - s == 1 => 3,
                    Scheme::Bilou if k == s => 0,
                    Scheme::Bilou if k + 1 == e => 2,
                    Scheme::Bilou => 1,
                    Scheme::Iob2 => u8::from(k != s),
                };
                *o = self.label(ty, part);
            }
        }
        out
    }

    /// Entities `(start, end, type)` in a label sequence (tolerates invalid sequences).
    pub fn decode(self, labels: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        for (i, &l) in labels.iter().enumerate() {
            if l == 0 {
                if let Some((s, ty)) = open.take() {
                    out.push((s, i, ty));
                }
                continue;
            }
            let ty = self.type_of(l) as usize - 1;
            let part = self.part(l);
            let starts = match self {
                Scheme::Bilou => part == 0 || part == 3,
                Scheme::Iob2 => part == 0,
            };
            if starts || open.is_none_or_ty(ty) {
                if let Some((s, t)) = open.take() {
                    out.push((s, i, t));
                }
                open = Some((i, ty));
            }
            if self == Scheme::Bilou && part >= 2 {
                if let Some((s, t)) = open.take() {
                    out.push((s, i + 1, t));
                }
            }
        }
        if let Some((s, t)) = open {
            out.push((s, labels.len(), t));
        }
        out
    }
}

trait OpenExt {
    fn is_none_or_ty(&self, ty: usize) -> bool;
}

impl OpenExt for Option<(usize, usize)> {
    fn is_none_or_ty(&self, ty: usize) -> bool {
        !matches!(self, Some((_, t)) if *t == ty)
    }
}

/// A scheme's hard constraints: which label may follow which, and which may end a sentence.
#[derive(Clone, Debug)]
pub struct Constraints {
    pub nl: usize,
    /// Labels allowed at the sentence start.
    start: Vec<bool>,
    /// For each label `l`, the labels allowed before it are `from[offs[l]..offs[l + 1]]`
    /// (BILOU allows few: decoding walks only these).
    from: Vec<u8>,
    offs: Vec<usize>,
    final_ok: Vec<bool>,
}

impl Constraints {
    pub fn new(scheme: Scheme) -> Constraints {
        let nl = scheme.n_labels();
        Constraints {
            nl,
            start: (0..nl as u8).map(|l| scheme.allowed(None, l)).collect(),
            from: (0..nl as u8)
                .flat_map(|cur| (0..nl as u8).filter(move |&p| scheme.allowed(Some(p), cur)))
                .collect(),
            offs: std::iter::once(0)
                .chain((0..nl as u8).scan(0, |n, cur| {
                    *n += (0..nl as u8)
                        .filter(|&p| scheme.allowed(Some(p), cur))
                        .count();
                    Some(*n)
                }))
                .collect(),
            final_ok: (0..nl as u8).map(|l| scheme.final_ok(l)).collect(),
        }
    }

    /// Best allowed label sequence for emission scores `emit` (`n × nl`) and transition
    /// scores `trans` (`(nl + 1) × nl`, row 0 the start). `back` is scratch.
    pub fn viterbi(
        &self,
        emit: &[i32],
        n: usize,
        trans: &[i32],
        back: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        self.viterbi_strided(emit, self.nl, n, trans, back, out);
    }

    /// [`Constraints::viterbi`] over emission rows `stride` apart: token `i`'s scores are
    /// `emit[i * stride..i * stride + nl]`.
    pub fn viterbi_strided(
        &self,
        emit: &[i32],
        stride: usize,
        n: usize,
        trans: &[i32],
        back: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        let dense = self.dense(trans);
        self.viterbi_with(emit, stride, n, trans, dense.as_ref(), back, out);
    }

    /// The transitions `trans` laid out for the dense decoder, if it can take them: build
    /// once per model and pass to [`Constraints::viterbi_with`].
    pub fn dense(&self, trans: &[i32]) -> Option<Dense> {
        let nl = self.nl;
        if nl > DENSE || trans.len() < (nl + 1) * nl {
            return None;
        }
        // Lanes ordered by predecessor set, so labels that follow the same labels share
        // 8-lane blocks and each predecessor touches only the blocks it can reach (BILOU:
        // inside and last labels in one block, the rest in two; 26 block updates a token
        // instead of 51).
        let preds = |l: usize| -> u32 {
            self.from[self.offs[l]..self.offs[l + 1]]
                .iter()
                .fold(0, |m, &p| m | 1 << p)
        };
        let mut order: Vec<usize> = (0..nl).collect();
        order.sort_by_key(|&l| (preds(l), l));
        let mut d = Dense {
            label: [0; DENSE],
            lane: [0; DENSE],
            start: [NEG; DENSE],
            preds: [[0; DENSE]; DENSE / BLOCK],
            n_preds: [0; DENSE / BLOCK],
            bits: 0,
            trans: [[[NEG; BLOCK]; DENSE / BLOCK]; ROWS],
            gather: [[0; BLOCK]; DENSE / BLOCK],
            groups: [Group {
                blocks: 0,
                n: 0,
                preds: [0; DENSE],
            }; DENSE / BLOCK],
            n_groups: 0,
            slots: [[PredSlot {
                pred: [0; BLOCK],
                trans: [NEG; BLOCK],
            }; DENSE]; DENSE / BLOCK],
            n_slots: [0; DENSE / BLOCK],
        };
        for (lane, &l) in order.iter().enumerate() {
            d.label[lane] = l as u8;
            d.lane[l] = lane as u8;
        }
        for (lane, g) in d.gather.iter_mut().flatten().enumerate() {
            *g = i32::from(d.label[lane]);
        }
        let mut reaches = [[false; DENSE / BLOCK]; DENSE];
        for &l in &order {
            for &p in &self.from[self.offs[l]..self.offs[l + 1]] {
                reaches[usize::from(d.lane[usize::from(p)])][usize::from(d.lane[l]) / BLOCK] = true;
            }
        }
        for &pl in &d.lane[..nl] {
            for (b, &reached) in reaches[usize::from(pl)].iter().enumerate() {
                if reached {
                    d.preds[b][usize::from(d.n_preds[b])] = pl;
                    d.n_preds[b] += 1;
                }
            }
        }
        // A predecessor's rank in its block's list goes in the low bits of every score.
        let most = usize::from(d.n_preds.iter().copied().max().unwrap_or(0)).max(2);
        d.bits = usize::BITS - (most - 1).leading_zeros();
        if !below_limit(trans, d.limit()) {
            return None;
        }
        let low = (1i32 << d.bits) - 1;
        for (lane, &l) in order.iter().enumerate() {
            if self.start[l] {
                d.start[lane] = trans[l];
            }
            let b = lane / BLOCK;
            for &p in &self.from[self.offs[l]..self.offs[l + 1]] {
                let pl = d.lane[usize::from(p)];
                let rank = d.preds[b].iter().position(|&q| q == pl).unwrap_or(0) as i32;
                let t = trans[(usize::from(p) + 1) * nl + l];
                d.trans[usize::from(pl)][b][lane % BLOCK] = (t << d.bits) | (low - rank);
            }
        }
        // A block whose labels have at most half as many predecessors each as the block
        // has in all is relaxed slot by slot; the others a predecessor at a time, blocks
        // with the same list together.
        for b in 0..DENSE / BLOCK {
            let mut slots = [[None; DENSE]; BLOCK];
            let mut most = 0;
            for (k, lane_slots) in slots.iter_mut().enumerate() {
                let lane = b * BLOCK + k;
                let Some(&l) = order.get(lane) else { continue };
                let from = &self.from[self.offs[l]..self.offs[l + 1]];
                for (j, &p) in from.iter().enumerate() {
                    lane_slots[j] = Some(d.lane[usize::from(p)]);
                }
                most = most.max(from.len());
            }
            let n = usize::from(d.n_preds[b]);
            if n == 0 {
                continue;
            }
            if 2 * most <= n {
                d.n_slots[b] = most as u8;
                for (j, slot) in d.slots[b].iter_mut().enumerate().take(most) {
                    for (k, lane_slots) in slots.iter().enumerate() {
                        if let Some(pl) = lane_slots[j] {
                            slot.pred[k] = i32::from(pl);
                            slot.trans[k] = d.trans[usize::from(pl)][b][k];
                        }
                    }
                }
                continue;
            }
            let list = &d.preds[b][..n];
            let groups = &mut d.groups[..usize::from(d.n_groups)];
            match groups
                .iter_mut()
                .find(|g| &g.preds[..usize::from(g.n)] == list)
            {
                Some(g) => g.blocks |= 1 << b,
                None => {
                    d.groups[usize::from(d.n_groups)] = Group {
                        blocks: 1 << b,
                        n: n as u8,
                        preds: d.preds[b],
                    };
                    d.n_groups += 1;
                }
            }
        }
        Some(d)
    }

    /// [`Constraints::viterbi_strided`] with the transitions already laid out by
    /// [`Constraints::dense`] (`None`: the reference decoder runs).
    #[allow(clippy::too_many_arguments)]
    pub fn viterbi_with(
        &self,
        emit: &[i32],
        stride: usize,
        n: usize,
        trans: &[i32],
        dense: Option<&Dense>,
        back: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        let lattice = Lattice {
            emit,
            stride,
            n,
            trans,
        };
        let nl = self.nl;
        out.clear();
        if n == 0
            || nl > MAX_LABELS
            || stride < nl
            || trans.len() < (nl + 1) * nl
            || emit.len() < (n - 1) * stride + nl
        {
            return;
        }
        let Some(dense) = dense else {
            return self.viterbi_scalar(lattice, back, out);
        };
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { self.viterbi_dense_avx2(lattice, dense, back, out) };
        }
        if !below_limit(emit, dense.limit()) {
            return self.viterbi_scalar(lattice, back, out);
        }
        self.viterbi_dense(lattice, dense, Portable, back, out)
    }

    /// [`Constraints::viterbi_dense`] compiled for AVX2, where its label loops become
    /// 8-lane vector operations (decoding was a tenth of the pipeline's time).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn viterbi_dense_avx2(
        &self,
        lattice: Lattice<'_>,
        dense: &Dense,
        back: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        // Checked here, where the check vectorises 8 lanes wide.
        if !below_limit(lattice.emit, dense.limit()) {
            return self.viterbi_scalar(lattice, back, out);
        }
        // SAFETY: this function is only called where the CPU has AVX2.
        self.viterbi_dense(lattice, dense, unsafe { Avx2::new() }, back, out)
    }

    /// The same decoding as [`Constraints::viterbi_scalar`], in `i32` over 8-lane blocks of
    /// labels (disallowed pairs score `NEG`), with the scores shifted by their maximum at
    /// every token so they stay small: a shift changes no comparison, and the caller checks
    /// every input is below [`Dense::limit`], so no sum overflows. A predecessor skips the
    /// blocks it cannot reach: there its pairs are all `NEG`, which never beat an allowed
    /// pair from a reachable label, so the labels of every reachable path are the same.
    ///
    /// Scores are kept shifted left by [`Dense::bits`], and every transition carries in
    /// those low bits how early its predecessor comes in its block's list: so one `max`
    /// gives both the best score and, for equal scores, the earliest predecessor (as the
    /// reference decoder's `>` does), and the back-pointer is read from the low bits.
    /// Scores, predecessors and back-pointers are by lane; only the output is by label.
    /// `kernel` does the vector work ([`Portable`] or [`Avx2`]).
    #[inline(always)]
    fn viterbi_dense(
        &self,
        lattice: Lattice<'_>,
        dense: &Dense,
        kernel: impl Kernel,
        back: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        let Lattice { emit, n, .. } = lattice;
        let nl = self.nl;
        let bits = dense.bits;
        // `ROWS` long, not `DENSE`: a lane masked by `ROWS - 1` is always in bounds, so the
        // inner loops carry no bounds checks (the lanes past `DENSE` are never read).
        let mut prev = [NEG; ROWS];
        for (lane, p) in prev.iter_mut().enumerate().take(nl) {
            if dense.start[lane] != NEG {
                *p = (dense.start[lane] + emit[usize::from(dense.label[lane])]) << bits;
            }
        }
        back.clear();
        back.resize(n * DENSE, 0);
        kernel.forward(dense, nl, lattice, &mut prev, back);
        let mut last = [NEG; DENSE];
        for (lane, &p) in prev.iter().enumerate().take(nl) {
            last[usize::from(dense.label[lane])] = p;
        }
        // Back through the ranks: lane `l`'s predecessor is rank `r` of its block's list.
        let mut lane = usize::from(dense.lane[self.final_label(&last[..nl])]) % DENSE;
        out.clear();
        out.resize(n, 0);
        out[n - 1] = dense.label[lane];
        for i in (1..n).rev() {
            let rank = usize::from(back[i * DENSE + lane]) % DENSE;
            lane = usize::from(dense.preds[lane / BLOCK][rank]) % DENSE;
            out[i - 1] = dense.label[lane];
        }
    }

    /// The best label allowed to end a sentence (the first of equals).
    fn final_label<T: Ord + Copy>(&self, scores: &[T]) -> usize {
        let mut best: Option<(T, usize)> = None;
        for (l, &s) in scores.iter().enumerate() {
            if self.final_ok[l] && best.map_or(true, |(b, _)| s > b) {
                best = Some((s, l));
            }
        }
        best.map_or(0, |(_, l)| l)
    }

    /// The reference decoder: allowed pairs only, in `i64`, no bound on the scores. Its
    /// arguments are checked by [`Constraints::viterbi_strided`].
    fn viterbi_scalar(&self, lattice: Lattice<'_>, back: &mut Vec<u8>, out: &mut Vec<u8>) {
        let Lattice {
            emit,
            stride,
            n,
            trans,
        } = lattice;
        let nl = self.nl;
        const NEG: i64 = i64::MIN / 4;
        // Each allowed (predecessor, label) pair's transition score, in `from` order, so the
        // inner loop reads two flat arrays (decoding is a tenth of tagging time).
        let pairs: Vec<i64> = (0..nl)
            .flat_map(|l| {
                self.from[self.offs[l]..self.offs[l + 1]]
                    .iter()
                    .map(move |&p| i64::from(trans[(p as usize + 1) * nl + l]))
            })
            .collect();
        let mut prev = [NEG; MAX_LABELS];
        let mut cur = [NEG; MAX_LABELS];
        back.clear();
        back.resize(n * nl, 0);
        for l in 0..nl {
            if self.start[l] {
                prev[l] = i64::from(trans[l]) + i64::from(emit[l]);
            }
        }
        for i in 1..n {
            let row = &emit[i * stride..i * stride + nl];
            let bk = &mut back[i * nl..(i + 1) * nl];
            for l in 0..nl {
                let mut best = NEG;
                let mut arg = 0u8;
                let (a, b) = (self.offs[l], self.offs[l + 1]);
                for (&p, &t) in self.from[a..b].iter().zip(&pairs[a..b]) {
                    let s = prev[usize::from(p) % MAX_LABELS] + t;
                    if s > best {
                        best = s;
                        arg = p;
                    }
                }
                cur[l] = if best <= NEG / 2 {
                    NEG
                } else {
                    best + i64::from(row[l])
                };
                bk[l] = arg;
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        backtrack(back, nl, n, self.final_label(&prev[..nl]), out);
    }
}

/// One sentence's decoding problem: emission rows `stride` apart and the transitions.
#[derive(Clone, Copy)]
struct Lattice<'a> {
    emit: &'a [i32],
    stride: usize,
    n: usize,
    trans: &'a [i32],
}

/// Labels the dense decoder handles (BILOU over 4 types has 17).
const DENSE: usize = 24;
/// [`DENSE`] rounded up to a power of two: the length of the decoder's per-lane arrays
/// that are indexed by a lane read from a table.
const ROWS: usize = 32;
/// Lanes the dense decoder updates together (AVX2: eight `i32`).
const BLOCK: usize = 8;
const _: () = assert!(DENSE == 3 * BLOCK);
/// The dense decoder's score of a disallowed pair or an unreachable label.
const NEG: i32 = i32::MIN / 4;

/// Transition scores laid out for the dense decoder ([`Constraints::dense`]).
#[derive(Clone, Debug)]
pub struct Dense {
    /// The label of each lane, and the lane of each label.
    label: [u8; DENSE],
    lane: [u8; DENSE],
    /// Per lane: the score of starting a sentence on its label, `NEG` if not allowed.
    start: [i32; DENSE],
    /// Per block of lanes: the lanes whose labels may precede one of its labels, in label
    /// order (so equal scores break to the lowest label, as in the reference decoder).
    preds: [[u8; DENSE]; DENSE / BLOCK],
    n_preds: [u8; DENSE / BLOCK],
    /// Low bits of every score that hold a predecessor's rank in its block's list: enough
    /// for the longest list (4 for BILOU's 9).
    bits: u32,
    /// `trans[p][b][k]`: the score of lane `b * BLOCK + k`'s label after lane `p`'s,
    /// shifted left by `bits`, with `2^bits - 1 - rank` of `p` in block `b`'s list in the
    /// low bits; `NEG` if not allowed.
    trans: [[[i32; BLOCK]; DENSE / BLOCK]; ROWS],
    /// The label of each lane, as `i32` in 8-lane blocks (the AVX2 gather's indices).
    gather: [[i32; BLOCK]; DENSE / BLOCK],
    /// Blocks relaxed a predecessor at a time, grouped by their predecessor list.
    groups: [Group; DENSE / BLOCK],
    n_groups: u8,
    /// Blocks relaxed a slot at a time instead (see [`PredSlot`]), and how many slots each.
    slots: [[PredSlot; DENSE]; DENSE / BLOCK],
    n_slots: [u8; DENSE / BLOCK],
}

/// Blocks (bit `b` for block `b`) that share a predecessor list, and that list (lanes).
#[derive(Clone, Copy, Debug)]
struct Group {
    blocks: u8,
    n: u8,
    preds: [u8; DENSE],
}

/// The `j`-th predecessor of each lane of a block: cheaper than the block's whole list
/// when each label has few (BILOU's inside and last labels have 2 of the block's 8).
#[derive(Clone, Copy, Debug)]
struct PredSlot {
    /// The lane of each lane's `j`-th predecessor (0 where it has none).
    pred: [i32; BLOCK],
    /// Its transition as in [`Dense::trans`]; `NEG` where it has none.
    trans: [i32; BLOCK],
}

impl Dense {
    /// Bound on emission and transition scores: below `2^24` once shifted by `bits`, which
    /// is what `NEG` leaves room for. Quantised weights are `i16`, and a token's sum stays
    /// far below this (at most 210,905 on CoNLL-2003 train, against 2^20 for BILOU) unless
    /// it has thousands of features; past it the reference decoder runs.
    fn limit(&self) -> u32 {
        1 << (24 - self.bits)
    }
}

/// The row of token `i` in label order, read in place where the lattice has `DENSE`
/// values from it (all rows but a last one), else copied into `short`. Lanes past `nl`
/// read label 0's score, which they never use.
#[inline(always)]
fn row_at<'a>(
    lattice: &Lattice<'a>,
    i: usize,
    nl: usize,
    short: &'a mut [i32; DENSE],
) -> &'a [i32; DENSE] {
    let at = i * lattice.stride;
    match lattice
        .emit
        .get(at..at + DENSE)
        .map(<&[i32; DENSE]>::try_from)
    {
        Some(Ok(r)) => r,
        _ => {
            short[..nl].copy_from_slice(&lattice.emit[at..at + nl]);
            short
        }
    }
}

/// The dense decoder's forward pass, portable or in AVX2 intrinsics (the autovectoriser
/// turned the predecessor loop inside out, gathering eight predecessors a lane).
trait Kernel: Copy {
    /// Tokens `1..n`: from the first token's scores in `prev` to the last one's, with
    /// each token's ranks in `back` ([`Constraints::viterbi_dense`]).
    fn forward(
        self,
        d: &Dense,
        nl: usize,
        lattice: Lattice<'_>,
        prev: &mut [i32; ROWS],
        back: &mut [u8],
    );
}

/// The forward pass as defined, lane by lane.
#[derive(Clone, Copy)]
struct Portable;

impl Portable {
    /// Block `b`'s best score over its predecessors: `max(prev[p] + trans[p][b])`.
    fn relax(d: &Dense, prev: &[i32; ROWS], b: usize) -> [i32; BLOCK] {
        let mut best = [i32::MIN; BLOCK];
        for &p in &d.preds[b][..usize::from(d.n_preds[b])] {
            let p = usize::from(p) & (ROWS - 1);
            for (x, &t) in best.iter_mut().zip(&d.trans[p][b]) {
                *x = (*x).max(prev[p] + t);
            }
        }
        best
    }

    /// `row` (by label) by lane.
    fn gather(d: &Dense, row: &[i32; DENSE]) -> [i32; DENSE] {
        let mut e = [0i32; DENSE];
        for (e, &l) in e.iter_mut().zip(&d.label) {
            *e = row.get(usize::from(l)).copied().unwrap_or(0);
        }
        e
    }
}

impl Kernel for Portable {
    fn forward(
        self,
        d: &Dense,
        nl: usize,
        lattice: Lattice<'_>,
        prev: &mut [i32; ROWS],
        back: &mut [u8],
    ) {
        let low = (1i32 << d.bits) - 1;
        for i in 1..lattice.n {
            // Unreachable lanes (at most NEG) go lower by the shift, which is below 2^26,
            // and are set back to NEG below: they can neither overflow nor win. The shift
            // has no low bits, like every score here.
            let top = prev[..DENSE].iter().copied().fold(i32::MIN, i32::max);
            for p in prev[..DENSE].iter_mut() {
                *p -= top;
            }
            let mut best = [i32::MIN; DENSE];
            for (b, out) in best.chunks_exact_mut(BLOCK).enumerate() {
                out.copy_from_slice(&Self::relax(d, prev, b));
            }
            let mut short = [0i32; DENSE];
            let e = Self::gather(d, row_at(&lattice, i, nl, &mut short));
            for lane in 0..DENSE {
                let dead = -i32::from(best[lane] <= NEG / 2);
                let score = (best[lane] & !low).wrapping_add(e[lane] << d.bits);
                prev[lane] = (NEG & dead) | (score & !dead);
            }
            for (b, &s) in back[i * DENSE..(i + 1) * DENSE].iter_mut().zip(&best) {
                *b = (low - (s & low)) as u8;
            }
        }
    }
}

/// Proof that the CPU has AVX2 (made only where that was checked).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Avx2 {
    /// # Safety
    /// The CPU must have AVX2.
    unsafe fn new() -> Avx2 {
        Avx2(())
    }
}

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx2 {
    #[inline(always)]
    fn forward(
        self,
        d: &Dense,
        nl: usize,
        lattice: Lattice<'_>,
        prev: &mut [i32; ROWS],
        back: &mut [u8],
    ) {
        // SAFETY: an `Avx2` exists only where the CPU has AVX2.
        unsafe { avx2::forward(d, nl, lattice, prev, back) }
    }
}

/// [`Portable::forward`] in AVX2 registers: the scores stay in three 8-lane vectors, each
/// block of predecessors sharing a list is relaxed with one broadcast per predecessor
/// ([`Dense::groups`]), and blocks whose labels have few predecessors each (BILOU's inside
/// and last labels: two) take them slot by slot, permuting the scores ([`Dense::slots`]).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Dense, Lattice, BLOCK, DENSE, NEG, ROWS};
    use std::arch::x86_64::*;

    type Lanes = [__m256i; DENSE / BLOCK];

    #[inline]
    #[target_feature(enable = "avx2")]
    fn load(x: &[i32; BLOCK]) -> __m256i {
        // SAFETY: `x` has 8 values.
        unsafe { _mm256_loadu_si256(x.as_ptr().cast()) }
    }

    /// Lane `k` of the result is lane `idx[k]` (below 24) of the three vectors `v`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn permute(v: &Lanes, idx: __m256i) -> __m256i {
        let pick = |a: __m256i, b: __m256i, sign: __m256i| {
            _mm256_castps_si256(_mm256_blendv_ps(
                _mm256_castsi256_ps(a),
                _mm256_castsi256_ps(b),
                _mm256_castsi256_ps(sign),
            ))
        };
        // Lanes whose index is in vector 1 (8..16) or 2 (16..24): the index's bits 3 and
        // 4, moved to the sign bit that `blendv` reads.
        let r = _mm256_permutevar8x32_epi32(v[0], idx);
        let r = pick(
            r,
            _mm256_permutevar8x32_epi32(v[1], idx),
            _mm256_slli_epi32::<28>(idx),
        );
        pick(
            r,
            _mm256_permutevar8x32_epi32(v[2], idx),
            _mm256_slli_epi32::<27>(idx),
        )
    }

    /// `row` (by label) by lane.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn gather(d: &Dense, row: &[i32; DENSE]) -> Lanes {
        let chunk = |c: usize| {
            // SAFETY: `row` has `DENSE` = 24 values, so chunks 0..3 are in bounds.
            unsafe { _mm256_loadu_si256(row.as_ptr().add(c * BLOCK).cast()) }
        };
        let v = [chunk(0), chunk(1), chunk(2)];
        [0, 1, 2].map(|b| permute(&v, load(&d.gather[b])))
    }

    /// Relaxes the blocks in `M` (a bit per block) from every predecessor of `preds`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn relax<const M: u8>(acc: &mut Lanes, d: &Dense, preds: &[u8], prev: &[i32; ROWS]) {
        for &p in preds {
            let p = usize::from(p) & (ROWS - 1);
            let v = _mm256_set1_epi32(prev[p]);
            let t = &d.trans[p];
            for (b, acc) in acc.iter_mut().enumerate() {
                if M >> b & 1 != 0 {
                    *acc = _mm256_max_epi32(*acc, _mm256_add_epi32(v, load(&t[b])));
                }
            }
        }
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn forward(
        d: &Dense,
        nl: usize,
        lattice: Lattice<'_>,
        prev: &mut [i32; ROWS],
        back: &mut [u8],
    ) {
        let neg = _mm256_set1_epi32(NEG);
        let half = _mm256_set1_epi32(NEG / 2);
        let low = _mm256_set1_epi32((1 << d.bits) - 1);
        let shift = _mm_cvtsi32_si128(d.bits as i32);
        // The low byte of each 32-bit lane, four per 128-bit half, then the halves' two
        // words side by side: eight ranks as eight bytes.
        let bytes = _mm256_setr_epi8(
            0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, //
            0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        );
        let halves = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);
        let mut p: Lanes = [0, 1, 2].map(|b| {
            let mut x = [0; BLOCK];
            x.copy_from_slice(&prev[b * BLOCK..(b + 1) * BLOCK]);
            load(&x)
        });
        for i in 1..lattice.n {
            // The shift by the top score, as in `Portable::forward`.
            let m = _mm256_max_epi32(_mm256_max_epi32(p[0], p[1]), p[2]);
            let m = _mm256_max_epi32(m, _mm256_permute2x128_si256::<1>(m, m));
            let m = _mm256_max_epi32(m, _mm256_shuffle_epi32::<0b0100_1110>(m));
            let m = _mm256_max_epi32(m, _mm256_shuffle_epi32::<0b1011_0001>(m));
            for (b, p) in p.iter_mut().enumerate() {
                *p = _mm256_sub_epi32(*p, m);
                // SAFETY: `prev` has 32 values, so lanes `b * 8..b * 8 + 8` are in bounds.
                unsafe { _mm256_storeu_si256(prev.as_mut_ptr().add(b * BLOCK).cast(), *p) };
            }
            let mut acc: Lanes = [_mm256_set1_epi32(i32::MIN); DENSE / BLOCK];
            for g in &d.groups[..usize::from(d.n_groups)] {
                let preds = &g.preds[..usize::from(g.n)];
                match g.blocks {
                    1 => relax::<1>(&mut acc, d, preds, prev),
                    2 => relax::<2>(&mut acc, d, preds, prev),
                    3 => relax::<3>(&mut acc, d, preds, prev),
                    4 => relax::<4>(&mut acc, d, preds, prev),
                    5 => relax::<5>(&mut acc, d, preds, prev),
                    6 => relax::<6>(&mut acc, d, preds, prev),
                    _ => relax::<7>(&mut acc, d, preds, prev),
                }
            }
            for (b, acc) in acc.iter_mut().enumerate() {
                for slot in &d.slots[b][..usize::from(d.n_slots[b])] {
                    let v = permute(&p, load(&slot.pred));
                    *acc = _mm256_max_epi32(*acc, _mm256_add_epi32(v, load(&slot.trans)));
                }
            }
            let mut short = [0i32; DENSE];
            let e = gather(d, super::row_at(&lattice, i, nl, &mut short));
            let ranks = &mut back[i * DENSE..(i + 1) * DENSE];
            for (b, out) in ranks.chunks_exact_mut(BLOCK).enumerate() {
                let live = _mm256_cmpgt_epi32(acc[b], half);
                let score = _mm256_add_epi32(
                    _mm256_andnot_si256(low, acc[b]),
                    _mm256_sll_epi32(e[b], shift),
                );
                p[b] = _mm256_castps_si256(_mm256_blendv_ps(
                    _mm256_castsi256_ps(neg),
                    _mm256_castsi256_ps(score),
                    _mm256_castsi256_ps(live),
                ));
                let rank = _mm256_sub_epi32(low, _mm256_and_si256(acc[b], low));
                let r = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(rank, bytes), halves);
                // SAFETY: `out` has 8 bytes.
                unsafe { _mm_storel_epi64(out.as_mut_ptr().cast(), _mm256_castsi256_si128(r)) };
            }
        }
        for (b, p) in p.iter().enumerate() {
            // SAFETY: as above.
            unsafe { _mm256_storeu_si256(prev.as_mut_ptr().add(b * BLOCK).cast(), *p) };
        }
    }
}

/// Whether every score's magnitude is below `limit` (a power of two, so an OR of the
/// magnitudes tells, and the fold vectorises).
#[inline(always)]
fn below_limit(xs: &[i32], limit: u32) -> bool {
    xs.iter().fold(0u32, |m, x| m | x.unsigned_abs()) < limit
}

/// Follows the back-pointers (`stride` per token) from `last` at token `n - 1`.
fn backtrack(back: &[u8], stride: usize, n: usize, last: usize, out: &mut Vec<u8>) {
    let mut arg = last;
    out.clear();
    out.resize(n, 0);
    out[n - 1] = arg as u8;
    for i in (1..n).rev() {
        arg = back[i * stride + arg] as usize;
        out[i - 1] = arg as u8;
    }
}

/// Most labels a scheme may have for [`Constraints::viterbi`] (BILOU over 4 types has 17).
const MAX_LABELS: usize = 32;

/// Averaged-perceptron weights while training: dense rows over a feature dictionary.
pub struct TrainWeights {
    pub nl: usize,
    pub w: Vec<i32>,
    acc: Vec<i64>,
    pub trans: Vec<i32>,
    trans_acc: Vec<i64>,
    /// Instances seen (the averaging clock).
    c: i64,
}

impl TrainWeights {
    pub fn new(n_features: usize, nl: usize) -> TrainWeights {
        TrainWeights {
            nl,
            w: vec![0; n_features * nl],
            acc: vec![0; n_features * nl],
            trans: vec![0; (nl + 1) * nl],
            trans_acc: vec![0; (nl + 1) * nl],
            c: 1,
        }
    }

    /// Emission scores with the current (not averaged) weights.
    pub fn emit(&self, feats: &[u32], offsets: &[usize], out: &mut Vec<i32>) {
        let nl = self.nl;
        let n = offsets.len() - 1;
        out.clear();
        out.resize(n * nl, 0);
        for i in 0..n {
            let row = &mut out[i * nl..(i + 1) * nl];
            for &f in &feats[offsets[i]..offsets[i + 1]] {
                let w = &self.w[f as usize * nl..(f as usize + 1) * nl];
                for (r, x) in row.iter_mut().zip(w) {
                    *r += x;
                }
            }
        }
    }

    /// One perceptron step on a sentence.
    pub fn update(&mut self, feats: &[u32], offsets: &[usize], gold: &[u8], pred: &[u8]) {
        let nl = self.nl;
        let c = self.c;
        for i in 0..gold.len() {
            let (g, p) = (gold[i] as usize, pred[i] as usize);
            if g != p {
                for &f in &feats[offsets[i]..offsets[i + 1]] {
                    let base = f as usize * nl;
                    self.w[base + g] += 1;
                    self.acc[base + g] += c;
                    self.w[base + p] -= 1;
                    self.acc[base + p] -= c;
                }
            }
            let gp = if i == 0 { 0 } else { gold[i - 1] as usize + 1 };
            let pp = if i == 0 { 0 } else { pred[i - 1] as usize + 1 };
            if (gp, g) != (pp, p) {
                self.trans[gp * nl + g] += 1;
                self.trans_acc[gp * nl + g] += c;
                self.trans[pp * nl + p] -= 1;
                self.trans_acc[pp * nl + p] -= c;
            }
        }
    }

    /// Advances the averaging clock (once per sentence).
    pub fn tick(&mut self) {
        self.c += 1;
    }

    /// Averaged weights: `w - acc / c`.
    pub fn averaged(&self) -> (Vec<f32>, Vec<f32>) {
        let c = self.c as f64;
        let avg = |w: &[i32], a: &[i64]| -> Vec<f32> {
            w.iter()
                .zip(a)
                .map(|(&w, &a)| (f64::from(w) - a as f64 / c) as f32)
                .collect()
        };
        (avg(&self.w, &self.acc), avg(&self.trans, &self.trans_acc))
    }
}

/// Shipped weights: an open-addressing table from feature key to a row of quantised
/// `i16` label weights, plus transitions. Looking up an unknown key costs one probe.
#[derive(Clone, Debug)]
pub struct Weights {
    pub nl: usize,
    table: Table,
    pub trans: Vec<i32>,
    /// Features stored.
    pub len: usize,
}

const EMPTY: u64 = 0;

/// An open-addressing table from feature key to a row of `width` quantised scores: the
/// storage of [`Weights`], and of several weights side by side (see [`Weights::joint`]).
/// Slots hold a key and the index of its row; rows are packed, so the table is small and
/// a probe reads one slot line before its row.
#[derive(Clone, Debug)]
pub struct Table {
    /// Scores per key.
    pub width: usize,
    slots: Vec<Slot>,
    rows: Vec<i16>,
    mask: usize,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u64,
    row: u32,
}

impl Table {
    /// An empty table with room for `n` keys at half load.
    fn with_room(n: usize, width: usize) -> Table {
        let n_slots = (n * 2).next_power_of_two().max(16);
        let mut slots = Vec::with_capacity(n_slots);
        crate::pages::huge_pages(&slots);
        slots.resize(n_slots, Slot { key: EMPTY, row: 0 });
        let rows = Vec::with_capacity(n * width);
        crate::pages::huge_pages(&rows);
        Table {
            width,
            slots,
            rows,
            mask: n_slots - 1,
        }
    }

    /// The row of key `k`, added if missing (zeros).
    fn row_mut(&mut self, k: u64) -> &mut [i16] {
        let k = nonzero(k);
        let mut s = (k as usize) & self.mask;
        while self.slots[s].key != EMPTY && self.slots[s].key != k {
            s = (s + 1) & self.mask;
        }
        if self.slots[s].key == EMPTY {
            self.slots[s] = Slot {
                key: k,
                row: (self.rows.len() / self.width) as u32,
            };
            self.rows.resize(self.rows.len() + self.width, 0);
        }
        let at = self.slots[s].row as usize * self.width;
        &mut self.rows[at..at + self.width]
    }

    /// The row index of key `k`.
    #[inline]
    fn find(&self, k: u64) -> Option<u32> {
        let k = nonzero(k);
        let mut s = (k as usize) & self.mask;
        loop {
            let here = self.slots[s];
            if here.key == k {
                return Some(here.row);
            }
            if here.key == EMPTY {
                return None;
            }
            s = (s + 1) & self.mask;
        }
    }

    #[inline]
    fn row(&self, k: u64) -> Option<&[i16]> {
        let at = self.find(k)? as usize * self.width;
        self.rows.get(at..at + self.width)
    }

    /// The rows of all `keys` ([`Table::ABSENT`] for a key not stored), looked up together:
    /// every slot is prefetched first and every row as it is found, so the probes of a
    /// whole sentence wait on memory at once instead of one after another.
    pub fn find_all(&self, keys: &[u64], out: &mut Vec<u32>) {
        for &k in keys {
            prefetch(&self.slots[(nonzero(k) as usize) & self.mask]);
        }
        out.clear();
        out.extend(keys.iter().map(|&k| {
            let Some(r) = self.find(k) else {
                return Self::ABSENT;
            };
            if let Some(row) = self.rows.get(r as usize * self.width) {
                prefetch(row);
            }
            r
        }));
    }

    /// What [`Table::find_all`] gives for a key that is not stored.
    pub const ABSENT: u32 = u32::MAX;

    /// Adds row `r` (from [`Table::find_all`]) into `out`.
    #[inline]
    pub fn add_row(&self, r: u32, out: &mut [i32]) {
        if r == Self::ABSENT {
            return;
        }
        let at = r as usize * self.width;
        if let Some(row) = self.rows.get(at..at + self.width) {
            for (o, &x) in out.iter_mut().zip(row) {
                *o += i32::from(x);
            }
        }
    }

    /// Stored keys (as stored: never `EMPTY`) with their rows, in slot order.
    fn entries(&self) -> impl Iterator<Item = (u64, &[i16])> {
        self.slots.iter().filter(|s| s.key != EMPTY).map(|s| {
            let at = s.row as usize * self.width;
            (s.key, &self.rows[at..at + self.width])
        })
    }

    /// Adds the rows of `feats` into `out` (`width` scores).
    #[inline]
    pub fn add_into(&self, feats: &[u64], out: &mut [i32]) {
        for &f in feats {
            if let Some(r) = self.find(f) {
                self.add_row(r, out);
            }
        }
    }
}

/// Asks the CPU to start loading the cache line of `x`.
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch only hints the cache and never faults; the pointer is to a
        // live value.
        unsafe { _mm_prefetch((x as *const T).cast::<i8>(), _MM_HINT_T0) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[inline]
fn nonzero(k: u64) -> u64 {
    if k == EMPTY {
        1
    } else {
        k
    }
}

impl Weights {
    /// Quantises averaged weights for the features in `dict` (key → row). Weights whose
    /// quantised magnitude is below `prune` are dropped; all-zero rows are not stored.
    pub fn quantise(
        dict: &IdMap<u32>,
        emit: &[f32],
        trans: &[f32],
        nl: usize,
        prune: i16,
    ) -> Weights {
        let max = emit
            .iter()
            .chain(trans)
            .fold(0f32, |m, &x| m.max(x.abs()))
            .max(1e-6);
        let scale = 32000.0 / max;
        let q = |x: f32| -> i16 { (x * scale).round().clamp(-32767.0, 32767.0) as i16 };
        let mut entries: Vec<(u64, Vec<i16>)> = Vec::new();
        for (&k, &f) in dict {
            let row: Vec<i16> = emit[f as usize * nl..(f as usize + 1) * nl]
                .iter()
                .map(|&x| {
                    let v = q(x);
                    if v.abs() < prune {
                        0
                    } else {
                        v
                    }
                })
                .collect();
            if row.iter().any(|&v| v != 0) {
                entries.push((k, row));
            }
        }
        entries.sort_by_key(|e| e.0);
        let trans = trans.iter().map(|&x| i32::from(q(x))).collect();
        Weights::from_entries(nl, entries, trans)
    }

    fn from_entries(nl: usize, entries: Vec<(u64, Vec<i16>)>, trans: Vec<i32>) -> Weights {
        let mut table = Table::with_room(entries.len(), nl);
        for (k, row) in &entries {
            table.row_mut(*k).copy_from_slice(row);
        }
        Weights {
            nl,
            table,
            trans,
            len: entries.len(),
        }
    }

    #[inline]
    pub fn row(&self, k: u64) -> Option<&[i16]> {
        self.table.row(k)
    }

    /// The table behind the weights.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Adds the rows of `feats` into `out` (one token's emission scores).
    #[inline]
    pub fn add_into(&self, feats: &[u64], out: &mut [i32]) {
        self.table.add_into(feats, out)
    }

    /// One table with the rows of `a` and then `b` side by side for every key either has
    /// (zeros where one lacks it): a feature scored in both passes is then one probe
    /// instead of two.
    pub fn joint(a: &Weights, b: Option<&Weights>) -> Table {
        let nl = a.nl;
        let parts: Vec<&Weights> = std::iter::once(a).chain(b).collect();
        let keys = a.len
            + parts[1..]
                .iter()
                .flat_map(|w| w.table.entries())
                .filter(|&(k, _)| a.row(k).is_none())
                .count();
        let mut joint = Table::with_room(keys, nl * parts.len());
        for (part, w) in parts.iter().enumerate() {
            for (k, row) in w.table.entries() {
                joint.row_mut(k)[part * nl..(part + 1) * nl].copy_from_slice(row);
            }
        }
        joint
    }

    /// Stored (feature, label) weights that are not zero.
    pub fn nonzero_weights(&self) -> usize {
        self.table.rows.iter().filter(|&&x| x != 0).count()
    }

    /// Serialises: label count, transitions, then sorted keys with sparse rows
    /// (a label bitmask and the non-zero values).
    pub fn write(&self, out: &mut Vec<u8>) {
        put_u32(out, self.nl as u32);
        for &t in &self.trans {
            put_u32(out, t as u32);
        }
        let mut entries: Vec<(u64, &[i16])> = self.table.entries().collect();
        entries.sort_unstable_by_key(|e| e.0);
        put_u32(out, entries.len() as u32);
        let mut prev = 0u64;
        for &(k, _) in &entries {
            // Sorted keys as varint deltas: about 3 bytes instead of 8.
            put_varint(out, k - prev);
            prev = k;
        }
        for &(_, row) in &entries {
            let mut bits = 0u32;
            for (l, &x) in row.iter().enumerate() {
                if x != 0 {
                    bits |= 1 << l;
                }
            }
            put_u32(out, bits);
            for &x in row.iter().filter(|&&x| x != 0) {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }

    pub fn read(r: &mut Reader<'_>) -> Result<Weights, String> {
        let nl = r.u32()? as usize;
        if nl == 0 || nl > 32 {
            return Err(format!("bad label count {nl}"));
        }
        let mut trans = Vec::with_capacity((nl + 1) * nl);
        for _ in 0..(nl + 1) * nl {
            trans.push(r.u32()? as i32);
        }
        let n = r.u32()? as usize;
        let mut keys = Vec::with_capacity(n.min(1 << 24));
        let mut prev = 0u64;
        for _ in 0..n {
            prev = prev.wrapping_add(r.varint()?);
            keys.push(prev);
        }
        // Straight into the table: no row of its own per key (120,000 keys load at start-up).
        let mut table = Table::with_room(keys.len(), nl);
        for &k in &keys {
            let bits = r.u32()?;
            let row = table.row_mut(k);
            row.fill(0);
            for (l, x) in row.iter_mut().enumerate() {
                if bits & (1 << l) != 0 {
                    *x = r.u16()? as i16;
                }
            }
        }
        Ok(Weights {
            nl,
            table,
            trans,
            len: keys.len(),
        })
    }
}

pub fn put_u32(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}

pub fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// A cursor over model bytes that reports truncation instead of panicking.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).ok_or("truncated")?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or("truncated model file")?;
        self.pos = end;
        Ok(s)
    }

    pub fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn varint(&mut self) -> Result<u64, String> {
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            x |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(x);
            }
        }
        Err("bad varint".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64: reproducible pseudo-random scores without a dependency.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn dense_decoders_equal_the_scalar_reference() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for scheme in [Scheme::Bilou, Scheme::Iob2] {
            let c = Constraints::new(scheme);
            let nl = c.nl;
            for case in 0..400 {
                // Small ranges make ties, which must break the same way; large ones are
                // near the dense decoder's limit, or past it (the reference decoder runs).
                let range: i64 = [3, 40, 32_767, 2_000_000, 16_000_000, 100_000_000][case % 6];
                let n = 1 + (next(&mut rng) % 60) as usize;
                let mut score = || (next(&mut rng) % (2 * range as u64 + 1)) as i64 - range;
                let stride = nl * (1 + case % 2);
                let emit: Vec<i32> = (0..n * stride).map(|_| score() as i32).collect();
                let trans: Vec<i32> = (0..(nl + 1) * nl)
                    .map(|_| (score() % 32_768) as i32)
                    .collect();
                let (mut back, mut want, mut got) = (Vec::new(), Vec::new(), Vec::new());
                let lattice = Lattice {
                    emit: &emit,
                    stride,
                    n,
                    trans: &trans,
                };
                c.viterbi_scalar(lattice, &mut back, &mut want);
                let dense = c.dense(&trans).filter(|d| below_limit(&emit, d.limit()));
                if let Some(dense) = dense {
                    c.viterbi_dense(lattice, &dense, Portable, &mut back, &mut got);
                    assert_eq!(got, want, "{scheme:?} case {case}: portable dense decoder");
                    #[cfg(target_arch = "x86_64")]
                    if std::is_x86_feature_detected!("avx2") {
                        // SAFETY: the CPU has AVX2, checked just above.
                        let avx2 = unsafe { Avx2::new() };
                        c.viterbi_dense(lattice, &dense, avx2, &mut back, &mut got);
                        assert_eq!(got, want, "{scheme:?} case {case}: AVX2 dense decoder");
                        let row: [i32; DENSE] = std::array::from_fn(|_| score() as i32);
                        let mut lanes = [0i32; DENSE];
                        // SAFETY: the CPU has AVX2, checked above.
                        unsafe {
                            for (v, out) in avx2::gather(&dense, &row)
                                .iter()
                                .zip(lanes.chunks_exact_mut(BLOCK))
                            {
                                std::arch::x86_64::_mm256_storeu_si256(out.as_mut_ptr().cast(), *v);
                            }
                        }
                        assert_eq!(lanes, Portable::gather(&dense, &row), "{scheme:?} gather");
                    }
                }
                c.viterbi_strided(&emit, stride, n, &trans, &mut back, &mut got);
                assert_eq!(got, want, "{scheme:?} case {case}: dispatched decoder");
            }
        }
    }
}
