//! Event drafts of one sentence: triggers found in the lexicon and checked in context,
//! support verbs and complements folded into the event they serve, then roles, modality,
//! amount, topic, purpose, condition, place and time read off the sentence around each
//! trigger. References ("the two leaders", "he") stay unresolved here; the article-level
//! pass in `mod.rs` resolves them and merges repeated mentions.

use crate::document::{EntityType, EventType, Modality, Span, TokenKind};

use super::lexicon::{Entry, Lexicon, Pos};
use super::sentence::{CandKind, View, WordSet, DEMONYM_SET, PREPOSITION_SET};

/// Words after which an ambiguous trigger is a verb.
const VERB_PREV: &[&str] = &[
    "to",
    "will",
    "would",
    "can",
    "could",
    "may",
    "might",
    "must",
    "shall",
    "should",
    "not",
    "n't",
    "also",
    "did",
    "does",
    "do",
    "he",
    "she",
    "they",
    "we",
    "who",
    "which",
    "never",
    "has",
    "have",
    "had",
    "i",
    "and",
    "then",
    "jointly",
    "formally",
    "reportedly",
    "later",
    "finally",
    "immediately",
    "once",
];

/// Nouns that, right after a trigger noun, make it a modifier ("the meeting room").
const COMPOUND_HEADS: &[&str] = &[
    "room",
    "rooms",
    "hall",
    "halls",
    "ceremony",
    "venue",
    "centre",
    "center",
    "drive",
    "bus",
    "form",
    "forms",
    "table",
    "site",
    "area",
    "space",
    "season",
    "numbers",
    "visa",
    "visas",
    "guide",
    "operator",
    "operators",
    "company",
    "industry",
    "card",
    "fee",
    "fees",
    "date",
    "dates",
    "schedule",
    "programme",
    "program",
    "documents",
    "text",
    "deadline",
    "partner",
    "partners",
    "point",
    "points",
    "circuit",
    "book",
];

/// Adjectives dropped from an agreement's topic ("a major agreement" has no topic).
const TOPIC_STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "major",
    "new",
    "landmark",
    "historic",
    "bilateral",
    "trilateral",
    "framework",
    "strategic",
    "draft",
    "formal",
    "final",
    "first",
    "interim",
    "preliminary",
    "expanded",
    "broad",
    "sweeping",
    "comprehensive",
    "proposed",
    "possible",
    "potential",
    "recent",
    "long-awaited",
    "key",
    "big",
    "huge",
    "multibillion-dollar",
    "its",
    "their",
    "his",
    "her",
    "this",
    "that",
    "reciprocal",
    "initial",
    "joint",
];

const GENERIC_SPEAKERS: &[&str] = &[
    "officials",
    "official",
    "sources",
    "source",
    "people",
    "diplomats",
    "diplomat",
    "media",
    "reports",
    "analysts",
    "aides",
    "insiders",
    "observers",
    "newspaper",
    "agency",
];

// The lists above as sets: asked about words in loops, where a scan of the list costs
// several times a lookup.
static VERB_PREV_SET: WordSet = WordSet::new(VERB_PREV);
static COMPOUND_HEADS_SET: WordSet = WordSet::new(COMPOUND_HEADS);
static TOPIC_STOP_SET: WordSet = WordSet::new(TOPIC_STOP);
static GENERIC_SPEAKERS_SET: WordSet = WordSet::new(GENERIC_SPEAKERS);

/// A role filler before resolution: a candidate of the sentence view.
pub type CandRef = usize;

/// Where a subject came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    Group(usize),
    /// The antecedent of "which" is another draft of this sentence (its agents are ours).
    Draft(usize),
}

#[derive(Clone, Debug)]
pub struct Draft {
    pub entry: usize,
    pub ty: EventType,
    pub subtype: String,
    pub cameo: String,
    pub plover: String,
    pub trigger: Span,
    /// Word range of the trigger.
    pub ts: usize,
    pub te: usize,
    pub noun: bool,
    pub agents: Vec<CandRef>,
    pub counterparts: Vec<CandRef>,
    pub inherit: Option<usize>,
    pub amount: Option<usize>,
    pub topic: Option<Span>,
    pub purpose: Option<Span>,
    pub condition: Option<Span>,
    pub place: Option<CandRef>,
    pub time: Option<usize>,
    /// Explicit modality cue; `None` is asserted by default.
    pub modality: Option<Modality>,
    /// A definite noun ("the visit") with no participants of its own: points back.
    pub anaphoric: bool,
    /// A definite noun with a clause subject: merges with its antecedent whatever the
    /// participants.
    pub loose: bool,
    /// "a new agreement": never the same as an event already reported.
    pub fresh: bool,
    /// In a headline or bullet label: may only add evidence to an event.
    pub merge_only: bool,
    /// A speech verb reporting someone else's event ("…, officials said").
    pub attribution: bool,
    /// Quoted text the statement reports.
    pub quote: bool,
    pub dropped: bool,
}

struct Trig {
    entry: usize,
    ts: usize,
    te: usize,
    noun: bool,
    participle: bool,
    gerund: bool,
    /// Absorbed into another trigger (index), or dropped.
    into: Option<usize>,
    dropped: bool,
    /// Modality cue contributed by an absorbed control verb.
    cue: Option<Modality>,
    /// Modifier noun that refines the subtype ("ceasefire agreement").
    refine: Option<usize>,
    /// Statement type forced by a frame (speak to reporters, welcomed the decision).
    as_statement: Option<(&'static str, &'static str, &'static str)>,
    as_meeting_phone: bool,
    /// Support verb: the event noun object is the event.
    support: bool,
}

/// A title or role noun right before a name ("carmaker BYD", "spokesman He Yadong"): the
/// name is still the head of its phrase.
fn role_before_name(before: &str) -> bool {
    super::sentence::TITLE_SET.contains(before)
        || matches!(
            before,
            "ministry"
                | "company"
                | "group"
                | "firm"
                | "bank"
                | "agency"
                | "carmaker"
                | "automaker"
                | "planemaker"
                | "chipmaker"
                | "giant"
                | "maker"
                | "producer"
                | "rival"
                | "operator"
                | "lender"
                | "insurer"
                | "miner"
                | "airline"
                | "regulator"
                | "unit"
                | "subsidiary"
                | "owner"
                | "start-up"
                | "startup"
                | "conglomerate"
                | "retailer"
        )
}

fn is_verb_form(w: &str) -> bool {
    w.ends_with("ed") || w.ends_with("ing")
}

pub struct Drafter<'a, 'd> {
    pub v: &'a View<'d>,
    pub lex: &'a Lexicon,
}

impl<'a, 'd> Drafter<'a, 'd> {
    fn e(&self, t: &Trig) -> &Entry {
        &self.lex.entries[t.entry]
    }

    fn lw(&self, i: usize) -> &str {
        self.v.lw(i)
    }

    fn n(&self) -> usize {
        self.v.len()
    }

    /// Clause boundaries around word `i`: `;`, `:` and dashes.
    fn clause(&self, i: usize) -> (usize, usize) {
        let hard = |w: &str| matches!(w, ";" | ":" | "—" | "–");
        let mut s = i;
        while s > 0 && !hard(self.lw(s - 1)) {
            s -= 1;
        }
        let mut e = i;
        while e < self.n() && !hard(self.lw(e)) {
            e += 1;
        }
        (s, e)
    }

    /// The part of a bullet before its label colon ("Imperial Audience:").
    fn label_end(&self) -> usize {
        *self.v.label.get_or_init(|| self.find_label_end())
    }

    fn find_label_end(&self) -> usize {
        let text = self
            .v
            .doc
            .span_text(self.v.doc.sentences[self.v.index].span);
        let bulletish = matches!(text.chars().next(), Some('•' | '*' | '-' | '–' | '▪' | '●'))
            || self.v.doc.sentences[self.v.index].kind == crate::document::SentenceKind::Bullet;
        if !bulletish {
            return 0;
        }
        match (0..self.n().min(8)).find(|&i| self.lw(i) == ":") {
            Some(c) => c + 1,
            None => 0,
        }
    }

    fn find_triggers(&self) -> Vec<Trig> {
        let lowers: Vec<&str> = self.v.words.iter().map(|w| w.lower.as_ref()).collect();
        let first_word = self
            .v
            .words
            .iter()
            .position(|w| w.kind == TokenKind::Word)
            .unwrap_or(0);
        let mut out: Vec<Trig> = Vec::new();
        let mut i = 0;
        while i < self.n() {
            let w = &self.v.words[i];
            if w.quoted || w.kind != TokenKind::Word {
                i += 1;
                continue;
            }
            // Inside a name ("Secretary of State Marco Rubio", "Summit Road").
            if w.cap
                && i != first_word
                && !self.v.heading
                && i >= self.label_end()
                && self.v.cand_at(i).is_some_and(|c| {
                    matches!(self.v.cands[c].kind, CandKind::Named | CandKind::Proper)
                })
            {
                i += 1;
                continue;
            }
            let ms = self.lex.matches(&lowers, i);
            if ms.is_empty() {
                i += 1;
                continue;
            }
            let prev = if i > 0 { self.lw(i - 1) } else { "" };
            // A name right before the word is its subject unless the name is itself a
            // modifier ("his Asia tour", "the Tokyo stop").
            let prev_is_subject = i > 0
                && self.v.cand_at(i - 1).is_some_and(|c| {
                    let c = &self.v.cands[c];
                    let before = if c.start > 0 {
                        self.lw(c.start - 1)
                    } else {
                        ""
                    };
                    !c.poss
                        && c.end == i
                        && (c.start <= first_word
                            || role_before_name(before)
                            || clause_start(before))
                });
            let prev_nounish = i > 0
                && (self.v.is_det(i - 1)
                    || self.v.words[i - 1].poss
                    || matches!(
                        prev,
                        "first"
                            | "second"
                            | "state"
                            | "surprise"
                            | "official"
                            | "planned"
                            | "proposed"
                            | "possible"
                            | "potential"
                            | "expected"
                            | "brief"
                            | "short"
                            | "unannounced"
                            | "bilateral"
                            | "two-day"
                            | "three-day"
                            | "historic"
                            | "crucial"
                            | "new"
                            | "further"
                            | "formal"
                    )
                    || self.v.words[i - 1].kind == TokenKind::Number
                    || (self.v.words[i - 1].kind == TokenKind::Word
                        && !VERB_PREV_SET.contains(prev)
                        && !PREPOSITION_SET.contains(prev)
                        && !prev_is_subject
                        && !is_verb_form(prev)
                        && prev != ","));
            let prev_nounish = prev_nounish
                || (i >= 2
                    && (self.v.words[i - 2].poss || self.v.is_det(i - 2))
                    && !VERB_PREV_SET.contains(prev)
                    && !PREPOSITION_SET.contains(prev));
            let verbish = VERB_PREV_SET.contains(prev) || prev_is_subject;
            let pick = ms.iter().find(|m| {
                let e = &self.lex.entries[m.entry];
                match e.pos {
                    Pos::Noun => !verbish,
                    Pos::Verb | Pos::Support => {
                        m.participle || m.gerund || !prev_nounish || verbish
                    }
                }
            });
            let Some(m) = pick.or_else(|| {
                // Both readings rejected: a lone reading wins when the context is neutral.
                (ms.len() == 1 && !(prev_nounish && verbish)).then(|| &ms[0])
            }) else {
                i += 1;
                continue;
            };
            let e = &self.lex.entries[m.entry];
            // A verb reading right after a determiner is a noun we do not know ("a state").
            if e.pos != Pos::Noun && i > 0 && self.v.is_det(i - 1) && !m.gerund {
                i += 1;
                continue;
            }
            out.push(Trig {
                entry: m.entry,
                ts: i,
                te: i + m.len,
                noun: e.pos == Pos::Noun || (m.gerund && i > 0 && self.v.is_det(i - 1)),
                participle: m.participle,
                gerund: m.gerund,
                into: None,
                dropped: false,
                cue: None,
                refine: None,
                as_statement: None,
                as_meeting_phone: false,
                support: e.pos == Pos::Support,
            });
            i += m.len;
        }
        out
    }

    fn next_nonadv(&self, mut i: usize) -> usize {
        while i < self.n()
            && (matches!(
                self.lw(i),
                "further" | "also" | "jointly" | "formally" | "quickly" | "soon" | "then"
            ) || (self.lw(i).ends_with("ly") && self.lw(i).len() > 4))
        {
            i += 1;
        }
        i
    }

    /// The first trigger noun in the object position after word `i`, skipping determiners,
    /// adjectives, amounts, numbers and possessive names.
    fn object_noun(&self, trigs: &[Trig], i: usize) -> Option<usize> {
        let mut j = i;
        let mut steps = 0;
        while j < self.n() && steps < 8 {
            if let Some(k) = trigs.iter().position(|t| t.ts == j && t.into.is_none()) {
                return self
                    .e(&trigs[k])
                    .ty
                    .is_some()
                    .then_some(k)
                    .filter(|_| trigs[k].noun);
            }
            let w = &self.v.words[j];
            let l = w.lower.as_ref();
            if let Some(c) = self.v.cand_at(j) {
                let c = &self.v.cands[c];
                if c.poss || c.ety != Some(EntityType::Person) && c.kind == CandKind::Named {
                    // "Tokyo's plan", "a Boeing order": skip the name.
                    j = c.end;
                    steps += 1;
                    continue;
                }
                return None;
            }
            let money = self.v.money.iter().find(|m| m.1 <= j && j < m.2);
            if let Some(m) = money {
                j = m.2;
                steps += 1;
                // "$550 billion in investments", "$10 billion of investment".
                if matches!(self.lw(j), "in" | "of") {
                    j += 1;
                }
                continue;
            }
            if matches!(l, "in" | "of")
                && j > 0
                && matches!(self.lw(j - 1), "billion" | "million" | "trillion" | "bn")
            {
                j += 1;
                steps += 1;
                continue;
            }
            let skip = self.v.is_det(j)
                || w.kind == TokenKind::Number
                || matches!(l, "$" | "€" | "£" | "¥")
                || (w.kind == TokenKind::Word
                    && !PREPOSITION_SET.contains(l)
                    && !matches!(l, "that" | "and" | "or" | "as" | "which" | "who" | "to"))
                || (matches!(l, "of")
                    && j > 0
                    && matches!(
                        self.lw(j - 1),
                        "days" | "rounds" | "round" | "hours" | "weeks"
                    ));
            if !skip {
                return None;
            }
            j += 1;
            steps += 1;
        }
        None
    }

    /// Subject of the trigger at word `ts`: the nearest coordinated group to the left in the
    /// clause that is not the object of a preposition.
    fn subject(&self, ts: usize, drafts_ts: &[(usize, usize)]) -> Option<Subject> {
        let (cs, _) = self.clause(ts);
        let label = self.label_end();
        let lo = cs.max(label);
        let mut i = ts;
        while i > lo {
            i -= 1;
            let w = self.lw(i);
            if self.v.words[i].quoted || matches!(w, "”" | "“" | "\"") {
                return None;
            }
            if let Some(g) = self.v.group_ending_at(i) {
                let grp = &self.v.groups[g];
                let mut p = grp.start;
                // "by X" in a passive is handled by the caller; other prepositions make the
                // group part of a phrase, not the subject.
                while p > lo && matches!(self.lw(p - 1), "the" | "a" | "an") {
                    p -= 1;
                }
                let before = if p > 0 { self.lw(p - 1) } else { "" };
                let plural_role_of = matches!(before, "of" | "from")
                    && p >= 2
                    && matches!(
                        self.lw(p - 2),
                        "ministers"
                            | "leaders"
                            | "delegations"
                            | "representatives"
                            | "officials"
                            | "heads"
                            | "envoys"
                            | "negotiators"
                    );
                let conj = matches!(before, "before" | "after" | "since" | "until" | "as");
                if PREPOSITION_SET.contains(before) && !plural_role_of && !conj {
                    i = grp.start;
                    continue;
                }
                // A name inside a noun phrase ("his Asia tour", "the ASEAN Summit") is a
                // modifier, not a subject.
                let boundary = p <= lo
                    || plural_role_of
                    || conj
                    || role_before_name(before)
                    || clause_start(before)
                    || matches!(
                        before,
                        "because" | "since" | "then" | "so" | "—" | "–" | "says" | "also"
                    )
                    || self.v.words[p - 1].kind != TokenKind::Word;
                let det_modifier = !plural_role_of
                    && self.modifier_group(g)
                    && (grp.start > 0 && matches!(self.lw(grp.start - 1), "the" | "a" | "an")
                        || self.v.cands[grp.cands[0]].ety == Some(EntityType::Norp));
                if !boundary || det_modifier {
                    i = grp.start;
                    continue;
                }
                // A possessive group is a modifier ("Japan's top spokesman …").
                let last = &self.v.cands[*grp.cands.last().unwrap_or(&0)];
                if last.poss && i + 1 < ts && !self.v.is_det(i + 1) {
                    // "Trump's first official event was a meeting": the possessor acts.
                    return Some(Subject::Group(g));
                }
                return Some(Subject::Group(g));
            }
            // "…, officials said": the speaker is unnamed.
            if GENERIC_SPEAKERS_SET.contains(w)
                && self.v.cand_at(i).is_none()
                && self
                    .lex
                    .matches(&[self.lw(ts)], 0)
                    .iter()
                    .any(|m| self.lex.entries[m.entry].ty == Some(EventType::Statement))
            {
                return None;
            }
            if matches!(w, "who" | "which" | "that") && i > 0 && self.lw(i - 1) == "," {
                // The antecedent: a group or an event noun just before the comma.
                let a = i - 1;
                if a > 0 {
                    if let Some(g) = self.v.group_ending_at(a - 1) {
                        return Some(Subject::Group(g));
                    }
                    if let Some(d) = drafts_ts.iter().position(|&(_, te)| te == a) {
                        return Some(Subject::Draft(d));
                    }
                }
                return None;
            }
            if w == "," {
                // ", including …", ", diving into …": the main clause's subject.
                let nx = self.next_nonadv(i + 1);
                let part = self.lw(nx);
                if nx < ts && (part == "including" || (part.ends_with("ing") && nx + 1 < ts)) {
                    return self.sentence_subject(lo);
                }
                // Skip a relative clause ", which …," or ", signed in …,".
                let mut j = i;
                while j > lo && self.lw(j - 1) != "," {
                    j -= 1;
                }
                if j > lo && matches!(self.lw(j), "who" | "which" | "where") {
                    i = j - 1;
                    continue;
                }
            }
        }
        None
    }

    fn sentence_subject(&self, lo: usize) -> Option<Subject> {
        self.v
            .groups
            .iter()
            .position(|g| {
                g.start >= lo && {
                    let before = if g.start > 0 {
                        self.lw(g.start - 1)
                    } else {
                        ""
                    };
                    let pp_det = g.start >= 2
                        && self.v.is_det(g.start - 1)
                        && PREPOSITION_SET.contains(self.lw(g.start - 2));
                    !PREPOSITION_SET.contains(before) && !pp_det
                }
            })
            .map(Subject::Group)
    }

    /// The group right after word `i` (skipping determiners and adverbs), if no
    /// preposition or verb comes first.
    fn object_group(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while j < self.n() && (self.v.is_det(j) || matches!(self.lw(j), "further" | "also")) {
            if let Some(g) = self.v.group_starting_at(j) {
                if !self.determiner_group(g) {
                    return Some(g);
                }
            }
            j += 1;
        }
        let g = self.v.group_starting_at(j)?;
        (!self.determiner_group(g)).then_some(g)
    }

    /// "his admiration", "Tokyo's plan": a possessive that only determines a noun.
    fn determiner_group(&self, g: usize) -> bool {
        let grp = &self.v.groups[g];
        let last = &self.v.cands[*grp.cands.last().unwrap_or(&0)];
        let pron_det = last.kind == CandKind::Pronoun
            && matches!(self.lw(last.start), "his" | "her")
            && self.v.words.get(grp.end).is_some_and(|w| {
                w.kind == TokenKind::Word && !PREPOSITION_SET.contains(w.lower.as_ref())
            });
        let their = last.kind == CandKind::Plural && self.lw(last.start) == "their";
        last.poss || pron_det || their
    }

    /// A group followed by more noun words ("the US economy", "American products") is a
    /// modifier inside a larger phrase.
    fn modifier_group(&self, g: usize) -> bool {
        let end = self.v.groups[g].end;
        self.v.words.get(end).is_some_and(|w| {
            w.kind == TokenKind::Word
                && !w.cap
                && !PREPOSITION_SET.contains(w.lower.as_ref())
                && !VERB_PREV_SET.contains(&w.lower)
                && !matches!(
                    w.lower.as_ref(),
                    "and"
                        | "or"
                        | "is"
                        | "are"
                        | "was"
                        | "were"
                        | "said"
                        | "says"
                        | "which"
                        | "who"
                        | "that"
                        | "as"
                        | "but"
                        | "worth"
                )
                && !is_verb_form(&w.lower)
        })
    }

    /// Candidates of a group.
    fn members(&self, g: usize) -> Vec<CandRef> {
        self.v.groups[g].cands.to_vec()
    }

    fn is_personish(&self, c: CandRef) -> bool {
        let c = &self.v.cands[c];
        match c.kind {
            CandKind::Named => c.ety == Some(EntityType::Person),
            CandKind::Proper => !c.title.is_empty(),
            CandKind::Pronoun | CandKind::Plural => true,
            CandKind::Descriptor(ref d) => !matches!(
                d.as_str(),
                "company" | "firm" | "group" | "bank" | "ministry" | "government"
            ),
        }
    }

    fn is_placeish(&self, c: CandRef) -> bool {
        let c = &self.v.cands[c];
        match c.kind {
            CandKind::Named => matches!(c.ety, Some(EntityType::Place)),
            CandKind::Proper => c.title.is_empty(),
            _ => false,
        }
    }

    /// End of a phrase starting at `s`: the next comma, clause mark, marker or `end`.
    fn phrase_end(&self, s: usize, end: usize) -> usize {
        let mut j = s;
        while j < end {
            let l = self.lw(j);
            if matches!(
                l,
                "," | ";" | ":" | "." | "—" | "–" | "”" | "“" | "\"" | "(" | ")"
            ) || self.marker_at(j).is_some()
                || (j > s && matches!(l, "which" | "who" | "where" | "while" | "when" | "as"))
                || (j > s && l == "to" && j + 1 < end && self.lw(j + 1) == "help")
                || (j > s
                    && l == "for"
                    && (self.v.money.iter().any(|m| m.1 == j + 1)
                        || matches!(self.lw(j + 1), "$" | "€" | "£" | "¥" | "up" | "about")))
            {
                break;
            }
            j += 1;
        }
        j
    }

    /// Condition and purpose markers at word `j`: (is_condition, marker length).
    fn marker_at(&self, j: usize) -> Option<(bool, usize)> {
        let l = |k: usize| self.lw(j + k);
        match l(0) {
            "in" if l(1) == "exchange" && l(2) == "for" => Some((true, 0)),
            "in" if l(1) == "return" && l(2) == "for" => Some((true, 0)),
            "on" if l(1) == "condition" => Some((true, 0)),
            "provided" if l(1) == "that" => Some((true, 0)),
            "if" | "unless" => Some((true, 0)),
            "as" if l(1) == "long" && l(2) == "as" => Some((true, 0)),
            "in" if l(1) == "order" && l(2) == "to" => Some((false, 0)),
            "so" if l(1) == "as" && l(2) == "to" => Some((false, 0)),
            "aimed" | "designed" if matches!(l(1), "at" | "to") => Some((false, 0)),
            _ => None,
        }
    }

    fn span(&self, s: usize, e: usize) -> Option<Span> {
        let mut e = e;
        while e > s && matches!(self.lw(e - 1), "," | "." | ";" | ":" | "the" | "a" | "and") {
            e -= 1;
        }
        self.v.span_of(s, e)
    }

    pub fn drafts(&self) -> Vec<Draft> {
        let mut trigs = self.find_triggers();
        self.check_frames(&mut trigs);
        self.fold(&mut trigs);
        self.build(&trigs)
    }

    /// Context checks the lexicon's frame flags ask for.
    fn check_frames(&self, trigs: &mut [Trig]) {
        let n = self.n();
        let all: Vec<(usize, usize, bool, Option<EventType>)> = trigs
            .iter()
            .map(|t| (t.ts, t.te, t.noun, self.e(t).ty))
            .collect();
        for t in trigs.iter_mut() {
            let e = &self.lex.entries[t.entry];
            let next = self.lw(t.te);
            let prevw = if t.ts > 0 { self.lw(t.ts - 1) } else { "" };
            let mut ok = true;
            if e.has("needs_to") && next != "to" {
                ok = false;
            }
            if e.has("needs_in") && next != "in" {
                ok = false;
            }
            if e.has("needs_with") && next != "with" {
                ok = false;
            }
            if e.has("needs_of") && next != "of" {
                ok = false;
            }
            // A wish is no event ("wanted a closer partnership"), nor is what someone else
            // is invited to do ("invited companies to invest").
            let back = |n: usize, words: &[&str]| {
                (t.ts.saturating_sub(n)..t.ts).any(|k| words.contains(&self.lw(k)))
            };
            if t.noun
                && back(
                    4,
                    &[
                        "want", "wants", "wanted", "hope", "hopes", "hoped", "seek", "seeks",
                        "sought", "wish",
                    ],
                )
            {
                ok = false;
            }
            if !t.noun
                && prevw == "to"
                && back(
                    6,
                    &[
                        "invited",
                        "invite",
                        "invites",
                        "urged",
                        "urge",
                        "urges",
                        "asked",
                        "ask",
                        "encouraged",
                        "encourage",
                        "called",
                    ],
                )
            {
                ok = false;
            }
            if e.has("quote") {
                ok = (0..t.ts).any(|k| matches!(self.lw(k), "”" | "\""));
            }
            if e.has("complement") {
                ok = prevw == "to";
            }
            if e.has("venue") {
                // "at the APEC summit", "to the summit in Lima", "sidelines of the … summit".
                let mut k = t.ts;
                while k > 0 {
                    let l = self.lw(k - 1);
                    if self.v.is_det(k - 1)
                        || self.v.cand_at(k - 1).is_some()
                        || (self.v.words[k - 1].cap && !PREPOSITION_SET.contains(l))
                        || matches!(l, "annual" | "leaders" | "crucial" | "upcoming")
                    {
                        k -= 1;
                    } else {
                        break;
                    }
                }
                let p = if k > 0 { self.lw(k - 1) } else { "" };
                if matches!(
                    p,
                    "at" | "to"
                        | "of"
                        | "for"
                        | "during"
                        | "ahead"
                        | "attend"
                        | "attended"
                        | "attending"
                        | "before"
                        | "after"
                        | "with"
                ) {
                    ok = false;
                }
            }
            if e.has("needs_obj") {
                // reach/strike/conclude: an agreement noun as object, or the subject of a
                // passive ("No agreement was reached", "a deal reached earlier").
                let obj = all.iter().any(|&(ts, _, noun, ty)| {
                    noun && ty == Some(EventType::Agreement) && ts > t.ts && ts <= t.te + 6
                });
                let subj = all.iter().any(|&(_, te, noun, ty)| {
                    noun && ty == Some(EventType::Agreement) && te <= t.ts && te + 3 >= t.ts
                });
                ok = obj || (t.participle && subj);
            }
            if e.has("person_obj") {
                ok = self
                    .object_group(t.te)
                    .is_some_and(|g| self.members(g).iter().all(|&c| self.is_personish(c)));
            }
            if e.has("hostpraise") {
                // "welcomed Prabowo": a name is a visitor; "welcomed the decision": praise.
                let person = self.object_group(t.te).is_some_and(|g| {
                    self.members(g)
                        .iter()
                        .any(|&c| self.is_personish(c) || self.v.cands[c].kind == CandKind::Proper)
                });
                if !person {
                    t.as_statement = Some(("praise", "051", "SUPPORT"));
                }
            }
            if e.has("speak") {
                let with = (t.te..(t.te + 4).min(n)).find(|&k| self.lw(k) == "with");
                match with {
                    Some(k) => {
                        t.as_meeting_phone =
                            (t.te..k).any(|q| matches!(self.lw(q), "phone" | "telephone"));
                    }
                    None => t.as_statement = Some(("statement", "010", "OTHER")),
                }
            }
            if e.has("praise")
                && (t.te..(t.te + 3).min(n)).any(|k| {
                    matches!(
                        self.lw(k),
                        "admiration" | "support" | "gratitude" | "appreciation" | "praise"
                    )
                })
            {
                t.as_statement = Some(("praise", "051", "SUPPORT"));
            }
            // Noun compounds: "the meeting room", "the signing ceremony".
            if t.noun && COMPOUND_HEADS_SET.contains(next) {
                ok = false;
            }
            // A trigger noun used as a verb ("to deal with").
            if t.noun && matches!(prevw, "to" | "will" | "would" | "can" | "could") {
                ok = false;
            }
            if !ok {
                t.dropped = true;
            }
        }
    }

    /// Folds support verbs, control verbs, complements and noun compounds into the
    /// trigger that carries the event.
    fn fold(&self, trigs: &mut [Trig]) {
        let n = trigs.len();
        // Noun compounds: "ceasefire agreement", "framework agreement", "investment agreement".
        for k in 0..n {
            if trigs[k].dropped || !trigs[k].noun {
                continue;
            }
            if let Some(j) = (0..n).find(|&j| {
                j != k && !trigs[j].dropped && trigs[j].noun && trigs[j].ts == trigs[k].te
            }) {
                trigs[k].into = Some(j);
                if self.e(&trigs[k]).ty == self.e(&trigs[j]).ty {
                    trigs[j].refine = Some(trigs[k].entry);
                }
            }
        }
        // "the signing of a major agreement".
        for k in 0..n {
            if trigs[k].dropped || trigs[k].into.is_some() {
                continue;
            }
            if self.e(&trigs[k]).subtype == "signing" && trigs[k].noun {
                if let Some(j) = self.object_noun(trigs, trigs[k].te + 1) {
                    if self.lw(trigs[k].te) == "of" {
                        trigs[j].into = Some(k);
                    }
                }
            }
        }
        // Control and head verbs with a trigger complement: "plans to invest", "pledged to
        // invest", "agreed to buy", "in talks to buy".
        for k in 0..n {
            if trigs[k].dropped || trigs[k].into.is_some() {
                continue;
            }
            let after_to = self.next_nonadv(trigs[k].te);
            if self.lw(after_to) != "to" {
                continue;
            }
            let c = self.next_nonadv(after_to + 1);
            let Some(j) = (0..n).find(|&j| trigs[j].ts == c && !trigs[j].dropped && !trigs[j].noun)
            else {
                continue;
            };
            let ek = self.e(&trigs[k]).clone();
            if trigs[k].noun && ek.ty == Some(EventType::Commitment) {
                // "Tokyo's plan to undertake …", "a pledge to invest": one commitment.
                let owner = match trigs[k].into {
                    Some(o) if o != usize::MAX => o,
                    _ => k,
                };
                trigs[j].into = Some(owner);
                continue;
            }
            let complement_only = self.e(&trigs[j]).has("complement");
            if !complement_only && (ek.has("control") || (trigs[k].noun && ek.subtype == "talks")) {
                trigs[k].into = Some(usize::MAX);
                let cue = match ek.subtype.as_str() {
                    "plan" | "aim" => Some(Modality::Planned),
                    "talks" => Some(Modality::Possible),
                    _ => None,
                };
                trigs[j].cue = trigs[j].cue.or(cue);
            } else if ek.has("head") || self.e(&trigs[j]).has("complement") {
                trigs[j].into = Some(k);
                if ek.cameo == "030" {
                    trigs[k].refine = Some(trigs[j].entry);
                }
            }
        }
        // Verb + event noun object: support verbs hand the event to the noun; event verbs
        // absorb the noun ("signed a framework agreement").
        for k in 0..n {
            if trigs[k].dropped || trigs[k].into.is_some() || trigs[k].noun {
                continue;
            }
            let Some(j) = self.object_noun(trigs, trigs[k].te) else {
                continue;
            };
            if trigs[j].dropped || trigs[j].into.is_some() {
                continue;
            }
            let ek = self.e(&trigs[k]).clone();
            let ej = self.e(&trigs[j]).clone();
            // Praise of an event ("welcomed the investment") is about it, not it.
            let praise = trigs[k].as_statement.is_some() || ek.subtype == "praise";
            let hands_over = !praise
                && (trigs[k].support
                    || ek.subtype == "announcement"
                    || ek.has("host")
                    || (ek.ty == Some(EventType::Visit) && ej.ty != Some(EventType::Visit)));
            if hands_over {
                trigs[k].into = Some(usize::MAX);
            } else {
                trigs[j].into = Some(k);
                if ej.ty == ek.ty || ej.cameo == "0871" {
                    trigs[k].refine = trigs[j].refine.or(Some(trigs[j].entry));
                }
            }
        }
        // A participle right after an event noun modifies it: "the accord, signed in …",
        // "a deal reached earlier", "the deal announced on Wednesday".
        for k in 0..n {
            if trigs[k].dropped || trigs[k].into.is_some() || !trigs[k].participle {
                continue;
            }
            let ts = trigs[k].ts;
            let j = (0..n).find(|&j| {
                let t = &trigs[j];
                !t.dropped
                    && t.into.is_none()
                    && t.noun
                    && (t.te == ts
                        || (t.te + 1 == ts && self.lw(t.te) == ",")
                        || (t.te + 1 == ts
                            && matches!(self.lw(t.te), "was" | "were" | "is" | "are" | "been"))
                        || (t.te + 2 == ts
                            && matches!(self.lw(t.te), "was" | "were" | "is" | "has" | "have")
                            && matches!(self.lw(t.te + 1), "been" | "not" | "never" | "also")
                            || (t.te + 3 == ts
                                && matches!(self.lw(t.te + 1), "was" | "were" | "been"))
                            || (t.te + 3 == ts
                                && self.lw(t.te) == ","
                                && self.lw(t.te + 1) == "which")
                            || (t.te + 4 == ts
                                && self.lw(t.te) == ","
                                && self.lw(t.te + 1) == "which")))
            });
            let Some(j) = j else { continue };
            let ek = self.e(&trigs[k]).clone();
            let ej = self.e(&trigs[j]).clone();
            if ek.ty == Some(EventType::Statement) {
                trigs[k].dropped = true;
            } else if ek.ty == ej.ty || trigs[k].support {
                if trigs[k].support {
                    trigs[k].into = Some(usize::MAX);
                } else {
                    trigs[j].into = Some(k);
                    trigs[k].refine = trigs[j].refine.or(Some(trigs[j].entry));
                }
            }
        }
        // A support verb left on its own is nothing.
        for t in trigs.iter_mut() {
            if t.support && t.into.is_none() {
                t.dropped = true;
            }
        }
    }

    fn build(&self, trigs: &[Trig]) -> Vec<Draft> {
        // Independent triggers in order; each one's zone runs to the next one.
        let live: Vec<usize> = (0..trigs.len())
            .filter(|&k| !trigs[k].dropped && trigs[k].into.is_none())
            .collect();
        let label = self.label_end();
        let mut drafts: Vec<Draft> = Vec::with_capacity(live.len());
        let mut ts_list: Vec<(usize, usize)> = Vec::with_capacity(live.len());
        for (pos, &k) in live.iter().enumerate() {
            let t = &trigs[k];
            let e = self.e(t);
            let Some(mut ty) = e.ty else { continue };
            let mut subtype = e.subtype.clone();
            let mut cameo = e.cameo.clone();
            let mut plover = e.plover.clone();
            if let Some((st, c, p)) = t.as_statement {
                ty = EventType::Statement;
                subtype = st.into();
                cameo = c.into();
                plover = p.into();
            }
            if t.as_meeting_phone {
                subtype = "phone call".into();
                cameo = "041".into();
            }
            // "announce new factories": an investment, not a statement.
            if e.phrase == "announce"
                && (t.te..(t.te + 6).min(self.n())).any(|k| {
                    matches!(
                        self.lw(k),
                        "factory"
                            | "factories"
                            | "plant"
                            | "plants"
                            | "jobs"
                            | "project"
                            | "projects"
                            | "mine"
                            | "mines"
                    )
                })
            {
                ty = EventType::Commitment;
                subtype = "investment".into();
                cameo = "0311".into();
                plover = "AGREE".into();
            }
            if let Some(r) = t.refine {
                let re = &self.lex.entries[r];
                if re.cameo == "0871" {
                    subtype = re.subtype.clone();
                    cameo = re.cameo.clone();
                    plover = re.plover.clone();
                } else if cameo == "030"
                    && re.cameo != "030"
                    && re.ty == Some(EventType::Commitment)
                {
                    cameo = re.cameo.clone();
                    plover = re.plover.clone();
                }
            }
            // The full extent of the trigger and what it absorbed.
            let absorbed_end = trigs
                .iter()
                .filter(|a| a.into == Some(k))
                .map(|a| a.te)
                .max()
                .unwrap_or(t.te)
                .max(t.te);
            let (cs, ce) = self.clause(t.ts);
            let zone_end = live
                .get(pos + 1)
                .map(|&n| trigs[n].ts)
                .unwrap_or(ce)
                .min(ce)
                .max(absorbed_end);
            let mut d = Draft {
                entry: t.entry,
                ty,
                subtype,
                cameo,
                plover,
                trigger: Span::new(
                    self.v.words[t.ts].span.start,
                    self.v.words[t.te - 1].span.end,
                ),
                ts: t.ts,
                te: t.te,
                noun: t.noun,
                agents: Vec::new(),
                counterparts: Vec::new(),
                inherit: None,
                amount: None,
                topic: None,
                purpose: None,
                condition: None,
                place: None,
                time: None,
                modality: t.cue,
                anaphoric: false,
                loose: false,
                fresh: false,
                merge_only: self.v.heading || t.ts < label,
                attribution: false,
                quote: false,
                dropped: false,
            };
            let absorbed_noun = trigs
                .iter()
                .filter(|a| a.into == Some(k) && a.noun && a.ts >= t.te)
                .map(|a| (a.ts, a.te))
                .min();
            // "no deal was reached", "reached a new agreement": not one already reported.
            let fresh_noun = trigs
                .iter()
                .filter(|a| a.into == Some(k) && a.noun)
                .any(|a| {
                    let s = self.np_start(a.ts);
                    matches!(self.lw(s), "no" | "another")
                        || (matches!(self.lw(s), "a" | "an")
                            && matches!(self.lw(s + 1), "new" | "second" | "separate" | "fresh"))
                });
            d.fresh |= fresh_noun;
            let absorbed_noun_before = trigs
                .iter()
                .any(|a| a.into == Some(k) && a.noun && a.te <= t.ts);
            self.roles(
                &mut d,
                t,
                e,
                absorbed_end,
                zone_end,
                cs,
                &ts_list,
                absorbed_noun,
                absorbed_noun_before,
            );
            self.modality(&mut d, t, cs, ce);
            ts_list.push((d.ts, d.te));
            drafts.push(d);
        }
        self.sentence_rules(&mut drafts);
        drafts
    }

    /// Start of the noun phrase whose head is the trigger at `ts` (its pre-modifiers).
    fn np_start(&self, ts: usize) -> usize {
        let mut s = ts;
        while s > 0 {
            let p = s - 1;
            let l = self.lw(p);
            let w = &self.v.words[p];
            if PREPOSITION_SET.contains(l) || matches!(l, "," | "and" | "or" | "was" | "is" | "are")
            {
                break;
            }
            // A verb ends the phrase ("the two leaders held talks").
            if self.lex.matches(&[l], 0).iter().any(|m| {
                let e = &self.lex.entries[m.entry];
                e.pos != Pos::Noun && !m.participle
            }) || matches!(l, "held" | "made" | "paid" | "won" | "began" | "had")
            {
                break;
            }
            if let Some(c) = self.v.cand_at(p) {
                let c = &self.v.cands[c];
                s = c.start;
                if c.poss {
                    break;
                }
                continue;
            }
            if self.v.is_det(p) {
                s = p;
                break;
            }
            let money = self.v.money.iter().any(|m| m.1 <= p && p < m.2);
            if money
                || w.kind == TokenKind::Number
                || matches!(l, "$" | "€" | "£" | "¥" | "-")
                || (w.kind == TokenKind::Word && !is_verb_form(l) && !matches!(l, "to" | "not"))
                || matches!(
                    l,
                    "expected"
                        | "planned"
                        | "proposed"
                        | "expanded"
                        | "elected"
                        | "accelerated"
                        | "coordinated"
                        | "long-awaited"
                        | "unannounced"
                        | "high-stakes"
                )
            {
                s = p;
                continue;
            }
            break;
        }
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn roles(
        &self,
        d: &mut Draft,
        t: &Trig,
        e: &Entry,
        absorbed_end: usize,
        zone_end: usize,
        cs: usize,
        ts_list: &[(usize, usize)],
        absorbed_noun: Option<(usize, usize)>,
        absorbed_noun_before: bool,
    ) {
        let ty = d.ty;
        let host = e.has("host") || (e.has("hostpraise") && t.as_statement.is_none());
        let broker = e.has("broker");
        let order = e.has("order");
        let reduced_relative = t.participle && absorbed_noun_before;
        let passive = reduced_relative
            || t.participle
                && t.ts > 0
                && (matches!(
                    self.lw(t.ts - 1),
                    "was" | "were" | "been" | "being" | "is" | "are" | "be"
                ) || (t.ts > 1 && matches!(self.lw(t.ts - 2), "was" | "were" | "been")));
        let mut agents: Vec<CandRef> = Vec::new();
        let mut counterparts: Vec<CandRef> = Vec::new();
        let mut place: Option<CandRef> = None;
        let push = |v: &mut Vec<CandRef>, c: CandRef| {
            if !v.contains(&c) {
                v.push(c);
            }
        };
        let mut np_s = t.ts;
        if d.noun {
            np_s = self.np_start(t.ts);
            // Possessor: "Japan's pledge", "the two leaders' first in-person meeting".
            for ci in 0..self.v.cands.len() {
                let c = &self.v.cands[ci];
                if c.start >= np_s && c.end <= t.ts {
                    if c.poss {
                        if let Some(g) = self.v.group_of.get(c.end - 1).copied().flatten() {
                            for m in self.members(g) {
                                push(&mut agents, m);
                            }
                        } else {
                            push(&mut agents, ci);
                        }
                    } else {
                        // Modifiers: "US-China negotiations" (both parties), "the Tokyo stop".
                        let hyphen = self.v.words[c.start..c.end]
                            .iter()
                            .any(|w| w.text.contains('-'));
                        let pair = self.v.cands.iter().filter(|o| o.start == c.start).count() > 1
                            || hyphen;
                        if pair || ty == EventType::Agreement {
                            push(&mut agents, ci);
                        } else if matches!(ty, EventType::Visit | EventType::Meeting)
                            && self.is_placeish(ci)
                        {
                            place = place.or(Some(ci));
                        } else if ty == EventType::Commitment {
                            push(&mut counterparts, ci);
                        }
                    }
                }
            }
            // A possessive noun phrase just before the modifiers: "Trump's first official".
            let det = np_s < t.ts && matches!(self.lw(np_s), "the" | "this" | "that");
            // "a new agreement", "another summit": not the one already reported.
            d.fresh = np_s + 1 < t.ts
                && matches!(self.lw(np_s), "a" | "an" | "another")
                && matches!(
                    self.lw(np_s + 1),
                    "new" | "second" | "separate" | "further" | "fresh"
                )
                || matches!(self.lw(np_s), "another" | "no");
            d.anaphoric = det && agents.is_empty();
            // "his first visit": a possessive pronoun.
            if np_s < t.ts && matches!(self.lw(np_s), "his" | "her" | "their" | "its") {
                if let Some(ci) = self.v.cand_at(np_s) {
                    push(&mut agents, ci);
                }
                // The event the article is already about, or a new one by that person.
                d.anaphoric = true;
                d.loose = true;
            }
        }
        // Amount and time inside the noun phrase ("an $8.5 billion deal").
        for &(mi, s, _) in &self.v.money {
            if s >= np_s && s < t.ts {
                d.amount = d.amount.or(Some(mi));
            }
        }
        // Subject and object.
        let mut subject_group: Option<usize> = None;
        if !d.noun || agents.is_empty() {
            let initial_participle = t.gerund
                && (t.ts == 0
                    || t.ts == self.label_end()
                    || (t.ts > 0 && self.lw(t.ts - 1) == ","));
            let subj = if initial_participle && t.ts <= self.label_end() + 1 {
                // "Speaking to reporters, President Trump …": the subject follows the comma.
                (t.te..self.n())
                    .find(|&k| self.lw(k) == ",")
                    .and_then(|k| self.object_group(k + 1))
                    .map(Subject::Group)
            } else if passive {
                None
            } else {
                self.subject(t.ts, ts_list)
            };
            match subj {
                Some(Subject::Group(g)) => {
                    subject_group = Some(g);
                    // "will host the summit", "announced the agreement": a definite event
                    // noun after such a verb is the known event, with its subject taking part.
                    let after_support = d.noun
                        && np_s > 0
                        && self.lex.matches(&[self.lw(np_s - 1)], 0).iter().any(|m| {
                            let e = &self.lex.entries[m.entry];
                            e.pos == Pos::Support || e.has("host") || e.subtype == "announcement"
                        });
                    if d.noun && d.anaphoric && after_support {
                        d.loose = true;
                    }
                    if !(d.noun && d.anaphoric) || d.loose {
                        for m in self.members(g) {
                            if order {
                                push(&mut counterparts, m);
                            } else {
                                push(&mut agents, m);
                            }
                        }
                    }
                }
                Some(Subject::Draft(i)) => d.inherit = Some(i),
                None => {}
            }
            // Quote attribution with inversion: "…,” said Commerce Secretary Howard Lutnick.
            if agents.is_empty() && ty == EventType::Statement && !d.noun {
                if let Some(g) = self.object_group(t.te) {
                    let q = |k: usize| matches!(self.lw(k), "”" | "\"");
                    let after_quote = t.ts >= 1 && q(t.ts - 1)
                        || t.ts >= 2 && self.lw(t.ts - 1) == "," && q(t.ts - 2);
                    if after_quote {
                        for m in self.members(g) {
                            push(&mut agents, m);
                        }
                    }
                }
            }
            // "his first visit", "its largest investment": the event the sentence is
            // already about, or a new one by that person.
            if d.noun && np_s < t.ts && matches!(self.lw(np_s), "his" | "her" | "its" | "their") {
                d.anaphoric = true;
                d.loose = true;
            } else if d.noun && subject_group.is_some() {
                // "will host the two-day summit": the summit the article already has, with
                // one more participant.
                if !d.loose && !agents.is_empty() {
                    d.anaphoric = false;
                }
            }
        }
        if !d.noun && !passive {
            if let Some(g) = self.object_group(absorbed_end.max(t.te)) {
                let obj_is_subject_inv = agents.iter().any(|a| self.v.groups[g].cands.contains(a));
                if !obj_is_subject_inv {
                    for m in self.members(g) {
                        match ty {
                            EventType::Visit if !host => {
                                if self.is_personish(m) {
                                    push(&mut counterparts, m);
                                } else {
                                    place = place.or(Some(m));
                                }
                            }
                            EventType::Agreement => {}
                            _ => push(&mut counterparts, m),
                        }
                    }
                }
            }
        }
        // Prepositional phrases in the zone.
        let zone_start = if d.noun { t.te } else { absorbed_end.max(t.te) };
        let mut after_amount = false;
        let mut j = if d.noun { np_s.min(t.ts) } else { t.ts };
        let mut topic_done = false;
        // A verb that absorbed a commitment noun: the noun phrase is the topic
        // ("pledge over $550 billion in investments into the US economy").
        if ty == EventType::Commitment && !d.noun && d.topic.is_none() {
            if let Some((ns, ne)) = absorbed_noun {
                let is_commit_noun = self
                    .lex
                    .matches(&[self.lw(ns)], 0)
                    .iter()
                    .any(|m| self.lex.entries[m.entry].ty == Some(EventType::Commitment));
                if is_commit_noun {
                    let e = self.phrase_end(ne, zone_end.max(ne));
                    let promise = matches!(
                        self.lw(ns),
                        "commitment" | "commitments" | "pledge" | "promise" | "vow"
                    ) && self.lw(ne) == "to";
                    d.topic = if promise {
                        self.span(ne + 1, self.phrase_end(ne + 1, zone_end.max(ne + 1)))
                    } else {
                        self.span(ns, e)
                    };
                    topic_done = d.topic.is_some();
                    for k in ns..e {
                        if let Some(c) = self.v.cand_at(k) {
                            let cc = &self.v.cands[c];
                            if matches!(cc.ety, Some(EntityType::Place | EntityType::Norp))
                                && !counterparts.contains(&c)
                            {
                                counterparts.push(c);
                            }
                        }
                    }
                }
            }
        }
        // A verb's amount may sit before a noun it absorbed ("pledge over $550 billion in
        // investments").
        if !d.noun {
            for &(mi, ms, _) in &self.v.money {
                if ms >= t.te && ms < zone_end && d.amount.is_none() {
                    d.amount = Some(mi);
                    after_amount = ms < zone_start;
                }
            }
        }
        while j < zone_end {
            let l = self.lw(j);
            if j < zone_start {
                j += 1;
                continue;
            }
            if let Some(&(mi, _, me)) = self.v.money.iter().find(|m| m.1 == j) {
                d.amount = d.amount.or(Some(mi));
                after_amount = true;
                j = me;
                continue;
            }
            if let Some(&(mi, _, me)) = self.v.dates.iter().find(|m| m.1 == j) {
                d.time = d.time.or(Some(mi));
                j = me;
                continue;
            }
            if let Some((is_cond, _)) = self.marker_at(j) {
                let e = self.phrase_end(j + 1, zone_end.max(self.clause(j).1));
                let sp = self.span(j, e);
                if is_cond {
                    d.condition = d.condition.or(sp);
                } else {
                    d.purpose = d.purpose.or(sp);
                }
                j = e.max(j + 1);
                continue;
            }
            // "to VERB" after the object: purpose (commitments, agreements).
            if l == "to"
                && j > zone_start
                && matches!(ty, EventType::Commitment | EventType::Agreement)
                && self.v.words.get(j + 1).is_some_and(|w| {
                    w.kind == TokenKind::Word && !w.cap && self.v.cand_at(j + 1).is_none()
                })
                && !self.v.is_det(j + 1)
            {
                let e = self.phrase_end(j + 1, zone_end);
                d.purpose = d.purpose.or(self.span(j, e));
                j = e.max(j + 1);
                continue;
            }
            // A noun's own phrases end where the sentence's predicate starts ("his arrival in
            // Tokyo … was marked by …").
            if d.noun
                && j > zone_start
                && matches!(
                    l,
                    "is" | "was"
                        | "are"
                        | "were"
                        | "has"
                        | "have"
                        | "had"
                        | "will"
                        | "would"
                        | "could"
                        | "may"
                        | "might"
                        | "can"
                        | "comes"
                        | "came"
                        | "saw"
                )
            {
                break;
            }
            if l == "," {
                let nx = self.lw(j + 1);
                if self.v.is_det(j + 1)
                    || matches!(
                        nx,
                        "which" | "who" | "where" | "while" | "including" | "a" | "an"
                    )
                    || (nx.ends_with("ing") && self.v.cand_at(j + 1).is_none())
                {
                    break;
                }
            }
            if PREPOSITION_SET.contains(l) {
                let g = self
                    .object_group(j + 1)
                    .filter(|&g| !self.modifier_group(g) || l == "between");
                let Some(g) = g else {
                    // Topic phrases: "on critical minerals", "to implementing …".
                    if !topic_done {
                        let topical = match ty {
                            EventType::Agreement | EventType::Meeting => {
                                matches!(l, "on" | "over" | "about" | "covering")
                            }
                            EventType::Commitment => {
                                matches!(l, "to" | "on") && j == zone_start
                                    || (matches!(l, "in" | "of" | "into")
                                        && (after_amount || j == zone_start))
                            }
                            _ => false,
                        };
                        let sidelines = matches!(self.lw(j + 2), "sidelines" | "margins" | "eve")
                            || matches!(self.lw(j + 1), "sidelines" | "margins");
                        if topical
                            && !sidelines
                            && !self.v.dates.iter().any(|m| m.1 == j + 1)
                            && !self.v.money.iter().any(|m| m.1 == j + 1)
                        {
                            let e = self.phrase_end(j + 1, zone_end);
                            if e > j + 1 {
                                d.topic = self.span(j + 1, e);
                                topic_done = true;
                                // The topic's names are counterparts of a commitment
                                // ("into the US economy").
                                if ty == EventType::Commitment {
                                    for k in j + 1..e {
                                        if let Some(c) = self.v.cand_at(k) {
                                            let cc = &self.v.cands[c];
                                            if cc.kind == CandKind::Named
                                                && matches!(
                                                    cc.ety,
                                                    Some(EntityType::Place | EntityType::Norp)
                                                )
                                                && counterparts.len() < 3
                                            {
                                                push(&mut counterparts, c);
                                            }
                                        }
                                    }
                                }
                                j = e;
                                continue;
                            }
                        }
                    }
                    j += 1;
                    continue;
                };
                let grp = self.v.groups[g].clone();
                // "between the nations" after named parties adds nothing.
                let ms: Vec<CandRef> = self
                    .members(g)
                    .into_iter()
                    .filter(|&m| {
                        l == "between"
                            || agents.is_empty()
                            || self.v.cands[m].kind != CandKind::Plural
                    })
                    .collect();
                match l {
                    "with"
                        if (ty != EventType::Visit || ms.iter().all(|&m| self.is_personish(m))) =>
                    {
                        for m in ms {
                            push(&mut counterparts, m);
                        }
                    }
                    "between" => {
                        let to_cp = broker || !agents.is_empty();
                        for m in ms {
                            if to_cp {
                                push(&mut counterparts, m);
                            } else {
                                push(&mut agents, m);
                            }
                        }
                    }
                    "by" if passive || d.noun => {
                        for m in ms {
                            push(&mut agents, m);
                        }
                    }
                    "from" if order => {
                        for m in ms {
                            push(&mut agents, m);
                        }
                    }
                    "from" if ty == EventType::Commitment => {
                        for m in ms {
                            push(&mut counterparts, m);
                        }
                    }
                    "of" if place.is_none()
                        && j > 0
                        && matches!(
                            self.lw(j - 1),
                            "city"
                                | "town"
                                | "village"
                                | "capital"
                                | "port"
                                | "province"
                                | "region"
                                | "island"
                                | "state"
                        ) =>
                    {
                        place = ms.first().copied();
                    }
                    "of" if d.noun
                        && j == t.te
                        && matches!(
                            ty,
                            EventType::Visit | EventType::Meeting | EventType::Commitment
                        )
                        && agents.is_empty() =>
                    {
                        for m in ms {
                            push(&mut agents, m);
                        }
                    }
                    "to" | "into" | "for"
                        if ty == EventType::Commitment
                            && (l != "for" || ms.iter().all(|&m| self.is_placeish(m))) =>
                    {
                        for m in ms {
                            push(&mut counterparts, m);
                        }
                    }
                    "in" if ty == EventType::Commitment
                        && (after_amount || j == zone_start)
                        && counterparts.is_empty() =>
                    {
                        for m in ms {
                            push(&mut counterparts, m);
                        }
                    }
                    "to" if ty == EventType::Visit => {
                        if ms.iter().all(|&m| self.is_personish(m)) && !host {
                            for m in ms {
                                push(&mut counterparts, m);
                            }
                        } else if place.is_none() {
                            place = ms.first().copied();
                        }
                    }
                    "for" if ty == EventType::Statement && d.subtype == "praise" => {
                        for m in ms {
                            push(&mut counterparts, m);
                        }
                    }
                    "to" if ty == EventType::Statement && j == zone_start => {
                        for m in ms {
                            if self.v.cands[m].kind == CandKind::Named {
                                push(&mut counterparts, m);
                            }
                        }
                    }
                    "in" | "at" | "to" => {
                        // At "the APEC Summit in South Korea": the summit is a setting; the
                        // place is inside it.
                        let event_word = |w: &str| {
                            matches!(
                                w,
                                "summit" | "meeting" | "conference" | "talks" | "forum" | "airshow"
                            )
                        };
                        let setting = event_word(self.lw(grp.end))
                            || grp.end > 0 && event_word(self.lw(grp.end - 1));
                        if place.is_none()
                            && !setting
                            && ms.iter().all(|&m| !self.is_personish(m))
                            && !(l == "to" && ty != EventType::Visit)
                        {
                            place = ms.first().copied();
                        }
                    }
                    _ => {}
                }
                j = grp.end;
                continue;
            }
            // Commitments: the object phrase is the topic ("buy 12 million tonnes of …").
            if ty == EventType::Commitment
                && !topic_done
                && !d.noun
                && j == zone_start
                && !matches!(l, "," | "." | "to")
            {
                let e = self.phrase_end(j, zone_end);
                // The object up to its price ("103 Boeing aircraft worth $36 billion").
                let money_at = self
                    .v
                    .money
                    .iter()
                    .map(|m| m.1)
                    .filter(|&m| m >= j && m < e)
                    .min();
                let e = match money_at {
                    Some(m) if m > j && self.lw(m - 1) == "worth" => m - 1,
                    Some(m) => m.max(j),
                    None => e,
                };
                if e > j {
                    d.topic = self.span(j, e);
                    topic_done = true;
                    for k in j..e {
                        if let Some(c) = self.v.cand_at(k) {
                            let cc = &self.v.cands[c];
                            let proper_org = cc.kind == CandKind::Proper && cc.title.is_empty();
                            if (proper_org
                                || matches!(
                                    cc.ety,
                                    Some(EntityType::Place | EntityType::Norp | EntityType::Org)
                                ))
                                && !counterparts.contains(&c)
                                && counterparts.len() < 3
                            {
                                counterparts.push(c);
                            }
                        }
                    }
                }
            }
            j += 1;
        }
        // Head verbs with a complement: the complement is the topic ("undertook to reduce …").
        if ty == EventType::Commitment && d.topic.is_none() && !d.noun {
            let to = self.next_nonadv(t.te);
            if self.lw(to) == "to" {
                let e = self.phrase_end(to + 1, zone_end.max(absorbed_end));
                if e > to + 1 && absorbed_end <= t.te {
                    d.topic = self.span(to + 1, e);
                }
            }
        }
        // Agreements and commitment nouns: the noun's modifiers are the topic ("a trade deal").
        if d.topic.is_none() && matches!(ty, EventType::Agreement | EventType::Commitment) {
            let head = if d.noun {
                Some(t.ts)
            } else {
                // The absorbed noun object.
                (t.te..absorbed_end).rev().find(|&k| {
                    self.v.words[k].kind == TokenKind::Word
                        && !self.lex.matches(&[self.lw(k)], 0).is_empty()
                })
            };
            if let Some(h) = head {
                let s = self.np_start(h);
                let mods: Vec<usize> = (s..h)
                    .filter(|&k| {
                        let w = &self.v.words[k];
                        w.kind == TokenKind::Word
                            && !TOPIC_STOP_SET.contains(&w.lower)
                            && self.v.cand_at(k).is_none()
                            && !self.v.money.iter().any(|m| m.1 <= k && k < m.2)
                            && self.lex.matches(&[w.lower.as_ref()], 0).is_empty()
                            && !DEMONYM_SET.contains(w.lower.as_ref())
                    })
                    .collect();
                if let (Some(&a), Some(&b)) = (mods.first(), mods.last()) {
                    if mods.len() == b - a + 1 {
                        d.topic = self.v.span_of(a, b + 1);
                    }
                }
            }
        }
        // Statements: the quote, or the reported clause.
        if ty == EventType::Statement {
            self.statement_topic(d, t);
        }
        // Time in the clause when the zone has none (e.g. before the trigger).
        // Only from the subject on: a date before it belongs to another clause.
        let from = agents
            .iter()
            .map(|&c| self.v.cands[c].start)
            .filter(|&s| s < t.ts)
            .min();
        if d.time.is_none() && from.is_some() {
            let cs = from.unwrap_or(cs).max(cs);
            let cands: Vec<usize> = self
                .v
                .dates
                .iter()
                .filter(|m| m.1 >= cs && m.2 <= zone_end.max(t.te))
                .map(|m| m.0)
                .collect();
            if cands.len() == 1
                && !self
                    .v
                    .dates
                    .iter()
                    .any(|m| m.1 < t.ts && self.lw(m.1.saturating_sub(1)) == "than")
            {
                d.time = cands.first().copied();
            }
        }
        // The clause subject of a noun event with no participants ("Siemens announced a $10
        // billion investment").
        let _ = subject_group;
        d.agents = agents;
        d.counterparts = counterparts;
        d.place = place;
    }

    fn statement_topic(&self, d: &mut Draft, t: &Trig) {
        let doc = self.v.doc;
        let quotes_before = (0..t.ts).rev().find(|&k| matches!(self.lw(k), "”" | "\""));
        if let Some(q) = quotes_before {
            // Back to the opening quote, possibly in an earlier sentence.
            let close = self.v.words[q].span.start;
            let text = &doc.text[..close];
            let open = text
                .rfind('“')
                .map(|o| o + '“'.len_utf8())
                .or_else(|| text.rfind('"').map(|o| o + 1));
            if let Some(o) = open {
                let inner = &doc.text[o..close];
                let trimmed = inner.trim_end_matches([',', '.', ' ', '…']);
                let lead = inner.len() - inner.trim_start().len();
                if !trimmed.trim().is_empty() {
                    d.topic = Some(Span::new(o + lead, o + trimmed.len()));
                    d.quote = true;
                }
            }
            return;
        }
        // Speaker before an opening quote: X said: “…”.
        if let Some(q) = (t.te..self.n()).find(|&k| matches!(self.lw(k), "“" | "\"")) {
            if q <= t.te + 2 {
                let start = self.v.words[q].span.end;
                let rest = &doc.text[start..];
                if let Some(c) = rest.find('”').or_else(|| rest.find('"')) {
                    let inner = &rest[..c];
                    let trimmed = inner.trim_end_matches([',', '.', ' ']);
                    d.topic = Some(Span::new(start, start + trimmed.len()));
                    d.quote = true;
                }
                return;
            }
        }
        // "said (on Tuesday) (that) CLAUSE".
        let mut j = t.te;
        if let Some(g) = self.object_group(j) {
            let grp = &self.v.groups[g];
            if matches!(self.lw(t.ts), "told") {
                j = grp.end;
            }
        }
        loop {
            if let Some(&(_, _, me)) = self.v.dates.iter().find(|m| m.1 == j || m.1 == j + 1) {
                j = me;
                continue;
            }
            if self.lw(j) == "that" {
                j += 1;
                continue;
            }
            break;
        }
        if matches!(
            self.lw(t.ts),
            "said" | "says" | "stated" | "told" | "announced"
        ) && j < self.n()
            && !matches!(self.lw(j), "." | "," | "on" | "in" | "at" | "to" | "the")
            || self.lw(j.saturating_sub(1)) == "that"
        {
            let mut e = self.n();
            while e > j && matches!(self.lw(e - 1), "." | "”" | "\"") {
                e -= 1;
            }
            if e > j + 1 {
                d.topic = self.v.span_of(j, e);
            }
        }
    }

    fn modality(&self, d: &mut Draft, t: &Trig, cs: usize, ce: usize) {
        let mut best: Option<Modality> = d.modality;
        // "plans to double its defence spending": the plan is the event, and planned.
        let entry = &self.lex.entries[d.entry];
        if entry.has("control") && matches!(entry.subtype.as_str(), "plan" | "aim") && !d.noun {
            best = best.or(Some(Modality::Planned));
        }
        let rank = |m: Modality| match m {
            Modality::Negated => 5,
            Modality::Possible => 4,
            Modality::Expected => 3,
            Modality::Planned => 2,
            Modality::Reported => 1,
            Modality::Asserted => 0,
        };
        let set = |m: Modality, best: &mut Option<Modality>| {
            if best.is_none() || best.is_some_and(|b| rank(m) > rank(b)) {
                *best = Some(m);
            }
        };
        // Window: from the subject (or clause start) to the trigger.
        let first_agent = d
            .agents
            .iter()
            .map(|&c| self.v.cands[c].start)
            .filter(|&s| s < t.ts)
            .min();
        let lo = first_agent.unwrap_or(cs).max(cs);
        let lo = if d.noun {
            lo.min(self.np_start(t.ts))
        } else {
            lo
        };
        let mut whether = false;
        for k in lo..t.ts {
            let l = self.lw(k);
            let next = self.lw(k + 1);
            match l {
                "whether" => {
                    whether = true;
                    set(Modality::Possible, &mut best);
                }
                "not" | "n't" | "never" | "failed" | "refused" | "declined" | "cancelled"
                | "canceled" | "scrapped" | "rejected" | "without" | "denied" | "skip"
                | "skipped" | "postponed" | "halted" | "suspended" | "shelved"
                    if !(l == "not"
                        && next == "yet"
                        && (k + 2..t.ts).any(|q| self.lw(q) == "whether")) =>
                {
                    set(Modality::Negated, &mut best);
                }
                "called" if next == "off" => set(Modality::Negated, &mut best),
                "no" if k + 3 >= t.ts => set(Modality::Negated, &mut best),
                "could" | "may" | "might" | "possible" | "potential" | "potentially"
                | "possibly" | "considering" | "consider" | "considers" | "considered"
                | "exploring" | "explore" | "explores" | "mulling" | "weighing" | "discussing"
                | "proposed" | "mulls" | "weighs" => set(Modality::Possible, &mut best),
                "expected" | "expects" | "slated" | "poised" | "likely" | "anticipated" => {
                    set(Modality::Expected, &mut best)
                }
                "set" | "due" if next == "to" => set(Modality::Expected, &mut best),
                "would" => set(Modality::Expected, &mut best),
                "will" | "'ll" | "plans" | "plan" | "planned" | "planning" | "intends"
                | "intend" | "aims" | "aim" | "scheduled" | "upcoming" | "prepares"
                | "preparing" => set(Modality::Planned, &mut best),
                "is" | "are" if next == "to" => set(Modality::Planned, &mut best),
                "reportedly" | "allegedly" | "purportedly" => set(Modality::Reported, &mut best),
                "according" if next == "to" => set(Modality::Reported, &mut best),
                _ => {}
            }
        }
        let _ = whether;
        // After a noun subject: "A meeting … is planned for September", "was postponed".
        if d.noun {
            let mut k = t.te;
            let lim = ce.min(t.te + 12);
            while k < lim {
                let l = self.lw(k);
                if matches!(l, "," | "which" | "who" | "that" | "where") {
                    break;
                }
                if matches!(
                    l,
                    "is" | "was" | "are" | "were" | "has" | "have" | "had" | "would" | "will"
                ) {
                    let nx = self.lw(k + 1);
                    let nx2 = self.lw(k + 2);
                    let w = if nx == "been" || nx == "not" { nx2 } else { nx };
                    if nx == "not" {
                        set(Modality::Negated, &mut best);
                    }
                    match w {
                        "planned" | "scheduled" => set(Modality::Planned, &mut best),
                        "expected" | "likely" | "slated" | "set" | "due" => {
                            set(Modality::Expected, &mut best)
                        }
                        "postponed" | "cancelled" | "canceled" | "scrapped" | "called" => {
                            set(Modality::Negated, &mut best)
                        }
                        _ => {}
                    }
                    if l == "would" || l == "will" {
                        set(
                            if l == "would" {
                                Modality::Expected
                            } else {
                                Modality::Planned
                            },
                            &mut best,
                        );
                    }
                    break;
                }
                if PREPOSITION_SET.contains(l)
                    || self.v.is_det(0)
                    || self.v.group_of[k].is_some()
                    || self.v.dates.iter().any(|m| m.1 <= k && k < m.2)
                    || self.v.money.iter().any(|m| m.1 <= k && k < m.2)
                    || matches!(l, "-" | "the" | "a" | "and")
                    || self.v.words[k].kind == TokenKind::Word && !is_verb_form(l)
                {
                    k += 1;
                    continue;
                }
                break;
            }
            // "No agreement was reached": "no" right before the noun phrase.
            let s = self.np_start(t.ts);
            if s > 0 && self.lw(s) == "no" || s < t.ts && self.lw(s) == "no" {
                set(Modality::Negated, &mut best);
            }
        }
        // Right-hand reporting: "…, according to state media".
        for k in t.te..ce {
            if self.lw(k) == "according" && self.lw(k + 1) == "to" {
                set(Modality::Reported, &mut best);
            }
        }
        d.modality = best;
    }

    /// Rules over all drafts of the sentence: attributions, duplicate statements.
    fn sentence_rules(&self, drafts: &mut [Draft]) {
        let others_new = drafts
            .iter()
            .any(|d| d.ty != EventType::Statement && !d.anaphoric && !d.merge_only);
        for i in 0..drafts.len() {
            if drafts[i].ty != EventType::Statement || drafts[i].quote {
                continue;
            }
            let speech = matches!(
                self.lex.entries[drafts[i].entry].subtype.as_str(),
                "statement" | "announcement"
            ) && drafts[i].subtype != "praise";
            if speech && others_new {
                drafts[i].attribution = true;
                drafts[i].dropped = true;
                // A generic source ("officials said") makes the others reported.
                let ts = drafts[i].ts;
                let generic = drafts[i].agents.is_empty()
                    && (ts.saturating_sub(4)..ts)
                        .any(|k| GENERIC_SPEAKERS_SET.contains(self.lw(k)))
                    || (drafts[i].te..(drafts[i].te + 4).min(self.n()))
                        .any(|k| GENERIC_SPEAKERS_SET.contains(self.lw(k)));
                let reported_verb = self.lw(ts) == "reported";
                if generic || reported_verb {
                    for d in drafts.iter_mut() {
                        if d.ty != EventType::Statement && d.modality.is_none() {
                            d.modality = Some(Modality::Reported);
                        }
                    }
                }
            }
        }
        // One statement per speaker per sentence: keep the more specific one.
        for i in 0..drafts.len() {
            for j in i + 1..drafts.len() {
                if drafts[i].dropped || drafts[j].dropped {
                    continue;
                }
                if drafts[i].ty == EventType::Statement
                    && drafts[j].ty == EventType::Statement
                    && (drafts[i].agents == drafts[j].agents || drafts[j].agents.is_empty())
                {
                    let keep_j = drafts[j].subtype == "praise" && drafts[i].subtype != "praise";
                    if keep_j {
                        let (a, b) = (drafts[i].agents.clone(), drafts[i].time);
                        drafts[i].dropped = true;
                        if drafts[j].agents.is_empty() {
                            drafts[j].agents = a;
                        }
                        drafts[j].time = drafts[j].time.or(b);
                    } else {
                        drafts[j].dropped = true;
                    }
                }
            }
        }
    }
}

/// A word after which a name starts a clause (so it can be its subject): a comma, a
/// conjunction, a relative pronoun, a colon or quote, "said".
fn clause_start(word: &str) -> bool {
    matches!(
        word,
        "," | "and"
            | "but"
            | "while"
            | "when"
            | "after"
            | "before"
            | "as"
            | "that"
            | "which"
            | "who"
            | ":"
            | "“"
            | "\""
            | "”"
            | "where"
            | "saw"
            | "said"
            | "if"
    )
}
