//! The command line of `compare`, parsed by hand (it is a handful of options).

use std::fmt;

/// Rounds when `--rounds` is not given.
pub(crate) const DEFAULT_ROUNDS: usize = 5;
/// Fewest rounds a measuring run accepts: a median of fewer is not worth reporting.
pub(crate) const MIN_ROUNDS: usize = 5;

/// Usage text, printed by `--help` and after an argument error.
pub(crate) const USAGE: &str = "\
usage: compare [SUITE]... [--rounds N] [--quick] [--filter NAME] [--self-check]

Runs each SUITE (all of them when none is named) on rt-stack and on its peer,
alternating the two, and prints the median of each side and the ratio ours / peer.

options:
  --rounds N      rounds per workload (default 5, at least 5 unless --quick)
  --quick         smoke test: 1 round (unless --rounds is given), 1/100 sizes
  --filter NAME   run only the workloads with NAME in a row name
  --self-check    run the peer on both sides (an A/A test): ratios near 1 show
                  the harness is fair, their distance from 1 shows the noise;
                  reports go to <suite>.self-check.json
  -h, --help      print this help";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Args {
    /// Suites named on the command line, in order; empty means all.
    pub(crate) suites: Vec<String>,
    /// Rounds per workload.
    pub(crate) rounds: usize,
    /// Whether this is a `--quick` smoke test.
    pub(crate) quick: bool,
    /// Substring a row name must contain for its workload to run.
    pub(crate) filter: Option<String>,
    /// Whether `--self-check` was given: the peer runs on both sides.
    pub(crate) self_check: bool,
    /// Whether `--help` was given.
    pub(crate) help: bool,
}

/// An unusable command line; its `Display` says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Parses the arguments after the program name.
///
/// # Errors
///
/// Fails on an unknown option, a missing or malformed value, or fewer than
/// [`MIN_ROUNDS`] rounds without `--quick`. Suite names are checked by the caller.
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, UsageError> {
    let mut args = args.into_iter();
    let mut parsed = Args {
        suites: Vec::new(),
        rounds: DEFAULT_ROUNDS,
        quick: false,
        filter: None,
        self_check: false,
        help: false,
    };
    let mut rounds = None;
    while let Some(arg) = args.next() {
        let (option, inline) = match arg.split_once('=') {
            Some((option, value)) if option.starts_with("--") => (option.to_owned(), Some(value.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| UsageError(format!("{name} needs a value")))
        };
        match option.as_str() {
            "-h" | "--help" => parsed.help = true,
            "--quick" => parsed.quick = true,
            "--self-check" => parsed.self_check = true,
            "--rounds" => rounds = Some(parse_rounds(&value("--rounds")?)?),
            "--filter" => parsed.filter = Some(value("--filter")?),
            _ if option.starts_with('-') => return Err(UsageError(format!("unknown option `{arg}`"))),
            _ => parsed.suites.push(arg),
        }
    }
    parsed.rounds = match (rounds, parsed.quick) {
        (Some(n), false) if n < MIN_ROUNDS => {
            return Err(UsageError(format!(
                "--rounds {n} is too few: at least {MIN_ROUNDS} (or add --quick for a smoke test)"
            )))
        }
        (Some(n), _) => n,
        (None, true) => 1,
        (None, false) => DEFAULT_ROUNDS,
    };
    Ok(parsed)
}

/// Parses the value of `--rounds`: a positive integer.
fn parse_rounds(value: &str) -> Result<usize, UsageError> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(UsageError(format!("--rounds needs a positive integer, not `{value}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Result<Args, UsageError> {
        parse(line.split_whitespace().map(String::from))
    }

    #[test]
    fn defaults_to_all_suites_and_five_rounds() {
        let parsed = args("").unwrap();
        assert!(parsed.suites.is_empty());
        assert_eq!((parsed.rounds, parsed.quick, parsed.filter), (5, false, None));
    }

    #[test]
    fn parses_suites_and_options_in_any_order() {
        let parsed = args("runtime --rounds 7 --filter=spawn other --self-check").unwrap();
        assert_eq!(parsed.suites, ["runtime", "other"]);
        assert!(parsed.self_check);
        assert_eq!(parsed.rounds, 7);
        assert_eq!(parsed.filter.as_deref(), Some("spawn"));
    }

    #[test]
    fn quick_means_one_round_unless_told() {
        assert_eq!(args("--quick").unwrap().rounds, 1);
        assert_eq!(args("--quick --rounds 2").unwrap().rounds, 2);
    }

    #[test]
    fn rejects_too_few_rounds_bad_values_and_unknown_options() {
        assert!(args("--rounds 4").is_err());
        assert!(args("--rounds 0 --quick").is_err());
        assert!(args("--rounds x").is_err());
        assert!(args("--rounds").is_err());
        assert!(args("--fast").is_err());
    }
}
