//! The trigger lexicon (`models/triggers.tsv`, embedded): words and phrases that name an
//! event, with their type, subtype, CAMEO code, PLOVER category and role-finding flags.
//!
//! Owns parsing and inflection of the lexicon; does not decide whether a match in a
//! sentence is an event (the assembler does, from context).

use foldhash::HashMap;

use super::sentence::WordFilter;
use crate::document::EventType;
use crate::error::{Error, Result};

const TRIGGERS_TSV: &str = include_str!("../../models/triggers.tsv");

/// How a lexicon entry behaves in a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pos {
    Verb,
    Noun,
    /// A light verb ("held talks", "paid a visit") whose event noun object is the event.
    Support,
}

/// One lexicon row.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub phrase: String,
    pub pos: Pos,
    /// `None` for support verbs.
    pub ty: Option<EventType>,
    pub subtype: String,
    pub cameo: String,
    pub plover: String,
    pub frame: Vec<String>,
}

impl Entry {
    pub fn has(&self, flag: &str) -> bool {
        self.frame.iter().any(|f| f == flag)
    }
}

/// A form of an entry: the words it is written with (lower case).
#[derive(Clone, Debug)]
struct Form {
    words: Vec<String>,
    entry: usize,
    /// Whether this form is a past participle (`signed`, `struck`), for passives.
    participle: bool,
    /// Whether this form is an `-ing` form (`speaking`, `diving`).
    gerund: bool,
    plural: bool,
}

/// A lexicon match at a word position.
#[derive(Clone, Debug)]
pub struct Match {
    pub entry: usize,
    /// Number of words matched.
    pub len: usize,
    pub participle: bool,
    pub gerund: bool,
    pub plural: bool,
}

/// The loaded lexicon, indexed by first word.
#[derive(Clone, Debug)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
    by_first: HashMap<String, Vec<Form>>,
    /// The keys of `by_first`, to turn away most words without a hash lookup.
    first_words: WordFilter,
}

impl Lexicon {
    /// The embedded lexicon.
    pub fn embedded() -> Result<Lexicon> {
        Lexicon::parse(TRIGGERS_TSV)
    }

    /// A lexicon with no entries.
    pub fn empty() -> Lexicon {
        Lexicon {
            entries: Vec::new(),
            by_first: HashMap::default(),
            first_words: WordFilter::new(),
        }
    }

    /// Parses lexicon text in the `models/triggers.tsv` format.
    pub fn parse(text: &str) -> Result<Lexicon> {
        let mut entries = Vec::new();
        let mut by_first: HashMap<String, Vec<Form>> = HashMap::default();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 6 {
                return Err(Error::Config(format!(
                    "models/triggers.tsv line {}: expected at least 6 columns",
                    n + 1
                )));
            }
            let pos = match cols[1] {
                "verb" => Pos::Verb,
                "noun" => Pos::Noun,
                "support" => Pos::Support,
                other => {
                    return Err(Error::Config(format!(
                        "models/triggers.tsv line {}: unknown pos {other:?}",
                        n + 1
                    )))
                }
            };
            let ty = match cols[2] {
                "-" => None,
                t => Some(EventType::parse(t).ok_or_else(|| {
                    Error::Config(format!(
                        "models/triggers.tsv line {}: unknown type {t:?}",
                        n + 1
                    ))
                })?),
            };
            let entry = Entry {
                phrase: cols[0].to_lowercase(),
                pos,
                ty,
                subtype: cols[3].to_string(),
                cameo: cols[4].to_string(),
                plover: cols[5].to_string(),
                frame: cols
                    .get(7)
                    .map(|f| {
                        f.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let idx = entries.len();
            let irregular: Vec<String> = cols
                .get(6)
                .map(|f| {
                    f.split(',')
                        .map(|s| s.trim().to_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            for form in forms(&entry, &irregular) {
                let first = form.words[0].clone();
                let mut form = form;
                form.entry = idx;
                by_first.entry(first).or_default().push(form);
            }
            entries.push(entry);
        }
        for forms in by_first.values_mut() {
            // Longest phrases first, so "memorandum of understanding" wins over "memorandum".
            forms.sort_by_key(|f| std::cmp::Reverse(f.words.len()));
        }
        let mut first_words = WordFilter::new();
        for w in by_first.keys() {
            first_words.insert(w);
        }
        Ok(Lexicon {
            entries,
            by_first,
            first_words,
        })
    }

    /// Whether some entry's first word is `word` (lower-cased): a word for which this
    /// is false starts no [`Lexicon::matches`].
    pub fn has_first_word(&self, word: &str) -> bool {
        self.first_words.may_contain(word) && self.by_first.contains_key(word)
    }

    /// Every entry matching at `words[i..]` (lower-cased words), longest first.
    pub fn matches(&self, words: &[&str], i: usize) -> Vec<Match> {
        let Some(first) = words.get(i) else {
            return Vec::new();
        };
        if !self.first_words.may_contain(first) {
            return Vec::new();
        }
        let Some(forms) = self.by_first.get(*first) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for f in forms {
            if f.words.len() > 1 {
                let ok = f
                    .words
                    .iter()
                    .enumerate()
                    .all(|(k, w)| words.get(i + k).is_some_and(|x| x == w));
                if !ok {
                    continue;
                }
            }
            out.push(Match {
                entry: f.entry,
                len: f.words.len(),
                participle: f.participle,
                gerund: f.gerund,
                plural: f.plural,
            });
        }
        out
    }
}

/// All written forms of an entry: regular inflections of the first word, or the
/// irregular forms the lexicon lists.
fn forms(entry: &Entry, irregular: &[String]) -> Vec<Form> {
    let words: Vec<String> = entry.phrase.split_whitespace().map(String::from).collect();
    let rest: Vec<String> = words.iter().skip(1).cloned().collect();
    let mk = |first: &str, participle: bool, gerund: bool, plural: bool| {
        let mut w = vec![first.to_string()];
        w.extend(rest.iter().cloned());
        Form {
            words: w,
            entry: 0,
            participle,
            gerund,
            plural,
        }
    };
    let base = words.first().cloned().unwrap_or_default();
    let mut out = vec![mk(&base, false, false, false)];
    match entry.pos {
        Pos::Noun => {
            if !entry.has("plural") {
                out.push(mk(&plural(&base), false, false, true));
            } else {
                out[0].plural = true;
            }
        }
        Pos::Verb | Pos::Support => {
            if !irregular.is_empty() {
                for f in irregular {
                    // Irregular forms may be multi-word ("sat down"): take the first word.
                    let first = f.split_whitespace().next().unwrap_or(f);
                    let gerund = first.ends_with("ing");
                    let third = first.ends_with('s') && !first.ends_with("ss");
                    out.push(mk(first, !gerund && !third, gerund, false));
                }
            } else {
                let (third, past, ing) = regular(&base);
                out.push(mk(&third, false, false, false));
                out.push(mk(&past, true, false, false));
                out.push(mk(&ing, false, true, false));
            }
        }
    }
    out
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

fn plural(noun: &str) -> String {
    if noun.ends_with('s') || noun.ends_with("sh") || noun.ends_with("ch") || noun.ends_with('x') {
        format!("{noun}es")
    } else if noun.ends_with('y') && !noun.ends_with("ay") && !noun.ends_with("ey") {
        format!("{}ies", &noun[..noun.len() - 1])
    } else {
        format!("{noun}s")
    }
}

/// Third person, past and -ing forms of a regular verb.
fn regular(verb: &str) -> (String, String, String) {
    let chars: Vec<char> = verb.chars().collect();
    let n = chars.len();
    let last = chars.last().copied().unwrap_or(' ');
    let third = plural(verb);
    if last == 'e' {
        let stem: String = chars[..n - 1].iter().collect();
        return (third, format!("{verb}d"), format!("{stem}ing"));
    }
    if last == 'y' && n > 1 && !is_vowel(chars[n - 2]) {
        let stem: String = chars[..n - 1].iter().collect();
        return (third, format!("{stem}ied"), format!("{verb}ing"));
    }
    // Three-letter consonant-vowel-consonant verbs double the last letter (vet → vetted).
    let double = n == 3
        && !is_vowel(last)
        && is_vowel(chars[1])
        && !is_vowel(chars[0])
        && !matches!(last, 'w' | 'x' | 'y');
    if double {
        return (third, format!("{verb}{last}ed"), format!("{verb}{last}ing"));
    }
    (third, format!("{verb}ed"), format!("{verb}ing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lexicon_parses_and_inflects() {
        let lex = Lexicon::embedded().unwrap();
        let find = |w: &str| !lex.matches(&[w], 0).is_empty();
        for w in [
            "visited",
            "arrives",
            "met",
            "signed",
            "signing",
            "pledged",
            "pledges",
            "said",
            "told",
            "struck",
            "talks",
            "reaffirmed",
            "brokering",
            "planned",
            "agreements",
            "flew",
            "undertook",
            "finalised",
        ] {
            assert!(find(w), "{w} should be a trigger form");
        }
        assert!(!find("visitor"));
        let m = lex.matches(&["memorandum", "of", "understanding"], 0);
        assert_eq!(m[0].len, 3);
    }
}
