//! Any bytes as a dump: the neutral lines written straight from the borrowed views
//! (`DumpChunk::write_jsonl`) are the owned path's, byte for byte (each meeting but report
//! stubs as `serde_json` writes it), with the same located errors and counts, whatever the
//! chunk size. The first byte picks the endpoint (detected, or one forced) and an
//! observation time. The single-pass `detail` and `hisMeeting` readers (`systec_model::scan`)
//! take the bytes only when the serde view parse does, with the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meeting_core::dump::read_dump_chunks;
use meeting_core::{Context, DumpOptions, Source, read_dump};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    if let Some(fast) = systec_model::scan::read_detail_page(data) {
        let serde = systec_model::envelope_data::<systec_model::detail::DetailPageRef<'_>>(data);
        assert!(serde.is_some(), "the reader took what serde declines");
        assert_eq!(format!("{:?}", Some(fast)), format!("{serde:?}"));
    }
    if let Some(fast) = systec_model::scan::read_his_meetings(data) {
        let serde =
            systec_model::envelope_data::<Vec<systec_model::his_meeting::HisMeetingRef<'_>>>(data);
        assert!(serde.is_some(), "the reader took what serde declines");
        assert_eq!(format!("{:?}", Some(fast)), format!("{serde:?}"));
    }
    let mut options = match pick % 4 {
        0 => DumpOptions::default(),
        1 => DumpOptions::default().endpoint(Source::SystecDetail),
        2 => DumpOptions::default().endpoint(Source::SystecReports),
        _ => DumpOptions::default().endpoint(Source::SystecHisMeeting),
    };
    if pick & 4 != 0 {
        let at = serde_json::from_str("\"2018-05-08T03:00:00Z\"").ok();
        options = options.context(Context::default().with_as_of(at));
    }

    let mut want = Vec::new();
    let mut want_errors = Vec::new();
    let mut reader = read_dump(data, options.clone().borrowed_fast_path(false));
    for item in reader.by_ref() {
        match item {
            Ok(m) if m.is_stub() => {}
            Ok(m) => {
                serde_json::to_writer(&mut want, &m).unwrap();
                want.push(b'\n');
            }
            Err(e) => want_errors.push(e.to_string()),
        }
    }

    for chunk in [1 << 20, 64] {
        let mut got = Vec::new();
        let mut errors = Vec::new();
        let mut read = 0;
        for c in read_dump_chunks(data, &options, chunk) {
            let counts = c.write_jsonl(&options, &mut got, &mut |e| errors.push(e.to_string()));
            read += counts.read;
        }
        assert_eq!(read, reader.stats().meetings);
        assert_eq!(errors, want_errors);
        assert!(got == want, "lines differ");
    }
});
