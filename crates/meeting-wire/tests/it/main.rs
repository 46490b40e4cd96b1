//! Integration tests of the macros, as a downstream crate uses them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use meeting_wire::{Flag, Id, Secret, diff::diff, from_slice, open_enum, wire_object};
use proptest::prelude::*;
use serde_json::{Value, json};

open_enum! {
    /// A string code.
    pub enum Kind: str {
        /// a
        A = "a",
        /// b
        B = "b-b",
    }
}

open_enum! {
    /// An integer code.
    pub enum Level: i64 {
        /// low
        Low = 0,
        /// high
        High = 4,
    }
}

wire_object! {
    /// Inner.
    pub struct Inner {
        /// A number.
        "n" => n: u32,
    }
}

wire_object! {
    /// Outer.
    pub struct Outer {
        /// An id.
        "id" => id: Id,
        /// A list.
        "items" => items: Vec<Inner>,
        /// A code.
        "kind" => kind: Kind,
        /// A level.
        "level" => level: Level,
        /// A flag.
        "on" => on: Flag,
        /// A secret.
        "pw" => pw: Secret,
    }
}

fn round_trip(json: &Value) -> Value {
    let bytes = serde_json::to_vec(json).unwrap();
    let parsed: Outer = from_slice(&bytes).unwrap();
    serde_json::to_value(&parsed).unwrap()
}

#[test]
fn typed_unknown_and_null_fields_round_trip() {
    let doc = json!({
        "id": "007", "items": [{"n": 1, "x": [true]}, {"n": null}], "kind": "zzz",
        "level": 4, "on": 1, "pw": "s3cret", "other": {"deep": [1, 2.5, null]}
    });
    assert_eq!(diff(&doc, &round_trip(&doc)), Vec::<String>::new());
    let parsed: Outer = serde_json::from_value(doc).unwrap();
    assert_eq!(parsed.kind, Some(Kind::Unknown("zzz".into())));
    assert_eq!(parsed.level, Some(Level::High));
    assert!(parsed.on.unwrap().is_set());
    assert_eq!(parsed.items.as_ref().unwrap()[1].n, None);
    assert!(!format!("{parsed:?}").contains("s3cret"));
}

#[test]
fn a_typed_field_set_after_a_null_is_written_once() {
    let mut parsed: Outer = serde_json::from_value(json!({"id": null})).unwrap();
    parsed.id = Some(Id::number(5));
    assert_eq!(serde_json::to_value(&parsed).unwrap(), json!({"id": 5}));
}

#[test]
fn errors_name_the_nested_path() {
    let err = from_slice::<Outer>(br#"{"items": [{"n": 1}, {"n": "two"}]}"#).unwrap_err();
    assert_eq!(err.path(), "items[1].n");
    let err = from_slice::<Outer>(br#"{"level": "4"}"#).unwrap_err();
    assert_eq!(err.path(), "level");
    assert!(err.message().contains("an integer code (Level)"), "{err}");
    let err = from_slice::<Outer>(br#"[1]"#).unwrap_err();
    assert!(err.message().contains("a JSON object (Outer)"), "{err}");
}

#[test]
fn every_known_code_maps_both_ways() {
    for k in Kind::ALL_KNOWN {
        assert_eq!(&Kind::from(k.code()), k);
        assert!(k.is_known());
    }
    for l in Level::ALL_KNOWN {
        assert_eq!(&Level::from(l.code()), l);
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e15f64..1e15).prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}|id|items|kind|level|on|pw", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn unknown_values_round_trip(s in ".*", n in any::<i64>()) {
        let k: Kind = serde_json::from_value(Value::String(s.clone())).unwrap();
        prop_assert_eq!(serde_json::to_value(&k).unwrap(), Value::String(s));
        let l: Level = serde_json::from_value(Value::from(n)).unwrap();
        prop_assert_eq!(serde_json::to_value(l).unwrap(), Value::from(n));
    }

    #[test]
    fn any_json_either_parses_losslessly_or_errors(doc in arb_json()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        if let Ok(parsed) = from_slice::<Outer>(&bytes) {
            let back = serde_json::to_value(&parsed).unwrap();
            prop_assert!(diff(&doc, &back).is_empty(), "{:?}", diff(&doc, &back));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = from_slice::<Outer>(&bytes);
    }
}
