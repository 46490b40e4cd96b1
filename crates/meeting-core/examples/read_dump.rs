//! Reads a dump and prints counts: `cargo run --release --example read_dump -- PATH`.
//!
//! `read_dump gen PATH MB` writes a generated `detail` dump (JSON Lines) of about MB
//! megabytes, for measuring peak memory (`/usr/bin/time -v`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use meeting_core::{DumpOptions, read_dump};
use std::io::Write;

mod dumpgen;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, path, mb] if cmd == "gen" => {
            let target: usize = mb.parse::<usize>()? * 1024 * 1024;
            let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
            let mut written = 0;
            let mut page = 0;
            let mut buf = Vec::new();
            while written < target {
                buf.clear();
                dumpgen::write_page(&mut buf, page, 100);
                file.write_all(&buf)?;
                written += buf.len();
                page += 1;
            }
            file.flush()?;
            println!("wrote {written} bytes, {page} pages");
        }
        [path] => {
            let file = std::io::BufReader::new(std::fs::File::open(path)?);
            let mut reader = read_dump(file, DumpOptions::default());
            let mut cost = rust_decimal::Decimal::ZERO;
            for item in reader.by_ref() {
                match item {
                    Ok(m) => {
                        cost += m
                            .phone_cost()
                            .values()
                            .copied()
                            .sum::<rust_decimal::Decimal>();
                    }
                    Err(e) => eprintln!("{e}"),
                }
            }
            let s = reader.stats();
            println!(
                "documents {} meetings {} bad {} phone cost {cost}",
                s.documents, s.meetings, s.bad_documents
            );
        }
        _ => {
            eprintln!("usage: read_dump PATH | read_dump gen PATH MB");
            std::process::exit(2);
        }
    }
    Ok(())
}
