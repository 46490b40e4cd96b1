//! Money: the telephony `total`, exact.

use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An amount of money in yuan (CNY) as `detail`'s `telephony_usage[].total` sends it:
/// a JSON number such as `0.12`.
///
/// The amount is an exact [`Decimal`] built from the number's shortest round-trip text
/// (`0.12` is 0.12, never 0.11999999999999999556), so sums are exact. The wire form (integer,
/// float or a numeric string) is kept and serialised back unchanged.
///
/// ```
/// use systec_model::Yuan;
/// use rust_decimal::Decimal;
/// let a: Yuan = serde_json::from_str("0.1")?;
/// let b: Yuan = serde_json::from_str("0.2")?;
/// assert_eq!(a.amount() + b.amount(), Decimal::new(3, 1)); // 0.3, exactly
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Yuan {
    amount: Decimal,
    raw: Raw,
}

#[derive(Clone, Copy, PartialEq)]
enum Raw {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    /// Sent as a string; the text is the decimal's own rendering.
    Text,
}

impl Yuan {
    /// The exact amount, in yuan.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency: always `CNY` (the doc: 单位元).
    pub const CURRENCY: &'static str = "CNY";

    /// An amount that will be sent as a JSON number (float form, as the vendor does).
    ///
    /// # Errors
    /// When the amount has no exact `f64` twin whose shortest text gives it back.
    pub fn from_decimal(amount: Decimal) -> Result<Self, MoneyError> {
        let float: f64 = amount
            .to_string()
            .parse()
            .map_err(|_| MoneyError::range(&amount))?;
        let back = decimal_from_f64(float)?;
        if back == amount {
            Ok(Yuan {
                amount,
                raw: Raw::Float(float),
            })
        } else {
            Err(MoneyError::range(&amount))
        }
    }
}

/// A money value that cannot be represented exactly.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("money amount {0} is out of range or not exactly representable")]
pub struct MoneyError(String);

impl MoneyError {
    fn range(what: &dyn fmt::Display) -> Self {
        MoneyError(what.to_string())
    }
}

/// The exact decimal of an `f64`'s shortest round-trip text (Rust's `Display` for `f64` is
/// the shortest text that parses back to the same float, and never uses an exponent).
fn decimal_from_f64(v: f64) -> Result<Decimal, MoneyError> {
    if !v.is_finite() {
        return Err(MoneyError::range(&v));
    }
    let text = v.to_string();
    Decimal::from_str(&text)
        .map(|d| d.normalize())
        .map_err(|_| MoneyError::range(&v))
}

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.amount, f)
    }
}

impl fmt::Debug for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Yuan({})", self.amount)
    }
}

impl Serialize for Yuan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.raw {
            Raw::Unsigned(n) => serializer.serialize_u64(n),
            Raw::Signed(n) => serializer.serialize_i64(n),
            Raw::Float(f) => serializer.serialize_f64(f),
            Raw::Text => serializer.collect_str(&self.amount),
        }
    }
}

impl<'de> Deserialize<'de> for Yuan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Yuan;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of money (a number like 0.12)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Yuan, E> {
                Ok(Yuan {
                    amount: Decimal::from(v),
                    raw: Raw::Unsigned(v),
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Yuan, E> {
                Ok(Yuan {
                    amount: Decimal::from(v),
                    raw: Raw::Signed(v),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Yuan, E> {
                Ok(Yuan {
                    amount: decimal_from_f64(v).map_err(E::custom)?,
                    raw: Raw::Float(v),
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Yuan, E> {
                let amount = Decimal::from_str(v.trim())
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))?;
                // Keep the text form only where the decimal writes it back identically.
                if amount.to_string() == v {
                    Ok(Yuan {
                        amount,
                        raw: Raw::Text,
                    })
                } else {
                    Err(E::invalid_value(
                        de::Unexpected::Str(v),
                        &"a plain decimal string like \"0.12\"",
                    ))
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_from_floats() {
        for (json, text) in [
            ("0.12", "0.12"),
            ("0.1", "0.1"),
            ("1", "1"),
            ("1.0", "1"),
            ("123456.78", "123456.78"),
            ("\"0.06\"", "0.06"),
        ] {
            let y: Yuan = serde_json::from_str(json).unwrap();
            assert_eq!(y.amount().to_string(), text, "{json}");
            let back = serde_json::to_string(&y).unwrap();
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&back).unwrap(),
                serde_json::from_str::<serde_json::Value>(json).unwrap()
            );
        }
        assert!(serde_json::from_str::<Yuan>("1e300").is_err());
        assert!(serde_json::from_str::<Yuan>("\"abc\"").is_err());
    }
}
