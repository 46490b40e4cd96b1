//! `gen` dumps: every line parses with the model crates; same seed, same bytes.

use meeting_sim::dump::{DumpEndpoint, parse_size, write_dump};

#[test]
fn every_line_parses() {
    for endpoint in DumpEndpoint::ALL {
        let mut out = Vec::new();
        let stats = write_dump(endpoint, 300_000, 7, &mut out).unwrap();
        assert!(stats.bytes >= 300_000);
        assert_eq!(stats.bytes, out.len() as u64);
        let lines: Vec<&[u8]> = out
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len() as u64, stats.lines);
        for line in lines {
            let ok = match endpoint {
                DumpEndpoint::Detail => {
                    let page = systec_model::detail::parse_response(line).unwrap().data;
                    assert_eq!(page.page_size, Some(100));
                    assert!(
                        page.meetings()
                            .iter()
                            .all(|m| m.participants.is_some() && m.telephony_usage.is_some())
                    );
                    true
                }
                DumpEndpoint::Reports => systec_model::reports::parse_response(line).is_ok(),
                DumpEndpoint::HisMeeting => systec_model::his_meeting::parse_response(line).is_ok(),
                DumpEndpoint::QuanshiConference => {
                    quanshi_model::conference_by_join_url::parse_response(line).is_ok()
                }
                DumpEndpoint::QuanshiDashboard => {
                    quanshi_model::dashboard_conference_info::parse_response(line).is_ok()
                }
                _ => false,
            };
            assert!(
                ok,
                "{endpoint}: {}",
                String::from_utf8_lossy(&line[..200.min(line.len())])
            );
        }
    }
}

#[test]
fn dumps_are_deterministic() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    write_dump(DumpEndpoint::Reports, 200_000, 3, &mut a).unwrap();
    write_dump(DumpEndpoint::Reports, 200_000, 3, &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(parse_size("200MB"), Ok(200_000_000));
    assert_eq!(parse_size("1KiB"), Ok(1024));
    assert!(parse_size("lots").is_err());
    assert_eq!(
        "his-meeting".parse::<DumpEndpoint>(),
        Ok(DumpEndpoint::HisMeeting)
    );
}
