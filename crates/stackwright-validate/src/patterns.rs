//! Compiled schema patterns, shared across threads. Registry patterns are ECMAScript regular
//! expressions; the few that use features Rust's `regex` lacks (lookaround, backreferences) cannot be
//! checked here and are skipped (cfn-lint checks them in CI).

use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();

/// Whether `text` matches `pattern`; `None` when the pattern cannot be compiled.
pub(crate) fn matches(pattern: &str, text: &str) -> Option<bool> {
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let regex = cache
        .entry(pattern.to_owned())
        .or_insert_with(|| Regex::new(pattern).ok());
    regex.as_ref().map(|r| r.is_match(text))
}
