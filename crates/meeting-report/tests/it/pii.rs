//! The PII and terminal-text primitives (`meeting_report::pii`) and the secret-key rule
//! (`meeting_wire::secret_key`): properties over arbitrary
//! text and JSON — never a panic, idempotent where it should be, nothing left unmasked.

use meeting_report::pii::{
    Pseudonymizer, escape_control, mask_email, mask_ip, mask_phone, mask_text, neutralize_formula,
};
use meeting_wire::secret_key::{REDACTED, is_secret_key, redact_secrets, strip_secrets};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::borrow::Cow;

/// Text made of the pieces that matter: digits, separators, CJK, `@`, controls, emoji.
fn arb_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[0-9]{1,12}",
            2 => prop::sample::select(vec![
                " ", "-", "+", "+86", "86", "0086", "@", ".", "(", ")", ":", "张三", "电话",
                "a", "mail", "example.com", "\u{1b}[31m", "\u{7}", "\r", "\n", "\t",
                "\u{202e}", "\u{9b}", "🎉", "=", "'", "*", "\u{0}",
            ])
            .prop_map(str::to_owned),
            1 => any::<char>().prop_map(String::from),
        ],
        0..16,
    )
    .prop_map(|v| v.concat())
}

/// A Chinese mobile number.
fn arb_mobile() -> impl Strategy<Value = String> {
    (3u8..=9, 0u64..1_000_000_000).prop_map(|(second, rest)| format!("1{second}{rest:09}"))
}

/// Keys: documented secret names in hostile spellings, and harmless ones.
fn arb_key() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "pcode1",
        "hostJoinUrl",
        "livePullUrl",
        "eventWatchword",
        "apiSecret",
        "token",
        "password",
        "title",
        "name",
        "status",
        "openWatchword",
        "zipcode",
        "labels",
    ]);
    (names, any::<u8>()).prop_map(|(n, style)| match style % 4 {
        0 => n.to_owned(),
        1 => n.to_ascii_uppercase(),
        2 => n
            .chars()
            .flat_map(|c| {
                if c.is_ascii_uppercase() {
                    vec!['_', c.to_ascii_lowercase()]
                } else {
                    vec![c]
                }
            })
            .collect(),
        _ => n.replace('o', "o-"),
    })
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        "[a-z0-9?=&:/]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(), inner.clone(), 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            // JSON held in a string.
            prop::collection::btree_map(arb_key(), inner, 0..3)
                .prop_map(|m| Value::String(Value::Object(m.into_iter().collect()).to_string())),
        ]
    })
}

/// Whether any secret key is left, at any depth, JSON in strings included.
fn has_secret_key(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| (is_secret_key(k) && v.as_str() != Some(REDACTED)) || has_secret_key(v)),
        Value::Array(a) => a.iter().any(has_secret_key),
        Value::String(s) => serde_json::from_str::<Value>(s)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
            .is_some_and(|v| has_secret_key(&v)),
        _ => false,
    }
}

fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn mask_text_is_total_and_idempotent(text in arb_text()) {
        let once = mask_text(&text).into_owned();
        prop_assert_eq!(&mask_text(&once).into_owned(), &once);
        if once == text {
            prop_assert!(matches!(mask_text(&text), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn mobiles_in_text_never_survive(
        before in prop::sample::select(vec!["", "张三(", "电话用户", "call ", "tel:", "+86 ", "86", "0086"]),
        mobile in arb_mobile(),
        after in prop::sample::select(vec!["", ")", " 会议", ",", "。"]),
    ) {
        let text = format!("{before}{mobile}{after}");
        let masked = mask_text(&text);
        prop_assert!(!masked.contains(&mobile), "{} -> {}", text, masked);
        prop_assert!(masked.contains(&format!("****{}", &mobile[7..])), "{} -> {}", text, masked);
    }

    #[test]
    fn emails_in_text_keep_only_the_domain(user in "[a-z][a-z0-9._]{0,8}[a-z0-9]", domain in "[a-z]{1,8}\\.(com|cn|org)") {
        let text = format!("联系 {user}@{domain} 谢谢");
        let masked = mask_text(&text);
        prop_assert_eq!(masked.as_ref(), format!("联系 ***@{domain} 谢谢"));
    }

    #[test]
    fn maskers_are_total(text in arb_text()) {
        let p = mask_phone(&text);
        prop_assert!(p.starts_with('+') || p.starts_with("****"));
        prop_assert!(p.chars().filter(char::is_ascii_digit).count() <= 7);
        let _ = mask_ip(&text);
        let e = mask_email(&text);
        prop_assert!(e.starts_with("***"));
    }

    #[test]
    fn ipv4_keeps_two_octets(a: u8, b: u8, c: u8, d: u8) {
        prop_assert_eq!(mask_ip(&format!("{a}.{b}.{c}.{d}")), format!("{a}.{b}.*.*"));
    }

    #[test]
    fn escape_control_leaves_nothing_dangerous(text in arb_text()) {
        let once = escape_control(&text);
        prop_assert!(!once.chars().any(is_dangerous), "{:?}", once);
        let twice = escape_control(&once).into_owned();
        prop_assert_eq!(twice.as_str(), once.as_ref());
        if !text.chars().any(is_dangerous) {
            prop_assert!(matches!(once, Cow::Borrowed(_)));
        }
    }

    #[test]
    fn neutralize_formula_is_idempotent(text in arb_text()) {
        let once = neutralize_formula(&text);
        prop_assert!(!once.starts_with(['=', '+', '-', '@', '\t', '\r']));
        let twice = neutralize_formula(&once).into_owned();
        prop_assert_eq!(twice.as_str(), once.as_ref());
    }

    #[test]
    fn secrets_are_gone_after_redacting_or_stripping(v in arb_json()) {
        let mut redacted = v.clone();
        redact_secrets(&mut redacted);
        prop_assert!(!has_secret_key(&redacted), "{}", redacted);
        prop_assert_eq!(redact_secrets(&mut redacted.clone()), 0);
        let mut stripped = v;
        strip_secrets(&mut stripped);
        prop_assert!(!has_secret_key(&stripped), "{}", stripped);
        prop_assert_eq!(strip_secrets(&mut stripped.clone()), 0);
    }

    #[test]
    fn pseudonyms_are_stable_per_key(name in ".{0,12}", key: [u8; 16]) {
        let p = Pseudonymizer::with_key(key);
        let a = p.person(&name);
        prop_assert_eq!(&a, &Pseudonymizer::with_key(key).person(name.trim()));
        prop_assert_eq!(a.len(), "person-".len() + 10);
        let debug = format!("{p:?}");
        let shown = format!("{key:?}");
        prop_assert!(!debug.contains(&shown));
    }
}

#[test]
fn redaction_keeps_what_is_not_secret() {
    let mut v = json!({"title": "周会", "openWatchword": 1, "labels": "[\"a\"]", "n": 3});
    let before = v.clone();
    assert_eq!(redact_secrets(&mut v), 0);
    assert_eq!(strip_secrets(&mut v), 0);
    assert_eq!(v, before);
}
