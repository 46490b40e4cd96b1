//! Display width of text: East Asian wide and fullwidth characters (Chinese, Japanese,
//! Korean, fullwidth forms, most emoji) take two columns, everything else one (combining
//! marks and zero-width characters none). Used for spreadsheet column widths and to place
//! chart labels (the charting crate, without its font feature, would count bytes).

/// The width of `text` in columns of a monospaced Latin character (see the module docs).
///
/// ```
/// use meeting_report::report::display_width;
/// assert_eq!(display_width("room04"), 6);
/// assert_eq!(display_width("财务部"), 6);
/// assert_eq!(display_width("第3会议室"), 9);
/// ```
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = u32::from(c);
    if matches!(u, 0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F) || c.is_control() {
        return 0;
    }
    let wide = matches!(
        u,
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x2FFFD
            | 0x30000..=0x3FFFD
    );
    if wide { 2 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn between_chars_and_twice_chars(s in "\\PC{0,40}") {
            let w = display_width(&s);
            let n = s.chars().count();
            proptest::prop_assert!(w <= 2 * n);
        }

        #[test]
        fn cjk_is_two_ascii_is_one(a in "[a-zA-Z0-9 ]{0,20}", c in "[\u{4e00}-\u{9fa5}]{0,20}") {
            proptest::prop_assert_eq!(display_width(&format!("{a}{c}")), a.len() + 2 * c.chars().count());
        }
    }
}
