//! Money amounts: `MONEY` mentions with a value, an ISO 4217 currency and a qualifier.
//!
//! Owns the `money` mentions; does not decide what an amount is for (assemble does).
//!
//! First cut (issue #2); issue #7 covers every form news uses.

use regex::Regex;

use crate::document::{
    Document, EntityType, Mention, MentionSource, MentionValue, Money, Qualifier, Span,
};

pub struct MoneyRecognizer {
    re: Regex,
}

impl Default for MoneyRecognizer {
    fn default() -> Self {
        MoneyRecognizer::new()
    }
}

impl MoneyRecognizer {
    pub fn new() -> MoneyRecognizer {
        let re = Regex::new(r"(?i)\b(?:(over|more than|about|up to|at least) )?(\$|€|£|¥)\s?(\d+(?:\.\d+)?)\s?(billion|bn|million|m|trillion)?\b").expect("valid regex");
        MoneyRecognizer { re }
    }

    pub fn annotate(&self, doc: &mut Document) {
        let mut found = Vec::new();
        for (si, s) in doc.sentences.iter().enumerate() {
            let text = s.span.text(&doc.text);
            for c in self.re.captures_iter(text) {
                let all = c.get(0).expect("match");
                let num: f64 = c[3].parse().unwrap_or(0.0);
                let mult = match c.get(4).map(|m| m.as_str().to_ascii_lowercase()) {
                    Some(ref u) if u == "billion" || u == "bn" => 1e9,
                    Some(ref u) if u == "million" || u == "m" => 1e6,
                    Some(ref u) if u == "trillion" => 1e12,
                    _ => 1.0,
                };
                let currency = match &c[2] {
                    "€" => "EUR",
                    "£" => "GBP",
                    "¥" => "JPY",
                    _ => "USD",
                };
                let qualifier = c
                    .get(1)
                    .map(|q| match q.as_str().to_ascii_lowercase().as_str() {
                        "about" => Qualifier::About,
                        "up to" => Qualifier::UpTo,
                        "at least" => Qualifier::AtLeast,
                        _ => Qualifier::Over,
                    });
                let span = Span::new(s.span.start + all.start(), s.span.start + all.end());
                let mut m = Mention::new(span, EntityType::Money, MentionSource::Money, si);
                m.value = Some(MentionValue::Money(Money {
                    value: num * mult,
                    value_max: None,
                    currency: currency.into(),
                    qualifier,
                    per: None,
                }));
                found.push(m);
            }
        }
        doc.mentions.extend(found);
    }
}
