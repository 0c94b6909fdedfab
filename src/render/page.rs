//! The article page: the text with highlighted mentions and underlined triggers, one card
//! per event, the timeline, the money table and the entity list.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use super::html::{esc, ident, number, push_esc, qualifier, safe_href, short_amount};
use super::model::{ArgRec, EventRec, MentionRec, View};
use super::{page_end, page_start, PageOptions};

/// The entity types drawn, in legend order.
pub const TYPES: [&str; 7] = ["PERSON", "PLACE", "ORG", "NORP", "MONEY", "DATE", "MISC"];

/// The modalities, with the words their badge shows.
pub const MODALITIES: [&str; 6] = [
    "asserted", "expected", "planned", "possible", "reported", "negated",
];

/// One article as a whole HTML page.
pub fn article(view: &View, opts: &PageOptions) -> String {
    let mut out = String::with_capacity(64 * 1024);
    page_start(&mut out, view.heading(), opts);
    header(&mut out, view, opts);
    legend(&mut out, view);
    out.push_str("<main class=\"grid\">\n");
    text(&mut out, view);
    cards(&mut out, view);
    out.push_str("</main>\n<div class=\"below\">\n");
    timeline(&mut out, &timeline_rows(view), None);
    money(&mut out, &money_rows(view), None);
    out.push_str("</div>\n");
    entities(&mut out, view);
    out.push_str(
        "<div id=\"gz-pop\" class=\"pop\" role=\"dialog\" aria-modal=\"false\" \
         aria-labelledby=\"gz-pop-title\" hidden></div>\n",
    );
    page_end(&mut out, opts);
    out
}

fn header(out: &mut String, view: &View, opts: &PageOptions) {
    out.push_str("<header class=\"top\">\n");
    if let Some(href) = &opts.index_href {
        let _ = writeln!(
            out,
            "<nav class=\"crumbs\"><a href=\"{}\">← All articles</a></nav>",
            esc(href)
        );
    }
    let _ = writeln!(out, "<h1>{}</h1>", esc(view.heading()));
    out.push_str("<p class=\"meta\">");
    let _ = write!(out, "<span class=\"id\">{}</span>", esc(&view.doc_id));
    if let Some(p) = &view.published {
        let _ = write!(out, " · published <time>{}</time>", esc(p));
    }
    if let Some(s) = &view.source {
        let _ = write!(out, " · {}", esc(s));
    }
    if let Some(u) = &view.url {
        match safe_href(u) {
            Some(h) => {
                let _ = write!(
                    out,
                    " · <a href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
                    esc(h),
                    esc(u)
                );
            }
            None => {
                let _ = write!(out, " · {}", esc(u));
            }
        }
    }
    let _ = writeln!(
        out,
        "</p>\n<p class=\"counts\"><strong>{}</strong> {} · <strong>{}</strong> {} · <strong>{}</strong> {}</p>",
        view.events.len(),
        plural(view.events.len(), "event", "events"),
        view.entities.len(),
        plural(view.entities.len(), "entity", "entities"),
        view.mentions.len(),
        plural(view.mentions.len(), "mention", "mentions"),
    );
    if !view.complete {
        out.push_str(
            "<p class=\"note\">Drawn from event records: only the sentences of events are \
             known, and only the role fillers, amounts and times are highlighted.</p>\n",
        );
    }
    out.push_str("</header>\n");
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn legend(out: &mut String, view: &View) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &view.mentions {
        *counts.entry(m.ty.as_str()).or_default() += 1;
    }
    out.push_str("<nav class=\"legend\" aria-label=\"Highlight types (press to hide or show)\">\n");
    for ty in TYPES {
        let n = counts.get(ty).copied().unwrap_or(0);
        if n == 0 && ty == "MISC" {
            continue;
        }
        let _ = writeln!(
            out,
            "<button type=\"button\" class=\"chip t-{ty}\" id=\"legend-{ty}\" data-type=\"{ty}\" aria-pressed=\"true\" \
             title=\"Show or hide {ty} highlights\">{ty} <span class=\"n\">{n}</span></button>"
        );
    }
    out.push_str(
        "<span class=\"chip trig-key\"><span class=\"trig\">trigger</span></span>\n</nav>\n",
    );
}

/// One element to open around a range of text.
struct Layer {
    start: usize,
    end: usize,
    level: u8,
    open: String,
    close: &'static str,
}

/// The article text, with sentences, mentions and triggers as nested elements. Ranges
/// that cross one another cannot nest; the later one is left out rather than splitting
/// the text.
fn text(out: &mut String, view: &View) {
    let mut layers: Vec<Layer> = Vec::new();
    for s in &view.sentences {
        let mut class = String::from("s");
        if s.kind.as_deref() == Some("heading") {
            class.push_str(" h");
        }
        layers.push(Layer {
            start: s.start,
            end: s.end,
            level: 0,
            open: format!("<span class=\"{class}\" id=\"s-{}\">", s.index),
            close: "</span>",
        });
    }
    for (i, m) in view.mentions.iter().enumerate() {
        layers.push(Layer {
            start: m.start,
            end: m.end,
            level: 1,
            open: mention_open(view, i, m),
            close: "</mark>",
        });
    }
    let mut triggers: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, e) in view.events.iter().enumerate() {
        triggers
            .entry((e.trigger.start, e.trigger.end))
            .or_default()
            .push(i);
    }
    for ((start, end), events) in triggers {
        let ids: Vec<String> = events.iter().map(|&i| card_id(i)).collect();
        let titles: Vec<String> = events
            .iter()
            .map(|&i| {
                let e = &view.events[i];
                format!("{} event: {} {}", e.modality, e.ty, e.subtype)
            })
            .collect();
        layers.push(Layer {
            start,
            end,
            level: 2,
            open: format!(
                "<span class=\"trig\" data-ev=\"{}\" title=\"{}\">",
                ids.join(" "),
                esc(&titles.join("; "))
            ),
            close: "</span>",
        });
    }
    layers.retain(|l| l.end > l.start);
    layers.sort_by_key(|l| (l.start, std::cmp::Reverse(l.end), l.level));

    out.push_str(
        "<section class=\"article\" aria-label=\"Article text\">\n<h2 class=\"sr\">Text</h2>\n<div class=\"text\" id=\"text\">",
    );
    let mut rest = layers.as_slice();
    let mut prev_end = 0;
    for (k, seg) in view.segments.iter().enumerate() {
        if !view.complete {
            // One sentence a line, with … where the records leave text out.
            if k > 0 {
                out.push('\n');
            }
            if (k == 0 && seg.start > 0) || (k > 0 && seg.start > prev_end + 2) {
                out.push_str("<span class=\"gap\" aria-hidden=\"true\">…</span> ");
            }
        }
        // Byte offset of every char boundary, so code point offsets map without panics.
        let bounds: Vec<usize> = seg
            .text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(seg.text.len()))
            .collect();
        let seg_end = seg.start + bounds.len() - 1;
        let byte = |cp: usize| bounds[cp.saturating_sub(seg.start).min(bounds.len() - 1)];
        // Layers of this segment (layers are sorted; skip those before it).
        let from = rest.partition_point(|l| l.start < seg.start);
        let upto = rest.partition_point(|l| l.start < seg_end);
        let mine = rest.get(from..upto.max(from)).unwrap_or(&[]);
        rest = rest.get(upto.max(from)..).unwrap_or(&[]);

        let mut stack: Vec<&Layer> = Vec::new();
        let mut cursor = seg.start;
        for l in mine {
            if l.end > seg_end {
                continue;
            }
            while let Some(top) = stack.last() {
                if top.end <= l.start {
                    push_esc(out, slice(&seg.text, byte(cursor), byte(top.end)));
                    cursor = top.end;
                    out.push_str(top.close);
                    stack.pop();
                } else {
                    break;
                }
            }
            if stack.last().is_some_and(|top| l.end > top.end) {
                continue; // crosses its container
            }
            push_esc(out, slice(&seg.text, byte(cursor), byte(l.start)));
            cursor = l.start;
            out.push_str(&l.open);
            stack.push(l);
        }
        while let Some(top) = stack.pop() {
            push_esc(out, slice(&seg.text, byte(cursor), byte(top.end)));
            cursor = top.end;
            out.push_str(top.close);
        }
        push_esc(out, slice(&seg.text, byte(cursor), seg.text.len()));
        prev_end = seg_end;
    }
    if !view.complete && !view.segments.is_empty() {
        out.push_str(" <span class=\"gap\" aria-hidden=\"true\">…</span>");
    }
    out.push_str("</div>\n</section>\n");
}

/// `text[a..b]`, or nothing when the range is empty or off a char boundary.
fn slice(text: &str, a: usize, b: usize) -> &str {
    text.get(a..b).unwrap_or("")
}

fn mention_open(view: &View, i: usize, m: &MentionRec) -> String {
    let ty = ident(&m.ty);
    let entity = m.entity.as_deref().and_then(|id| view.entity(id));
    let name = entity
        .map(|e| e.name.as_str())
        .or(m.name.as_deref())
        .unwrap_or(&m.text);
    let mut title = format!("{name} · {}", m.ty);
    if let Some(id) = &m.entity {
        let _ = write!(title, " · {id}");
    }
    if let Some(v) = mention_value(m) {
        let _ = write!(title, " · {v}");
    }
    let mut s = format!(
        "<mark class=\"m t-{ty}\" id=\"m-{i}\" tabindex=\"0\" title=\"{}\"",
        esc(&title)
    );
    if let Some(id) = &m.entity {
        let _ = write!(s, " data-e=\"{}\"", esc(id));
    }
    s.push('>');
    s
}

/// The normalised value of a MONEY or DATE mention as words.
fn mention_value(m: &MentionRec) -> Option<String> {
    match m.ty.as_str() {
        "MONEY" => Some(amount_words(
            m.value.as_ref()?,
            m.value_max.as_ref(),
            m.currency.as_deref(),
            m.qualifier.as_deref(),
        )),
        "DATE" => match &m.value {
            Some(serde_json::Value::String(v)) => Some(format!("→ {v}")),
            _ => None,
        },
        _ => None,
    }
}

fn amount_words(
    value: &serde_json::Value,
    max: Option<&serde_json::Value>,
    currency: Option<&str>,
    q: Option<&str>,
) -> String {
    let mut s = String::new();
    if let Some(q) = q.filter(|q| *q != "range") {
        let _ = write!(s, "{} ", qualifier(q));
    }
    let _ = write!(s, "{} {}", currency.unwrap_or(""), number(value));
    if let Some(max) = max {
        let _ = write!(s, "–{}", number(max));
    }
    s.trim().to_string()
}

pub(super) fn card_id(i: usize) -> String {
    format!("ev-{}", i + 1)
}

/// Names of role fillers, each entity once.
fn names(args: &[ArgRec]) -> Vec<(String, Option<String>, String)> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for a in args {
        let name = a.name.clone().unwrap_or_else(|| a.text.clone());
        let key = a.entity.clone().unwrap_or_else(|| name.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push((name, a.entity.clone(), a.ty.clone().unwrap_or_default()));
    }
    out
}

fn push_names(out: &mut String, args: &[ArgRec], empty: &str) {
    let list = names(args);
    if list.is_empty() {
        let _ = write!(out, "<span class=\"none\">{empty}</span>");
    }
    for (k, (name, entity, ty)) in list.iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "<span class=\"who u-{}\"", ident(ty));
        if let Some(e) = entity {
            let _ = write!(out, " data-e=\"{}\"", esc(e));
        }
        let _ = write!(out, ">{}</span>", esc(name));
    }
}

/// A short summary of an event for tables: `Japan pledge → United States`.
pub(super) fn summary(e: &EventRec) -> String {
    let join = |args: &[ArgRec]| {
        names(args)
            .into_iter()
            .map(|(n, _, _)| n)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let agents = join(&e.agents);
    let counterparts = join(&e.counterparts);
    let what = if e.trigger.text.is_empty() {
        e.subtype.clone()
    } else {
        e.trigger.text.clone()
    };
    let mut s = agents;
    if !s.is_empty() {
        s.push(' ');
    }
    s.push_str(&what);
    if !counterparts.is_empty() {
        let _ = write!(s, " → {counterparts}");
    }
    s
}

fn cards(out: &mut String, view: &View) {
    let _ = writeln!(
        out,
        "<aside class=\"events\" aria-labelledby=\"events-h\">\n<h2 id=\"events-h\">Events <span class=\"n\">{}</span></h2>",
        view.events.len()
    );
    if view.events.is_empty() {
        out.push_str("<p class=\"none\">No events found in this article.</p>\n");
    }
    out.push_str("<ol class=\"cards\">\n");
    for (i, e) in view.events.iter().enumerate() {
        card(out, view, i, e);
    }
    out.push_str("</ol>\n</aside>\n");
}

fn card(out: &mut String, _view: &View, i: usize, e: &EventRec) {
    let mut sents: Vec<usize> = e.evidence.clone();
    if let Some(s) = &e.sentence {
        if !sents.contains(&s.index) {
            sents.insert(0, s.index);
        }
    }
    let sents: Vec<String> = sents.iter().map(|s| s.to_string()).collect();
    let modality = if MODALITIES.contains(&e.modality.as_str()) {
        e.modality.as_str()
    } else {
        "other"
    };
    let _ = writeln!(
        out,
        "<li class=\"card et-{ty}\" id=\"{id}\" tabindex=\"0\" role=\"button\" aria-pressed=\"false\" \
         data-sents=\"{sents}\" aria-label=\"Event {n}: {mod_} {tyl} {sub}; press to show its evidence\">",
        ty = ident(&e.ty),
        id = card_id(i),
        sents = sents.join(" "),
        n = i + 1,
        mod_ = esc(&e.modality),
        tyl = esc(&e.ty),
        sub = esc(&e.subtype),
    );
    let _ = writeln!(
        out,
        "<div class=\"head\"><span class=\"num\">{}</span><span class=\"etype\">{}</span>\
         <span class=\"sub\">{}</span><span class=\"badge mod-{modality}\">{}</span></div>",
        i + 1,
        esc(&e.ty),
        esc(&e.subtype),
        esc(&e.modality),
    );
    out.push_str("<p class=\"roles\">");
    push_names(out, &e.agents, "no agent");
    let _ = write!(
        out,
        " <span class=\"verb\">{}</span> <span class=\"arrow\" aria-label=\"to\">→</span> ",
        esc(&e.trigger.text)
    );
    push_names(out, &e.counterparts, "no counterpart");
    out.push_str("</p>\n<dl>\n");
    if let Some(a) = &e.amount {
        let words = a
            .value
            .as_ref()
            .map(|v| {
                amount_words(
                    v,
                    a.value_max.as_ref(),
                    a.currency.as_deref(),
                    a.qualifier.as_deref(),
                )
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            "<dt>Amount</dt><dd>{} <span class=\"val\">→ {}",
            esc(&a.text),
            esc(&words)
        );
        if let Some(per) = &a.per {
            let _ = write!(out, " per {}", esc(per));
        }
        out.push_str("</span></dd>\n");
    }
    if let Some(t) = &e.time {
        let _ = write!(out, "<dt>Time</dt><dd>{}", esc(&t.text));
        match &t.value {
            Some(serde_json::Value::String(v)) => {
                let _ = write!(out, " <span class=\"val\">→ <time>{}</time></span>", esc(v));
            }
            _ => out.push_str(" <span class=\"val none\">(unresolved)</span>"),
        }
        out.push_str("</dd>\n");
    }
    if let Some(p) = &e.place {
        let _ = writeln!(out, "<dt>Place</dt><dd>");
        push_names(out, std::slice::from_ref(p), "");
        out.push_str("</dd>\n");
    }
    for (label, span) in [
        ("Topic", &e.topic),
        ("Purpose", &e.purpose),
        ("Condition", &e.condition),
    ] {
        if let Some(s) = span {
            let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", esc(&s.text));
        }
    }
    out.push_str("</dl>\n<p class=\"codes\">");
    let _ = write!(
        out,
        "<span title=\"CAMEO event code\">CAMEO <code>{}</code></span> \
         <span title=\"PLOVER event category\">PLOVER <code>{}</code></span> \
         <span class=\"conf\" title=\"confidence\">confidence <meter min=\"0\" max=\"1\" value=\"{c}\">{c:.2}</meter> {c:.2}</span>",
        if e.cameo.is_empty() { "—".into() } else { esc(&e.cameo) },
        if e.plover.is_empty() { "—".into() } else { esc(&e.plover) },
        c = e.confidence,
    );
    out.push_str("</p>\n</li>\n");
}

/// One dated event, for the timelines.
pub(super) struct TimeRow<'v> {
    pub date: String,
    pub text: &'v str,
    pub event: &'v EventRec,
    pub index: usize,
}

pub(super) fn timeline_rows(view: &View) -> Vec<TimeRow<'_>> {
    let mut rows: Vec<TimeRow> = view
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let t = e.time.as_ref()?;
            let date = t.value.as_ref()?.as_str()?.to_string();
            Some(TimeRow {
                date,
                text: &t.text,
                event: e,
                index: i,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.date.cmp(&b.date).then(a.index.cmp(&b.index)));
    rows
}

/// Draws a timeline; `page` gives each row's article page and title (corpus index).
pub(super) fn timeline(out: &mut String, rows: &[TimeRow], page: Option<&[(String, String)]>) {
    out.push_str(
        "<section class=\"timeline\" aria-labelledby=\"tl-h\">\n<h2 id=\"tl-h\">Timeline</h2>\n",
    );
    if rows.is_empty() {
        out.push_str("<p class=\"none\">No dated events.</p>\n</section>\n");
        return;
    }
    out.push_str("<ol class=\"tl\">\n");
    let mut last = "";
    for (k, r) in rows.iter().enumerate() {
        let new_date = r.date != last;
        last = &r.date;
        let href = match page {
            Some(p) => format!("{}#{}", p[k].0, card_id(r.index)),
            None => format!("#{}", card_id(r.index)),
        };
        let _ = write!(
            out,
            "<li class=\"et-{}{}\"><time class=\"d\">{}</time> <span class=\"etype\">{}</span> \
             <a href=\"{}\" data-card=\"{}\">{}</a> <span class=\"src\">“{}”</span>",
            ident(&r.event.ty),
            if new_date { " first" } else { "" },
            esc(&r.date),
            esc(&r.event.ty),
            esc(&href),
            card_id(r.index),
            esc(&summary(r.event)),
            esc(r.text),
        );
        if let Some(p) = page {
            let _ = write!(out, " <span class=\"doc\">{}</span>", esc(&p[k].1));
        }
        let _ = writeln!(
            out,
            " <span class=\"badge mod-{m}\">{m}</span></li>",
            m = esc(&r.event.modality)
        );
    }
    out.push_str("</ol>\n</section>\n");
}

/// One amount of money, for the money tables.
pub(super) struct MoneyRow<'v> {
    pub mention: &'v MentionRec,
    /// Events whose amount it is.
    pub events: Vec<(usize, &'v EventRec)>,
}

pub(super) fn money_rows(view: &View) -> Vec<MoneyRow<'_>> {
    let mut by_span: HashMap<(usize, usize), Vec<(usize, &EventRec)>> = HashMap::new();
    for (i, e) in view.events.iter().enumerate() {
        if let Some(a) = &e.amount {
            by_span.entry((a.start, a.end)).or_default().push((i, e));
        }
    }
    view.mentions
        .iter()
        .filter(|m| m.ty == "MONEY")
        .map(|m| MoneyRow {
            mention: m,
            events: by_span.remove(&(m.start, m.end)).unwrap_or_default(),
        })
        .collect()
}

pub(super) fn money(out: &mut String, rows: &[MoneyRow], page: Option<&[(String, String)]>) {
    out.push_str(
        "<section class=\"money\" aria-labelledby=\"mo-h\">\n<h2 id=\"mo-h\">Money</h2>\n",
    );
    if rows.is_empty() {
        out.push_str("<p class=\"none\">No amounts of money.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th scope=\"col\">Amount</th><th scope=\"col\" class=\"r\">Value</th>\
                  <th scope=\"col\">Currency</th><th scope=\"col\">Qualifier</th><th scope=\"col\">Event</th>");
    if page.is_some() {
        out.push_str("<th scope=\"col\">Article</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (k, r) in rows.iter().enumerate() {
        let m = r.mention;
        let value = m.value.as_ref().map(number).unwrap_or_default();
        let max = m
            .value_max
            .as_ref()
            .map(|v| format!("–{}", number(v)))
            .unwrap_or_default();
        let short = m.value.as_ref().map(short_amount).unwrap_or_default();
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"r num\">{}{}{}</td><td>{}</td><td>{}</td><td>",
            esc(&m.text),
            esc(&value),
            esc(&max),
            if short.is_empty() {
                String::new()
            } else {
                format!(" <span class=\"short\">({short})</span>")
            },
            esc(m.currency.as_deref().unwrap_or("")),
            esc(&m.qualifier.as_deref().map(qualifier).unwrap_or_default()),
        );
        if r.events.is_empty() {
            out.push_str("<span class=\"none\">—</span>");
        }
        for (j, (i, e)) in r.events.iter().enumerate() {
            if j > 0 {
                out.push_str("<br>");
            }
            let href = match page {
                Some(p) => format!("{}#{}", p[k].0, card_id(*i)),
                None => format!("#{}", card_id(*i)),
            };
            let _ = write!(
                out,
                "<a href=\"{}\" data-card=\"{}\">{} {}: {}</a>",
                esc(&href),
                card_id(*i),
                esc(&e.ty),
                esc(&e.subtype),
                esc(&summary(e))
            );
        }
        out.push_str("</td>");
        if let Some(p) = page {
            let _ = write!(
                out,
                "<td><a href=\"{}\">{}</a></td>",
                esc(&p[k].0),
                esc(&p[k].1)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn entities(out: &mut String, view: &View) {
    // Mention ids by span, to link an entity's mentions to their highlights.
    let ids: HashMap<(usize, usize), usize> = view
        .mentions
        .iter()
        .enumerate()
        .map(|(i, m)| ((m.start, m.end), i))
        .collect();
    let _ = writeln!(
        out,
        "<section class=\"entities\" aria-labelledby=\"en-h\">\n<h2 id=\"en-h\">Entities <span class=\"n\">{}</span></h2>\n<div class=\"ents\">",
        view.entities.len()
    );
    for e in &view.entities {
        let _ = write!(
            out,
            "<div class=\"ent\" id=\"ent-{}\" data-e=\"{}\">\n<h3 class=\"ename\"><span class=\"chip t-{}\">{}</span> \
             <span class=\"nm\">{}</span> <code>{}</code></h3>\n<dl>",
            ident(&e.entity),
            esc(&e.entity),
            ident(&e.ty),
            esc(&e.ty),
            esc(&e.name),
            esc(&e.entity),
        );
        if let Some(kb) = &e.kb {
            let _ = write!(out, "<dt>kb</dt><dd><code>{}</code></dd>", esc(kb));
        }
        for (k, v) in &e.attributes {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
        }
        let _ = write!(
            out,
            "</dl>\n<p class=\"ments\">{} {}: ",
            e.mentions.len(),
            plural(e.mentions.len(), "mention", "mentions")
        );
        for (k, m) in e.mentions.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            let where_ = m
                .sentence
                .map(|s| format!(" <span class=\"sn\">s{s}</span>"))
                .unwrap_or_default();
            match ids.get(&(m.start, m.end)) {
                Some(i) => {
                    let _ = write!(
                        out,
                        "<a href=\"#m-{i}\" data-m=\"m-{i}\">{}</a>{where_}",
                        esc(&m.text)
                    );
                }
                None => {
                    let _ = write!(out, "{}{where_}", esc(&m.text));
                }
            }
        }
        out.push_str("</p>\n</div>\n");
    }
    out.push_str("</div>\n</section>\n");
}
