//! Attendee join links: not secret enough for [`Secret`](meeting_wire::Secret), too open to
//! log.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// How many characters of the path a masked link still shows.
const SHOWN_PATH_CHARS: usize = 4;

/// An attendee join link (`attendeeJoinUrl`, `webRTCUrl`).
///
/// When the conference's `joinLogin` is 0, anyone holding the link can join, so `Debug` and
/// `Display` mask it: they keep the scheme, the host and a short prefix of the path
/// (at most four characters, and never more than half of it), and replace the rest with `…`.
/// Serialisation writes the link exactly; read it with [`JoinLink::expose`] where it must be
/// sent.
///
/// ```
/// use quanshi_model::JoinLink;
/// let link = JoinLink::new("https://mtest.qsh1.cn/k/mkIW3Txa0Uk?priority=web");
/// assert_eq!(link.to_string(), "https://mtest.qsh1.cn/k/mk…");
/// assert_eq!(format!("{link:?}"), r#"JoinLink("https://mtest.qsh1.cn/k/mk…")"#);
/// assert_eq!(link.expose(), "https://mtest.qsh1.cn/k/mkIW3Txa0Uk?priority=web");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct JoinLink(String);

impl JoinLink {
    /// Wraps a link.
    pub fn new(link: impl Into<String>) -> Self {
        JoinLink(link.into())
    }

    /// The whole link. Call only where it must be sent.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The whole link (same as [`JoinLink::expose`]).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the link is the empty string (the vendor's "none").
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The masked form used by `Debug` and `Display`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// The masked form of a link (see [`JoinLink`]).
fn mask(link: &str) -> String {
    if link.is_empty() {
        return String::new();
    }
    // Split off "scheme://host/"; everything after the host is path (and query).
    let (head, path) = match link.find("://") {
        Some(i) => {
            let after = link.get(i + 3..).unwrap_or("");
            match after.find('/') {
                Some(j) => link.split_at(i + 3 + j + 1),
                None => (link, ""),
            }
        }
        None => ("", link),
    };
    let total = path.chars().count();
    let shown = SHOWN_PATH_CHARS.min(total / 2);
    let prefix: String = path.chars().take(shown).collect();
    if total == 0 {
        head.to_owned()
    } else {
        format!("{head}{prefix}…")
    }
}

/// The borrowed view of a [`JoinLink`] (the join links and the live-stream link): the link borrowed from the input unless escaped. `Debug` and `Display`
/// mask it as [`JoinLink`]'s do; it accepts what a `String` accepts and serialises to the
/// link exactly.
///
/// ```
/// use quanshi_model::JoinLinkRef;
/// let link: JoinLinkRef<'_> = serde_json::from_str(r#""https://mtest.qsh1.cn/k/mkIW3Txa0Uk""#)?;
/// assert_eq!(format!("{link:?}"), r#"JoinLinkRef("https://mtest.qsh1.cn/k/mk…")"#);
/// assert_eq!(link.expose(), "https://mtest.qsh1.cn/k/mkIW3Txa0Uk");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct JoinLinkRef<'a>(std::borrow::Cow<'a, str>);

impl JoinLinkRef<'_> {
    /// The whole link. Call only where it must be sent.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the link is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The masked form used by `Debug` and `Display`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for JoinLinkRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinLinkRef({:?})", self.masked())
    }
}

impl fmt::Display for JoinLinkRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Serialize for JoinLinkRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for JoinLinkRef<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        meeting_wire::Str::deserialize(deserializer).map(|s| JoinLinkRef(s.into_cow()))
    }
}

impl<'a> meeting_wire::ViewOf<'a, JoinLink> for JoinLinkRef<'a> {
    fn view_of(owned: &'a JoinLink) -> Self {
        JoinLinkRef(std::borrow::Cow::Borrowed(owned.expose()))
    }
}

impl meeting_wire::IntoView<JoinLink> for JoinLinkRef<'static> {
    fn into_view(owned: JoinLink) -> Self {
        JoinLinkRef(std::borrow::Cow::Owned(owned.0))
    }
}

impl fmt::Debug for JoinLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinLink({:?})", self.masked())
    }
}

impl fmt::Display for JoinLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl From<String> for JoinLink {
    fn from(value: String) -> Self {
        JoinLink(value)
    }
}

impl From<&str> for JoinLink {
    fn from(value: &str) -> Self {
        JoinLink(value.to_owned())
    }
}

impl Serialize for JoinLink {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for JoinLink {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(JoinLink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        let cases = [
            ("", ""),
            (
                "https://mtest.qsh1.cn/k/mkIW3Txa0Uk",
                "https://mtest.qsh1.cn/k/mk…",
            ),
            ("https://mtest.qsh1.cn", "https://mtest.qsh1.cn"),
            ("https://mtest.qsh1.cn/", "https://mtest.qsh1.cn/"),
            ("https://h/abc", "https://h/a…"),
            ("mkIW3Txa0Uk", "mkIW…"),
            ("x", "…"),
            ("https://h/会议链接很长很长", "https://h/会议链接…"),
        ];
        for (link, masked) in cases {
            assert_eq!(JoinLink::new(link).masked(), masked, "{link}");
        }
    }
}
