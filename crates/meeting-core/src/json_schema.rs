//! The JSON Schema of the neutral schema, and a small validator for it.
//!
//! [`meeting_schema`] generates the schema of [`Meeting`](crate::Meeting) with `schemars`
//! (draft 2020-12); the repository commits it as `schema/meeting.v1.json` and a test checks
//! that the committed file is current.
//!
//! No JSON Schema validator crate is a dependency, so [`validate`] is a small one, for the
//! subset this schema uses: `type` (a name or a list of names), `required`, `properties`,
//! `additionalProperties` (a boolean or a schema), `propertyNames`, `enum`, `const`, `items`, `$ref` to
//! `#/$defs/...`, `anyOf`, `oneOf`, `allOf`, `minimum`, `maximum`, `format: date-time` (RFC 3339) and `pattern` (a
//! restricted form: only the decimal-amount pattern the schema uses is understood; other
//! patterns are not checked). Annotations (`title`, `description`, other formats, `default`,
//! `$schema`) are ignored, and so is any other keyword.

use serde_json::Value;

/// The JSON Schema of a neutral [`Meeting`](crate::Meeting), as a JSON value.
///
/// ```
/// let schema = meeting_core::json_schema::meeting_schema();
/// assert_eq!(schema["title"], "Meeting");
/// assert!(schema["required"].as_array().unwrap().iter().any(|f| f == "key"));
/// ```
pub fn meeting_schema() -> Value {
    let schema = schemars::schema_for!(crate::Meeting);
    let mut value = serde_json::to_value(&schema).unwrap_or(Value::Null);
    // `vendor_extra` is keyed by source name: say so (schemars does not for map keys).
    if let Some(Value::Object(extra)) = value.pointer_mut("/properties/vendor_extra") {
        extra.insert(
            String::from("propertyNames"),
            serde_json::json!({"$ref": "#/$defs/Source"}),
        );
    }
    value
}

/// The schema as pretty JSON text with a trailing newline (the committed file's form).
pub fn meeting_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&meeting_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// Validates `value` against `schema` (see the module docs for the keywords understood).
///
/// Returns every violation found, each as `"<json path>: <what is wrong>"`; empty when valid.
///
/// ```
/// use meeting_core::json_schema::{meeting_schema, validate};
/// let schema = meeting_schema();
/// let good = serde_json::json!({"schema_version": 1, "vendor": "systec",
///     "sources": ["systec.reports"], "key": "systec:stub:1", "status": "unknown"});
/// assert!(validate(&schema, &good).is_empty());
/// // Unknown fields are allowed (later versions add fields); an unknown vendor is not.
/// let bad = serde_json::json!({"schema_version": 1, "vendor": "zoom", "sources": [],
///     "key": "k", "status": "unknown", "colour": "red"});
/// assert_eq!(validate(&schema, &bad).len(), 1);
/// ```
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, value, "$", &mut errors);
    errors
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => true,
    }
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let path = reference.strip_prefix("#")?;
    if path.is_empty() {
        return Some(root);
    }
    root.pointer(path)
}

/// The decimal-amount pattern: `^-?[0-9]+(\.[0-9]+)?$`.
fn decimal_text(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

fn check(root: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let obj = match schema {
        Value::Bool(true) => return,
        Value::Bool(false) => {
            errors.push(format!("{path}: no value is allowed here"));
            return;
        }
        Value::Object(o) => o,
        _ => return,
    };
    if let Some(Value::String(r)) = obj.get("$ref") {
        match resolve(root, r) {
            Some(target) => check(root, target, value, path, errors),
            None => errors.push(format!("{path}: unresolvable $ref {r}")),
        }
    }
    if let Some(t) = obj.get("type") {
        let ok = match t {
            Value::String(name) => type_matches(name, value),
            Value::Array(names) => names
                .iter()
                .any(|n| n.as_str().is_some_and(|n| type_matches(n, value))),
            _ => true,
        };
        if !ok {
            errors.push(format!("{path}: expected type {t}, found {value}"));
            return;
        }
    }
    if let Some(Value::Array(options)) = obj.get("enum")
        && !options.contains(value)
    {
        errors.push(format!(
            "{path}: {value} is not one of {}",
            Value::Array(options.clone())
        ));
    }
    if let Some(c) = obj.get("const")
        && c != value
    {
        errors.push(format!("{path}: expected {c}, found {value}"));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = obj.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            errors.push(format!("{path}: {n} is below the minimum {min}"));
        }
        if let Some(max) = obj.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            errors.push(format!("{path}: {n} is above the maximum {max}"));
        }
    }
    if let (Some(Value::String(f)), Value::String(s)) = (obj.get("format"), value)
        && f == "date-time"
        && chrono::DateTime::parse_from_rfc3339(s).is_err()
    {
        errors.push(format!("{path}: `{s}` is not an RFC 3339 date-time"));
    }
    if let (Some(Value::String(p)), Value::String(s)) = (obj.get("pattern"), value)
        && p == r"^-?[0-9]+(\.[0-9]+)?$"
        && !decimal_text(s)
    {
        errors.push(format!("{path}: `{s}` does not match {p}"));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = obj.get(key) {
            let passing = subs
                .iter()
                .filter(|s| {
                    let mut e = Vec::new();
                    check(root, s, value, path, &mut e);
                    e.is_empty()
                })
                .count();
            let ok = if key == "anyOf" {
                passing >= 1
            } else {
                passing == 1
            };
            if !ok {
                errors.push(format!("{path}: {passing} of the {key} alternatives match"));
            }
        }
    }
    if let Some(Value::Array(subs)) = obj.get("allOf") {
        for s in subs {
            check(root, s, value, path, errors);
        }
    }
    if let Value::Object(map) = value {
        if let Some(Value::Array(required)) = obj.get("required") {
            for r in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    errors.push(format!("{path}: missing required `{r}`"));
                }
            }
        }
        if let Some(names) = obj.get("propertyNames") {
            for k in map.keys() {
                check(
                    root,
                    names,
                    &Value::String(k.clone()),
                    &format!("{path}.{k}"),
                    errors,
                );
            }
        }
        let props = obj.get("properties").and_then(Value::as_object);
        for (k, v) in map {
            let child = format!("{path}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(root, s, v, &child, errors),
                None => match obj.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        errors.push(format!("{path}: unexpected property `{k}`"));
                    }
                    Some(s @ Value::Object(_)) => check(root, s, v, &child, errors),
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, obj.get("items")) {
        for (i, v) in items.iter().enumerate() {
            check(root, item_schema, v, &format!("{path}[{i}]"), errors);
        }
    }
}
