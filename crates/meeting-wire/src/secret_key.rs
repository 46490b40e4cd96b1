//! The secret-key rule: which fields grant access to a meeting or an account.
//!
//! One rule ([`is_secret_key`]) for every crate: normalisation drops such fields from a
//! neutral record ([`strip_secrets`]), raw output masks them ([`redact_secrets`]), the
//! archive keeps them out of its stored bodies, and the clients keep them out of logs.
//! Key names are compared case-insensitively and ignoring `_`, `-`, `.` and spaces, so
//! `hostJoinUrl`, `host_join_url` and `HOST-JOIN-URL` are one name; families, not exact
//! names, are matched (see [`is_secret_key`]). JSON held in a string value
//! (`"{\"pcode1\":...}"`) is parsed and cleaned inside, and secret query parameters of URLs
//! (`?pwd=...`) are redacted.
//!
//! Every function here is total: any input gives an output, never a panic.

use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Secrets.

/// What [`redact_secrets`] puts in place of a secret value.
pub const REDACTED: &str = "[redacted]";

/// How deep [`redact_secrets`] and [`strip_secrets`] follow JSON held in strings (a string
/// holding JSON holding a string holding JSON ...).
const MAX_STRING_NESTING: u32 = 4;

/// A key name folded for comparison: ASCII lower case, without `_`, `-`, `.` and spaces.
fn fold_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Switches about a secret, not secrets: `openWatchword`, `isPassword`, `needPwd`,
/// `passwordEnabled`, `tokenType` and the like hold a flag or a kind, never the secret.
fn is_switch(folded: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "open", "enable", "is", "has", "need", "require", "allow", "switch",
    ];
    const SUFFIXES: [&str; 9] = [
        "enabled",
        "enable",
        "switch",
        "flag",
        "required",
        "type",
        "length",
        "expires",
        "expiresin",
    ];
    // A prefix marks a switch about a password, passphrase or link only: `openToken` or
    // `isvSecret` may well be the credential itself.
    const CREDENTIALS: [&str; 6] = ["token", "secret", "key", "credential", "cookie", "auth"];
    PREFIXES.iter().any(|p| {
        folded.strip_prefix(p).is_some_and(|rest| {
            !rest.is_empty()
                && !rest.starts_with("sue")
                && !CREDENTIALS.iter().any(|c| rest.contains(c))
        })
    }) || SUFFIXES
        .iter()
        .any(|s| folded.len() > s.len() && folded.ends_with(s))
}

/// The words whose presence in a folded key name marks a secret (see [`is_secret_key`]).
const SECRET_WORDS: &[&str] = &[
    // Passwords.
    "password",
    "passwd",
    "pwd",
    "passcode",
    "passphrase",
    "hostpcode",
    "attendeepcode",
    "confpcode",
    "密码",
    // Links.
    "joinurl",
    "joinlink",
    "joinuri",
    "hostjoin",
    "hosturl",
    "hostlink",
    "starturl",
    "callurl",
    "webrtc",
    "inviteurl",
    "invitelink",
    "meetingurl",
    "meetinglink",
    "confurl",
    "conferenceurl",
    "shareurl",
    "sharelink",
    "pullurl",
    "pushurl",
    "streamurl",
    "rtmp",
    "链接",
    // Watchwords.
    "watchword",
    "口令",
    // Tokens, secrets, keys.
    "token",
    "secret",
    "credential",
    "authorization",
    "authcode",
    "cookie",
    "apikey",
    "accesskey",
    "appkey",
    "hostkey",
    "privatekey",
    "signkey",
    "signingkey",
    "sessionkey",
    "encryptionkey",
    "authkey",
    "licensekey",
    "令牌",
    "密钥",
    "秘钥",
];

/// [`SECRET_WORDS`] grouped by their first byte, so a key is scanned once, trying at each
/// position only the words that can start there.
static WORDS_BY_FIRST_BYTE: std::sync::LazyLock<Vec<Vec<&'static [u8]>>> =
    std::sync::LazyLock::new(|| {
        let mut table = vec![Vec::new(); 256];
        for w in SECRET_WORDS {
            if let Some(list) = w
                .as_bytes()
                .first()
                .and_then(|b| table.get_mut(usize::from(*b)))
            {
                list.push(w.as_bytes());
            }
        }
        table
    });

/// Whether a field with this name holds a secret: something that grants access to a
/// meeting or an account. Such a field never reaches a `Meeting` (not even its
/// `vendor_extra`), a log line or masked raw output.
///
/// The name is folded first (ASCII lower case; `_`, `-`, `.` and spaces ignored), then
/// matched against these families:
///
/// - **passwords**: containing `password`, `passwd`, `pwd`, `passcode`, `passphrase`;
///   starting with `pcode` or containing `hostpcode`/`attendeepcode`/`confpcode` (Quanshi
///   `pcode1`, `pcode2`; `zipcode` is not one); `pin` or ending in `pin` (`hostPin`);
///   `密码`;
/// - **join, host and live links**: containing `joinurl`, `joinlink`, `joinuri`,
///   `hostjoin`, `hosturl`, `hostlink`, `starturl`, `callurl` (`wcallurl`), `webrtc`,
///   `inviteurl`, `invitelink`, `meetingurl`, `meetinglink`, `confurl`, `conferenceurl`,
///   `shareurl`, `sharelink`, `pullurl`, `pushurl`, `streamurl`, `rtmp`, or `live` together
///   with `url`, `uri`, `link` or `addr` (`livePullURL`, `live_stream_address`), or ending
///   in `url` or `uri` and naming `join`, `host` or `call` (`hostAvatarUrl` too: a link
///   about the host is kept out rather than risk a host link); `链接`;
/// - **watchwords and passphrases**: containing `watchword` (`eventWatchword`), `口令`;
/// - **tokens, secrets and keys**: containing `token`, `secret`, `credential`,
///   `authorization`, `authcode`, `cookie`, `apikey`, `accesskey`, `appkey`, `hostkey`,
///   `privatekey`, `signkey`, `signingkey`, `sessionkey`, `encryptionkey`, `authkey`,
///   `licensekey`; `令牌`, `密钥`, `秘钥`.
///
/// Except switches about a secret (a flag or a kind, never the secret itself): a name
/// starting with `open`, `enable`, `is`, `has`, `need`, `require`, `allow` or `switch` (and
/// not naming a token, secret, key, credential, cookie or auth), or ending in `enabled`, `switch`, `flag`, `required`, `type`, `length` or `expires`
/// (`openWatchword`, `passwordEnabled`, `tokenType`).
///
/// ```
/// use meeting_wire::secret_key::is_secret_key;
/// for yes in ["pcode1", "host_join_url", "livePullURL", "watchword", "API-KEY", "x_token"] {
///     assert!(is_secret_key(yes), "{yes}");
/// }
/// for no in ["title", "zipcode", "openWatchword", "joinConfTags", "tokenType", "hostName"] {
///     assert!(!is_secret_key(no), "{no}");
/// }
/// ```
pub fn is_secret_key(name: &str) -> bool {
    // Folded into a stack buffer (key names are short); a longer name is folded on the heap.
    let mut stack = [0u8; 64];
    let heap: String;
    let folded: &str = if name.len() <= stack.len() {
        let mut n = 0;
        for b in name.bytes() {
            if !matches!(b, b'_' | b'-' | b'.' | b' ') {
                if let Some(slot) = stack.get_mut(n) {
                    *slot = b.to_ascii_lowercase();
                }
                n += 1;
            }
        }
        // Only ASCII bytes were dropped or changed, so the rest is still UTF-8.
        match std::str::from_utf8(stack.get(..n).unwrap_or_default()) {
            Ok(s) => s,
            Err(_) => {
                heap = fold_key(name);
                &heap
            }
        }
    } else {
        heap = fold_key(name);
        &heap
    };
    if folded.is_empty() {
        return false;
    }
    let bytes = folded.as_bytes();
    // One pass over the name: at each position, only the words starting with that byte.
    let table = &*WORDS_BY_FIRST_BYTE;
    let contains_word = (0..bytes.len()).any(|i| {
        let rest = bytes.get(i..).unwrap_or_default();
        rest.first()
            .and_then(|b| table.get(usize::from(*b)))
            .is_some_and(|words| {
                // The second byte first: most positions fail there, without a memcmp call.
                words
                    .iter()
                    .any(|w| w.get(1) == rest.get(1) && rest.starts_with(w))
            })
    });
    let hit = contains_word
        || folded.starts_with("pcode")
        || folded == "pin"
        || (folded.len() > 3 && folded.ends_with("pin") && !folded.ends_with("spin"))
        || (folded.contains("live")
            && ["url", "uri", "link", "addr"]
                .iter()
                .any(|w| folded.contains(w)))
        || ((folded.ends_with("url") || folded.ends_with("uri"))
            && ["join", "host", "call"].iter().any(|w| folded.contains(w)));
    hit && !is_switch(folded)
}

/// Replaces every secret in `value` by [`REDACTED`], at any depth, and returns how many were
/// replaced: the values of secret keys ([`is_secret_key`]), secrets inside JSON held in
/// string values (the string is rewritten, compact, when something inside changed), and the
/// values of secret query parameters in URL strings (`https://x/j?pwd=123` →
/// `https://x/j?pwd=[redacted]`). For `--raw` output.
///
/// ```
/// use meeting_wire::secret_key::redact_secrets;
/// let mut v = serde_json::json!({
///     "title": "周会", "host_join_url": "https://x/h", "labels": "{\"pcode1\":\"123\"}",
///     "link": "https://x/j?id=1&pwd=9"});
/// assert_eq!(redact_secrets(&mut v), 3);
/// assert_eq!(v["host_join_url"], "[redacted]");
/// assert_eq!(v["labels"], "{\"pcode1\":\"[redacted]\"}");
/// assert_eq!(v["link"], "https://x/j?id=1&pwd=[redacted]");
/// ```
pub fn redact_secrets(value: &mut Value) -> usize {
    walk(value, Mode::Redact, 0)
}

/// Removes every secret from `value`, at any depth, and returns how many were removed:
/// secret keys are deleted from objects; otherwise as [`redact_secrets`] (a secret query
/// parameter's value cannot be deleted from its URL: it is replaced by [`REDACTED`]). What
/// normalisation does to `vendor_extra`.
pub fn strip_secrets(value: &mut Value) -> usize {
    walk(value, Mode::Strip, 0)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Redact,
    Strip,
}

fn walk(value: &mut Value, mode: Mode, nesting: u32) -> usize {
    match value {
        Value::Object(map) => {
            let mut n = 0;
            match mode {
                Mode::Strip => {
                    let before = map.len();
                    map.retain(|k, _| !is_secret_key(k));
                    n += before - map.len();
                }
                Mode::Redact => {
                    for (k, v) in map.iter_mut() {
                        if is_secret_key(k) && v.as_str() != Some(REDACTED) {
                            *v = Value::String(REDACTED.to_owned());
                            n += 1;
                        }
                    }
                }
            }
            n + map
                .values_mut()
                .map(|v| walk(v, mode, nesting))
                .sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(|v| walk(v, mode, nesting)).sum(),
        Value::String(s) => {
            let (n, new) = clean_string(s, mode, nesting);
            if let Some(new) = new {
                *s = new;
            }
            n
        }
        _ => 0,
    }
}

/// Cleans a string value: JSON inside it, or a URL's query. Returns the count and the new
/// text when it changed.
fn clean_string(s: &str, mode: Mode, nesting: u32) -> (usize, Option<String>) {
    let t = s.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && nesting < MAX_STRING_NESTING
        && let Ok(mut inner) = serde_json::from_str::<Value>(s)
    {
        let n = walk(&mut inner, mode, nesting + 1);
        if n > 0 {
            return (n, serde_json::to_string(&inner).ok());
        }
        return (0, None);
    }
    redact_query(s)
}

/// Redacts the values of secret query parameters of a URL-like string.
fn redact_query(s: &str) -> (usize, Option<String>) {
    // `?` and `#` are ASCII: their byte offsets are char boundaries.
    let Some(q) = s.find('?') else {
        return (0, None);
    };
    if !s.contains("://") && !s.starts_with('/') {
        return (0, None);
    }
    let (head, query) = s.split_at(q + 1);
    let (query, fragment) = match query.find('#') {
        Some(h) => query.split_at(h),
        None => (query, ""),
    };
    let mut n = 0;
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if is_secret_key(k) && v != REDACTED => {
                n += 1;
                format!("{k}={REDACTED}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    if n == 0 {
        return (0, None);
    }
    (n, Some(format!("{head}{}{fragment}", parts.join("&"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    /// The rule as first written (fold into a `String`, one substring search per word): the
    /// one-pass matcher must agree with it on every name.
    fn reference_is_secret_key(name: &str) -> bool {
        let folded = fold_key(name);
        if folded.is_empty() {
            return false;
        }
        let hit = SECRET_WORDS.iter().any(|w| folded.contains(w))
            || folded.starts_with("pcode")
            || folded == "pin"
            || (folded.len() > 3 && folded.ends_with("pin") && !folded.ends_with("spin"))
            || (folded.contains("live")
                && ["url", "uri", "link", "addr"]
                    .iter()
                    .any(|w| folded.contains(w)))
            || ((folded.ends_with("url") || folded.ends_with("uri"))
                && ["join", "host", "call"].iter().any(|w| folded.contains(w)));
        hit && !is_switch(&folded)
    }

    proptest::proptest! {
        #[test]
        fn secret_key_matches_the_reference(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(SECRET_WORDS.to_vec()).prop_map(str::to_owned),
                    proptest::sample::select(vec![
                        "open", "is", "has", "type", "enabled", "live", "url", "addr", "pin",
                        "spin", "PCode", "Host", "_", "-", ".", " ", "密", "码", "É", "ß",
                    ]).prop_map(str::to_owned),
                    "[a-zA-Z0-9_. -]{0,6}",
                    "\\PC{0,3}",
                ],
                0..6,
            ),
        ) {
            let name: String = parts.concat();
            proptest::prop_assert_eq!(is_secret_key(&name), reference_is_secret_key(&name), "{}", name);
            let long = name.repeat(9);
            proptest::prop_assert_eq!(is_secret_key(&long), reference_is_secret_key(&long), "{}", long);
        }
    }

    #[test]
    fn hostile_key_spellings() {
        for yes in [
            "pcode1",
            "PCODE2",
            "p_code_1",
            "hostJoinUrl",
            "host_join_url",
            "HOST-JOIN-URL",
            "hostjoinurl",
            "livePullUrl",
            "livePullURL",
            "live_pull_url",
            "liveStreamAddress",
            "livePullPwd",
            "wcallurl",
            "WCallUrl",
            "webRTCUrl",
            "web_rtc_url",
            "attendeeJoinUrl",
            "join_url",
            "joinLink",
            "start_url",
            "eventWatchword",
            "watchword",
            "WATCH_WORD",
            "passphrase",
            "meetingPassword",
            "user-password",
            "Passwd",
            "pwd",
            "hostPin",
            "pin",
            "token",
            "access_token",
            "X-Auth-Token",
            "api_key",
            "apiKey",
            "api_secret",
            "client.secret",
            "Authorization",
            "cookie",
            "hostKey",
            "rtmpUrl",
            "pushUrl",
            "openToken",
            "isvSecret",
            "hasAccessKey",
            "会议密码",
            "入会口令",
        ] {
            assert!(is_secret_key(yes), "{yes}");
        }
        for no in [
            "",
            "title",
            "hostName",
            "hostEmail",
            "hostMobile",
            "zipcode",
            "openWatchword",
            "joinLogin",
            "joinConfTags",
            "joinConfSelTag",
            "isSecureConf",
            "tokenType",
            "passwordEnabled",
            "needPassword",
            "isPwd",
            "key",
            "status",
            "live",
            "liveStatus",
            "spin",
            "DeviceName",
            "participants",
            "billingCode",
        ] {
            assert!(!is_secret_key(no), "{no}");
        }
    }

    #[test]
    fn nested_and_stringified_secrets() {
        let mut v = serde_json::json!({
            "a": {"b": [{"Host_Join_URL": "x", "keep": 1}]},
            "s": "{\"x\":{\"pcode1\":\"1\"},\"y\":\"[{\\\"token\\\":\\\"t\\\"}]\"}",
            "not_json": "{oops",
            "url": "https://x/y?a=1&pwd=2#frag",
            "plain": "https://x/y?a=1",
        });
        let mut stripped = v.clone();
        assert_eq!(redact_secrets(&mut v), 4);
        assert_eq!(v["a"]["b"][0]["Host_Join_URL"], REDACTED);
        assert_eq!(v["a"]["b"][0]["keep"], 1);
        let s: Value = serde_json::from_str(v["s"].as_str().unwrap()).unwrap();
        assert_eq!(s["x"]["pcode1"], REDACTED);
        let y: Value = serde_json::from_str(s["y"].as_str().unwrap()).unwrap();
        assert_eq!(y[0]["token"], REDACTED);
        assert_eq!(v["not_json"], "{oops");
        assert_eq!(v["url"], "https://x/y?a=1&pwd=[redacted]#frag");
        assert_eq!(v["plain"], "https://x/y?a=1");
        // Idempotent.
        assert_eq!(redact_secrets(&mut v), 0);

        assert_eq!(strip_secrets(&mut stripped), 4);
        assert!(stripped["a"]["b"][0].get("Host_Join_URL").is_none());
        let s: Value = serde_json::from_str(stripped["s"].as_str().unwrap()).unwrap();
        assert_eq!(s["x"], serde_json::json!({}));
        assert!(!stripped.to_string().contains("\\\"t\\\""));
    }
}
