//! Compiled schema patterns. Registry patterns are ECMAScript regular expressions; the few that use
//! features Rust's `regex` lacks (lookaround, backreferences) cannot be checked here and are skipped
//! (cfn-lint checks them in CI).

use regex::Regex;
use std::cell::RefCell;

/// Compiled patterns by (address, length) of their text, with the text itself. foldhash rather than
/// std's SipHash: the keys are our own addresses, looked up for every string a schema constrains.
type Cache = foldhash::HashMap<(usize, usize), (String, Option<Regex>)>;

thread_local! {
    // Per thread, so that synthesis threads never wait on each other; keyed by where the pattern text
    // lives (schemas are parsed once and kept), with the text kept to rule out a reused address.
    static CACHE: RefCell<Cache> = RefCell::default();
}

/// Whether `text` matches `pattern`; `None` when the pattern cannot be compiled.
pub(crate) fn matches(pattern: &str, text: &str) -> Option<bool> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (pattern.as_ptr() as usize, pattern.len());
        match cache.get(&key) {
            Some((cached, compiled)) if cached == pattern => {
                compiled.as_ref().map(|r| r.is_match(text))
            }
            _ => {
                let compiled = Regex::new(pattern).ok();
                let matched = compiled.as_ref().map(|r| r.is_match(text));
                cache.insert(key, (pattern.to_owned(), compiled));
                matched
            }
        }
    })
}
