//! Property tests: ids, times, durations, money, windows, and "no input panics".

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use systec_model::{
    LocalTime, UtcTime, VendorDuration, WireDate, Yuan, detail, his_meeting, month_windows, reports,
};

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (1970i32..2100, 1u32..=366).prop_filter_map("valid", |(y, d)| NaiveDate::from_yo_opt(y, d))
}

fn arb_datetime() -> impl Strategy<Value = NaiveDateTime> {
    (arb_date(), 0u32..86_400)
        .prop_map(|(d, s)| d.and_hms_opt(s / 3600, (s / 60) % 60, s % 60).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn utc_times_round_trip(t in arb_datetime()) {
        let text = t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let parsed: UtcTime = text.parse().unwrap();
        prop_assert_eq!(parsed.to_utc(), t.and_utc());
        prop_assert_eq!(parsed.to_string(), text);
        prop_assert!(parsed.non_canonical_text().is_none());
    }

    #[test]
    fn local_times_round_trip_padded_or_not(t in arb_datetime(), pad in any::<bool>()) {
        let text = if pad {
            t.format("%Y-%m-%d %H:%M:%S").to_string()
        } else {
            t.format("%Y-%-m-%-d %-H:%M:%S").to_string()
        };
        let parsed: LocalTime = text.parse().unwrap();
        prop_assert_eq!(parsed.naive(), t);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn dates_round_trip_padded_or_not(d in arb_date(), pad in any::<bool>()) {
        let text = if pad { d.format("%Y-%m-%d").to_string() } else { format!("{}-{}-{}", d.year(), d.month(), d.day()) };
        let parsed: WireDate = text.parse().unwrap();
        prop_assert_eq!(parsed.date(), d);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn any_text_never_panics_the_time_parsers(s in ".{0,40}") {
        let _ = s.parse::<UtcTime>();
        let _ = s.parse::<LocalTime>();
        let _ = s.parse::<WireDate>();
        let _ = VendorDuration::from_text(&s);
    }

    #[test]
    fn chinese_durations(h in 0u64..100, m in 0u64..60, s in 0u64..60) {
        let text = format!("{h}小时{m}分钟{s}秒");
        prop_assert_eq!(VendorDuration::from_text(&text).seconds(), Some(h * 3600 + m * 60 + s));
        let minutes = VendorDuration::minutes(m);
        prop_assert_eq!(minutes.to_string(), format!("{m}分钟"));
        prop_assert_eq!(minutes.minutes_rounded_up(), Some(m));
        prop_assert_eq!(systec_model::billed_minutes(h * 60 + s), (h * 60 + s).div_ceil(60));
    }

    #[test]
    fn any_decimal_text_round_trips_exactly(
        mantissa in -(1i128 << 96) + 1..(1i128 << 96),
        scale in 0u32..=28,
        quoted in any::<bool>(),
    ) {
        let d = rust_decimal::Decimal::from_i128_with_scale(mantissa, scale);
        let text = d.to_string();
        let json = if quoted { format!("\"{text}\"") } else { text.clone() };
        let y: Yuan = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(y.amount(), d);
        prop_assert_eq!(y.amount().to_string(), text);
        prop_assert_eq!(&serde_json::to_string(&y).unwrap(), &json);
        // Through the located parser too, inside a detail body.
        let body = format!(r#"{{"status":200,"data":{{"meetings":[{{"telephony_usage":[{{"total":{json}}}]}}]}}}}"#);
        let r = detail::parse_response(body.as_bytes()).unwrap();
        let back = serde_json::to_string(&r.data).unwrap();
        prop_assert!(back.contains(&format!("\"total\":{json}")), "{}", back);
    }

    #[test]
    fn exponent_forms_are_exact_or_refused(
        mantissa in -1_000_000_000i64..1_000_000_000,
        fraction in prop::option::of(0u32..1000),
        exp in -60i32..60,
        upper in any::<bool>(),
    ) {
        let frac = fraction.map(|f| format!(".{f:03}")).unwrap_or_default();
        let e = if upper { 'E' } else { 'e' };
        let text = format!("{mantissa}{frac}{e}{exp}");
        // The exact value: digits × 10^(exp − fraction digits), as a big-integer string.
        let digits = format!("{}{}", mantissa.unsigned_abs(), fraction.map(|f| format!("{f:03}")).unwrap_or_default());
        let shift = exp - if fraction.is_some() { 3 } else { 0 };
        let parsed = serde_json::from_str::<Yuan>(&text);
        let trimmed = digits.trim_end_matches('0');
        let (m, sh) = if trimmed.is_empty() {
            (0i128, 0)
        } else {
            (trimmed.parse::<i128>().unwrap(), shift + i32::try_from(digits.len() - trimmed.len()).unwrap())
        };
        let exact = if sh >= 0 {
            format!("{m}{}", "0".repeat(usize::try_from(sh).unwrap())).parse::<rust_decimal::Decimal>()
        } else {
            rust_decimal::Decimal::try_from_i128_with_scale(m, (-sh).unsigned_abs())
        };
        match parsed {
            Ok(y) => {
                let mut want = exact.unwrap();
                want.set_sign_negative(mantissa < 0);
                prop_assert_eq!(y.amount().normalize(), want.normalize());
                prop_assert_eq!(serde_json::to_string(&y).unwrap(), text);
            }
            Err(err) => {
                // Refused only when a decimal truly cannot hold it.
                let refused = err.to_string();
                prop_assert!(refused.contains("refusing to round"), "{}", refused);
                // D × 10^shift with D's trailing zeros moved into the exponent.
                let d = digits.trim_start_matches('0');
                let stripped = d.trim_end_matches('0');
                let shift = shift + i32::try_from(d.len() - stripped.len()).unwrap();
                let width = i32::try_from(stripped.len()).unwrap() + shift.max(0);
                prop_assert!(!d.is_empty(), "zero refused: {}", text);
                prop_assert!(shift < -28 || width >= 29, "{} refused: {}", text, refused);
            }
        }
    }

    #[test]
    fn accepted_money_text_is_written_back_byte_for_byte(
        text in "-?(0|[1-9][0-9]{0,12})(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?",
        quoted in any::<bool>(),
    ) {
        let json = if quoted { format!("\"{text}\"") } else { text };
        if let Ok(y) = serde_json::from_str::<Yuan>(&json) {
            prop_assert_eq!(serde_json::to_string(&y).unwrap(), json.clone());
            prop_assert_eq!(y.wire_text(), json);
        }
    }

    #[test]
    fn money_text_never_panics(text in "[-+0-9.eE\"a ]{0,40}") {
        let _ = serde_json::from_str::<Yuan>(&text);
        let _ = Yuan::from_wire_text(&text);
    }

    #[test]
    fn money_is_the_shortest_decimal(cents in 0u64..100_000_000) {
        let value = cents as f64 / 100.0;
        let json = serde_json::to_string(&value).unwrap();
        let y: Yuan = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(y.amount(), rust_decimal::Decimal::new(i64::try_from(cents).unwrap(), 2).normalize());
        prop_assert_eq!(serde_json::to_string(&y).unwrap(), json);
    }

    #[test]
    fn windows_cover_without_gaps_or_overlaps(a in arb_date(), len in 0u64..800) {
        let b = a.checked_add_days(chrono::Days::new(len)).unwrap();
        let windows: Vec<_> = month_windows(a, b).unwrap().collect();
        prop_assert_eq!(windows.first().unwrap().from(), a);
        prop_assert_eq!(windows.last().unwrap().to(), b);
        for w in &windows {
            prop_assert!(w.is_compliant());
            prop_assert!(w.from() <= w.to());
        }
        for pair in windows.windows(2) {
            prop_assert_eq!(pair[0].to().succ_opt().unwrap(), pair[1].from());
            prop_assert_ne!(pair[0].from().month(), pair[1].from().month());
        }
        let days: u64 = windows.iter().map(|w| w.days()).sum();
        prop_assert_eq!(days, len + 1);
        let whole = systec_model::DateWindow::new(a, b).unwrap();
        prop_assert_eq!(whole.vendor_served(), *windows.last().unwrap());
    }

    #[test]
    fn ids_as_numbers_or_strings(n in any::<u64>(), quoted in any::<bool>()) {
        let json = if quoted { format!("\"{n}\"") } else { n.to_string() };
        let id: meeting_wire::Id = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(id.as_u64(), Some(n));
        prop_assert_eq!(serde_json::to_string(&id).unwrap(), json);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = reports::parse_response(&bytes);
        let _ = detail::parse_response(&bytes);
        let _ = his_meeting::parse_response(&bytes);
    }

    #[test]
    fn mutated_samples_never_panic(pos in 0usize..2000, byte in any::<u8>(), cut in any::<bool>()) {
        for sample in ["reports.sample.json", "detail.sample.json", "his-meeting.sample.json"] {
            let mut bytes = crate::fixture(sample);
            let at = pos % bytes.len();
            if cut { bytes.truncate(at) } else { bytes[at] = byte }
            let _ = reports::parse_response(&bytes);
            let _ = detail::parse_response(&bytes);
            let _ = his_meeting::parse_response(&bytes);
        }
    }
}
