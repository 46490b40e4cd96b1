//! Money: the telephony `total`, exact from the wire text.

use rust_decimal::Decimal;
use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Error as _, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;

/// The largest mantissa a [`Decimal`] holds: 2^96 − 1.
const MAX_MANTISSA: u128 = (1u128 << 96) - 1;
/// The largest scale (fractional digits) a [`Decimal`] holds.
const MAX_SCALE: u32 = 28;

/// An amount of money in yuan (CNY) as `detail`'s `telephony_usage[].total` sends it:
/// a JSON number such as `0.12`.
///
/// The amount is an exact [`Decimal`] read from the number's own text on the wire (through
/// serde_json's `RawValue`, never through `f64`): `0.12` is 0.12, `18446744073709551616` is
/// that integer, `1.5e3` is 1500. A number a `Decimal` cannot hold exactly (more than 28
/// fractional digits that are not trailing zeros, a mantissa beyond 96 bits, `1e-400`) is an
/// error naming the text, and — through the parsers' located errors — the field's JSON path;
/// it is never rounded.
///
/// The vendor documents a number; a numeric string (`"0.12"`) is accepted too, as a
/// tolerance. Either way the layout of the wire text (digits after the point, exponent as
/// written, quotes) is kept beside the amount, so the value is serialised back byte for
/// byte (`0.10` stays `0.10`, `1.5E+03` stays `1.5E+03`): to serde_json as the number's
/// raw text; other serialisers see serde_json's raw-value struct. `Yuan` stays `Copy`. An
/// exponent written with more than 9 digits is refused.
///
/// Deserialising works with serde_json's own deserializers (`from_slice`, `from_str`,
/// `from_reader`, `from_value`, and through `serde_path_to_error`), not inside
/// `#[serde(flatten)]` or untagged enums, which buffer values and lose the text.
///
/// ```
/// use systec_model::Yuan;
/// use rust_decimal::Decimal;
/// let a: Yuan = serde_json::from_str("0.1")?;
/// let b: Yuan = serde_json::from_str("0.2")?;
/// assert_eq!(a.amount() + b.amount(), Decimal::new(3, 1)); // 0.3, exactly
/// let big: Yuan = serde_json::from_str("18446744073709551616")?;
/// assert_eq!(big.amount().to_string(), "18446744073709551616");
/// assert_eq!(serde_json::to_string(&big)?, "18446744073709551616");
/// assert!(serde_json::from_str::<Yuan>("1e-400").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Yuan {
    amount: Decimal,
    /// How the wire wrote it: with the exact amount, enough to write the same text back.
    form: Form,
}

/// The layout of a number's wire text, apart from its value: `-`, the count of digits
/// after the point, the exponent as written, and whether it came as a JSON string. With
/// the exact amount it gives back the text byte for byte (`0.10`, `1.5E+03`, `"0.30"`).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Form {
    quoted: bool,
    negative: bool,
    frac_len: u32,
    exp: Option<Exponent>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Exponent {
    upper: bool,
    sign: ExpSign,
    /// The exponent's absolute value.
    value: u32,
    /// How many digits it was written with (leading zeros included).
    width: u8,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpSign {
    None,
    Plus,
    Minus,
}

impl Form {
    /// The wire text of `amount` in this form.
    fn render(&self, amount: Decimal) -> String {
        let m = amount.mantissa().unsigned_abs();
        let exp = self.exp.map_or(0, |e| match e.sign {
            ExpSign::Minus => -i64::from(e.value),
            _ => i64::from(e.value),
        });
        // The digits as written (point and exponent removed) are m × 10^k.
        let k = i64::from(self.frac_len) - exp - i64::from(amount.scale());
        let mut digits = m.to_string();
        if m == 0 {
            digits = String::from("0");
        } else if k >= 0 {
            digits.extend(std::iter::repeat_n('0', usize::try_from(k).unwrap_or(0)));
        } else {
            let cut = usize::try_from(-k)
                .unwrap_or(0)
                .min(digits.len().saturating_sub(1));
            digits.truncate(digits.len() - cut);
        }
        let frac_len = usize::try_from(self.frac_len).unwrap_or(0);
        let mut out = String::with_capacity(digits.len() + frac_len + 8);
        if self.quoted {
            out.push('"');
        }
        if self.negative {
            out.push('-');
        }
        if digits.len() <= frac_len {
            out.push('0');
            if frac_len > 0 {
                out.push('.');
                out.extend(std::iter::repeat_n('0', frac_len - digits.len()));
                out.push_str(&digits);
            }
        } else {
            let (int, frac) = digits.split_at(digits.len() - frac_len);
            out.push_str(int);
            if frac_len > 0 {
                out.push('.');
                out.push_str(frac);
            }
        }
        if let Some(e) = self.exp {
            out.push(if e.upper { 'E' } else { 'e' });
            match e.sign {
                ExpSign::None => {}
                ExpSign::Plus => out.push('+'),
                ExpSign::Minus => out.push('-'),
            }
            out.push_str(&format!(
                "{:0width$}",
                e.value,
                width = usize::from(e.width)
            ));
        }
        if self.quoted {
            out.push('"');
        }
        out
    }
}

impl Yuan {
    /// The exact amount, in yuan.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The text as it came on the wire (a JSON number like `0.12`, or a JSON string holding
    /// one, quotes included), rebuilt exactly from the amount and the form it was written in.
    pub fn wire_text(&self) -> String {
        self.form.render(self.amount)
    }

    /// The currency: always `CNY` (the doc: 单位元).
    pub const CURRENCY: &'static str = "CNY";

    /// An amount that will be sent as a JSON number in its shortest exact text, trailing
    /// zeros dropped (`Decimal::new(30, 2)` is sent as `0.3`), as the vendor's float form
    /// does; [`Yuan::amount`] gives back that same normalised decimal.
    ///
    /// # Errors
    /// Never for a finite decimal; kept fallible so that the wire form can change.
    pub fn from_decimal(amount: Decimal) -> Result<Self, MoneyError> {
        let amount = amount.normalize();
        Ok(Yuan {
            amount,
            form: Form {
                negative: amount.is_sign_negative(),
                frac_len: amount.scale(),
                ..Form::default()
            },
        })
    }

    /// Reads an amount from its wire text: a JSON number (`0.12`, `-1`, `1.5E+3`) or a JSON
    /// string holding one (`"0.12"`), kept verbatim for serialising back.
    ///
    /// # Errors
    /// When the text is neither, or its value has no exact `Decimal`.
    pub fn from_wire_text(text: &str) -> Result<Self, MoneyError> {
        let (amount, form) = if text.starts_with('"') {
            // Only a plain string: no escapes, so the text is rebuilt exactly.
            let inner = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|t| !t.contains(['"', '\\']))
                .ok_or_else(|| {
                    MoneyError::new(text, "is not a plain JSON string holding a number")
                })?;
            let (amount, form) = parse_exact(inner).map_err(|why| MoneyError::new(text, why))?;
            (
                amount,
                Form {
                    quoted: true,
                    ..form
                },
            )
        } else {
            parse_exact(text).map_err(|why| MoneyError::new(text, why))?
        };
        Ok(Yuan { amount, form })
    }
}

/// A money value that is not a number, or cannot be represented exactly by a decimal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("money amount `{text}` {why}")]
pub struct MoneyError {
    text: String,
    why: &'static str,
}

impl MoneyError {
    fn new(text: impl Into<String>, why: &'static str) -> Self {
        let mut text: String = text.into();
        if text.len() > 80 {
            let mut cut = 60;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("...");
        }
        MoneyError { text, why }
    }

    /// The offending text (shortened past 80 bytes).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Parses the JSON number grammar (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`) into an
/// exact [`Decimal`], or says why it cannot. Work is linear in the text; no rounding.
fn parse_exact(text: &str) -> Result<(Decimal, Form), &'static str> {
    const NOT_A_NUMBER: &str = "is not a number (expected a decimal like 0.12)";
    const INEXACT: &str = "cannot be held exactly by a decimal (at most 28 fractional digits and a 96-bit mantissa): refusing to round";
    let b = text.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = b.get(int_start..i).unwrap_or_default();
    if int_digits.is_empty() || (int_digits.len() > 1 && int_digits.first() == Some(&b'0')) {
        return Err(NOT_A_NUMBER);
    }
    let mut frac_digits: &[u8] = &[];
    if b.get(i) == Some(&b'.') {
        i += 1;
        let s = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_digits = b.get(s..i).unwrap_or_default();
        if frac_digits.is_empty() {
            return Err(NOT_A_NUMBER);
        }
    }
    // The exponent: at most 9 digits (leading zeros included), so it is kept exactly.
    let mut exp: i64 = 0;
    let mut exponent = None;
    if let Some(&marker) = b.get(i).filter(|c| matches!(c, b'e' | b'E')) {
        i += 1;
        let sign = match b.get(i) {
            Some(b'-') => {
                i += 1;
                ExpSign::Minus
            }
            Some(b'+') => {
                i += 1;
                ExpSign::Plus
            }
            _ => ExpSign::None,
        };
        let s = i;
        let mut value: u32 = 0;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            if i - s >= 9 {
                return Err("has an exponent of more than 9 digits");
            }
            value = value * 10 + u32::from(d - b'0');
            i += 1;
        }
        if i == s {
            return Err(NOT_A_NUMBER);
        }
        exp = if sign == ExpSign::Minus {
            -i64::from(value)
        } else {
            i64::from(value)
        };
        exponent = Some(Exponent {
            upper: marker == b'E',
            sign,
            value,
            width: u8::try_from(i - s).unwrap_or(9),
        });
    }
    if i != b.len() {
        return Err(NOT_A_NUMBER);
    }
    let form = Form {
        quoted: false,
        negative,
        frac_len: u32::try_from(frac_digits.len()).map_err(|_| INEXACT)?,
        exp: exponent,
    };
    // value = digits × 10^(−scale), digits = int ++ frac without leading zeros.
    let all = int_digits.iter().chain(frac_digits).copied();
    let significant: Vec<u8> = all.skip_while(|&d| d == b'0').collect();
    let frac_len = i64::try_from(frac_digits.len()).map_err(|_| INEXACT)?;
    let mut scale = frac_len - exp;
    let mut digits: &[u8] = &significant;
    if digits.is_empty() {
        // Zero, whatever the exponent: keep the scale where a decimal can.
        let scale = u32::try_from(scale.clamp(0, i64::from(MAX_SCALE))).unwrap_or(0);
        let mut zero = Decimal::ZERO;
        zero.set_sign_negative(negative);
        zero.rescale(scale);
        return Ok((zero, form));
    }
    // Trailing zeros can go while the scale is too large (0.1000…0 with 40 zeros is 0.1).
    while scale > i64::from(MAX_SCALE) && digits.last() == Some(&b'0') {
        digits = digits.get(..digits.len() - 1).unwrap_or_default();
        scale -= 1;
    }
    if scale > i64::from(MAX_SCALE) {
        return Err(INEXACT);
    }
    // A negative scale is a power of ten to multiply by.
    let zeros = usize::try_from((-scale).max(0)).map_err(|_| INEXACT)?;
    if digits.len() + zeros > 29 {
        return Err(INEXACT);
    }
    let mut mantissa: u128 = 0;
    for &d in digits {
        mantissa = mantissa * 10 + u128::from(d - b'0');
    }
    for _ in 0..zeros {
        mantissa *= 10;
    }
    if mantissa > MAX_MANTISSA {
        return Err(INEXACT);
    }
    let scale = u32::try_from(scale.max(0)).map_err(|_| INEXACT)?;
    let signed = i128::try_from(mantissa).map_err(|_| INEXACT)?;
    let signed = if negative { -signed } else { signed };
    let amount = Decimal::try_from_i128_with_scale(signed, scale).map_err(|_| INEXACT)?;
    Ok((amount, form))
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
        let raw = RawValue::from_string(self.wire_text()).map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Yuan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        if !(text.starts_with('"')
            || text.starts_with('-')
            || text.starts_with(|c: char| c.is_ascii_digit()))
        {
            let kind = match text.as_bytes().first() {
                Some(b't' | b'f') => format!("boolean `{text}`"),
                Some(b'[') => String::from("sequence"),
                Some(b'{') => String::from("map"),
                _ => String::from("null"),
            };
            return Err(D::Error::custom(format_args!(
                "invalid type: {kind}, expected an amount of money (a number like 0.12)"
            )));
        }
        Yuan::from_wire_text(text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_from_the_text() {
        for (json, text) in [
            ("0.12", "0.12"),
            ("0.1", "0.1"),
            ("1", "1"),
            ("1.0", "1.0"),
            ("123456.78", "123456.78"),
            ("\"0.06\"", "0.06"),
            ("18446744073709551616", "18446744073709551616"),
            ("1.5e3", "1500"),
            ("15E-1", "1.5"),
            ("-0.5", "-0.5"),
            ("0e-400", "0.0000000000000000000000000000"),
            (
                "1.00000000000000000000000000000000000",
                "1.0000000000000000000000000000",
            ),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
        ] {
            let y: Yuan = serde_json::from_str(json).unwrap();
            assert_eq!(y.amount().to_string(), text, "{json}");
            assert_eq!(serde_json::to_string(&y).unwrap(), json);
        }
        for bad in [
            "1e-400",
            "1e300",
            "79228162514264337593543950336",
            "0.12345678901234567890123456789",
            "\"abc\"",
            "\" 1\"",
            "\"01\"",
            "true",
            "null",
        ] {
            assert!(serde_json::from_str::<Yuan>(bad).is_err(), "{bad}");
        }
    }
}
