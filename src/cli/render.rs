//! `gazette render`: draws articles (analysed now, or from records written earlier) as
//! self-contained HTML pages: one page on stdout, or a site with an index under `--out`.

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use gazette::ingest::{self, IngestOptions, InputFormat, JsonLines};
use gazette::render::{self, PageOptions, RecordKind, Records, View};
use gazette::{Document, Origin, Pipeline};
use rayon::prelude::*;

use super::extract::FormatArg;
use super::pipeline_args::PipelineArgs;
use super::{UsageError, EXIT_INPUT, EXIT_OK};

pub const RENDER_EXAMPLES: &str = "\
Examples:
  gazette render story.txt > story.html
  gazette render corpus/ --out site/            (site/index.html and one page per article)
  gazette extract corpus/ --emit documents > docs.jsonl; gazette render --from docs.jsonl --out site/
  gazette render --from events.jsonl --out site/   (events only: their sentences are shown)
  gazette extract story.txt --emit documents | gazette render --from - > story.html

Pages are single HTML files with inline CSS and JS and no network access. Keys: Tab moves
between highlights and event cards, Enter opens one, Esc closes the entity box.
Exit codes: 0 ok, 1 some input failed (the rest was drawn), 2 usage error.";

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Articles to analyse and draw: files or folders; stdin when none is given (and no
    /// --from), or for `-`.
    #[arg(value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Draw records written earlier: `--emit documents` lines, or event (and entity) lines,
    /// grouped by doc_id. `-` reads stdin. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub from: Vec<PathBuf>,
    /// Write a site into DIR: index.html and one page per article.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The index page's title.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// How to read inputs: by extension / first character, plain text, or JSON lines.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub input_format: FormatArg,
    /// Replace invalid UTF-8 with U+FFFD instead of rejecting the input.
    #[arg(long)]
    pub lossy: bool,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

pub fn render(args: RenderArgs) -> Result<u8> {
    let stdin_inputs = args.inputs.iter().any(|p| p == Path::new("-"))
        || (args.inputs.is_empty() && args.from.is_empty());
    let stdin_records = args.from.iter().any(|p| p == Path::new("-"));
    if stdin_inputs && stdin_records {
        return Err(UsageError(
            "stdin can hold articles or records, not both (`-` given twice)".into(),
        )
        .into());
    }
    let mut failed = false;
    let mut records = Records::new();
    for path in &args.from {
        failed |= read_records(path, &mut records)?;
    }

    if !args.inputs.is_empty() || stdin_inputs {
        let pipeline = Pipeline::new(&args.pipeline.options()).context("loading the pipeline")?;
        let options = IngestOptions {
            format: match args.input_format {
                FormatArg::Auto => InputFormat::Auto,
                FormatArg::Text => InputFormat::Text,
                FormatArg::Jsonl => InputFormat::Jsonl,
            },
            published: args.pipeline.published,
            lossy: args.lossy,
            ..IngestOptions::default()
        };
        let mut items: Vec<gazette::Result<Document>> = Vec::new();
        if stdin_inputs {
            items.extend(read_stdin(&options)?);
        }
        let paths: Vec<PathBuf> = args
            .inputs
            .iter()
            .filter(|p| *p != Path::new("-"))
            .cloned()
            .collect();
        if !paths.is_empty() {
            let (files, problems) = ingest::discover(&paths);
            for e in problems {
                eprintln!("gazette: {e}");
                failed = true;
            }
            for f in &files {
                items.extend(ingest::read_file(f, &options));
            }
        }
        let views: Vec<gazette::Result<View>> = items
            .into_par_iter()
            .map(|item| {
                item.map(|mut doc| {
                    pipeline.annotate(&mut doc);
                    View::from_document(&doc)
                })
            })
            .collect();
        for v in views {
            match v {
                Ok(view) => records.add_view(view),
                Err(e) => {
                    eprintln!("gazette: {e}");
                    failed = true;
                }
            }
        }
    }

    let views = records.into_views();
    let code = if failed { EXIT_INPUT } else { EXIT_OK };
    match &args.out {
        None => match views.as_slice() {
            [] if failed => Ok(EXIT_INPUT),
            [] => Err(anyhow::anyhow!("nothing to draw: no articles or records")),
            [view] => {
                let page = render::article(view, &PageOptions::default());
                let mut out = std::io::stdout().lock();
                out.write_all(page.as_bytes())?;
                out.flush()?;
                Ok(code)
            }
            many => Err(UsageError(format!(
                "{} articles: give --out DIR for an index and one page each",
                many.len()
            ))
            .into()),
        },
        Some(dir) => {
            write_site(dir, &views, args.title.clone())?;
            eprintln!(
                "gazette: wrote {} with {} article pages",
                dir.join("index.html").display(),
                views.len()
            );
            Ok(code)
        }
    }
}

/// Reads one records file into `records`; returns whether a line failed.
fn read_records(path: &Path, records: &mut Records) -> Result<bool> {
    let name = if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(
            fs::File::open(path).with_context(|| format!("opening {name}"))?,
        ))
    };
    let mut failed = false;
    for (i, line) in reader.split(b'\n').enumerate() {
        let origin = Origin {
            path: name.clone(),
            line: Some(i + 1),
        };
        let line = line.with_context(|| format!("reading {origin}"))?;
        let result = match std::str::from_utf8(&line) {
            Ok(s) => records.add_line(s, &origin),
            Err(e) => Err(gazette::Error::Utf8 {
                origin: origin.clone(),
                offset: e.valid_up_to(),
            }),
        };
        match result {
            Ok(RecordKind::Error) => {
                eprintln!("gazette: {origin}: skipping an error record");
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("gazette: {e}");
                failed = true;
            }
        }
    }
    Ok(failed)
}

/// Articles on stdin: JSON lines when the first non-blank character is `{`, else one text.
fn read_stdin(options: &IngestOptions) -> Result<Vec<gazette::Result<Document>>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .context("reading stdin")?;
    let first = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        .copied();
    let jsonl = match options.format {
        InputFormat::Jsonl => true,
        InputFormat::Text => false,
        InputFormat::Auto => first == Some(b'{'),
    };
    Ok(if jsonl {
        JsonLines::new(
            std::io::Cursor::new(bytes),
            "<stdin>".into(),
            "stdin",
            options.clone(),
        )
        .collect()
    } else {
        vec![ingest::read_stdin_text(
            std::io::Cursor::new(bytes),
            options,
        )]
    })
}

/// `DIR/index.html` and one page per article, named after its id.
fn write_site(dir: &Path, views: &[View], title: Option<String>) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut used = HashSet::new();
    used.insert("index".to_string());
    let mut hrefs = Vec::with_capacity(views.len());
    for v in views {
        let stem = render::file_stem(&v.doc_id);
        let mut name = stem.clone();
        let mut n = 2;
        while !used.insert(name.to_ascii_lowercase()) {
            name = format!("{stem}-{n}");
            n += 1;
        }
        hrefs.push(format!("{name}.html"));
    }
    let page_opts = PageOptions {
        index_href: Some("index.html".into()),
        title: None,
    };
    for (v, href) in views.iter().zip(&hrefs) {
        write_file(&dir.join(href), &render::article(v, &page_opts))?;
    }
    let index_opts = PageOptions {
        index_href: None,
        title,
    };
    write_file(
        &dir.join("index.html"),
        &render::index(views, &hrefs, &index_opts),
    )
}

/// Writes beside the target and renames, so a page is complete or absent.
fn write_file(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension(format!("html.tmp{}", std::process::id()));
    fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}
