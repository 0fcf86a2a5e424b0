//! Parsing of the attribute arguments,
//! `#[main(flavor = "...", worker_threads = N, start_paused = true, crate = "...")]`.
//!
//! Parsing happens in two steps. [`Options::parse`] reads each `name = value` pair into a
//! [`RawOptions`], where every option is still optional and carries the span of its value;
//! [`RawOptions::finish`] then fills in the defaults of the macro [`Kind`] and checks the
//! options against each other (`worker_threads` needs the multi-thread flavor). Every
//! rejection is a [`syn::Error`] spanned at the offending token, never a panic.

use std::fmt;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, Parser};
use syn::{LitInt, LitStr, Path};

/// The names accepted inside the attribute, in the order error messages list them.
const VALID_OPTIONS: &str = "`flavor`, `worker_threads`, `start_paused`, `crate`";

/// Which of the two macros is being expanded; it decides the default flavor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[main]`: defaults to the multi-thread runtime.
    Main,
    /// `#[test]`: defaults to the current-thread runtime.
    Test,
}

impl Kind {
    /// The attribute as users write it, for error messages.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Kind::Main => "#[main]",
            Kind::Test => "#[test]",
        }
    }

    fn default_flavor(self) -> Flavor {
        match self {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        }
    }
}

/// The scheduler the generated code builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `Builder::new_current_thread()`: everything runs on the calling thread.
    CurrentThread,
    /// `Builder::new_multi_thread()`: a pool of work-stealing worker threads.
    MultiThread,
}

impl Flavor {
    fn from_lit(lit: &LitStr) -> syn::Result<Self> {
        match lit.value().as_str() {
            "current_thread" => Ok(Flavor::CurrentThread),
            "multi_thread" => Ok(Flavor::MultiThread),
            other => Err(syn::Error::new(
                lit.span(),
                format!(
                    "unknown runtime flavor `{other}`; \
                     expected `\"current_thread\"` or `\"multi_thread\"`"
                ),
            )),
        }
    }
}

/// The validated arguments of one `#[main]` or `#[test]` attribute.
pub(crate) struct Options {
    /// The runtime flavor, explicit or the default of the macro kind.
    pub(crate) flavor: Flavor,
    /// `worker_threads = N`, always greater than zero, with the span of `N`.
    /// Only ever set together with [`Flavor::MultiThread`].
    pub(crate) worker_threads: Option<(usize, Span)>,
    /// `start_paused = true`: the clock starts paused (current-thread flavor only),
    /// with the span of the value.
    pub(crate) start_paused: Option<(bool, Span)>,
    /// The path of the runtime crate, `::rt_sched` unless renamed with `crate = "..."`.
    pub(crate) crate_path: Path,
}

impl Options {
    /// Parses and validates the tokens between the attribute's parentheses.
    ///
    /// An empty `args` gives the defaults of `kind`.
    pub(crate) fn parse(kind: Kind, args: TokenStream) -> syn::Result<Self> {
        let mut raw = RawOptions::default();
        syn::meta::parser(|meta| raw.parse_one(meta)).parse2(args)?;
        raw.finish(kind)
    }
}

// `syn::Path` is only `Debug` with syn's `extra-traits` feature; print it as tokens.
impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("flavor", &self.flavor)
            .field("worker_threads", &self.worker_threads.map(|(n, _)| n))
            .field("start_paused", &self.start_paused.map(|(p, _)| p))
            .field("crate_path", &self.crate_path.to_token_stream().to_string())
            .finish()
    }
}

/// The options as written, before defaults and cross-checks.
#[derive(Default)]
struct RawOptions {
    flavor: Option<Flavor>,
    worker_threads: Option<(usize, Span)>,
    start_paused: Option<(bool, Span)>,
    crate_path: Option<Path>,
}

impl RawOptions {
    /// Reads one `name = value` pair.
    fn parse_one(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        if meta.path.is_ident("flavor") {
            let lit: LitStr = value(&meta, "flavor", "\"multi_thread\"")?;
            let flavor = Flavor::from_lit(&lit)?;
            set_once(&mut self.flavor, flavor, &meta, "flavor")
        } else if meta.path.is_ident("worker_threads") {
            let lit: LitInt = value(&meta, "worker_threads", "4")?;
            let threads = parse_worker_threads(&lit)?;
            set_once(&mut self.worker_threads, (threads, lit.span()), &meta, "worker_threads")
        } else if meta.path.is_ident("start_paused") {
            let lit: syn::LitBool = value(&meta, "start_paused", "true")?;
            set_once(&mut self.start_paused, (lit.value, lit.span), &meta, "start_paused")
        } else if meta.path.is_ident("crate") {
            let lit: LitStr = value(&meta, "crate", "\"rt_sched\"")?;
            let path = lit.parse_with(Path::parse_mod_style).map_err(|err| {
                let message = format!("`crate` must be a path such as \"rt_sched\": {err}");
                syn::Error::new(err.span(), message)
            })?;
            set_once(&mut self.crate_path, path, &meta, "crate")
        } else {
            Err(meta.error(format!(
                "unknown option `{}`; expected one of {VALID_OPTIONS}",
                path_to_string(&meta.path)
            )))
        }
    }

    /// Applies the defaults of `kind` and checks the options against each other.
    fn finish(self, kind: Kind) -> syn::Result<Options> {
        let flavor = self.flavor.unwrap_or_else(|| kind.default_flavor());
        if let (Flavor::CurrentThread, Some((_, span))) = (flavor, self.worker_threads) {
            let reason = match self.flavor {
                Some(_) => "the `current_thread` flavor runs everything on one thread".to_owned(),
                None => format!("`{}` defaults to the `current_thread` flavor", kind.attribute()),
            };
            return Err(syn::Error::new(
                span,
                format!(
                    "`worker_threads` requires `flavor = \"multi_thread\"`: {reason}; \
                     use `flavor = \"multi_thread\", worker_threads = N`"
                ),
            ));
        }
        if let (Flavor::MultiThread, Some((true, span))) = (flavor, self.start_paused) {
            return Err(syn::Error::new(
                span,
                "`start_paused = true` requires `flavor = \"current_thread\"`: \
                 a paused clock is only supported on the current-thread runtime",
            ));
        }
        Ok(Options {
            flavor,
            worker_threads: self.worker_threads,
            start_paused: self.start_paused,
            crate_path: self.crate_path.unwrap_or_else(|| syn::parse_quote!(::rt_sched)),
        })
    }
}

/// Parses the `= value` part of an option, with an error that shows the expected form.
fn value<T: Parse>(meta: &ParseNestedMeta<'_>, name: &str, example: &str) -> syn::Result<T> {
    let expected = || format!("expected `{name} = {example}`");
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(expected()));
    }
    let input = meta.value()?;
    input.parse().map_err(|err| syn::Error::new(err.span(), expected()))
}

/// Records an option, rejecting a second occurrence of it.
fn set_once<T>(slot: &mut Option<T>, value: T, meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("`{name}` is set more than once")));
    }
    *slot = Some(value);
    Ok(())
}

fn parse_worker_threads(lit: &LitInt) -> syn::Result<usize> {
    let threads: usize = lit.base10_parse().map_err(|err| {
        let message = format!("`worker_threads` must be a positive integer: {err}");
        syn::Error::new(lit.span(), message)
    })?;
    if threads == 0 {
        return Err(syn::Error::new(lit.span(), "`worker_threads` must be at least 1"));
    }
    Ok(threads)
}

fn path_to_string(path: &Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|segment| segment.ident.to_string()).collect();
    segments.join("::")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(kind: Kind, args: TokenStream) -> syn::Result<Options> {
        Options::parse(kind, args)
    }

    fn error(kind: Kind, args: TokenStream) -> String {
        match parse(kind, args) {
            Ok(options) => panic!("expected an error, got {options:?}"),
            Err(err) => err.to_string(),
        }
    }

    fn path(options: &Options) -> String {
        options.crate_path.to_token_stream().to_string()
    }

    #[test]
    fn start_paused_is_read() {
        let options = parse(Kind::Test, quote!(start_paused = true)).unwrap();
        assert_eq!(options.start_paused.map(|(p, _)| p), Some(true));
    }

    #[test]
    fn start_paused_needs_current_thread() {
        let err = error(Kind::Main, quote!(start_paused = true));
        assert!(err.contains("requires `flavor = \"current_thread\"`"), "{err}");
        let err = error(Kind::Test, quote!(start_paused = "yes"));
        assert!(err.contains("expected `start_paused = true`"), "{err}");
    }

    #[test]
    fn main_defaults_to_multi_thread() {
        let options = parse(Kind::Main, TokenStream::new()).unwrap();
        assert_eq!(options.flavor, Flavor::MultiThread);
        assert!(options.worker_threads.is_none());
        assert_eq!(path(&options), ":: rt_sched");
    }

    #[test]
    fn test_defaults_to_current_thread() {
        let options = parse(Kind::Test, TokenStream::new()).unwrap();
        assert_eq!(options.flavor, Flavor::CurrentThread);
        assert!(options.worker_threads.is_none());
        assert_eq!(path(&options), ":: rt_sched");
    }

    #[test]
    fn explicit_flavors() {
        let current = parse(Kind::Main, quote!(flavor = "current_thread")).unwrap();
        assert_eq!(current.flavor, Flavor::CurrentThread);
        let multi = parse(Kind::Test, quote!(flavor = "multi_thread")).unwrap();
        assert_eq!(multi.flavor, Flavor::MultiThread);
    }

    #[test]
    fn worker_threads_with_multi_thread() {
        let main = parse(Kind::Main, quote!(worker_threads = 4)).unwrap();
        assert_eq!(main.worker_threads.map(|(n, _)| n), Some(4));

        let args = quote!(worker_threads = 2, flavor = "multi_thread");
        let test = parse(Kind::Test, args).unwrap();
        assert_eq!(test.flavor, Flavor::MultiThread);
        assert_eq!(test.worker_threads.map(|(n, _)| n), Some(2));
    }

    #[test]
    fn all_options_with_trailing_comma() {
        let args: TokenStream =
            syn::parse_str(r#"flavor = "multi_thread", worker_threads = 8, crate = "my_rt","#).unwrap();
        let options = parse(Kind::Main, args).unwrap();
        assert_eq!(options.flavor, Flavor::MultiThread);
        assert_eq!(options.worker_threads.map(|(n, _)| n), Some(8));
        assert_eq!(path(&options), "my_rt");
    }

    #[test]
    fn crate_path_may_be_absolute_or_nested() {
        let options = parse(Kind::Test, quote!(crate = "::outer::rt")).unwrap();
        assert_eq!(path(&options), ":: outer :: rt");
        let options = parse(Kind::Test, quote!(crate = "crate::mock")).unwrap();
        assert_eq!(path(&options), "crate :: mock");
    }

    #[test]
    fn crate_path_must_be_a_path() {
        let message = error(Kind::Main, quote!(crate = "not a path"));
        assert!(message.starts_with("`crate` must be a path"), "{message}");
        let message = error(Kind::Main, quote!(crate = "Vec<u8>"));
        assert!(message.starts_with("`crate` must be a path"), "{message}");
        let message = error(Kind::Main, quote!(crate = ""));
        assert!(message.starts_with("`crate` must be a path"), "{message}");
    }

    #[test]
    fn worker_threads_rejected_with_current_thread() {
        let args = quote!(flavor = "current_thread", worker_threads = 2);
        let message = error(Kind::Main, args);
        assert!(message.contains("requires `flavor = \"multi_thread\"`"), "{message}");
        assert!(message.contains("runs everything on one thread"), "{message}");
    }

    #[test]
    fn worker_threads_rejected_with_test_default() {
        let message = error(Kind::Test, quote!(worker_threads = 2));
        assert!(message.contains("requires `flavor = \"multi_thread\"`"), "{message}");
        assert!(message.contains("`#[test]` defaults to"), "{message}");
    }

    #[test]
    fn worker_threads_must_be_a_positive_integer() {
        let message = error(Kind::Main, quote!(worker_threads = 0));
        assert_eq!(message, "`worker_threads` must be at least 1");
        let message = error(Kind::Main, quote!(worker_threads = "4"));
        assert_eq!(message, "expected `worker_threads = 4`");
        let message = error(Kind::Main, quote!(worker_threads = -1));
        assert!(
            message.starts_with("`worker_threads` must be a positive integer"),
            "{message}"
        );
        let message = error(Kind::Main, quote!(worker_threads = 99999999999999999999999));
        assert!(message.contains("number too large"), "{message}");
    }

    #[test]
    fn unknown_flavor_lists_the_valid_ones() {
        let message = error(Kind::Main, quote!(flavor = "local"));
        assert_eq!(
            message,
            "unknown runtime flavor `local`; \
             expected `\"current_thread\"` or `\"multi_thread\"`"
        );
    }

    #[test]
    fn flavor_must_be_a_string() {
        let message = error(Kind::Main, quote!(flavor = multi_thread));
        assert_eq!(message, "expected `flavor = \"multi_thread\"`");
    }

    #[test]
    fn unknown_option_lists_the_valid_ones() {
        let message = error(Kind::Main, quote!(enable_io = true));
        assert_eq!(
            message,
            "unknown option `enable_io`; expected one of `flavor`, `worker_threads`, `start_paused`, `crate`"
        );
        let message = error(Kind::Test, quote!(rt::flavor = "x"));
        assert!(message.starts_with("unknown option `rt::flavor`"), "{message}");
    }

    #[test]
    fn option_without_value() {
        let message = error(Kind::Main, quote!(flavor));
        assert_eq!(message, "expected `flavor = \"multi_thread\"`");
        let message = error(Kind::Main, quote!(crate("x")));
        assert_eq!(message, "expected `crate = \"rt_sched\"`");
    }

    #[test]
    fn duplicate_option() {
        let args = quote!(flavor = "multi_thread", flavor = "current_thread");
        assert_eq!(error(Kind::Main, args), "`flavor` is set more than once");
        let args = quote!(crate = "a", crate = "b");
        assert_eq!(error(Kind::Main, args), "`crate` is set more than once");
    }

    #[test]
    fn malformed_arguments() {
        let message = error(Kind::Main, quote!("multi_thread"));
        assert!(message.contains("expected ident"), "{message}");
        let message = error(Kind::Main, quote!(flavor = "multi_thread" worker_threads = 2));
        assert!(message.contains("expected `,`"), "{message}");
    }
}
