//! Small HTML helpers: escaping (every piece of input text goes through [`esc`]), number
//! and amount formatting, and file names for pages.

use std::fmt::Write;

use serde_json::Value;

/// Escapes text for HTML element content and quoted attribute values alike.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_esc(&mut out, s);
    out
}

/// Appends `s` escaped.
pub fn push_esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL and other C0 controls (bar tab and newlines) are not allowed in HTML text.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// An id usable in `id="…"` and in a URL fragment: letters, digits, `-` and `_` only.
pub fn ident(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A file name for an article page: the id with anything but letters, digits, `.`, `-`,
/// `_` replaced, never hidden, never empty, at most 120 bytes.
pub fn file_stem(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if s.starts_with('.') {
        s.insert(0, '_');
    }
    if s.is_empty() || s == "index" {
        s.push_str("_article");
    }
    s
}

/// A JSON number as text with thousands separators (`550,000,000,000`); other values as
/// they are.
pub fn number(v: &Value) -> String {
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => group(i),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => group(f as i64),
            (None, Some(f)) => {
                let whole = f.trunc();
                let frac = format!("{:.2}", f.abs().fract());
                format!("{}{}", group(whole as i64), frac.trim_start_matches('0'))
            }
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn group(i: i64) -> String {
    let digits = i.unsigned_abs().to_string();
    let mut out = String::new();
    if i < 0 {
        out.push('-');
    }
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A short reading of a large amount: `550 bn`, `1.2 tn`, `35 m`; empty when small.
pub fn short_amount(v: &Value) -> String {
    let Some(x) = v.as_f64() else {
        return String::new();
    };
    let (div, unit) = match x.abs() {
        a if a >= 1e12 => (1e12, "tn"),
        a if a >= 1e9 => (1e9, "bn"),
        a if a >= 1e6 => (1e6, "m"),
        _ => return String::new(),
    };
    let y = x / div;
    let mut s = String::new();
    if (y - y.round()).abs() < 0.05 {
        let _ = write!(s, "{:.0} {unit}", y);
    } else {
        let _ = write!(s, "{:.1} {unit}", y);
    }
    s
}

/// A qualifier as words (`up_to` → `up to`).
pub fn qualifier(q: &str) -> String {
    q.replace('_', " ")
}

/// A URL safe to put in `href`: only `http:` and `https:` are linked.
pub fn safe_href(url: &str) -> Option<&str> {
    let u = url.trim();
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>a&b</script> \"x\" 'y'"),
            "&lt;script&gt;a&amp;b&lt;/script&gt; &quot;x&quot; &#39;y&#39;"
        );
        assert_eq!(esc("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn numbers_and_names() {
        assert_eq!(number(&json!(550000000000u64)), "550,000,000,000");
        assert_eq!(number(&json!(1234.5)), "1,234.50");
        assert_eq!(number(&json!(-1000)), "-1,000");
        assert_eq!(short_amount(&json!(550000000000u64)), "550 bn");
        assert_eq!(short_amount(&json!(1300000)), "1.3 m");
        assert_eq!(file_stem("corpus/a b.txt"), "corpus_a_b.txt");
        assert_eq!(file_stem("../x"), "_.._x");
        assert_eq!(file_stem(""), "_article");
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href(" https://e.x/a "), Some("https://e.x/a"));
    }
}
