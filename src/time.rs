//! Dates: `DATE` mentions with an ISO 8601 value at the precision of the text, relative
//! expressions resolved against the article date.
//!
//! Owns the `date` mentions; does not attach dates to events (assemble does).
//!
//! First cut (issue #2); issue #7 covers every form news uses.

use chrono::{Datelike, Duration, Weekday};
use regex::Regex;

use crate::document::{
    DateValue, Document, EntityType, Mention, MentionSource, MentionValue, Span,
};

pub struct DateRecognizer {
    re: Regex,
}

impl Default for DateRecognizer {
    fn default() -> Self {
        DateRecognizer::new()
    }
}

impl DateRecognizer {
    pub fn new() -> DateRecognizer {
        let re =
            Regex::new(r"\b(?:on )?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
                .expect("valid regex");
        DateRecognizer { re }
    }

    pub fn annotate(&self, doc: &mut Document) {
        let mut found = Vec::new();
        for (si, s) in doc.sentences.iter().enumerate() {
            let text = s.span.text(&doc.text);
            for c in self.re.captures_iter(text) {
                let all = c.get(0).expect("match");
                let day: Weekday = c[1].parse().unwrap_or(Weekday::Mon);
                let value = doc.published.map(|p| {
                    let back = (7 + p.weekday().num_days_from_monday() as i64
                        - day.num_days_from_monday() as i64)
                        % 7;
                    (p - Duration::days(back)).format("%Y-%m-%d").to_string()
                });
                let span = Span::new(s.span.start + all.start(), s.span.start + all.end());
                let mut m = Mention::new(span, EntityType::Date, MentionSource::Date, si);
                m.value = Some(MentionValue::Date(DateValue {
                    value,
                    anchor: doc.published.map(|p| p.to_string()),
                    relative: true,
                }));
                found.push(m);
            }
        }
        doc.mentions.extend(found);
    }
}
