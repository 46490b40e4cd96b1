//! Differences between two JSON values, by key path.
//!
//! Used by the round-trip tests of the model crates ("parse, serialise back, diff"), and
//! useful to anyone checking that a saved response survives a parse.

use serde_json::Value;

/// Every difference between `expected` and `actual`, one line each, named by key path
/// (`data.meetings[0].duration: expected 120, got "120"`). Empty when they are equal.
///
/// ```
/// use serde_json::json;
/// let d = meeting_wire::diff::diff(&json!({"a": [1, 2]}), &json!({"a": [1, 3], "b": null}));
/// assert_eq!(d, vec!["a[1]: expected 2, got 3", "b: unexpected, got null"]);
/// ```
pub fn diff(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(&mut String::new(), expected, actual, &mut out);
    out
}

fn walk(path: &mut String, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let len = path.len();
                push_key(path, k);
                match a.get(k) {
                    Some(av) => walk(path, ev, av, out),
                    None => out.push(format!("{path}: missing, expected {ev}")),
                }
                path.truncate(len);
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    let len = path.len();
                    push_key(path, k);
                    out.push(format!("{path}: unexpected, got {av}"));
                    path.truncate(len);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(path, ev, av, out);
                path.truncate(len);
            }
        }
        (e, a) if e == a => {}
        (e, a) => {
            let at = if path.is_empty() { "(root)" } else { path };
            out.push(format!("{at}: expected {e}, got {a}"));
        }
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}
