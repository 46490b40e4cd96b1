//! Personal data and terminal text: the masking primitives the renderers use.
//!
//! - **Masking** ([`mask_phone`], [`mask_ip`], [`mask_email`], [`mask_text`]) and
//!   **pseudonyms** ([`Pseudonymizer`]), as the masking table of the design asks
//!   (applied at output by [`crate::mask::Masker`], after aggregation).
//! - **Terminal and spreadsheet safety** ([`escape_control`], [`neutralize_formula`]).
//!
//! Secrets (passwords, host links, tokens) are not masked here but removed or redacted by
//! the one secret-key rule, [`meeting_wire::secret_key`].
//!
//! Every function here is total: any input gives an output, never a panic.

use std::borrow::Cow;
use std::fmt;
use std::hash::Hasher as _;

use siphasher::sip128::{Hasher128 as _, SipHasher13};

// ---------------------------------------------------------------------------------------
// Masking.

/// Two-digit country calling codes (ITU-T E.164); `1` and `7` are the one-digit ones and
/// anything else is taken as three digits.
const TWO_DIGIT_CODES: &[&str] = &[
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
    "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
    "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
];

fn is_cn_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d.first() == Some(&b'1') && d.get(1).is_some_and(|b| (b'3'..=b'9').contains(b))
}

/// A phone number masked to its country code and last four digits: `+8613912345670` and
/// `+86 139-1234-5670` → `+86 ****5670`; `13912345670` → `****5670` (no country code was
/// given; `86…`/`0086…` before a Chinese mobile count as `+86`); `+1 415 555 0100` →
/// `+1 ****0100`. Four digits or fewer → `****`. Only digits and a leading `+` are read;
/// anything else in the input is dropped.
///
/// ```
/// use meeting_report::pii::mask_phone;
/// assert_eq!(mask_phone("+86 13912345670"), "+86 ****5670");
/// assert_eq!(mask_phone("13912345670"), "****5670");
/// assert_eq!(mask_phone("010-12345678"), "****5678");
/// ```
pub fn mask_phone(phone: &str) -> String {
    let t = phone.trim();
    let plus = t.starts_with('+');
    let digits: Vec<u8> = t.bytes().filter(u8::is_ascii_digit).collect();
    let (cc, rest): (Option<&[u8]>, &[u8]) = if plus {
        let len = match digits.first() {
            Some(b'1' | b'7') => 1,
            _ if digits
                .get(..2)
                .is_some_and(|p| TWO_DIGIT_CODES.iter().any(|c| c.as_bytes() == p)) =>
            {
                2
            }
            _ => 3,
        };
        let len = len.min(digits.len());
        let (cc, rest) = digits.split_at(len);
        (Some(cc), rest)
    } else if digits.len() == 13 && digits.starts_with(b"86") {
        let (cc, rest) = digits.split_at(2);
        if is_cn_mobile(rest) {
            (Some(cc), rest)
        } else {
            (None, &digits[..])
        }
    } else if digits.len() == 15 && digits.starts_with(b"0086") {
        let (zeros_cc, rest) = digits.split_at(4);
        if is_cn_mobile(rest) {
            (zeros_cc.get(2..), rest)
        } else {
            (None, &digits[..])
        }
    } else {
        (None, &digits[..])
    };
    let last = match rest.len().checked_sub(4) {
        Some(from) if from > 0 => {
            String::from_utf8_lossy(rest.get(from..).unwrap_or_default()).into_owned()
        }
        _ => String::new(),
    };
    match cc {
        Some(cc) if !cc.is_empty() => format!("+{} ****{last}", String::from_utf8_lossy(cc)),
        _ => format!("****{last}"),
    }
}

/// An IP address masked to its network part: IPv4 → the first two octets
/// (`116.12.34.56` → `116.12.*.*`); IPv6 → the first two groups (`2001:db8::1` →
/// `2001:db8:*`), an IPv4-mapped IPv6 address as IPv4. A port is dropped. Anything that is
/// not an address → `***` (never echoed).
///
/// ```
/// use meeting_report::pii::mask_ip;
/// assert_eq!(mask_ip("116.12.34.56"), "116.12.*.*");
/// assert_eq!(mask_ip("[2001:db8::1]:443"), "2001:db8:*");
/// assert_eq!(mask_ip("not an ip"), "***");
/// ```
pub fn mask_ip(ip: &str) -> String {
    use std::net::{IpAddr, SocketAddr};
    let t = ip.trim();
    let addr = t
        .parse::<IpAddr>()
        .ok()
        .or_else(|| t.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            t.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.parse::<IpAddr>().ok())
        });
    match addr {
        Some(IpAddr::V4(v4)) => {
            let [a, b, _, _] = v4.octets();
            format!("{a}.{b}.*.*")
        }
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => {
                let [a, b, _, _] = v4.octets();
                format!("{a}.{b}.*.*")
            }
            None => {
                let [a, b, ..] = v6.segments();
                format!("{a:x}:{b:x}:*")
            }
        },
        None => String::from("***"),
    }
}

/// An e-mail address masked to its domain: `zhangsan@example.com` → `***@example.com`.
/// Without an `@` (or with nothing after it) → `***`.
///
/// ```
/// use meeting_report::pii::mask_email;
/// assert_eq!(mask_email("zhangsan@example.com"), "***@example.com");
/// assert_eq!(mask_email("nobody"), "***");
/// ```
pub fn mask_email(email: &str) -> String {
    match email.trim().rsplit_once('@') {
        Some((_, domain)) if !domain.is_empty() => format!("***@{domain}"),
        _ => String::from("***"),
    }
}

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// The e-mail addresses in `b`: (start, `@` index, end) of each, in order.
fn find_emails(b: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for at in memchr::memchr_iter(b'@', b) {
        let floor = out.last().map_or(0, |e| e.2);
        if at < floor {
            continue;
        }
        let mut start = at;
        while start > floor && b.get(start - 1).copied().is_some_and(is_local_char) {
            start -= 1;
        }
        // A local part does not start with a dot.
        while start < at && b.get(start) == Some(&b'.') {
            start += 1;
        }
        let mut end = at + 1;
        while b.get(end).copied().is_some_and(is_domain_char) {
            end += 1;
        }
        // Trailing dots and hyphens are punctuation, not the domain.
        while end > at + 1 && matches!(b.get(end - 1), Some(b'.' | b'-')) {
            end -= 1;
        }
        let domain = b.get(at + 1..end).unwrap_or_default();
        let tld_ok = domain
            .iter()
            .rposition(|&c| c == b'.')
            .and_then(|dot| domain.get(dot + 1..))
            .is_some_and(|tld| tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic));
        if start < at && tld_ok && domain.first().is_some_and(u8::is_ascii_alphanumeric) {
            out.push((start, at, end));
        }
    }
    out
}

/// Whether the digits (and the form) of a candidate are a phone number; see [`mask_text`].
fn is_phone(d: &[u8], plus: bool, separated: bool) -> bool {
    if plus {
        return (d.starts_with(b"86") && is_cn_mobile(d.get(2..).unwrap_or_default()))
            || (!d.starts_with(b"86") && (8..=15).contains(&d.len()));
    }
    is_cn_mobile(d)
        || (d.len() == 13 && d.starts_with(b"86") && is_cn_mobile(d.get(2..).unwrap_or_default()))
        || (d.len() == 15 && d.starts_with(b"0086") && is_cn_mobile(d.get(4..).unwrap_or_default()))
        || (d.first() == Some(&b'0')
            && d.get(1).is_some_and(|c| *c != b'0')
            && (10..=12).contains(&d.len())
            && (separated || d.len() >= 11))
}

/// Masks the phone numbers and e-mail addresses found in free text (topics, names):
/// `张三(13912345670)` → `张三(****5670)`, `电话用户+86 139 1234 5672` →
/// `电话用户+86 ****5672`, `mail zhang.san@example.com` → `mail ***@example.com`. Text without
/// any is returned borrowed.
///
/// The rule (a small hand-written scanner, no regex). A candidate is a run of ASCII digits,
/// optionally after a `+`, with single spaces or hyphens allowed between digit groups; the
/// characters around it are not digits. It is a phone number when it is
///
/// - a Chinese mobile number, `1[3-9]` and 9 more digits (11 in all), bare or after `+86`,
///   `86` or `0086`;
/// - a Chinese landline with its area code: `0` then a non-zero digit, 10 to 12 digits in
///   all (`010-12345678`, `0755-1234567`; without a hyphen, at least 11 digits);
/// - an international number: `+` and 8 to 15 digits (`+1 415 555 0100`, `+44 20 7946 0958`).
///
/// So dates and times (`2024-05-01 13:45`), Systec and Quanshi meeting numbers (10 digits
/// from 1, or 7–8 digits), Unix timestamps (10 or 13 digits, not from `1[3-9]` with 11),
/// amounts and IP addresses are left alone. The one ambiguity: an 11-digit number from
/// `13`–`19` is always taken for a mobile. An e-mail address is `local@domain.tld` with the
/// usual ASCII characters and a top-level domain of two letters or more.
///
/// ```
/// use meeting_report::pii::mask_text;
/// assert_eq!(mask_text("张三(13912345670)"), "张三(****5670)");
/// assert_eq!(mask_text("电话用户13912345672"), "电话用户****5672");
/// assert_eq!(mask_text("会议 1790001234 于 2024-05-01 13:45"), "会议 1790001234 于 2024-05-01 13:45");
/// assert_eq!(mask_text("ask zhang.san@example.com"), "ask ***@example.com");
/// ```
pub fn mask_text(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let emails = find_emails(b);
    let mut out: Option<String> = None;
    let mut last = 0; // bytes before this are emitted
    let mut next_email = 0;
    let mut i = 0;
    while i < b.len() {
        if let Some(&(start, _at, end)) = emails.get(next_email)
            && i >= start
        {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(text.get(last..start).unwrap_or_default());
            o.push_str(&mask_email(text.get(start..end).unwrap_or_default()));
            last = end;
            i = end;
            next_email += 1;
            continue;
        }
        let c = b.get(i).copied().unwrap_or(0);
        let plus = c == b'+' && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        let prev_digit = i > 0 && b.get(i - 1).is_some_and(u8::is_ascii_digit);
        if !(c.is_ascii_digit() || plus) || prev_digit {
            i += 1;
            continue;
        }
        // Collect the candidate.
        let limit = emails.get(next_email).map_or(b.len(), |e| e.0);
        let mut j = i + usize::from(plus);
        let mut digits = Vec::new();
        let mut separated = false;
        while j < limit {
            match b.get(j) {
                Some(d) if d.is_ascii_digit() => {
                    digits.push(*d);
                    j += 1;
                }
                Some(b' ' | b'-')
                    if !digits.is_empty()
                        && j + 1 < limit
                        && b.get(j + 1).is_some_and(u8::is_ascii_digit)
                        && (plus || b.get(j) == Some(&b'-')) =>
                {
                    separated = true;
                    j += 1;
                }
                _ => break,
            }
        }
        if is_phone(&digits, plus, separated) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(text.get(last..i).unwrap_or_default());
            o.push_str(&mask_phone(text.get(i..j).unwrap_or_default()));
            last = j;
        }
        i = j.max(i + 1);
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(text.get(last..).unwrap_or_default());
            Cow::Owned(o)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Pseudonyms.

/// Stable pseudonyms for names and user ids from a keyed hash (SipHash-1-3, 128-bit, keyed
/// with 16 random or given bytes): the same key and value always give the same pseudonym
/// (`person-3f9a1c07d2`), and without the key a pseudonym cannot be linked back to a value
/// by trying candidates. Values are trimmed first (`"张三 "` is `"张三"`).
///
/// A pseudonym is the prefix, `-` and 10 hex digits (40 bits): among 10,000 distinct
/// people, the chance that two share one is about 5 in 100,000.
///
/// `Debug` never shows the key.
///
/// ```
/// use meeting_report::pii::Pseudonymizer;
/// let p = Pseudonymizer::from_passphrase("finance-2026");
/// let a = p.person("张三");
/// assert!(a.starts_with("person-") && a.len() == "person-".len() + 10);
/// assert_eq!(a, p.person(" 张三 "));
/// assert_ne!(a, p.person("李四"));
/// assert!(!format!("{p:?}").contains("finance"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Pseudonymizer {
    key: [u8; 16],
}

/// The operating system gave no random bytes for a [`Pseudonymizer`] key.
#[derive(Debug, thiserror::Error)]
#[error("no random key for pseudonyms: the operating system's random source failed: {0}")]
pub struct RandomKeyError(String);

impl Pseudonymizer {
    /// A pseudonymizer with a random key (per run: pseudonyms differ between runs).
    ///
    /// # Errors
    /// When the operating system's random source fails.
    pub fn random() -> Result<Self, RandomKeyError> {
        let mut key = [0u8; 16];
        getrandom::fill(&mut key).map_err(|e| RandomKeyError(e.to_string()))?;
        Ok(Pseudonymizer { key })
    }

    /// A pseudonymizer with this key (for example the one stored in an archive).
    pub fn with_key(key: [u8; 16]) -> Self {
        Pseudonymizer { key }
    }

    /// A pseudonymizer whose key is derived from a passphrase (`--mask-key`): the same
    /// passphrase gives the same pseudonyms on every run and machine. The derivation is one
    /// fast keyed hash, not a password hash: use a long random passphrase, since whoever
    /// guesses it can link pseudonyms back to candidate names.
    pub fn from_passphrase(passphrase: &str) -> Self {
        let mut h = SipHasher13::new_with_key(b"meeting-usage/ps");
        h.write(passphrase.as_bytes());
        Pseudonymizer {
            key: h.finish128().as_bytes(),
        }
    }

    /// The key, to store it (an archive keeps it so pseudonyms stay stable across runs).
    pub fn key(&self) -> [u8; 16] {
        self.key
    }

    /// `prefix-` and 10 hex digits for `value` (trimmed). Different prefixes give unrelated
    /// pseudonyms for the same value.
    pub fn pseudonym(&self, prefix: &str, value: &str) -> String {
        let mut h = SipHasher13::new_with_key(&self.key);
        h.write(prefix.as_bytes());
        h.write(&[0]);
        h.write(value.trim().as_bytes());
        let bytes = h.finish128().as_bytes();
        let mut out = String::with_capacity(prefix.len() + 11);
        out.push_str(prefix);
        out.push('-');
        for b in bytes.iter().take(5) {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// The pseudonym of a person's name: `person-…`.
    pub fn person(&self, name: &str) -> String {
        self.pseudonym("person", name)
    }

    /// The pseudonym of a user id: `user-…`.
    pub fn user(&self, id: &str) -> String {
        self.pseudonym("user", id)
    }
}

impl fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonymizer { key: <redacted> }")
    }
}

// ---------------------------------------------------------------------------------------
// Terminal and spreadsheet text.

/// Whether `c` must not reach a terminal as itself.
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// Vendor text made safe for a terminal or an error message: every control character is
/// written visibly as an escape, so none can move the cursor, recolour or retitle the
/// terminal, ring the bell, overwrite a line or forge a log line.
///
/// Escaped: the C0 controls (ESC, and so whole ANSI/OSC sequences lose their power; BEL, CR,
/// LF, ...) except TAB, DEL, the C1 controls (U+0080–U+009F, CSI included), the bidi
/// controls (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069: "Trojan source") and the
/// line and paragraph separators (U+2028, U+2029). LF is `\n` and CR is `\r`; the others are
/// `\u{1b}` style. **TAB is kept** (it cannot move the cursor backwards or hide text, and
/// vendor text uses it as a separator); **LF is escaped** (one value stays one line: a
/// table cell or an error message cannot start a fake line). Everything else — CJK, emoji,
/// combining marks, backslashes — is untouched, and text with nothing to escape is
/// returned borrowed.
///
/// ```
/// use meeting_report::pii::escape_control;
/// assert_eq!(escape_control("周会\u{1b}]0;pwned\u{7}"), "周会\\u{1b}]0;pwned\\u{7}");
/// assert_eq!(escape_control("a\r\nb\tc"), "a\\r\\nb\tc");
/// assert_eq!(escape_control("会议 🎉"), "会议 🎉");
/// ```
pub fn escape_control(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_dangerous) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(text.get(..first).unwrap_or_default());
    for c in text.get(first..).unwrap_or_default().chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_dangerous(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A text cell made safe for a spreadsheet (OWASP "CSV injection"): a value starting with
/// `=`, `+`, `-`, `@`, TAB or CR gets a `'` in front, so the spreadsheet shows it as text
/// instead of running it as a formula. For text columns only: the caller decides (a
/// numeric column's `-1.20` stays a number). Idempotent; other text is returned borrowed.
///
/// ```
/// use meeting_report::pii::neutralize_formula;
/// assert_eq!(neutralize_formula("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(neutralize_formula("+86 ****5670"), "'+86 ****5670");
/// assert_eq!(neutralize_formula("周会"), "周会");
/// ```
pub fn neutralize_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        for (input, want) in [
            ("+8613912345670", "+86 ****5670"),
            ("+86 139 1234 5670", "+86 ****5670"),
            ("8613912345670", "+86 ****5670"),
            ("008613912345670", "+86 ****5670"),
            ("13912345670", "****5670"),
            ("+1 415 555 0100", "+1 ****0100"),
            ("+44 20 7946 0958", "+44 ****0958"),
            ("+852 2345 6789", "+852 ****6789"),
            ("1234", "****"),
            ("", "****"),
        ] {
            assert_eq!(mask_phone(input), want, "{input}");
        }
    }

    #[test]
    fn text() {
        for (input, want) in [
            ("张三(13912345670)", "张三(****5670)"),
            ("电话用户13912345672", "电话用户****5672"),
            ("call +86-139-1234-5670 now", "call +86 ****5670 now"),
            ("座机 010-12345678", "座机 ****5678"),
            ("tel: +1 415 555 0100.", "tel: +1 ****0100."),
            ("a@b.co and 13912345670@qq.com", "***@b.co and ***@qq.com"),
            (
                "2024-05-01 13:45 会议号 1790001234",
                "2024-05-01 13:45 会议号 1790001234",
            ),
            (
                "ts 1715600000000 / 1715600000",
                "ts 1715600000000 / 1715600000",
            ),
            ("139123456701", "139123456701"),
            ("116.12.34.56", "116.12.34.56"),
            ("price -1.20, +3", "price -1.20, +3"),
            ("user@localhost", "user@localhost"),
        ] {
            assert_eq!(mask_text(input), want, "{input}");
        }
    }

    #[test]
    fn ips_and_emails() {
        assert_eq!(mask_ip("10.0.0.1"), "10.0.*.*");
        assert_eq!(mask_ip(" 10.0.0.1:8080 "), "10.0.*.*");
        assert_eq!(mask_ip("::ffff:1.2.3.4"), "1.2.*.*");
        assert_eq!(mask_ip("fe80::1"), "fe80:0:*");
        assert_eq!(mask_ip(""), "***");
        assert_eq!(mask_email("a@b@c.com"), "***@c.com");
        assert_eq!(mask_email("a@"), "***");
    }

    #[test]
    fn pseudonyms() {
        let p = Pseudonymizer::with_key([7; 16]);
        let q = Pseudonymizer::with_key([8; 16]);
        assert_eq!(p.person("张三"), p.person("张三"));
        assert_ne!(p.person("张三"), q.person("张三"));
        assert_ne!(p.person("1"), p.user("1"));
        let r = Pseudonymizer::random().unwrap();
        assert_eq!(Pseudonymizer::with_key(r.key()).person("x"), r.person("x"));
        assert_eq!(format!("{r:?}"), "Pseudonymizer { key: <redacted> }");
    }

    #[test]
    fn control_and_formula() {
        assert_eq!(escape_control("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(escape_control("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape_control("\0"), "\\u{0}");
        assert!(matches!(escape_control("plain 文字\t"), Cow::Borrowed(_)));
        for s in ["=1", "+1", "-1", "@x", "\tx", "\rx"] {
            assert_eq!(neutralize_formula(s), format!("'{s}"));
        }
        assert_eq!(neutralize_formula("'=1"), "'=1");
        assert_eq!(neutralize_formula(""), "");
    }
}
