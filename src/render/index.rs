//! The corpus index page: one row per article with its event counts, then the timeline of
//! dated events and the money table across the corpus, each row linking to its card.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::html::esc;
use super::model::View;
use super::page::{money, money_rows, timeline, timeline_rows, MoneyRow, TimeRow};
use super::{page_end, page_start, PageOptions};

/// Event types in the order columns show them.
const EVENT_TYPES: [&str; 5] = ["visit", "meeting", "agreement", "commitment", "statement"];

/// The index of `views`, whose pages are at `hrefs` (same order).
pub fn index(views: &[View], hrefs: &[String], opts: &PageOptions) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| "gazette: articles and events".to_string());
    page_start(&mut out, &title, opts);
    let events: usize = views.iter().map(|v| v.events.len()).sum();
    let _ = writeln!(
        out,
        "<header class=\"top\">\n<h1>{}</h1>\n<p class=\"counts\"><strong>{}</strong> articles · \
         <strong>{}</strong> events</p>\n</header>",
        esc(&title),
        views.len(),
        events
    );

    out.push_str(
        "<section class=\"articles\" aria-labelledby=\"ar-h\">\n<h2 id=\"ar-h\">Articles</h2>\n<table>\n<thead><tr>\
         <th scope=\"col\">Article</th><th scope=\"col\">Published</th><th scope=\"col\" class=\"r\">Events</th>",
    );
    for t in EVENT_TYPES {
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"r et-{t}\"><span class=\"etype\">{t}</span></th>"
        );
    }
    out.push_str(
        "<th scope=\"col\" class=\"r\">Entities</th><th scope=\"col\" class=\"r\">Amounts</th></tr></thead>\n<tbody>\n",
    );
    for (v, href) in views.iter().zip(hrefs) {
        let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &v.events {
            *by_type.entry(e.ty.as_str()).or_default() += 1;
        }
        let _ = write!(
            out,
            "<tr><td><a href=\"{}\">{}</a><br><span class=\"id\">{}</span></td><td>{}</td><td class=\"r num\"><strong>{}</strong></td>",
            esc(href),
            esc(v.heading()),
            esc(&v.doc_id),
            esc(v.published.as_deref().unwrap_or("—")),
            v.events.len()
        );
        for t in EVENT_TYPES {
            match by_type.get(t) {
                Some(n) => {
                    let _ = write!(out, "<td class=\"r num\">{n}</td>");
                }
                None => out.push_str("<td class=\"r num zero\">·</td>"),
            }
        }
        let amounts = v.mentions.iter().filter(|m| m.ty == "MONEY").count();
        let _ = writeln!(
            out,
            "<td class=\"r num\">{}</td><td class=\"r num\">{}</td></tr>",
            v.entities.len(),
            amounts
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n<div class=\"below stack\">\n");

    // The corpus timeline and money table: every article's rows, with its page.
    let mut rows: Vec<(TimeRow, (String, String))> = Vec::new();
    for (v, href) in views.iter().zip(hrefs) {
        for r in timeline_rows(v) {
            rows.push((r, (href.clone(), v.heading().to_string())));
        }
    }
    rows.sort_by(|a, b| a.0.date.cmp(&b.0.date));
    let (rows, pages): (Vec<TimeRow>, Vec<(String, String)>) = rows.into_iter().unzip();
    timeline(&mut out, &rows, Some(&pages));

    let mut money_list: Vec<(MoneyRow, (String, String))> = Vec::new();
    for (v, href) in views.iter().zip(hrefs) {
        for r in money_rows(v) {
            money_list.push((r, (href.clone(), v.heading().to_string())));
        }
    }
    let (mrows, mpages): (Vec<MoneyRow>, Vec<(String, String)>) = money_list.into_iter().unzip();
    money(&mut out, &mrows, Some(&mpages));
    out.push_str("</div>\n");
    page_end(&mut out, opts);
    out
}
