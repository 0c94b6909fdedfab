//! Ingest: turns stdin, files and folders into [`Document`]s with id, title, date and text.
//!
//! Owns input discovery (folders walked recursively in sorted order), format detection
//! (plain text or JSON lines) and the per-input errors (unreadable file, invalid UTF-8,
//! malformed JSON line) that name the file and line. Does not analyse text.

use std::fs;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use crate::document::Document;
use crate::error::{Error, Origin, Result};

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
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    pub format: InputFormat,
    /// The article date for inputs that have none.
    pub published: Option<NaiveDate>,
    /// Replace invalid UTF-8 instead of rejecting the input.
    pub lossy: bool,
}

/// One input file found under the paths given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// The document id of a plain-text file: its path relative to the folder given.
    pub id: String,
}

/// The file extensions read inside folders.
pub const EXTENSIONS: &[&str] = &["txt", "md", "jsonl", "ndjson", "json"];

/// Expands the paths given on the command line into input files: files as given, folders
/// walked recursively in sorted order. Problems (missing paths, unreadable folders) are
/// returned beside the files found, so that nothing else is lost.
pub fn discover(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<Error>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, path, &mut files, &mut errors),
            Ok(_) => files.push(InputFile {
                path: path.clone(),
                id: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string()),
            }),
            Err(source) => errors.push(Error::Io {
                origin: origin_of(path, None),
                source,
            }),
        }
    }
    (files, errors)
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<InputFile>, errors: &mut Vec<Error>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            errors.push(Error::Io {
                origin: origin_of(dir, None),
                source,
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        // `metadata` follows links; a link loop fails here and is reported, not followed.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                    continue;
                }
                walk(root, &path, files, errors)
            }
            Ok(_) => {
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(|e| e.to_ascii_lowercase());
                if ext.is_some_and(|e| EXTENSIONS.contains(&e.as_str())) {
                    let rel = path.strip_prefix(root).unwrap_or(&path);
                    files.push(InputFile {
                        id: rel.to_string_lossy().replace('\\', "/"),
                        path,
                    });
                }
            }
            Err(source) => errors.push(Error::Io {
                origin: origin_of(&path, None),
                source,
            }),
        }
    }
}

fn origin_of(path: &Path, line: Option<usize>) -> Origin {
    Origin {
        path: path.display().to_string(),
        line,
    }
}

/// Whether a file is read as JSON lines.
pub fn is_jsonl(path: &Path, format: InputFormat) -> bool {
    match format {
        InputFormat::Text => false,
        InputFormat::Jsonl => true,
        InputFormat::Auto => path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jsonl" | "ndjson")),
    }
}

/// Decodes bytes as UTF-8 (dropping a BOM), or replaces bad bytes when `lossy`.
pub fn decode(bytes: Vec<u8>, origin: &Origin, lossy: bool) -> Result<String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) if lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => Err(Error::Utf8 {
            origin: origin.clone(),
            offset: e.utf8_error().valid_up_to(),
        }),
    }
}

/// Reads one input file: one document for plain text, one per line for JSON lines.
pub fn read_file(file: &InputFile, options: &IngestOptions) -> Vec<Result<Document>> {
    let origin = origin_of(&file.path, None);
    let bytes = match fs::read(&file.path) {
        Ok(b) => b,
        Err(source) => return vec![Err(Error::Io { origin, source })],
    };
    if is_jsonl(&file.path, options.format) {
        let path = file.path.display().to_string();
        return JsonLines::new(std::io::Cursor::new(bytes), path, "", options.clone()).collect();
    }
    vec![decode(bytes, &origin, options.lossy)
        .and_then(|text| text_document(&file.id, text, options, &origin))]
}

/// A plain-text article. The first line is its title when it is followed by more text.
pub fn text_document(
    id: &str,
    text: String,
    options: &IngestOptions,
    origin: &Origin,
) -> Result<Document> {
    if text.trim().is_empty() {
        return Err(Error::input(origin.clone(), "empty article"));
    }
    let mut doc = Document::new(id, text);
    doc.published = options.published;
    let first = doc.text.trim_start().lines().next().unwrap_or("").trim();
    if doc.text.trim().lines().count() > 1 && !first.is_empty() {
        doc.title = Some(first.to_string());
    }
    Ok(doc)
}

/// Reads all of stdin as one plain-text article.
pub fn read_stdin_text(mut input: impl Read, options: &IngestOptions) -> Result<Document> {
    let origin = origin_of(Path::new("<stdin>"), None);
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|source| Error::Io {
        origin: origin.clone(),
        source,
    })?;
    let text = decode(bytes, &origin, options.lossy)?;
    text_document("stdin", text, options, &origin)
}

/// Streams JSON-lines articles, one document (or one error) per non-blank line, so that
/// a pipe stage can process records as they arrive.
pub struct JsonLines<R> {
    reader: R,
    path: String,
    id_prefix: String,
    options: IngestOptions,
    line: usize,
    buf: Vec<u8>,
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
        }
    }
}

impl<R> JsonLines<R> {
    /// The underlying reader (to see whether more input is already buffered).
    pub fn get_ref(&self) -> &R {
        &self.reader
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line += 1;
            let origin = Origin {
                path: self.path.clone(),
                line: Some(self.line),
            };
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => return Some(Err(Error::Io { origin, source })),
            }
            if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let bytes = std::mem::take(&mut self.buf);
            let fallback_id = format!("{}:{}", self.id_prefix, self.line);
            return Some(
                decode(bytes, &origin, self.options.lossy)
                    .and_then(|line| json_document(&line, &fallback_id, &self.options, &origin)),
            );
        }
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
    let value: Value = serde_json::from_str(line.trim())
        .map_err(|e| Error::input(origin.clone(), format!("malformed JSON: {e}")))?;
    let Value::Object(mut obj) = value else {
        return Err(Error::input(
            origin.clone(),
            "a JSON line must be an object",
        ));
    };
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        Some(_) => {
            return Err(Error::input(
                origin.clone(),
                "field `text` must be a string",
            ))
        }
        None => return Err(Error::input(origin.clone(), "missing field `text`")),
    };
    let id = match obj.remove("id") {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => fallback_id.to_string(),
    };
    if text.trim().is_empty() {
        return Err(Error::input(
            origin.clone(),
            format!("document {id}: empty article"),
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
            Error::input(
                origin.clone(),
                format!("field `published`: not a date: {p:?}"),
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
}
