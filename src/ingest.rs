//! Ingest: turns stdin, files and folders into [`Document`]s with id, title, date and text.
//!
//! Owns input discovery (folders walked recursively in sorted order, symlink loops and
//! special files skipped), format detection (plain text or JSON lines), the size limit, and
//! the per-input errors (unreadable file, invalid UTF-8, binary content, malformed JSON
//! line, over-long document) that name the file and line. Does not analyse text, and does
//! not decide how errors are shown (the CLI does).
//!
//! Memory stays bounded by the size limit: a JSON-lines input is streamed line by line, and
//! a line longer than the limit is skipped without being held in memory.

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use crate::document::Document;
use crate::error::{Error, Origin, Result};

/// The default `--max-bytes`: far above any news article, low enough that one bad input
/// cannot exhaust memory.
pub const DEFAULT_MAX_BYTES: u64 = 32 << 20;

/// How many leading bytes are looked at to tell binary files from text.
const SNIFF: usize = 8192;

/// How to read an input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// By extension (`.jsonl`, `.ndjson` are JSON lines) or, on stdin, by a first
    /// non-blank character `{`.
    #[default]
    Auto,
    Text,
    Jsonl,
}

/// Settings shared by every input of a run.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    pub format: InputFormat,
    /// The article date for inputs that have none.
    pub published: Option<NaiveDate>,
    /// Replace invalid UTF-8 instead of rejecting the input.
    pub lossy: bool,
    /// The largest document accepted, in bytes: a plain-text file or stdin stream, or one
    /// JSON line.
    pub max_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            format: InputFormat::Auto,
            published: None,
            lossy: false,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// One input file found under the paths given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// The document id of a plain-text file: its path relative to the folder given.
    pub id: String,
    /// Found by walking a folder (rather than named by the user): binary content is then
    /// skipped with a warning instead of being an error.
    pub walked: bool,
    /// Its size when the folder was walked (the walk reads it anyway; `None` for a file
    /// named directly): a run of many small files spends more time in system calls than
    /// in reading them.
    pub size: Option<u64>,
}

impl InputFile {
    /// A file named directly: its id is its file name.
    pub fn named(path: impl Into<PathBuf>) -> InputFile {
        let path = path.into();
        InputFile {
            id: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            path,
            walked: false,
            size: None,
        }
    }

    /// Its size: as the walk saw it, else read now (0 if it cannot be: opening it will
    /// say why).
    pub fn size(&self) -> u64 {
        self.size
            .unwrap_or_else(|| fs::metadata(&self.path).map_or(0, |m| m.len()))
    }
}

/// Something worth telling the user that is not a failure: a file skipped, bad bytes
/// replaced under `--lossy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub origin: Origin,
    pub message: String,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// What [`discover_all`] found: files to read, problems (failures) and notices (skips).
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<InputFile>,
    pub errors: Vec<Error>,
    pub notices: Vec<Notice>,
}

/// The file extensions read inside folders.
pub const EXTENSIONS: &[&str] = &["txt", "md", "jsonl", "ndjson", "json"];

/// Expands the paths given on the command line into input files: files as given, folders
/// walked recursively in sorted order. Problems (missing paths, unreadable folders) are
/// returned beside the files found, so that nothing else is lost.
pub fn discover(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<Error>) {
    let d = discover_all(paths);
    (d.files, d.errors)
}

/// Like [`discover`], with the notices about what was skipped inside folders: symlink
/// loops, broken links, special files (FIFOs, sockets, devices) and other extensions.
pub fn discover_all(paths: &[PathBuf]) -> Discovery {
    let mut d = Discovery::default();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut ancestors = HashSet::new();
                let mut other = Vec::new();
                walk(path, path, &mut ancestors, &mut d, &mut other);
                if let Some(first) = other.first() {
                    d.notices.push(Notice {
                        origin: origin_of(path, None),
                        message: format!(
                            "skipped {} file(s) not named .{} (first: {})",
                            other.len(),
                            EXTENSIONS.join(" ."),
                            first.display()
                        ),
                    });
                }
            }
            Ok(_) => d.files.push(InputFile::named(path.clone())),
            Err(source) => d.errors.push(Error::Io {
                origin: origin_of(path, None),
                source,
            }),
        }
    }
    d
}

/// A folder's identity, to notice a symlink that leads back into its own ancestry.
fn dir_key(meta: &fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    ancestors: &mut HashSet<(u64, u64)>,
    d: &mut Discovery,
    other: &mut Vec<PathBuf>,
) {
    let key = fs::metadata(dir).ok().as_ref().and_then(dir_key);
    if let Some(key) = key {
        if !ancestors.insert(key) {
            d.notices.push(Notice {
                origin: origin_of(dir, None),
                message: "symlink loop: folder already being walked, not followed".into(),
            });
            return;
        }
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            d.errors.push(Error::Io {
                origin: origin_of(dir, None),
                source,
            });
            if let Some(key) = key {
                ancestors.remove(&key);
            }
            return;
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => paths.push(e.path()),
            Err(source) => d.errors.push(Error::Io {
                origin: origin_of(dir, None),
                source,
            }),
        }
    }
    paths.sort();
    for path in paths {
        // `metadata` follows links: a folder reached through a link is walked unless it
        // is one of its own ancestors (a loop).
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk(root, &path, ancestors, d, other),
            Ok(meta) if meta.is_file() => {
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(|e| e.to_ascii_lowercase());
                if ext.is_some_and(|e| EXTENSIONS.contains(&e.as_str())) {
                    let rel = path.strip_prefix(root).unwrap_or(&path);
                    d.files.push(InputFile {
                        id: rel.to_string_lossy().replace('\\', "/"),
                        path,
                        walked: true,
                        size: Some(meta.len()),
                    });
                } else {
                    other.push(path);
                }
            }
            Ok(_) => d.notices.push(Notice {
                origin: origin_of(&path, None),
                message: "skipped: not a regular file (FIFO, socket or device)".into(),
            }),
            Err(source) => {
                let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                if is_link {
                    let message = if source.kind() == io::ErrorKind::NotFound {
                        "skipped: broken symlink".to_string()
                    } else {
                        format!("skipped: symlink cannot be followed ({source})")
                    };
                    d.notices.push(Notice {
                        origin: origin_of(&path, None),
                        message,
                    });
                } else {
                    d.errors.push(Error::Io {
                        origin: origin_of(&path, None),
                        source,
                    });
                }
            }
        }
    }
    if let Some(key) = key {
        ancestors.remove(&key);
    }
}

fn origin_of(path: &Path, line: Option<usize>) -> Origin {
    Origin {
        path: path.display().to_string(),
        line,
    }
}

/// Whether a file is read as JSON: JSON lines (`.jsonl`, `.ndjson`), or `.json`, which
/// holds one article object (pretty-printed or not) or JSON lines.
pub fn is_jsonl(path: &Path, format: InputFormat) -> bool {
    match format {
        InputFormat::Text => false,
        InputFormat::Jsonl => true,
        InputFormat::Auto => {
            extension(path).is_some_and(|e| matches!(e.as_str(), "jsonl" | "ndjson" | "json"))
        }
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// Decodes bytes as UTF-8 (dropping a BOM), or replaces bad bytes when `lossy`.
pub fn decode(bytes: Vec<u8>, origin: &Origin, lossy: bool) -> Result<String> {
    decode_counted(bytes, origin, lossy).map(|(s, _)| s)
}

/// Like [`decode`], also saying whether bytes were replaced. The error names the line of
/// the first bad byte (counted within `bytes`, added to `origin.line` when there is one).
fn decode_counted(bytes: Vec<u8>, origin: &Origin, lossy: bool) -> Result<(String, bool)> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, false)),
        Err(e) if lossy => Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), true)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let mut origin = origin.clone();
            if origin.line.is_none() {
                let newlines = e.as_bytes()[..offset]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                origin.line = Some(newlines + 1);
            }
            Err(Error::Utf8 { origin, offset })
        }
    }
}

/// What bytes at the start of an input say about it being text; `None` for text.
fn sniff_binary(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Some("UTF-16 text (convert it to UTF-8)");
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF file"),
        (b"PK\x03\x04", "a zip archive"),
        (b"\x1F\x8B", "gzip-compressed"),
        (b"\x7FELF", "an executable"),
    ];
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            return Some(what);
        }
    }
    head.contains(&0).then_some("binary (contains NUL bytes)")
}

/// An opened input file, ready to read.
pub enum Opened {
    /// A plain-text article (with a notice when `--lossy` replaced bytes).
    Text {
        doc: Box<Document>,
        notice: Option<Notice>,
    },
    /// A JSON-lines file, streamed.
    Lines(JsonLines<BufReader<fs::File>>),
    /// Not read, and not a failure: binary content found while walking a folder.
    Skipped(Notice),
}

/// Opens one input file: reads a plain-text article whole (up to the size limit), or
/// starts streaming a JSON-lines file.
pub fn open(file: &InputFile, options: &IngestOptions) -> Result<Opened> {
    let origin = origin_of(&file.path, None);
    let io_err = |source: io::Error| {
        let source = if source.kind() == io::ErrorKind::NotFound && file.walked {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no longer there (deleted after the folder was listed?)",
            )
        } else {
            source
        };
        Error::Io {
            origin: origin.clone(),
            source,
        }
    };
    let f = fs::File::open(&file.path).map_err(io_err)?;
    let binary = |what: &'static str| {
        if file.walked {
            Ok(Opened::Skipped(Notice {
                origin: origin.clone(),
                message: format!("skipped: {what}"),
            }))
        } else {
            Err(Error::rejected(
                origin.clone(),
                "binary",
                format!("not a text file: {what}"),
            ))
        }
    };
    if is_jsonl(&file.path, options.format) {
        let mut reader = BufReader::with_capacity(1 << 16, f);
        let head = reader.fill_buf().map_err(io_err)?;
        if let Some(what) = sniff_binary(&head[..head.len().min(SNIFF)]) {
            return binary(what);
        }
        let single = options.format == InputFormat::Auto
            && extension(&file.path).as_deref() == Some("json")
            && reader
                .get_ref()
                .metadata()
                .is_ok_and(|m| m.len() <= options.max_bytes);
        if single {
            // One article object, possibly over several lines; anything else is read as
            // JSON lines from the start again.
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io_err)?;
            let (text, replaced) = decode_counted(bytes, &origin, options.lossy)?;
            if let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(&text) {
                let doc = document_from_object(obj, &file.id, options, &origin)?;
                return Ok(Opened::Text {
                    doc: Box::new(doc),
                    notice: replaced.then(|| lossy_notice(origin.clone())),
                });
            }
            let f = fs::File::open(&file.path).map_err(io_err)?;
            reader = BufReader::with_capacity(1 << 16, f);
        }
        // Lines without an id are `ID:LINE`, ID being the file's id (path in the folder).
        let path = file.path.display().to_string();
        return Ok(Opened::Lines(JsonLines::new(
            reader,
            path,
            &file.id,
            options.clone(),
        )));
    }
    let len = file.size.or_else(|| f.metadata().map(|m| m.len()).ok());
    if let Some(len) = len.filter(|&n| n > options.max_bytes) {
        return Err(too_large(origin, len, options.max_bytes, true));
    }
    // Sized from the metadata (plus one byte, so reaching the end needs no growth):
    // `take` hides the file's size from `read_to_end`, which then grew the buffer by
    // doubling, copying each article several times.
    let hint = len.map_or(0, |n| usize::try_from(n).unwrap_or(0).saturating_add(1));
    let mut bytes = Vec::with_capacity(hint);
    // `take` guards a file that grows while it is read.
    let mut f = f.take(options.max_bytes.saturating_add(1));
    // One read for the whole file where its size is known: a read that stops at the size
    // the listing gave has reached the end, so the probe `read_to_end` makes for it (a
    // system call per file) is only needed where the file has changed since.
    if hint > 1 {
        bytes.resize(hint, 0);
        let n = loop {
            match f.read(&mut bytes) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(io_err)?,
            }
        };
        bytes.truncate(n);
        if n + 1 != hint {
            f.read_to_end(&mut bytes).map_err(io_err)?;
        }
    } else {
        f.read_to_end(&mut bytes).map_err(io_err)?;
    }
    if bytes.len() as u64 > options.max_bytes {
        return Err(too_large(origin, 0, options.max_bytes, false));
    }
    if let Some(what) = sniff_binary(&bytes) {
        return binary(what);
    }
    let (text, replaced) = decode_counted(bytes, &origin, options.lossy)?;
    let doc = text_document(&file.id, text, options, &origin)?;
    Ok(Opened::Text {
        doc: Box::new(doc),
        notice: replaced.then(|| lossy_notice(origin.clone())),
    })
}

fn lossy_notice(origin: Origin) -> Notice {
    Notice {
        origin,
        message: "invalid UTF-8 replaced with U+FFFD (--lossy)".into(),
    }
}

/// `size` is exact for files and JSON lines; for a stream it is only known to be over.
fn too_large(origin: Origin, size: u64, limit: u64, exact: bool) -> Error {
    let message = if exact {
        format!("document too large: {size} bytes, over the limit of {limit} (--max-bytes)")
    } else {
        format!("document too large: over the limit of {limit} bytes (--max-bytes)")
    };
    Error::rejected(origin, "too_large", message)
}

/// Reads one input file: one document for plain text, one per line for JSON lines (a
/// binary file found in a folder gives nothing).
pub fn read_file(file: &InputFile, options: &IngestOptions) -> Vec<Result<Document>> {
    match open(file, options) {
        Ok(Opened::Text { doc, .. }) => vec![Ok(*doc)],
        Ok(Opened::Lines(lines)) => lines.collect(),
        Ok(Opened::Skipped(_)) => Vec::new(),
        Err(e) => vec![Err(e)],
    }
}

/// A plain-text article. The first line is its title when it is followed by more text.
pub fn text_document(
    id: &str,
    text: String,
    options: &IngestOptions,
    origin: &Origin,
) -> Result<Document> {
    if text.trim().is_empty() {
        return Err(Error::rejected(origin.clone(), "empty", "empty article"));
    }
    let mut doc = Document::new(id, text);
    doc.published = options.published;
    let first = doc.text.trim_start().lines().next().unwrap_or("").trim();
    if doc.text.trim().lines().nth(1).is_some() && !first.is_empty() {
        doc.title = Some(first.to_string());
    }
    Ok(doc)
}

/// Reads all of stdin as one plain-text article (up to the size limit).
pub fn read_stdin_text(input: impl Read, options: &IngestOptions) -> Result<Document> {
    read_stdin_text_noticed(input, options).map(|(doc, _)| doc)
}

/// Like [`read_stdin_text`], with the notice when `--lossy` replaced bytes.
pub fn read_stdin_text_noticed(
    input: impl Read,
    options: &IngestOptions,
) -> Result<(Document, Option<Notice>)> {
    let origin = origin_of(Path::new("<stdin>"), None);
    let mut bytes = Vec::new();
    input
        .take(options.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            origin: origin.clone(),
            source,
        })?;
    if bytes.len() as u64 > options.max_bytes {
        return Err(too_large(origin, 0, options.max_bytes, false));
    }
    if let Some(what) = sniff_binary(&bytes[..bytes.len().min(SNIFF)]) {
        return Err(Error::rejected(
            origin,
            "binary",
            format!("not text: {what}"),
        ));
    }
    let (text, replaced) = decode_counted(bytes, &origin, options.lossy)?;
    let doc = text_document("stdin", text, options, &origin)?;
    Ok((doc, replaced.then(|| lossy_notice(origin))))
}

/// One JSON line read: its line number, the id of the document it is (or would have been),
/// and the document or the reason it is not one.
#[derive(Debug)]
pub struct Record {
    /// 1-based line number.
    pub line: usize,
    /// The line's `id`, or `PREFIX:LINE` when it has none or could not be parsed.
    pub doc_id: String,
    /// The line's bytes in the input, newline included (for progress).
    pub bytes: usize,
    /// `Ok(None)` for a blank line, which is not an article.
    pub result: Result<Option<Document>>,
    /// Set on the first line of the input whose bad bytes `--lossy` replaced.
    pub notice: Option<Notice>,
}

/// Streams JSON-lines articles, one document (or one error) per non-blank line, so that
/// a pipe stage can process records as they arrive. A line longer than the size limit is
/// skipped (and reported) without being held in memory.
pub struct JsonLines<R> {
    reader: R,
    path: String,
    id_prefix: String,
    options: IngestOptions,
    line: usize,
    buf: Vec<u8>,
    lossy_noticed: bool,
    failed: bool,
}

impl<R: BufRead> JsonLines<R> {
    /// `id_prefix` names documents without an `id`: `stdin` gives `stdin:N`; empty gives
    /// `PATH:N`.
    pub fn new(reader: R, path: String, id_prefix: &str, options: IngestOptions) -> JsonLines<R> {
        JsonLines {
            reader,
            id_prefix: if id_prefix.is_empty() {
                path.clone()
            } else {
                id_prefix.to_string()
            },
            path,
            options,
            line: 0,
            buf: Vec::new(),
            lossy_noticed: false,
            failed: false,
        }
    }

    /// The next line as a [`Record`], blank lines included; `None` at the end of input.
    pub fn next_record(&mut self) -> Option<Record> {
        self.next_unparsed().map(Unparsed::parse)
    }

    /// The next line read and decoded but not yet parsed ([`Unparsed::parse`] gives its
    /// [`Record`]): parsing is most of a line's cost, and a caller with several threads can
    /// run it on them while this one reads on.
    pub fn next_unparsed(&mut self) -> Option<Unparsed> {
        if self.failed {
            return None;
        }
        self.buf.clear();
        self.line += 1;
        let origin = Origin {
            path: self.path.clone(),
            line: Some(self.line),
        };
        let fallback_id = format!("{}:{}", self.id_prefix, self.line);
        let limit = usize::try_from(self.options.max_bytes).unwrap_or(usize::MAX);
        let (bytes, over) = match read_line_limited(&mut self.reader, &mut self.buf, limit) {
            Ok((0, _)) => return None,
            Ok(r) => r,
            Err(source) => {
                // A read error ends this input: report it once, on the line it hit.
                let record = Record {
                    line: self.line,
                    doc_id: fallback_id,
                    bytes: 0,
                    result: Err(Error::Io { origin, source }),
                    notice: None,
                };
                self.failed = true;
                return Some(Unparsed::done(record));
            }
        };
        let mut record = Record {
            line: self.line,
            doc_id: fallback_id,
            bytes,
            result: Ok(None),
            notice: None,
        };
        if over {
            record.result = Err(too_large(origin, 0, self.options.max_bytes, false));
            return Some(Unparsed::done(record));
        }
        if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
            return Some(Unparsed::done(record));
        }
        let raw = std::mem::take(&mut self.buf);
        match decode_counted(raw, &origin, self.options.lossy) {
            Ok((line, replaced)) => {
                if replaced && !self.lossy_noticed {
                    self.lossy_noticed = true;
                    record.notice = Some(lossy_notice(Origin {
                        path: self.path.clone(),
                        line: Some(self.line),
                    }));
                }
                Some(Unparsed {
                    record,
                    line: Some((line, origin, self.options.clone())),
                })
            }
            Err(e) => {
                record.result = Err(e);
                Some(Unparsed::done(record))
            }
        }
    }
}

/// A JSON line read and decoded, waiting to be parsed ([`JsonLines::next_unparsed`]).
pub struct Unparsed {
    /// Everything but the parse: the parse's outcome replaces `result` (and `doc_id`).
    record: Record,
    line: Option<(String, Origin, IngestOptions)>,
}

impl Unparsed {
    /// A line whose record needs no parse (blank, unreadable, too large, bad UTF-8).
    fn done(record: Record) -> Unparsed {
        Unparsed { record, line: None }
    }

    /// The line's bytes in the input, newline included.
    pub fn bytes(&self) -> usize {
        self.record.bytes
    }

    /// The notice of the first line whose bad bytes `--lossy` replaced, taken out (so it
    /// can be reported in input order before the line is parsed elsewhere).
    pub fn take_notice(&mut self) -> Option<Notice> {
        self.record.notice.take()
    }

    /// The line's record: its document, or why it is not one.
    pub fn parse(self) -> Record {
        let mut record = self.record;
        let Some((line, origin, options)) = self.line else {
            return record;
        };
        match parse_line(&line, &record.doc_id, &options, &origin) {
            Ok(doc) => {
                record.doc_id = doc.id.clone();
                record.result = Ok(Some(doc));
            }
            Err((id, e)) => {
                if let Some(id) = id {
                    record.doc_id = id;
                }
                record.result = Err(e);
            }
        }
        record
    }
}

impl<R> JsonLines<R> {
    /// The path errors name (`<stdin>` for stdin).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The underlying reader (to see whether more input is already buffered).
    pub fn get_ref(&self) -> &R {
        &self.reader
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let record = self.next_record()?;
            match record.result {
                Ok(None) => continue,
                Ok(Some(doc)) => return Some(Ok(doc)),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Reads one line, newline included, into `buf`, keeping at most `limit` bytes of it (the
/// newline and a `\r` before it not counted). Returns the bytes the line took in the input
/// and whether it was over the limit, in which case `buf` is left empty.
fn read_line_limited<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<(usize, bool)> {
    let mut total = 0;
    let mut over = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let n = chunk.len();
        if !over {
            buf.extend_from_slice(chunk);
            let content =
                buf.len() - usize::from(buf.ends_with(b"\n")) - usize::from(buf.ends_with(b"\r\n"));
            if content > limit {
                over = true;
                buf.clear();
                buf.shrink_to(SNIFF);
            }
        }
        total += n;
        reader.consume(n);
        if done {
            break;
        }
    }
    Ok((total, over))
}

/// Parses one JSON-lines record; on failure, also the id the line gives, if it gives one.
fn parse_line(
    line: &str,
    fallback_id: &str,
    options: &IngestOptions,
    origin: &Origin,
) -> std::result::Result<Document, (Option<String>, Error)> {
    let value: Value = serde_json::from_str(line.trim()).map_err(|e| {
        let what = if e.is_eof() {
            "truncated JSON"
        } else {
            "malformed JSON"
        };
        (
            None,
            Error::rejected(origin.clone(), "json", format!("{what}: {e}")),
        )
    })?;
    let Value::Object(obj) = value else {
        return Err((
            None,
            Error::rejected(
                origin.clone(),
                "not_object",
                format!("a JSON line must be an object, not {}", kind_of(&value)),
            ),
        ));
    };
    let id = match obj.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    document_from_object(obj, fallback_id, options, origin).map_err(|e| (id, e))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses one JSON-lines record: `{"id", "text", "title"?, "published"?, "url"?, "source"?}`;
/// other fields are kept as `meta`.
pub fn json_document(
    line: &str,
    fallback_id: &str,
    options: &IngestOptions,
    origin: &Origin,
) -> Result<Document> {
    parse_line(line, fallback_id, options, origin).map_err(|(_, e)| e)
}

fn document_from_object(
    mut obj: serde_json::Map<String, Value>,
    fallback_id: &str,
    options: &IngestOptions,
    origin: &Origin,
) -> Result<Document> {
    let id = match obj.remove("id") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    // Messages name the document when the line gives an id (the line number names the
    // rest already).
    let what = match &id {
        Some(id) => format!("document {id}: "),
        None => String::new(),
    };
    let id = id.unwrap_or_else(|| fallback_id.to_string());
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(Error::rejected(
                origin.clone(),
                "text_not_string",
                format!(
                    "{what}field `text` must be a string, not {}",
                    kind_of(&other)
                ),
            ))
        }
        None => {
            return Err(Error::rejected(
                origin.clone(),
                "no_text",
                format!("{what}missing field `text`"),
            ))
        }
    };
    if text.trim().is_empty() {
        return Err(Error::rejected(
            origin.clone(),
            "empty",
            format!("{what}empty article"),
        ));
    }
    let mut doc = Document::new(id, text);
    let mut take_str = |key: &str| match obj.remove(key) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            obj.insert(key.to_string(), other);
            None
        }
        None => None,
    };
    doc.title = take_str("title");
    doc.url = take_str("url");
    doc.source = take_str("source");
    let published = take_str("published");
    doc.published = match published {
        Some(p) => Some(parse_published(&p).ok_or_else(|| {
            Error::rejected(
                origin.clone(),
                "bad_published",
                format!("{what}field `published`: not a date: {p:?}"),
            )
        })?),
        None => options.published,
    };
    doc.meta = obj;
    Ok(doc)
}

/// Reads `2025-10-27`, or the date part of an RFC 3339 timestamp.
pub fn parse_published(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// Reads a byte size: `1000`, `64K`, `32M`, `1G` (powers of 1024; `KB`, `MiB`… also).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line_fields_and_meta() {
        let o = Origin::default();
        let doc = json_document(
            r#"{"id":"a1","text":"Hello.","published":"2025-10-27T09:00:00Z","lang":"en"}"#,
            "x",
            &IngestOptions::default(),
            &o,
        )
        .unwrap();
        assert_eq!(doc.id, "a1");
        assert_eq!(doc.published, NaiveDate::from_ymd_opt(2025, 10, 27));
        assert_eq!(doc.meta.get("lang"), Some(&Value::String("en".into())));
    }

    #[test]
    fn bad_json_lines_are_errors_with_line_numbers() {
        let input = "{\"text\":\"ok\"}\n\nnot json\n[1]\n{\"text\":5}\n{\"id\":\"x\"}\n";
        let out: Vec<_> = JsonLines::new(
            input.as_bytes(),
            "in.jsonl".into(),
            "",
            IngestOptions::default(),
        )
        .collect();
        assert_eq!(out.len(), 5);
        assert_eq!(out[0].as_ref().unwrap().id, "in.jsonl:1");
        let lines: Vec<_> = out[1..]
            .iter()
            .map(|r| r.as_ref().unwrap_err().origin().unwrap().line)
            .collect();
        assert_eq!(lines, vec![Some(3), Some(4), Some(5), Some(6)]);
    }

    #[test]
    fn limited_lines_skip_what_is_over_the_limit() {
        let input = b"short\r\n0123456789abc\nlast";
        let mut r = &input[..];
        let mut buf = Vec::new();
        assert_eq!(read_line_limited(&mut r, &mut buf, 5).unwrap(), (7, false));
        assert_eq!(buf, b"short\r\n");
        buf.clear();
        assert_eq!(read_line_limited(&mut r, &mut buf, 5).unwrap(), (14, true));
        assert!(buf.is_empty());
        assert_eq!(read_line_limited(&mut r, &mut buf, 5).unwrap(), (4, false));
        assert_eq!(buf, b"last");
    }

    /// A file read with the size its listing gave is read whole whether it has since
    /// grown, shrunk or kept its size (the one-read path trusts only an exact size).
    #[test]
    fn a_file_is_read_whole_whatever_size_the_walk_gave() {
        let dir = std::env::temp_dir().join(format!("gazette-sized-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.txt");
        let text = "Ministers met in Tokyo on Monday. ".repeat(50);
        fs::write(&path, &text).unwrap();
        let real = text.len() as u64;
        for size in [
            Some(real),
            Some(real - 100),
            Some(real + 100),
            Some(1),
            Some(0),
            None,
        ] {
            let file = InputFile {
                path: path.clone(),
                id: "a".into(),
                walked: true,
                size,
            };
            match open(&file, &IngestOptions::default()).unwrap() {
                Opened::Text { doc, .. } => assert_eq!(doc.text, text, "size {size:?}"),
                _ => panic!("not read as text"),
            }
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("64K"), Some(64 << 10));
        assert_eq!(parse_size("32MiB"), Some(32 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("5 parsecs"), None);
    }
}
