//! Telling what a document is from its keys, without parsing it.
//!
//! The sniffer walks the top-level object's keys, skipping values byte-wise, and stops at
//! the first key that decides: `schema_version` (a neutral meeting), `saved_response` (a
//! saved record), `data` (Systec: an object is `detail`; in an array, the first element
//! with a telling key decides between `reports` and `hisMeeting`), `result` (Quanshi: an
//! object is the dashboard, an array or a string the join-link endpoint), `error` (a Systec
//! error body). The document is then parsed once, by the right parser.

use crate::Source;
use std::ops::Range;

/// What a document is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A neutral `Meeting` line.
    Neutral,
    /// A saved-response record.
    Saved {
        /// The `endpoint` string's raw content.
        endpoint: Option<Range<usize>>,
        /// The `body` value.
        body: Option<Range<usize>>,
        /// Whether it has `body_text` (a non-JSON body).
        body_text: Option<Range<usize>>,
        /// The `http_status` value's text.
        http_status: Option<Range<usize>>,
        /// The `fetched_at` value (a JSON string, quotes included).
        fetched_at: Option<Range<usize>>,
        /// The `params` value (a JSON object).
        params: Option<Range<usize>>,
    },
    /// A vendor response of this endpoint; `certain` is false when the shape does not tell
    /// (an empty list, a failure envelope): any parser of the vendor gives the same result.
    Response { source: Source, certain: bool },
    /// A Systec list whose elements fit both `reports` and `hisMeeting`.
    Ambiguous,
    /// Neither vendor's shape: the top-level keys seen.
    Unrecognised(Vec<String>),
    /// Not a JSON object at all, or malformed before a decision.
    Malformed,
}

struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A string; returns the range of its raw content (escapes not decoded).
    fn string(&mut self) -> Option<Range<usize>> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.i;
        loop {
            match self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(start..self.i - 1);
                }
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
    }

    /// Skips one value; returns its range.
    fn value(&mut self) -> Option<Range<usize>> {
        self.ws();
        let start = self.i;
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0u32;
                let mut in_str = false;
                loop {
                    let c = *self.b.get(self.i)?;
                    self.i += 1;
                    if in_str {
                        match c {
                            b'\\' => self.i += 1,
                            b'"' => in_str = false,
                            _ => {}
                        }
                    } else {
                        match c {
                            b'"' => in_str = true,
                            b'{' | b'[' => depth += 1,
                            b'}' | b']' => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.i += 1;
                }
            }
        }
        Some(start..self.i)
    }

    /// Walks an object's members, calling `f(key, cursor)` with the cursor at the value;
    /// `f` either consumes the value and returns `None` to go on, or returns a decision.
    fn members<T>(
        &mut self,
        mut f: impl FnMut(&[u8], &mut Self) -> Option<Option<T>>,
    ) -> Option<Option<T>> {
        self.ws();
        if !self.eat(b'{') {
            return None;
        }
        loop {
            self.ws();
            if self.eat(b'}') {
                return Some(None);
            }
            let key = self.string()?;
            self.ws();
            if !self.eat(b':') {
                return None;
            }
            self.ws();
            let key_bytes = self.b.get(key)?;
            if let Some(decided) = f(key_bytes, self)? {
                return Some(Some(decided));
            }
            self.ws();
            if !self.eat(b',') {
                self.ws();
                return if self.eat(b'}') { Some(None) } else { None };
            }
        }
    }
}

/// Sniffs a document.
pub(crate) fn sniff(doc: &[u8]) -> Sniffed {
    let mut cur = Cur { b: doc, i: 0 };
    let mut keys: Vec<String> = Vec::new();
    let mut saved = false;
    let (mut endpoint, mut body, mut body_text, mut http_status) = (None, None, None, None);
    let (mut fetched_at, mut params) = (None, None);
    let decided = cur.members(|key, c| {
        if keys.len() < 32 {
            keys.push(String::from_utf8_lossy(key).into_owned());
        }
        match key {
            b"schema_version" if !saved => Some(Some(Sniffed::Neutral)),
            b"saved_response" => {
                saved = true;
                c.value()?;
                Some(None)
            }
            b"endpoint" => {
                let r = c.value()?;
                endpoint = Some(r.start + 1..r.end.saturating_sub(1).max(r.start + 1));
                Some(None)
            }
            b"body" => {
                body = Some(c.value()?);
                Some(None)
            }
            b"body_text" => {
                body_text = Some(c.value()?);
                Some(None)
            }
            b"http_status" => {
                http_status = Some(c.value()?);
                Some(None)
            }
            b"fetched_at" => {
                fetched_at = Some(c.value()?);
                Some(None)
            }
            b"params" => {
                params = Some(c.value()?);
                Some(None)
            }
            b"data" if !saved => Some(Some(systec_data(c))),
            b"result" if !saved => Some(Some(match c.peek() {
                Some(b'{') => Sniffed::Response {
                    source: Source::QuanshiDashboard,
                    certain: true,
                },
                Some(b'[') => Sniffed::Response {
                    source: Source::QuanshiConference,
                    certain: true,
                },
                Some(b'"') => Sniffed::Response {
                    source: Source::QuanshiConference,
                    certain: false,
                },
                _ => Sniffed::Response {
                    source: Source::QuanshiDashboard,
                    certain: false,
                },
            })),
            b"error" if !saved && c.peek() == Some(b'{') => Some(Some(Sniffed::Response {
                source: Source::SystecReports,
                certain: false,
            })),
            _ => {
                c.value()?;
                Some(None)
            }
        }
    });
    match decided {
        None => Sniffed::Malformed,
        Some(Some(d)) => d,
        Some(None) if saved => Sniffed::Saved {
            endpoint,
            body,
            body_text,
            http_status,
            fetched_at,
            params,
        },
        Some(None) => {
            let has = |k: &str| keys.iter().any(|x| x == k);
            if has("status") && (has("msg") || has("reqid") || has("request_id")) {
                Sniffed::Response {
                    source: Source::QuanshiDashboard,
                    certain: false,
                }
            } else if has("status") && has("message") {
                Sniffed::Response {
                    source: Source::SystecReports,
                    certain: false,
                }
            } else {
                Sniffed::Unrecognised(keys)
            }
        }
    }
}

/// Decides a Systec endpoint from the `data` value at the cursor.
fn systec_data(c: &mut Cur<'_>) -> Sniffed {
    match c.peek() {
        Some(b'{') => Sniffed::Response {
            source: Source::SystecDetail,
            certain: true,
        },
        Some(b'[') => {
            c.i += 1;
            let mut any = false;
            loop {
                c.ws();
                if c.peek() != Some(b'{') {
                    break;
                }
                any = true;
                if let Some(source) = element(c) {
                    return Sniffed::Response {
                        source,
                        certain: true,
                    };
                }
                c.ws();
                if !c.eat(b',') {
                    break;
                }
            }
            if any {
                Sniffed::Ambiguous
            } else {
                Sniffed::Response {
                    source: Source::SystecReports,
                    certain: false,
                }
            }
        }
        _ => Sniffed::Response {
            source: Source::SystecReports,
            certain: false,
        },
    }
}

/// Reads one element of a Systec list: `Some` when a key tells its endpoint. Leaves the
/// cursor after the element either way (when undecided).
fn element(c: &mut Cur<'_>) -> Option<Source> {
    let mut count = 0usize;
    let mut only_id = true;
    let decided = c.members(|key, c| {
        count += 1;
        if key != b"id" {
            only_id = false;
        }
        match key {
            b"participants_count" | b"page_count" | b"page_size" | b"page_number" | b"type" => {
                Some(Some(Source::SystecReports))
            }
            b"participants" => match c.peek() {
                Some(b'[') => Some(Some(Source::SystecReports)),
                Some(b'0'..=b'9') => Some(Some(Source::SystecHisMeeting)),
                _ => {
                    c.value()?;
                    Some(None)
                }
            },
            _ => {
                c.value()?;
                Some(None)
            }
        }
    });
    match decided {
        Some(Some(s)) => Some(s),
        // A stub: `{"id": ...}` only.
        Some(None) if only_id && count == 1 => Some(Source::SystecReports),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(doc: &str) -> Sniffed {
        sniff(doc.as_bytes())
    }

    #[test]
    fn shapes() {
        let r = |source, certain| Sniffed::Response { source, certain };
        assert_eq!(
            src(r#"{"status":200,"data":{"meetings":[]}}"#),
            r(Source::SystecDetail, true)
        );
        assert_eq!(
            src(r#"{"status":200,"data":[{"uuid":"a","participants":2}]}"#),
            r(Source::SystecHisMeeting, true)
        );
        assert_eq!(
            src(r#"{"status":200,"data":[{"uuid":"a"},{"id":"1"}]}"#),
            r(Source::SystecReports, true)
        );
        assert_eq!(
            src(r#"{"status":200,"data":[{"uuid":"a","id":1}]}"#),
            Sniffed::Ambiguous
        );
        assert_eq!(
            src(r#"{"status":200,"data":[]}"#),
            r(Source::SystecReports, false)
        );
        assert_eq!(
            src(r#"{"status":0,"result":{"a":1}}"#),
            r(Source::QuanshiDashboard, true)
        );
        assert_eq!(
            src(r#"{"status":0,"result":"[]"}"#),
            r(Source::QuanshiConference, false)
        );
        assert_eq!(src(r#"{"schema_version":1}"#), Sniffed::Neutral);
        assert_eq!(
            src(r#"{"a":1,"b":[1,2]}"#),
            Sniffed::Unrecognised(vec!["a".into(), "b".into()])
        );
        assert_eq!(src("[1]"), Sniffed::Malformed);
        let doc = r#"{"saved_response":1,"endpoint":"systec.detail","body":{"x":"}"}}"#;
        match sniff(doc.as_bytes()) {
            Sniffed::Saved { endpoint, body, .. } => {
                assert_eq!(&doc[endpoint.unwrap()], "systec.detail");
                assert_eq!(&doc[body.unwrap()], r#"{"x":"}"}"#);
            }
            other => panic!("{other:?}"),
        }
    }
}
