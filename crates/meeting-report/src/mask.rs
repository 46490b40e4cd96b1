//! `--mask-pii`: phone numbers keep their last 4 digits, IP addresses their first octet
//! (IPv4) or group (IPv6), e-mail addresses their first letter and domain.
//!
//! Masking works on JSON values, so it applies the same way to neutral meetings (every
//! field, `vendor_extra` included) and to raw vendor bodies. E-mail and IP addresses are
//! recognised by their content anywhere; phone numbers by the field that holds them
//! (`number`, `phone_number`, any key naming a phone or mobile, and participant names that
//! are just a phone number), so meeting numbers are left alone.

use meeting_core::Meeting;
use serde_json::Value;

/// Masks a meeting in place (every field, `vendor_extra` included).
pub fn mask_meeting(m: &mut Meeting) {
    let Ok(mut value) = serde_json::to_value(&*m) else {
        return;
    };
    mask_value(None, &mut value);
    if let Ok(masked) = serde_json::from_value::<Meeting>(value) {
        *m = masked;
    }
}

/// Masks a JSON value in place.
pub fn mask_value(key: Option<&str>, value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(masked) = mask_text(key, s) {
                *s = masked;
            }
        }
        Value::Number(n) if key.is_some_and(is_phone_key) => {
            let text = n.to_string();
            if digit_count(&text) >= 5 {
                *value = Value::String(mask_phone(&text));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask_value(key, v)),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                mask_value(Some(k), v);
            }
        }
        _ => {}
    }
}

fn is_phone_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower == "number"
        || lower == "tel"
        || lower.ends_with("_tel")
        || ((lower.contains("phone") || lower.contains("mobile"))
            && !lower.contains("name")
            && !lower.contains("mail")
            && !lower.contains("count")
            && !lower.contains("cnt"))
}

fn digit_count(s: &str) -> usize {
    s.chars().filter(char::is_ascii_digit).count()
}

fn looks_like_phone(s: &str) -> bool {
    digit_count(s) >= 7
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
}

/// The masked text, or `None` when `s` is not personal data.
pub fn mask_text(key: Option<&str>, s: &str) -> Option<String> {
    let trimmed = s.trim();
    if let Some(m) = mask_email(trimmed) {
        return Some(m);
    }
    if let Ok(ip) = trimmed.parse::<std::net::IpAddr>() {
        return Some(mask_ip(ip));
    }
    let phone_key = key.is_some_and(is_phone_key);
    let name_key = key.is_some_and(|k| k.to_ascii_lowercase().contains("name"));
    if (phone_key && digit_count(trimmed) >= 5) || (name_key && looks_like_phone(trimmed)) {
        return Some(mask_phone(trimmed));
    }
    None
}

/// `+8613716819201` → `+*********9201`.
pub fn mask_phone(s: &str) -> String {
    let total = digit_count(s);
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 4 > total { c } else { '*' }
            } else {
                c
            }
        })
        .collect()
}

fn mask_ip(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => format!("{}.*.*.*", v4.octets()[0]),
        std::net::IpAddr::V6(v6) => format!("{:x}:*", v6.segments()[0]),
    }
}

/// `shareroom7@systec.com.cn` → `s***@systec.com.cn`.
fn mask_email(s: &str) -> Option<String> {
    let (local, domain) = s.split_once('@')?;
    if local.is_empty()
        || domain.is_empty()
        || !domain.contains('.')
        || s.chars().any(char::is_whitespace)
        || domain.contains('@')
    {
        return None;
    }
    let first = local.chars().next()?;
    Some(format!("{first}***@{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+8613716819201"), "+*********9201");
        assert_eq!(mask_text(None, "10.2.3.4").as_deref(), Some("10.*.*.*"));
        assert_eq!(mask_text(None, "2001:db8::1").as_deref(), Some("2001:*"));
        assert_eq!(
            mask_text(None, "shareroom7@systec.com.cn").as_deref(),
            Some("s***@systec.com.cn")
        );
        assert_eq!(mask_text(Some("meeting_number"), "1571106323"), None);
        assert_eq!(
            mask_text(Some("number"), "13716819201").as_deref(),
            Some("*******9201")
        );
        assert_eq!(mask_text(Some("topic"), "Weekly 1.2.3"), None);
    }
}
