//! Money amounts: `MONEY` mentions with a value in units of an ISO 4217 currency, a
//! qualifier (`over`, `under`, `about`, `up_to`, `at_least`, or a `range` with
//! `value_max`) and the unit of per-unit prices (`$5 a share`).
//!
//! Covers symbols and codes before and after the number (`$`, `US$`, `HK$`, `€`, `CN¥`,
//! `CHF 5`, `5 CHF`, `EUR1.2bn`), currency words with adjectives (`Swiss francs`,
//! `U.S. dollars`, `pounds sterling`), multipliers (`bn`, `bln`, `mil`, `lakh crore`),
//! spelled numbers (`half a billion euros`), cents and pence (`85p`), ranges
//! (`$5-10 billion`, `between $2 and $3 billion`), negative and accounting amounts, and
//! resolves `$` and `¥` by the article's dateline and the sentence.
//!
//! Owns the `money` mentions; does not decide what an amount is for (assemble does).
//! [`number`] (the lexer and quantities) is shared with [`crate::time`].

pub mod number;

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::document::{
    Document, EntityType, Mention, MentionSource, MentionValue, Money, Qualifier, Span,
};
use number::{lower, quantity, with_lexed, Kind, Tok};

/// What the article says about ambiguous symbols: which dollar `$` is and which
/// currency `¥` is, before the sentence has its say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoneyContext {
    /// ISO code of a bare `$` and bare "dollars" (`USD` unless the dateline says otherwise).
    pub dollar: &'static str,
    /// ISO code of a bare `¥` (`JPY` unless the article is about China).
    pub yen: &'static str,
}

impl Default for MoneyContext {
    fn default() -> Self {
        MoneyContext {
            dollar: "USD",
            yen: "JPY",
        }
    }
}

/// Datelines that change what `$` (or `¥`) means.
const DATELINES: &[(&str, &str)] = &[
    ("sydney", "AUD"),
    ("melbourne", "AUD"),
    ("brisbane", "AUD"),
    ("perth", "AUD"),
    ("canberra", "AUD"),
    ("adelaide", "AUD"),
    ("hobart", "AUD"),
    ("toronto", "CAD"),
    ("ottawa", "CAD"),
    ("montreal", "CAD"),
    ("vancouver", "CAD"),
    ("calgary", "CAD"),
    ("edmonton", "CAD"),
    ("winnipeg", "CAD"),
    ("hong kong", "HKD"),
    ("singapore", "SGD"),
    ("wellington", "NZD"),
    ("auckland", "NZD"),
    ("christchurch", "NZD"),
    ("taipei", "TWD"),
    ("beijing", "CNY"),
    ("shanghai", "CNY"),
    ("shenzhen", "CNY"),
    ("guangzhou", "CNY"),
];

impl MoneyContext {
    /// Reads the dateline from the first lines of an article: `SYDNEY (Reuters) -`,
    /// `Toronto, Oct 27 -`, `HONG KONG 1996-08-22`. A Chinese dateline, or yuan/renminbi
    /// near the top, makes `¥` the yuan.
    pub fn detect(text: &str) -> MoneyContext {
        let mut ctx = MoneyContext::default();
        let head = head(text, 400);
        for line in head.lines().take(4) {
            let line = line.trim_start_matches(|c: char| c.is_whitespace() || c == '•');
            // the city is the line's first word or two, in letters
            let first = line
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(line.len());
            if !(4..=12).contains(&first) {
                continue;
            }
            for (city, code) in DATELINES {
                if city.len() < first
                    || !city.as_bytes()[first..].is_empty() && city.as_bytes()[first] != b' '
                {
                    continue;
                }
                let Some(prefix) = line.get(..city.len()) else {
                    continue;
                };
                if !prefix.eq_ignore_ascii_case(city) {
                    continue;
                }
                let rest = &line[city.len()..];
                let shouted = prefix.bytes().all(|b| !b.is_ascii_lowercase());
                let dateline = rest.is_empty()
                    || [",", " (", " -", " —", " –", " /"]
                        .iter()
                        .any(|p| rest.starts_with(p))
                    || (shouted && rest.starts_with(' '));
                if dateline {
                    if *code == "CNY" {
                        ctx.yen = "CNY";
                    } else {
                        ctx.dollar = code;
                    }
                }
            }
        }
        // only `¥` reads the yen context
        let b = head.as_bytes();
        if text.contains('¥')
            && (b.windows(4).any(|w| w.eq_ignore_ascii_case(b"yuan"))
                || b.windows(8).any(|w| w.eq_ignore_ascii_case(b"renminbi")))
        {
            ctx.yen = "CNY";
        }
        ctx
    }
}

/// The first `n` bytes of `text`, cut at a char boundary.
fn head(text: &str, n: usize) -> &str {
    let mut end = n.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Finds `MONEY` mentions in text; built once, shared by every thread.
pub struct MoneyRecognizer {
    _private: (),
}

impl Default for MoneyRecognizer {
    fn default() -> Self {
        MoneyRecognizer::new()
    }
}

impl MoneyRecognizer {
    pub fn new() -> MoneyRecognizer {
        let _ = prefilter();
        MoneyRecognizer { _private: () }
    }

    /// Appends one `MONEY` mention per amount in each sentence.
    ///
    /// The prefilter runs once over the whole text; only sentences holding a trigger are
    /// lexed and parsed.
    pub fn annotate(&self, doc: &mut Document) {
        let triggers: Vec<usize> = prefilter()
            .find_iter(&doc.text)
            .filter(|m| trigger_ok(&doc.text, m.start(), m.end()))
            .map(|m| m.start())
            .collect();
        if triggers.is_empty() {
            return;
        }
        let ctx = MoneyContext::detect(&doc.text);
        let mut found = Vec::new();
        let mut t = 0;
        for (si, s) in doc.sentences.iter().enumerate() {
            while t < triggers.len() && triggers[t] < s.span.start {
                t += 1;
            }
            if t == triggers.len() || triggers[t] >= s.span.end {
                continue;
            }
            let text = s.span.text(&doc.text);
            let amounts = with_lexed(text, |toks| amounts_in(text, toks, &ctx));
            for (span, money) in amounts {
                let span = Span::new(s.span.start + span.start, s.span.start + span.end);
                let mut m = Mention::new(span, EntityType::Money, MentionSource::Money, si);
                m.value = Some(MentionValue::Money(money));
                found.push(m);
            }
        }
        doc.mentions.extend(found);
    }
}

/// Currency words, symbols and codes; a sentence without one has no amount. Matched
/// case-sensitively with explicit case variants so that `EUR` does not fire on "Europe".
fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        let mut pats: Vec<String> = [
            "$", "€", "£", "¥", "₩", "₹", "₽", "₺", "₦", "₱", "₪", "₫", "฿", "₴", "Rs", "Rp", "RM",
            "SFr", "Dh",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for w in [
            "dollar",
            "euros",
            "euro ",
            "yen",
            "yuan",
            "renminbi",
            " won",
            "rupee",
            "pound",
            "sterling",
            "francs",
            "franc ",
            "riyal",
            " rial",
            "dirham",
            "peso",
            "reais",
            "rouble",
            "ruble",
            "lira",
            "lire",
            " rand",
            "baht",
            "ringgit",
            "rupiah",
            "shekel",
            "naira",
            "zloty",
            "forint",
            "krona",
            "krone",
            "kronor",
            "crowns",
            "koruna",
            "dinar",
            "dong",
            "marks",
            "guilder",
            "bucks",
            "quid",
            "greenback",
            "cents",
            "pence",
            "penny",
            "shilling",
            "hryvnia",
        ] {
            pats.push(w.to_string());
            let mut title = String::new();
            let mut chars = w.chars();
            while let Some(c) = chars.next() {
                if c == ' ' {
                    title.push(c);
                    continue;
                }
                title.push(c.to_ascii_uppercase());
                title.extend(chars);
                break;
            }
            pats.push(title);
            // no ALL-CAPS variant: headlines in capitals carry symbols ("$5 BILLION")
        }
        for code in CODES {
            pats.push(code.0.to_string());
        }
        for d in 0..10 {
            pats.push(format!("{d}p"));
        }
        AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(pats)
            .expect("valid patterns")
    })
}

/// Second look at a prefilter match that is usually not money: `won` and `marks` count
/// only after a multiplier word or adjective (`21 trillion won`, `German marks`), `5p`
/// only when the `p` ends the word (not `5pm`).
fn trigger_ok(text: &str, start: usize, end: usize) -> bool {
    let m = text.get(start..end).unwrap_or("").trim_start();
    let b = m.as_bytes();
    if b.len() == 2 && b[0].is_ascii_digit() {
        return !text
            .as_bytes()
            .get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric());
    }
    if m.eq_ignore_ascii_case("won") || m.eq_ignore_ascii_case("marks") {
        let before = text.get(..start).unwrap_or("").trim_end();
        let word_start = before
            .rfind(|c: char| !c.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        let prev = before.get(word_start..).unwrap_or("").to_ascii_lowercase();
        return prev.ends_with("illion")
            || matches!(
                prev.as_str(),
                "bn" | "mn"
                    | "tn"
                    | "mln"
                    | "bln"
                    | "trn"
                    | "korean"
                    | "german"
                    | "deutsche"
                    | "finnish"
            );
    }
    true
}

/// ISO 4217 codes written before or after amounts (`CHF 5`, `5bn USD`), with the code
/// they stand for (`RMB` is the yuan).
const CODES: &[(&str, &str)] = &[
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("CNY", "CNY"),
    ("RMB", "CNY"),
    ("CHF", "CHF"),
    ("AUD", "AUD"),
    ("CAD", "CAD"),
    ("HKD", "HKD"),
    ("SGD", "SGD"),
    ("NZD", "NZD"),
    ("INR", "INR"),
    ("KRW", "KRW"),
    ("RUB", "RUB"),
    ("BRL", "BRL"),
    ("MXN", "MXN"),
    ("ZAR", "ZAR"),
    ("SEK", "SEK"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
    ("TRY", "TRY"),
    ("SAR", "SAR"),
    ("AED", "AED"),
    ("TWD", "TWD"),
    ("THB", "THB"),
    ("IDR", "IDR"),
    ("MYR", "MYR"),
    ("PHP", "PHP"),
    ("VND", "VND"),
    ("PLN", "PLN"),
    ("ILS", "ILS"),
    ("EGP", "EGP"),
    ("NGN", "NGN"),
    ("KES", "KES"),
    ("PKR", "PKR"),
    ("QAR", "QAR"),
    ("KWD", "KWD"),
    ("CZK", "CZK"),
    ("HUF", "HUF"),
    ("ARS", "ARS"),
    ("CLP", "CLP"),
    ("COP", "COP"),
    ("UAH", "UAH"),
];

fn code(word: &str) -> Option<&'static str> {
    if word.len() != 3 || !word.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    CODES.iter().find(|(w, _)| *w == word).map(|(_, c)| *c)
}

/// A currency noun, before its adjective picks the country.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Noun {
    Dollar,
    Euro,
    Yen,
    Yuan,
    Won,
    Rupee,
    Pound,
    Sterling,
    Franc,
    Riyal,
    Rial,
    Dirham,
    Peso,
    Real,
    Rouble,
    Lira,
    Rand,
    Baht,
    Ringgit,
    Rupiah,
    Shekel,
    Naira,
    Zloty,
    Forint,
    Krona,
    Krone,
    Crown,
    Dinar,
    Dong,
    Mark,
    Guilder,
    Shilling,
    Hryvnia,
    Buck,
    Quid,
    Greenback,
    Cent,
    Penny,
}

/// The noun a word names, and whether it is singular (`dollar`, used as an adjective in
/// `a billion-dollar deal`).
fn noun(word: &str) -> Option<(Noun, bool)> {
    let mut buf = [0u8; 24];
    let w = lower(word, &mut buf)?;
    use Noun::*;
    Some(match w {
        "dollar" => (Dollar, true),
        "dollars" => (Dollar, false),
        "euro" => (Euro, true),
        "euros" => (Euro, false),
        "yen" => (Yen, false),
        "yuan" | "renminbi" => (Yuan, false),
        "won" => (Won, false),
        "rupee" => (Rupee, true),
        "rupees" => (Rupee, false),
        "pound" => (Pound, true),
        "pounds" => (Pound, false),
        "sterling" => (Sterling, false),
        "franc" => (Franc, true),
        "francs" => (Franc, false),
        "riyal" | "riyals" => (Riyal, false),
        "rial" | "rials" => (Rial, false),
        "dirham" | "dirhams" => (Dirham, false),
        "peso" => (Peso, true),
        "pesos" => (Peso, false),
        "real" => (Real, true),
        "reais" | "reals" => (Real, false),
        "rouble" | "ruble" => (Rouble, true),
        "roubles" | "rubles" => (Rouble, false),
        "lira" | "liras" | "lire" => (Lira, false),
        "rand" => (Rand, false),
        "baht" => (Baht, false),
        "ringgit" => (Ringgit, false),
        "rupiah" => (Rupiah, false),
        "shekel" | "shekels" => (Shekel, false),
        "naira" => (Naira, false),
        "zloty" | "zlotys" | "zlotych" => (Zloty, false),
        "forint" | "forints" => (Forint, false),
        "krona" | "kronor" | "kronur" => (Krona, false),
        "krone" | "kroner" => (Krone, false),
        "crown" | "crowns" | "koruna" | "korunas" => (Crown, false),
        "dinar" | "dinars" => (Dinar, false),
        "dong" => (Dong, false),
        "mark" | "marks" => (Mark, false),
        "guilder" | "guilders" => (Guilder, false),
        "shilling" | "shillings" => (Shilling, false),
        "hryvnia" | "hryvnias" | "hryvnas" => (Hryvnia, false),
        "buck" | "bucks" => (Buck, false),
        "quid" => (Quid, false),
        "greenback" | "greenbacks" => (Greenback, false),
        "cent" | "cents" => (Cent, false),
        "penny" | "pence" => (Penny, false),
        _ => return None,
    })
}

/// Adjectives that pick the country of a currency noun (`Swiss francs`, `Hong Kong
/// dollars`). Keys are lowercase, two-word ones joined by a space.
fn adjective(adj: &str, n: Noun) -> Option<&'static str> {
    use Noun::*;
    Some(match (adj, n) {
        ("u.s." | "us" | "american" | "united states", Dollar | Cent) => "USD",
        ("australian" | "aussie", Dollar | Cent) => "AUD",
        ("canadian", Dollar | Cent) => "CAD",
        ("hong kong", Dollar) => "HKD",
        ("singapore" | "singaporean", Dollar) => "SGD",
        ("new zealand" | "nz" | "kiwi", Dollar) => "NZD",
        ("taiwan" | "taiwanese" | "new taiwan", Dollar) => "TWD",
        ("zimbabwe" | "zimbabwean", Dollar) => "ZWL",
        ("jamaican", Dollar) => "JMD",
        ("namibian", Dollar) => "NAD",
        ("euro", Cent) => "EUR",
        ("brazilian", Real) => "BRL",
        ("swiss", Franc) => "CHF",
        ("french", Franc) => "FRF",
        ("belgian", Franc) => "BEF",
        ("cfa", Franc) => "XOF",
        ("congolese", Franc) => "CDF",
        ("rwandan", Franc) => "RWF",
        ("egyptian", Pound) => "EGP",
        ("lebanese", Pound) => "LBP",
        ("syrian", Pound) => "SYP",
        ("sudanese", Pound) => "SDG",
        ("british", Pound | Penny) => "GBP",
        ("irish", Pound) => "IEP",
        ("mexican", Peso) => "MXN",
        ("argentine" | "argentinian" | "argentinean", Peso) => "ARS",
        ("philippine", Peso) => "PHP",
        ("chilean", Peso) => "CLP",
        ("colombian", Peso) => "COP",
        ("cuban", Peso) => "CUP",
        ("uruguayan", Peso) => "UYU",
        ("dominican", Peso) => "DOP",
        ("indian", Rupee) => "INR",
        ("pakistani", Rupee) => "PKR",
        ("sri lankan", Rupee) => "LKR",
        ("nepalese" | "nepali", Rupee) => "NPR",
        ("mauritian", Rupee) => "MUR",
        ("indonesian", Rupiah) => "IDR",
        ("saudi", Riyal) => "SAR",
        ("qatari", Riyal) => "QAR",
        ("omani", Rial | Riyal) => "OMR",
        ("iranian", Rial) => "IRR",
        ("yemeni", Rial | Riyal) => "YER",
        ("uae" | "emirati", Dirham) => "AED",
        ("moroccan", Dirham) => "MAD",
        ("kuwaiti", Dinar) => "KWD",
        ("iraqi", Dinar) => "IQD",
        ("jordanian", Dinar) => "JOD",
        ("bahraini", Dinar) => "BHD",
        ("libyan", Dinar) => "LYD",
        ("tunisian", Dinar) => "TND",
        ("algerian", Dinar) => "DZD",
        ("serbian", Dinar) => "RSD",
        ("turkish", Lira) => "TRY",
        ("italian", Lira) => "ITL",
        ("russian", Rouble) => "RUB",
        ("belarusian", Rouble) => "BYN",
        ("japanese", Yen) => "JPY",
        ("chinese", Yuan) => "CNY",
        ("korean" | "south korean", Won) => "KRW",
        ("north korean", Won) => "KPW",
        ("swedish", Krona | Crown) => "SEK",
        ("norwegian", Krone | Crown) => "NOK",
        ("danish", Krone | Crown) => "DKK",
        ("icelandic", Krona | Crown) => "ISK",
        ("czech", Crown) => "CZK",
        ("hungarian", Forint) => "HUF",
        ("polish", Zloty) => "PLN",
        ("israeli", Shekel) => "ILS",
        ("south african", Rand) => "ZAR",
        ("nigerian", Naira) => "NGN",
        ("kenyan", Shilling) => "KES",
        ("ugandan", Shilling) => "UGX",
        ("tanzanian", Shilling) => "TZS",
        ("thai", Baht) => "THB",
        ("malaysian", Ringgit) => "MYR",
        ("vietnamese", Dong) => "VND",
        ("german" | "deutsche", Mark) => "DEM",
        ("finnish", Mark) => "FIM",
        ("dutch", Guilder) => "NLG",
        ("ukrainian", Hryvnia) => "UAH",
        _ => return None,
    })
}

/// Qualifier phrases, longest first within each first word.
const QUALIFIERS: &[(&[&str], Qualifier)] = &[
    (&["in", "excess", "of"], Qualifier::Over),
    (&["in", "the", "region", "of"], Qualifier::About),
    (&["on", "the", "order", "of"], Qualifier::About),
    (&["more", "than"], Qualifier::Over),
    (&["upwards", "of"], Qualifier::Over),
    (&["upward", "of"], Qualifier::Over),
    (&["north", "of"], Qualifier::Over),
    (&["just", "over"], Qualifier::Over),
    (&["well", "over"], Qualifier::Over),
    (&["just", "above"], Qualifier::Over),
    (&["well", "above"], Qualifier::Over),
    (&["over"], Qualifier::Over),
    (&["above"], Qualifier::Over),
    (&["exceeding"], Qualifier::Over),
    (&["less", "than"], Qualifier::Under),
    (&["fewer", "than"], Qualifier::Under),
    (&["just", "under"], Qualifier::Under),
    (&["just", "below"], Qualifier::Under),
    (&["just", "shy", "of"], Qualifier::Under),
    (&["close", "to"], Qualifier::Under),
    (&["under"], Qualifier::Under),
    (&["below"], Qualifier::Under),
    (&["nearly"], Qualifier::Under),
    (&["almost"], Qualifier::Under),
    (&["an", "estimated"], Qualifier::About),
    (&["an", "approximate"], Qualifier::About),
    (&["about"], Qualifier::About),
    (&["around"], Qualifier::About),
    (&["roughly"], Qualifier::About),
    (&["some"], Qualifier::About),
    (&["approximately"], Qualifier::About),
    (&["estimated"], Qualifier::About),
    (&["circa"], Qualifier::About),
    (&["up", "to"], Qualifier::UpTo),
    (&["as", "much", "as"], Qualifier::UpTo),
    (&["as", "many", "as"], Qualifier::UpTo),
    (&["as", "high", "as"], Qualifier::UpTo),
    (&["no", "more", "than"], Qualifier::UpTo),
    (&["not", "more", "than"], Qualifier::UpTo),
    (&["at", "most"], Qualifier::UpTo),
    (&["a", "maximum", "of"], Qualifier::UpTo),
    (&["at", "least"], Qualifier::AtLeast),
    (&["no", "less", "than"], Qualifier::AtLeast),
    (&["not", "less", "than"], Qualifier::AtLeast),
    (&["a", "minimum", "of"], Qualifier::AtLeast),
];

/// Units a price is given per after `a`/`an` (`$5 a share`); after `per` any word is.
const UNITS: &[&str] = &[
    "share",
    "barrel",
    "ounce",
    "tonne",
    "ton",
    "pound",
    "kilo",
    "kilogram",
    "kg",
    "gram",
    "gallon",
    "litre",
    "liter",
    "bushel",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "night",
    "head",
    "person",
    "unit",
    "vehicle",
    "car",
    "ticket",
    "seat",
    "room",
    "copy",
    "dose",
    "household",
    "family",
    "student",
    "worker",
    "employee",
    "passenger",
    "acre",
    "hectare",
    "mile",
    "kilometre",
    "kilometer",
    "megawatt-hour",
    "minute",
    "month",
    "game",
    "piece",
    "bottle",
    "pack",
    "plate",
    "vote",
    "pop",
];

/// One side of an amount: `$5`, `10 billion euros`, `two billion`, `85p`.
#[derive(Clone, Copy, Debug)]
struct Part {
    end: usize,
    value: f64,
    mult: f64,
    currency: Option<&'static str>,
    spelled: bool,
}

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Tok],
    ctx: MoneyContext,
    yen: &'static str,
}

/// Finds the amounts in one sentence (or any text): spans are byte offsets into `text`.
pub fn find(text: &str, ctx: &MoneyContext) -> Vec<(Span, Money)> {
    if !prefilter()
        .find_iter(text)
        .any(|m| trigger_ok(text, m.start(), m.end()))
    {
        return Vec::new();
    }
    with_lexed(text, |toks| amounts_in(text, toks, ctx))
}

fn amounts_in(text: &str, toks: &[Tok], ctx: &MoneyContext) -> Vec<(Span, Money)> {
    let mut out = Vec::new();
    let p = Parser {
        text,
        toks,
        ctx: *ctx,
        yen: sentence_yen(text, toks, ctx),
    };
    // An amount ends at most a dozen tokens after it starts (`in the region of between
    // two and three billion`) and always holds a currency token, so the grammar runs only
    // at tokens with one of those ahead.
    const REACH: usize = 12;
    let hot: Vec<bool> = (0..toks.len()).map(|k| p.is_currency_token(k)).collect();
    let mut next_hot = vec![usize::MAX; toks.len() + 1];
    for k in (0..toks.len()).rev() {
        next_hot[k] = if hot[k] { k } else { next_hot[k + 1] };
    }
    let mut i = 0;
    while i < toks.len() {
        if next_hot[i] == usize::MAX {
            break;
        }
        if next_hot[i] - i > REACH {
            i = next_hot[i] - REACH;
            continue;
        }
        match p.amount(i) {
            Some((start, end, money)) => {
                out.push((Span::new(toks[start].start, toks[end - 1].end), money));
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// Rounds away binary noise (`62.85 / 100` is `0.6285000000000001`): amounts keep 15
/// significant digits, more than any text gives.
fn tidy(v: f64) -> f64 {
    format!("{v:.14e}").parse().unwrap_or(v)
}

/// `¥` in a sentence about the yuan (or China and not Japan) is the yuan.
fn sentence_yen(text: &str, toks: &[Tok], ctx: &MoneyContext) -> &'static str {
    if !text.contains('¥') {
        return ctx.yen;
    }
    let mut china = false;
    let mut japan = false;
    for t in toks.iter().filter(|t| t.kind == Kind::Word) {
        let mut buf = [0u8; 24];
        match lower(t.text(text), &mut buf) {
            Some("yuan" | "renminbi" | "rmb") => return "CNY",
            Some("china" | "chinese" | "beijing" | "shanghai") => china = true,
            Some("japan" | "japanese" | "tokyo") => japan = true,
            _ => {}
        }
    }
    match (china, japan) {
        (true, false) => "CNY",
        (false, true) => "JPY",
        _ => ctx.yen,
    }
}

impl Parser<'_> {
    /// A symbol, code, currency noun or the `p` of `85p`.
    fn is_currency_token(&self, k: usize) -> bool {
        let Some(t) = self.tok(k) else { return false };
        let s = t.text(self.text);
        match t.kind {
            Kind::Sym => matches!(
                s,
                "$" | "€"
                    | "£"
                    | "¥"
                    | "₩"
                    | "₹"
                    | "₽"
                    | "₺"
                    | "₦"
                    | "₱"
                    | "₪"
                    | "₫"
                    | "฿"
                    | "₴"
            ),
            Kind::Word => {
                code(s).is_some()
                    || noun(s).is_some()
                    || matches!(s, "Rs" | "Rp" | "RM" | "SFr" | "Fr" | "Dh" | "Dhs")
                    || (s == "p" && !t.space && k > 0)
            }
            Kind::Num => false,
        }
    }

    fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    fn s(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.text(self.text))
    }

    fn word_is(&self, i: usize, w: &str) -> bool {
        self.tok(i)
            .is_some_and(|t| t.kind == Kind::Word && t.text(self.text).eq_ignore_ascii_case(w))
    }

    fn attached(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| !t.space)
    }

    fn is_num(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| t.kind == Kind::Num)
    }

    /// An amount starting at token `i`: `(first token, end token, value)`.
    fn amount(&self, i: usize) -> Option<(usize, usize, Money)> {
        let mut j = i;
        let mut qualifier = None;
        let mut buf = [0u8; 24];
        let first = match self.tok(i) {
            Some(t) if t.kind == Kind::Word => lower(t.text(self.text), &mut buf).unwrap_or(""),
            _ => "",
        };
        for (words, q) in QUALIFIERS {
            if !first.is_empty()
                && words[0] == first
                && words
                    .iter()
                    .enumerate()
                    .skip(1)
                    .all(|(k, w)| self.word_is(i + k, w))
            {
                qualifier = Some(*q);
                j = i + words.len();
                break;
            }
        }
        let between = qualifier.is_none() && self.word_is(j, "between");
        if between {
            j += 1;
        }
        // Accounting negatives in tables: `($5.2 million)` at the start or after a colon.
        let paren = qualifier.is_none()
            && !between
            && self.s(j) == "("
            && self.attached(j + 1)
            && self.paren_context(j);
        if paren {
            j += 1;
        }
        // `-$5 million`, `−€3bn`
        let mut negative = false;
        if matches!(self.s(j), "-" | "−")
            && self.attached(j + 1)
            && (j == 0 || self.tok(j).is_some_and(|t| t.space))
            && !self.is_num(j + 1)
        {
            negative = true;
            j += 1;
        }
        let (a, neg_inner) = self.part(j)?;
        negative ^= neg_inner;
        let mut end = a.end;
        let mut value = a.value;
        let mut value_max = None;
        let mut currency = a.currency;

        // Ranges: `$5-10 billion`, `$5 billion to $10 billion`, `between $2 and $3 billion`.
        let connector = self.s(end);
        // `rose from $5bn to $7bn` and `rose 45 cents to $12.30` are changes, not
        // ranges; `range from $1M to $2M` is one.
        let before_from = self.s(i.wrapping_sub(2)).to_ascii_lowercase();
        let from = i > 0
            && self.word_is(i - 1, "from")
            && !before_from.starts_with("rang")
            && !before_from.starts_with("var");
        let change = (i.saturating_sub(3)..i).any(|k| {
            let mut buf = [0u8; 24];
            matches!(
                lower(self.s(k), &mut buf),
                Some(
                    "rose"
                        | "rise"
                        | "rises"
                        | "risen"
                        | "fell"
                        | "fall"
                        | "falls"
                        | "fallen"
                        | "climbed"
                        | "jumped"
                        | "dropped"
                        | "slipped"
                        | "declined"
                        | "gained"
                        | "lost"
                        | "increased"
                        | "decreased"
                        | "grew"
                        | "surged"
                        | "plunged"
                        | "tumbled"
                        | "soared"
                        | "slumped"
                        | "added"
                        | "shed"
                        | "cut"
                        | "raised"
                        | "lowered"
                        | "up"
                        | "down"
                        | "by"
                        | "widened"
                        | "narrowed"
                )
            )
        });
        let is_range_word = match connector {
            "-" | "–" | "—" => true,
            "to" => !from && !change,
            "and" => between,
            _ => false,
        };
        if is_range_word && !negative {
            if let Some((b, false)) = self.part(end + 1) {
                let compatible = match (a.currency, b.currency) {
                    (Some(x), Some(y)) => x == y,
                    _ => a.currency.is_some() || b.currency.is_some(),
                };
                if compatible && (a.spelled == b.spelled || !a.spelled) {
                    let mut low = a.value;
                    if a.mult == 1.0 && b.mult > 1.0 && a.value * b.mult <= b.value {
                        low = a.value * b.mult;
                    }
                    if low < b.value {
                        value = low;
                        value_max = Some(b.value);
                        currency = a.currency.or(b.currency);
                        end = b.end;
                    }
                }
            }
        }
        if between && value_max.is_none() {
            return None;
        }
        let currency = currency?;
        if paren {
            if self.s(end) != ")" {
                return None;
            }
            end += 1;
            negative = true;
        }
        let (per, per_end) = self.per(end);
        if per.is_some() {
            end = per_end;
        }
        if negative {
            value = -value;
        }
        let value = tidy(value);
        let value_max = value_max.map(tidy);
        let qualifier = if value_max.is_some() {
            Some(Qualifier::Range)
        } else {
            qualifier
        };
        Some((
            i,
            end,
            Money {
                value,
                value_max,
                currency: currency.to_string(),
                qualifier,
                per,
            },
        ))
    }

    /// `(` opens an accounting negative only where a table cell would: at the start of
    /// the text or after a colon, bar or tab.
    fn paren_context(&self, j: usize) -> bool {
        let Some(t) = self.tok(j) else { return false };
        let before = self.text.get(..t.start).unwrap_or("");
        let trimmed = before.trim_end_matches(' ');
        trimmed.is_empty()
            || trimmed.ends_with(':')
            || trimmed.ends_with('|')
            || trimmed.ends_with('\t')
            || before.ends_with('\t')
    }

    /// One side of an amount. The bool says the amount is negative (`$-5`, `$(5.2)`).
    fn part(&self, j: usize) -> Option<(Part, bool)> {
        if let Some((cur, k)) = self.prefix_currency(j) {
            let mut k = k;
            let mut negative = false;
            let mut paren = false;
            if matches!(self.s(k), "-" | "−") && self.attached(k) && self.attached(k + 1) {
                negative = true;
                k += 1;
            } else if self.s(k) == "(" && self.attached(k) && self.attached(k + 1) {
                paren = true;
                k += 1;
            }
            if !self.is_num(k) {
                return None;
            }
            let q = quantity(self.text, self.toks, k)?;
            let mut end = q.end;
            if paren {
                if self.s(end) != ")" {
                    return None;
                }
                end += 1;
                negative = true;
                // `$(5.2) million`
                if let Some(m) = self
                    .tok(end)
                    .and_then(|t| number::multiplier(t.text(self.text), false))
                {
                    return Some((
                        Part {
                            end: end + 1,
                            value: q.value * m,
                            mult: m,
                            currency: Some(cur),
                            spelled: false,
                        },
                        true,
                    ));
                }
            }
            // `$5 billion USD` says the currency twice.
            if self.tok(end).is_some_and(|t| t.kind == Kind::Word) && code(self.s(end)) == Some(cur)
            {
                end += 1;
            }
            return Some((
                Part {
                    end,
                    value: q.value,
                    mult: q.mult,
                    currency: Some(cur),
                    spelled: false,
                },
                negative,
            ));
        }
        let q = quantity(self.text, self.toks, j)?;
        // `85p`
        if !q.spelled && q.mult == 1.0 && self.s(q.end) == "p" && self.attached(q.end) {
            return Some((
                Part {
                    end: q.end + 1,
                    value: q.value / 100.0,
                    mult: 1.0,
                    currency: Some("GBP"),
                    spelled: false,
                },
                false,
            ));
        }
        let mut part = Part {
            end: q.end,
            value: q.value,
            mult: q.mult,
            currency: None,
            spelled: q.spelled,
        };
        if let Some((cur, k, minor)) = self.suffix_currency(q.end, q.mult) {
            part.currency = Some(cur);
            part.end = k;
            if minor {
                part.value /= 100.0;
            }
        }
        Some((part, false))
    }

    /// A currency written before the number: `$`, `US$`, `HK$`, `CN¥`, `€`, `CHF`, `Rs.`.
    fn prefix_currency(&self, j: usize) -> Option<(&'static str, usize)> {
        let t = self.tok(j)?;
        let s = t.text(self.text);
        let found = match t.kind {
            Kind::Sym => {
                let c = match s {
                    "$" => self.ctx.dollar,
                    "€" => "EUR",
                    "£" => "GBP",
                    "¥" => self.yen,
                    "₩" => "KRW",
                    "₹" => "INR",
                    "₽" => "RUB",
                    "₺" => "TRY",
                    "₦" => "NGN",
                    "₱" => "PHP",
                    "₪" => "ILS",
                    "₫" => "VND",
                    "฿" => "THB",
                    "₴" => "UAH",
                    _ => return None,
                };
                (c, j + 1)
            }
            Kind::Word => {
                let next = self.s(j + 1);
                if (next == "$" || next == "¥") && self.attached(j + 1) {
                    let c = match (s, next) {
                        ("US" | "U.S." | "USD", "$") => "USD",
                        ("A" | "AU" | "AUD", "$") => "AUD",
                        ("C" | "CA" | "Can" | "CAD", "$") => "CAD",
                        ("HK", "$") => "HKD",
                        ("S" | "SG", "$") => "SGD",
                        ("NZ", "$") => "NZD",
                        ("NT", "$") => "TWD",
                        ("R", "$") => "BRL",
                        ("Mex" | "MX", "$") => "MXN",
                        ("Z", "$") => "ZWL",
                        ("RD", "$") => "DOP",
                        ("CN" | "RMB", "¥") => "CNY",
                        ("JP", "¥") => "JPY",
                        _ => return None,
                    };
                    (c, j + 2)
                } else if let Some(c) = code(s) {
                    (c, j + 1)
                } else {
                    let c = match s {
                        "Rs" => "INR",
                        "Rp" => "IDR",
                        "RM" => "MYR",
                        "SFr" | "Fr" => "CHF",
                        "Dh" | "Dhs" => "AED",
                        _ => return None,
                    };
                    let k = if self.s(j + 1) == "." && self.attached(j + 1) {
                        j + 2
                    } else {
                        j + 1
                    };
                    (c, k)
                }
            }
            Kind::Num => return None,
        };
        // the number follows at once or after one space (`CHF 5`, `$ 5` in wire copy)
        let n = self.tok(found.1)?;
        if n.kind == Kind::Num || matches!(n.text(self.text), "-" | "−" | "(") {
            Some(found)
        } else {
            None
        }
    }

    /// A currency written after the number, from token `k`: `CHF`, `dollars`,
    /// `U.S. dollars`, `Swiss francs`, `pounds sterling`, `cents`, `-dollar`.
    /// Returns `(code, end, minor unit)`.
    fn suffix_currency(&self, k: usize, mult: f64) -> Option<(&'static str, usize, bool)> {
        let t = self.tok(k)?;
        if t.kind == Kind::Sym {
            // `a billion-dollar deal`
            if t.text(self.text) == "-" && !t.space && self.attached(k + 1) {
                let (n, singular) = noun(self.s(k + 1))?;
                if singular {
                    return self.bare_noun(n, k + 2, mult).map(|(c, e)| (c, e, false));
                }
            }
            return None;
        }
        if t.kind != Kind::Word {
            return None;
        }
        let s = t.text(self.text);
        if let Some(c) = code(s) {
            return Some((c, k + 1, false));
        }
        // adjective of one or two words, then the noun
        for width in [2usize, 1] {
            let noun_at = k + width;
            let Some((n, _)) = noun(self.s(noun_at)) else {
                continue;
            };
            let adj = if width == 2 {
                format!("{} {}", self.s(k), self.s(k + 1)).to_ascii_lowercase()
            } else {
                s.to_ascii_lowercase()
            };
            if let Some(c) = adjective(&adj, n) {
                let mut end = noun_at + 1;
                let minor = matches!(n, Noun::Cent | Noun::Penny);
                if n == Noun::Pound && self.word_is(end, "sterling") {
                    end += 1;
                }
                return Some((c, end, minor));
            }
        }
        let (n, _) = noun(s)?;
        // `euro cents`
        if n == Noun::Euro && matches!(self.s(k + 1), "cent" | "cents") {
            return Some(("EUR", k + 2, true));
        }
        let (c, end) = self.bare_noun(n, k + 1, mult)?;
        Some((c, end, matches!(n, Noun::Cent | Noun::Penny)))
    }

    /// The currency of a noun without adjective, or `None` where the bare word is too
    /// ambiguous to be money (`5 marks`, `won`, `crowns`).
    fn bare_noun(&self, n: Noun, end: usize, mult: f64) -> Option<(&'static str, usize)> {
        use Noun::*;
        let big = mult >= 1e6;
        let c = match n {
            Dollar | Buck | Cent => self.ctx.dollar,
            Euro => "EUR",
            Yen => "JPY",
            Yuan => "CNY",
            Won if big => "KRW",
            Rupee => "INR",
            Pound => {
                // `20 pounds of weight`, `weighed in at 147 pounds`
                if self.word_is(end, "of") || (mult < 1e3 && self.about_weight()) {
                    return None;
                }
                if self.word_is(end, "sterling") {
                    return Some(("GBP", end + 1));
                }
                "GBP"
            }
            Sterling | Quid | Penny => "GBP",
            Franc => "CHF",
            Riyal => "SAR",
            Rial => "IRR",
            Dirham => "AED",
            Peso => "MXN",
            Real if big => "BRL",
            Rouble => "RUB",
            Lira => "TRY",
            Rand => "ZAR",
            Baht => "THB",
            Ringgit => "MYR",
            Rupiah => "IDR",
            Shekel => "ILS",
            Naira => "NGN",
            Zloty => "PLN",
            Forint => "HUF",
            Krona => "SEK",
            Krone => "NOK",
            Crown => self.nationality(&[
                ("swedish", "SEK"),
                ("sweden", "SEK"),
                ("norwegian", "NOK"),
                ("norway", "NOK"),
                ("danish", "DKK"),
                ("denmark", "DKK"),
                ("czech", "CZK"),
                ("icelandic", "ISK"),
            ])?,
            Dinar => self.nationality(&[
                ("kuwaiti", "KWD"),
                ("kuwait", "KWD"),
                ("iraqi", "IQD"),
                ("iraq", "IQD"),
                ("jordanian", "JOD"),
                ("jordan", "JOD"),
                ("bahraini", "BHD"),
                ("bahrain", "BHD"),
                ("serbian", "RSD"),
                ("serbia", "RSD"),
            ])?,
            Dong if big => "VND",
            Mark if big => "DEM",
            Guilder => "NLG",
            Hryvnia => "UAH",
            Greenback => "USD",
            _ => return None,
        };
        Some((c, end))
    }

    /// The currency a country word in the sentence gives an ambiguous noun
    /// (`Swedish group Ericsson won an order worth 1.2 billion crowns`).
    fn nationality(&self, table: &[(&str, &'static str)]) -> Option<&'static str> {
        self.toks.iter().find_map(|t| {
            let mut buf = [0u8; 24];
            let w = lower(t.text(self.text), &mut buf)?;
            table.iter().find(|(k, _)| *k == w).map(|(_, c)| *c)
        })
    }

    /// Whether the sentence talks about weight, so bare small "pounds" are not money.
    fn about_weight(&self) -> bool {
        self.toks.iter().any(|t| {
            let w = t.text(self.text);
            w.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("weigh"))
                || matches!(w, "lb" | "lbs" | "heavy" | "heavier" | "ounces")
        })
    }

    /// `a share`, `per barrel`, `/tonne` after an amount: `(unit, end)`.
    fn per(&self, end: usize) -> (Option<String>, usize) {
        let s = self.s(end);
        let unit_at = end + 1;
        let Some(u) = self.tok(unit_at).filter(|t| t.kind == Kind::Word) else {
            return (None, end);
        };
        let unit = u.text(self.text);
        let lower = unit.to_ascii_lowercase();
        let ok = match s.to_ascii_lowercase().as_str() {
            "a" | "an" => UNITS.contains(&lower.as_str()),
            "per" => !matches!(lower.as_str(), "cent" | "centum"),
            "/" => self.attached(end) && self.attached(unit_at),
            _ => false,
        };
        if ok {
            (Some(lower), unit_at + 1)
        } else {
            (None, end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_amount() {
        let text = "which saw Japan pledge over $550 billion in investments";
        let found = find(text, &MoneyContext::default());
        assert_eq!(found.len(), 1);
        let (span, m) = &found[0];
        assert_eq!(span.text(text), "over $550 billion");
        assert_eq!(m.value, 550e9);
        assert_eq!(m.currency, "USD");
        assert_eq!(m.qualifier, Some(Qualifier::Over));
    }

    #[test]
    fn dateline_sets_the_dollar() {
        assert_eq!(MoneyContext::detect("SYDNEY (Reuters) - BHP").dollar, "AUD");
        assert_eq!(MoneyContext::detect("Toronto, Oct 27 - x").dollar, "CAD");
        assert_eq!(MoneyContext::detect("HONG KONG 1996-08-22").dollar, "HKD");
        assert_eq!(MoneyContext::detect("Sydney is big").dollar, "USD");
    }
}
