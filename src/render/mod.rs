//! Render: draws annotated articles as self-contained HTML pages, for people checking what
//! gazette found (`gazette render`).
//!
//! An article page shows the text with every mention highlighted by type and linked to its
//! entity, event triggers underlined, one card per event (clicking a card marks its
//! evidence sentences), a timeline of dated events, a money table and the entity list. An
//! index page lists a corpus with event counts, and its timeline and money table.
//!
//! Pages are drawn from a [`View`], which comes from an annotated [`crate::Document`] or
//! from the JSON records gazette writes (`--emit documents`, events, entities), read by
//! [`Records`]. Each page is one HTML file with its CSS and JS inline and no network
//! access: a Content-Security-Policy allows only the page's own style and script (by
//! hash), and every piece of article text is escaped.
//!
//! This module owns the HTML only; it runs no analysis and never edits the text.

mod html;
mod index;
mod model;
mod page;

use std::fmt::Write;
use std::sync::OnceLock;

use base64::Engine;
use sha2::{Digest, Sha256};

pub use html::file_stem;
pub use index::index;
pub use model::{
    ArgRec, EntityMentionRec, EntityRec, EventRec, MentionRec, RecordKind, Records, Segment,
    SentenceRec, SpanRec, ValueRec, View,
};
pub use page::article;

/// The page's stylesheet.
pub const CSS: &str = include_str!("assets/page.css");
/// The page's script: cards, entity pop-ups, legend toggles, and the `?gz-test=` hook.
pub const JS: &str = include_str!("assets/page.js");

/// What a page needs besides its view.
#[derive(Clone, Debug, Default)]
pub struct PageOptions {
    /// A link back to the corpus index (article pages of a site).
    pub index_href: Option<String>,
    /// The index page's title.
    pub title: Option<String>,
}

/// The whole `<head>` and the opening of `<body>`.
pub(crate) fn page_start(out: &mut String, title: &str, _opts: &PageOptions) {
    let (style_hash, script_hash) = hashes();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src '{style_hash}'; script-src '{script_hash}'; img-src data:; \
         base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"gazette {}\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#text\">Skip to the text</a> \
         <a class=\"skip\" href=\"#events-h\">Skip to the events</a>\n",
        env!("CARGO_PKG_VERSION"),
        html::esc(title),
    );
}

/// The footer, the script and the end of the page.
pub(crate) fn page_end(out: &mut String, _opts: &PageOptions) {
    let _ = write!(
        out,
        "<footer class=\"foot\">Drawn by gazette {}. Keys: Tab moves between highlights and \
         event cards, Enter opens one, Esc closes the entity box.</footer>\n\
         <script id=\"gz-app\">{JS}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
}

/// CSP source expressions for the inline style and script (`sha256-…`).
fn hashes() -> &'static (String, String) {
    static HASHES: OnceLock<(String, String)> = OnceLock::new();
    HASHES.get_or_init(|| {
        let h = |s: &str| {
            format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
            )
        };
        (h(CSS), h(JS))
    })
}
