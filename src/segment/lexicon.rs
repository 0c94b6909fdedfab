//! Word lists the segmenter consults: abbreviations (which keep their full stop),
//! sentence starters (which tell an abbreviation at a sentence end from one inside),
//! and unit suffixes (split off a number: `5bn` → `5`, `bn`).
//!
//! Lookups lower-case ASCII into a stack buffer and `match` on it, so they never
//! allocate; words longer than the buffer or not ASCII are simply not in any list.

/// How an abbreviation's full stop relates to a sentence end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abbr {
    /// Stands before a name or a phrase (`Mr.`, `Dr.`, `Gen.`, `vs.`, `e.g.`): never
    /// ends a sentence unless a line break or the text ends there.
    Never,
    /// May end a sentence (`Inc.`, `Co.`, `etc.`, `Jr.`, `Oct.`, `Calif.`): it does when
    /// the next word is a typical sentence starter (`It`, `The`, `But`…).
    General,
    /// Only an abbreviation before a number (`No. 10`, `Fig. 3`, `Vol. 2`); elsewhere
    /// `no.` is a word and its stop a full stop.
    Number,
}

fn lower<'b>(word: &str, buf: &'b mut [u8; 16]) -> Option<&'b [u8]> {
    let w = word.as_bytes();
    if w.is_empty() || w.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    Some(&buf[..w.len()])
}

/// Whether `word` (without its stop) is an abbreviation, and which kind.
///
/// Titles, months, weekdays and state abbreviations count only when capitalised
/// (`Gen.`, `Mar.`, `Ill.`), so the words `gen`, `mar`, `ill` keep their full stops.
pub fn abbreviation(word: &str) -> Option<Abbr> {
    let mut buf = [0u8; 16];
    let w = lower(word, &mut buf)?;
    let cap = word.as_bytes()[0].is_ascii_uppercase();
    let any = match w {
        b"mr" | b"mrs" | b"ms" | b"mssrs" | b"messrs" | b"mmes" | b"mme" | b"mlle" | b"dr"
        | b"drs" | b"prof" | b"profs" | b"capt" | b"sgt" | b"cpl" | b"pvt" | b"cmdr" | b"cdr"
        | b"brig" | b"lieut" | b"supt" | b"insp" | b"atty" | b"vs" | b"viz" | b"cf" | b"approx"
        | b"incl" | b"esp" | b"ca" => Some(Abbr::Never),
        b"inc" | b"ltd" | b"corp" | b"co" | b"cos" | b"bros" | b"llc" | b"plc" | b"jr" | b"sr"
        | b"etc" | b"al" | b"dept" | b"depts" | b"univ" | b"assn" | b"assoc" | b"ave" | b"blvd"
        | b"rd" | b"st" | b"sq" | b"hwy" | b"est" | b"ft" | b"yr" | b"yrs" | b"mos" | b"hr"
        | b"hrs" | b"mins" | b"wk" | b"wks" | b"lb" | b"lbs" | b"oz" | b"mfg" | b"intl"
        | b"natl" | b"govt" | b"sec" | b"tsp" | b"tbsp" => Some(Abbr::General),
        b"no" | b"nos" | b"nr" | b"art" | b"fig" | b"figs" | b"vol" | b"vols" | b"ch" | b"pp"
        | b"para" | b"tel" | b"ext" | b"op" | b"pt" => Some(Abbr::Number),
        _ => None,
    };
    if any.is_some() {
        return any;
    }
    if !cap {
        return None;
    }
    match w {
        b"gov" | b"govs" | b"sen" | b"sens" | b"rep" | b"reps" | b"gen" | b"gens" | b"lt"
        | b"col" | b"maj" | b"adm" | b"rev" | b"hon" | b"pres" | b"det" | b"fr" | b"mt"
        | b"msgr" => Some(Abbr::Never),
        b"jan" | b"feb" | b"mar" | b"apr" | b"jun" | b"jul" | b"aug" | b"sep" | b"sept"
        | b"oct" | b"nov" | b"dec" | b"mon" | b"tue" | b"tues" | b"wed" | b"thu" | b"thur"
        | b"thurs" | b"fri" | b"sat" | b"sun" | b"ala" | b"ariz" | b"ark" | b"calif" | b"colo"
        | b"conn" | b"del" | b"fla" | b"ga" | b"ill" | b"ind" | b"kan" | b"kans" | b"ky"
        | b"la" | b"md" | b"mass" | b"mich" | b"minn" | b"miss" | b"mo" | b"mont" | b"neb"
        | b"nev" | b"okla" | b"ore" | b"pa" | b"penn" | b"tenn" | b"tex" | b"va" | b"vt"
        | b"wash" | b"wis" | b"wyo" | b"ont" | b"que" | b"alta" | b"sask" => Some(Abbr::General),
        _ => None,
    }
}

/// Initialisms that introduce what follows (`e.g.`, `i.e.`): never a sentence end.
pub fn is_never_initialism(word: &str) -> bool {
    matches!(word, "e.g" | "i.e" | "E.g" | "I.e" | "E.G" | "I.E")
}

/// Capitalised words that typically open a sentence: after an abbreviation that may
/// end one (`Inc.`, `U.S.`, `p.m.`, `B.`), one of these means it did.
pub fn is_starter(word: &str) -> bool {
    let first = match word.as_bytes().first() {
        Some(b) => *b,
        None => return false,
    };
    if !first.is_ascii_uppercase() {
        return false;
    }
    let mut buf = [0u8; 16];
    let Some(w) = lower(word, &mut buf) else {
        return false;
    };
    matches!(
        w,
        b"a" | b"an"
            | b"the"
            | b"this"
            | b"that"
            | b"these"
            | b"those"
            | b"it"
            | b"its"
            | b"he"
            | b"she"
            | b"they"
            | b"we"
            | b"i"
            | b"you"
            | b"his"
            | b"her"
            | b"their"
            | b"our"
            | b"my"
            | b"your"
            | b"there"
            | b"here"
            | b"but"
            | b"and"
            | b"or"
            | b"so"
            | b"yet"
            | b"however"
            | b"meanwhile"
            | b"also"
            | b"in"
            | b"on"
            | b"at"
            | b"for"
            | b"with"
            | b"as"
            | b"after"
            | b"before"
            | b"when"
            | b"while"
            | b"if"
            | b"although"
            | b"though"
            | b"because"
            | b"since"
            | b"then"
            | b"now"
            | b"today"
            | b"yesterday"
            | b"tomorrow"
            | b"earlier"
            | b"later"
            | b"last"
            | b"next"
            | b"still"
            | b"even"
            | b"some"
            | b"many"
            | b"most"
            | b"both"
            | b"all"
            | b"each"
            | b"other"
            | b"others"
            | b"such"
            | b"what"
            | b"which"
            | b"who"
            | b"whom"
            | b"whose"
            | b"why"
            | b"how"
            | b"where"
            | b"no"
            | b"not"
            | b"nor"
            | b"according"
            | b"despite"
            | b"during"
            | b"under"
            | b"from"
            | b"by"
            | b"to"
            | b"of"
            | b"over"
            | b"among"
            | b"without"
            | b"once"
            | b"instead"
            | b"thus"
            | b"indeed"
            | b"moreover"
            | b"furthermore"
            | b"nevertheless"
            | b"nonetheless"
            | b"otherwise"
            | b"perhaps"
            | b"maybe"
            | b"only"
            | b"just"
            | b"every"
            | b"any"
            | b"more"
            | b"few"
            | b"several"
            | b"another"
            | b"again"
            | b"finally"
            | b"first"
            | b"overall"
            | b"separately"
            | b"elsewhere"
            | b"additionally"
            | b"likewise"
            | b"similarly"
            | b"rather"
            | b"unlike"
            | b"let"
            | b"please"
            | b"did"
            | b"do"
            | b"does"
            | b"is"
            | b"are"
            | b"was"
            | b"were"
            | b"will"
            | b"would"
            | b"can"
            | b"could"
            | b"should"
            | b"everyone"
            | b"everybody"
            | b"nobody"
            | b"nothing"
            | b"someone"
            | b"something"
            | b"people"
            | b"shares"
            | b"analysts"
            | b"officials"
    )
}

/// Unit and magnitude suffixes split off a number written against them (`5bn`, `10km`);
/// `5th`, `1990s`, `4G` stay whole.
pub fn is_unit(suffix: &str) -> bool {
    let mut buf = [0u8; 16];
    let Some(w) = lower(suffix, &mut buf) else {
        return false;
    };
    matches!(
        w,
        b"k" | b"m"
            | b"b"
            | b"bn"
            | b"mn"
            | b"mln"
            | b"bln"
            | b"tn"
            | b"trn"
            | b"km"
            | b"kg"
            | b"mg"
            | b"cm"
            | b"mm"
            | b"ml"
            | b"mph"
            | b"kph"
            | b"kmh"
            | b"kw"
            | b"kwh"
            | b"mw"
            | b"mwh"
            | b"gw"
            | b"gwh"
            | b"mb"
            | b"gb"
            | b"tb"
            | b"ghz"
            | b"mhz"
            | b"pc"
            | b"pct"
    )
}
