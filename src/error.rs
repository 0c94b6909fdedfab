//! Library error types. Every error names what it is about (a file, a line, a model) so a
//! message on stderr is enough to find the problem; the CLI adds nothing but the prefix.

use std::path::PathBuf;

/// Where a piece of input came from, for error messages: a path (or `<stdin>`) and,
/// for JSON lines, a 1-based line number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub path: String,
    pub line: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{origin}: {source}")]
    Io {
        origin: Origin,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: invalid UTF-8 at byte {offset} (use --lossy to replace bad bytes)")]
    Utf8 { origin: Origin, offset: usize },
    #[error("{origin}: {message}")]
    Input { origin: Origin, message: String },
    #[error("model {path}: {message}")]
    Model { path: PathBuf, message: String },
    #[error("{0}")]
    Config(String),
    /// Input that was read but is not an article (too large, binary, malformed JSON line…);
    /// `reason` is a stable machine-readable code for error reports (see [`Error::reason`]).
    #[error("{origin}: {message}")]
    Rejected {
        origin: Origin,
        reason: &'static str,
        message: String,
    },
}

impl Error {
    /// The input this error is about, if any.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Error::Io { origin, .. }
            | Error::Utf8 { origin, .. }
            | Error::Input { origin, .. }
            | Error::Rejected { origin, .. } => Some(origin),
            _ => None,
        }
    }

    /// A short stable code for error reports: `io`, `utf8`, `input`, `model`, `config`, or
    /// the reason of a [`Error::Rejected`] (`too_large`, `binary`, `json`, `empty`…).
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Utf8 { .. } => "utf8",
            Error::Input { .. } => "input",
            Error::Model { .. } => "model",
            Error::Config(_) => "config",
            Error::Rejected { reason, .. } => reason,
        }
    }

    pub fn rejected(origin: Origin, reason: &'static str, message: impl Into<String>) -> Error {
        Error::Rejected {
            origin,
            reason,
            message: message.into(),
        }
    }

    pub fn input(origin: Origin, message: impl Into<String>) -> Error {
        Error::Input {
            origin,
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
