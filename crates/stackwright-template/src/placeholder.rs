//! References cross tera as placeholders: strings of Unicode private-use characters that no user text may
//! contain (every input is checked), so a placeholder is never confused with text and is split back out of
//! the rendered output. A placeholder altered on the way (a filter, a slice) is an error, never output.

/// Opens a placeholder; followed by the reference's index in [`DIGITS`], the payload, and [`END`].
const START: char = '\u{E000}';
const END: char = '\u{E001}';
/// `U+E010..=U+E019` spell the decimal digits of the reference index.
const DIGITS: u32 = 0xE010;

/// How placeholders are spelled. A template is rendered once per encoding and both results must agree:
/// the probe carries cased letters, digits, punctuation and extra length, so a filter that changes case,
/// replaces text or measures a reference (`upper`, `replace`, `length`) shows up as a difference. A test
/// that compares a reference with text (`refs.ip == "10.0.0.1"`) is false in both and cannot be caught.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    Plain,
    Probe,
}

impl Encoding {
    pub(crate) const ALL: [Encoding; 2] = [Encoding::Plain, Encoding::Probe];

    fn payload(self) -> &'static str {
        match self {
            Encoding::Plain => "",
            // Long enough that a length compared with a small number changes the outcome too.
            Encoding::Probe => "aZ9.-/_ xYz:42,Q+a=b@c#d",
        }
    }
}

/// Characters reserved for placeholders; user text containing one is rejected before rendering.
pub(crate) fn is_reserved(c: char) -> bool {
    ('\u{E000}'..='\u{E01F}').contains(&c)
}

pub(crate) fn encode(index: usize, encoding: Encoding) -> String {
    let mut out = String::new();
    out.push(START);
    for digit in index.to_string().bytes() {
        out.push(char::from_u32(DIGITS + u32::from(digit - b'0')).expect("private-use digit"));
    }
    out.push_str(encoding.payload());
    out.push(END);
    out
}

/// A piece of rendered output: literal text or the reference with this index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Text(String),
    Reference(usize),
}

/// Splits rendered output into text and references; `count` is the number of references bound.
pub(crate) fn split(rendered: &str, encoding: Encoding, count: usize) -> Result<Vec<Part>, ()> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = rendered.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_reserved(c) {
            text.push(c);
            continue;
        }
        if c != START {
            return Err(());
        }
        let mut index = String::new();
        while let Some(&d) = chars.peek() {
            match (d as u32).checked_sub(DIGITS).filter(|n| *n < 10) {
                Some(n) => {
                    index.push(char::from_digit(n, 10).expect("a decimal digit"));
                    chars.next();
                }
                None => break,
            }
        }
        for expected in encoding.payload().chars().chain([END]) {
            if chars.next() != Some(expected) {
                return Err(());
            }
        }
        match index.parse::<usize>() {
            Ok(i) if i < count && index == i.to_string() => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Reference(i));
            }
            _ => return Err(()),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_both_encodings() {
        for encoding in Encoding::ALL {
            let rendered = format!(
                "a {} b {}{}",
                encode(0, encoding),
                encode(12, encoding),
                encode(0, encoding)
            );
            assert_eq!(
                split(&rendered, encoding, 13),
                Ok(vec![
                    Part::Text("a ".into()),
                    Part::Reference(0),
                    Part::Text(" b ".into()),
                    Part::Reference(12),
                    Part::Reference(0),
                ])
            );
        }
    }

    #[test]
    fn altered_placeholders_are_rejected() {
        let probe = encode(1, Encoding::Probe);
        let cut: String = probe.chars().take(3).collect();
        let upper = probe.to_uppercase();
        let reversed: String = probe.chars().rev().collect();
        for bad in [
            cut,
            upper,
            reversed,
            encode(2, Encoding::Probe),
            "\u{E001}".into(),
        ] {
            assert_eq!(split(&bad, Encoding::Probe, 2), Err(()), "{bad:?}");
        }
        // An index beyond the bound references, or a plain placeholder where a probe was expected.
        assert_eq!(
            split(&encode(0, Encoding::Plain), Encoding::Probe, 1),
            Err(())
        );
    }
}
