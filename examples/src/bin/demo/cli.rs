//! The demo's command-line options.

use std::path::PathBuf;

use clap::Parser;

/// The command line.
#[derive(Debug, Parser)]
#[command(
    about = "The rt-stack demo: three HTTP backends (fast, slow, and one that fails half-way and recovers), \
             the proxy in front of them and a load generator, in one process",
    long_about = None
)]
pub(crate) struct Args {
    /// How long the load runs, in seconds. The flaky backend fails from 40 % to 60 % of
    /// it (503s first, then connection resets).
    #[arg(long, value_name = "SECS", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) duration: u64,
    /// The number of concurrent clients, each sending one request after another.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = parse_clients)]
    pub(crate) clients: usize,
    /// Where to write the latency-over-time chart (SVG); its directory is created.
    #[arg(long, value_name = "PATH", default_value = "target/demo/latency.svg")]
    pub(crate) out: PathBuf,
}

/// A client count: 1 to 10,000.
fn parse_clients(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n @ 1..=10_000) => Ok(n),
        Ok(_) => Err("must be between 1 and 10000".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let args = Args::try_parse_from(["demo"]).unwrap();
        assert_eq!((args.duration, args.clients), (25, 32));
        assert_eq!(args.out, PathBuf::from("target/demo/latency.svg"));
        let args = Args::try_parse_from(["demo", "--duration", "3", "--clients", "8", "--out", "x.svg"]).unwrap();
        assert_eq!((args.duration, args.clients), (3, 8));
        assert!(Args::try_parse_from(["demo", "--clients", "0"]).is_err());
        assert!(Args::try_parse_from(["demo", "--duration", "0"]).is_err());
    }
}
