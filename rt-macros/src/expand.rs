//! Code generation: rewrites an `async fn` into a sync fn that blocks on its body.
//!
//! For `#[main] async fn main() -> R { body }` the output is
//!
//! ```text
//! fn main() -> R {
//!     let body = async move { body };
//!     #[allow(clippy::expect_used)]
//!     {
//!         ::rt_sched::Builder::new_multi_thread()
//!             .enable_all()
//!             .build()
//!             .expect("failed building the runtime")
//!             .block_on(body)
//!     }
//! }
//! ```
//!
//! `#[test]` adds `#[::core::prelude::v1::test]` in front. The body's tokens are moved
//! into the `async move` block untouched, so errors in user code keep pointing at user
//! code. The function is only parsed down to its signature ([`AsyncFn`]); the body stays a
//! token stream, which keeps expansion cheap and lets a half-typed body (the usual state
//! in an IDE) still expand.
//!
//! Nothing here panics: a bad input turns into `compile_error!` next to the unchanged
//! input, so the item still exists for name resolution and IDE completion.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{AttrStyle, Attribute, Signature, Visibility};

use crate::options::{Flavor, Kind, Options};

/// Expands `#[main]` or `#[test]` (per `kind`) with attribute arguments `args` on `item`.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let func: AsyncFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(err) => return with_error(item, err),
    };
    let options = Options::parse(kind, args);
    let signature = check_signature(kind, &func);
    match (options, signature) {
        (Ok(options), Ok(())) => generate(kind, &options, func),
        (Err(err), Ok(())) | (Ok(_), Err(err)) => with_error(item, err),
        (Err(mut err), Err(other)) => {
            err.combine(other);
            with_error(item, err)
        }
    }
}

/// The input unchanged, followed by the error as `compile_error!`.
fn with_error(item: TokenStream, err: syn::Error) -> TokenStream {
    let mut tokens = item;
    tokens.extend(err.into_compile_error());
    tokens
}

/// A function item parsed down to its signature; the body is kept as tokens.
struct AsyncFn {
    /// Outer attributes, doc comments included.
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    /// `#![...]` attributes at the top of the body; they apply to the function.
    inner_attrs: Vec<Attribute>,
    /// The body without its inner attributes, braces and span included.
    body: Group,
}

impl Parse for AsyncFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        let braces = syn::braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let mut body = Group::new(Delimiter::Brace, content.parse()?);
        body.set_span(braces.span.join());
        Ok(AsyncFn {
            attrs,
            vis,
            sig,
            inner_attrs,
            body,
        })
    }
}

/// Rejects what the rewrite cannot support: a sync fn, arguments, a second `#[test]`.
fn check_signature(kind: Kind, func: &AsyncFn) -> syn::Result<()> {
    let sig = &func.sig;
    let mut errors = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        ));
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        let message = format!("functions marked `{}` cannot take arguments", kind.attribute());
        errors.push(syn::Error::new_spanned(&sig.inputs, message));
    }
    if kind == Kind::Test {
        if let Some(attr) = func.attrs.iter().find(|attr| is_test_attribute(attr)) {
            errors.push(syn::Error::new_spanned(
                attr,
                "second test attribute: `#[test]` already marks the function as a test; \
                 remove this one",
            ));
        }
    }
    combine(errors)
}

/// Whether `attr` is some `#[test]`: the built-in one or another runtime's.
fn is_test_attribute(attr: &Attribute) -> bool {
    let segments = &attr.path().segments;
    segments.last().is_some_and(|segment| segment.ident == "test")
}

fn combine(errors: Vec<syn::Error>) -> syn::Result<()> {
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// Builds the sync function for a validated input.
fn generate(kind: Kind, options: &Options, func: AsyncFn) -> TokenStream {
    let AsyncFn {
        attrs,
        vis,
        mut sig,
        inner_attrs,
        body,
    } = func;
    sig.asyncness = None;
    let inner_attrs = inner_attrs.into_iter().map(|mut attr| {
        attr.style = AttrStyle::Outer;
        attr
    });
    let test_attr = match kind {
        Kind::Test => quote!(#[::core::prelude::v1::test]),
        Kind::Main => TokenStream::new(),
    };
    // Hygienic: user code can neither see nor shadow this binding.
    let future = Ident::new("body", Span::mixed_site());
    let block_on = block_on(options, &future, tail_span(&body));
    quote! {
        #test_attr
        #(#attrs)*
        #(#inner_attrs)*
        #vis #sig {
            let #future = async move #body;
            #block_on
        }
    }
}

/// The statement that builds the runtime and blocks on `future`.
///
/// It is located at the body's last statement: when the body's value does not match the
/// declared return type, rustc reports the mismatch on this expression, so the error
/// lands on the user's code rather than on the attribute.
fn block_on(options: &Options, future: &Ident, span: Span) -> TokenStream {
    let span = Span::call_site().located_at(span);
    let crate_path = &options.crate_path;
    let constructor = match options.flavor {
        Flavor::CurrentThread => Ident::new("new_current_thread", span),
        Flavor::MultiThread => Ident::new("new_multi_thread", span),
    };
    let worker_threads = options.worker_threads.map(|(threads, threads_span)| {
        let mut threads = Literal::usize_unsuffixed(threads);
        threads.set_span(threads_span);
        quote_spanned!(span=> .worker_threads(#threads))
    });
    let start_paused = options.start_paused.map(|(paused, paused_span)| {
        let paused = syn::LitBool::new(paused, paused_span);
        quote_spanned!(span=> .start_paused(#paused))
    });
    // The `allow` covers only the generated chain, not the user's body: a user who
    // denies `expect_used` still hears about their own `expect`s.
    quote_spanned! {span=>
        #[allow(clippy::expect_used)]
        {
            #crate_path::Builder::#constructor()
                #worker_threads
                .enable_all()
                #start_paused
                .build()
                .expect("failed building the runtime")
                .block_on(#future)
        }
    }
}

/// The span of the first token of the body's last statement, or of the closing brace
/// when the body is empty.
fn tail_span(body: &Group) -> Span {
    let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    let statement_end = |token: &TokenTree| matches!(token, TokenTree::Punct(p) if p.as_char() == ';');
    // Ignore a trailing `;` so that `{ foo(); }` points at `foo`, then find the
    // previous top-level `;`: the statement starts right after it.
    let end = match tokens.last() {
        Some(last) if statement_end(last) => tokens.len() - 1,
        _ => tokens.len(),
    };
    let start = tokens[..end]
        .iter()
        .rposition(statement_end)
        .map_or(0, |index| index + 1);
    tokens
        .get(start..end)
        .and_then(|statement| statement.first())
        .map_or_else(|| body.span_close(), TokenTree::span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(kind: Kind, args: &str, item: &str) -> String {
        let args: TokenStream = syn::parse_str(args).unwrap();
        let item: TokenStream = syn::parse_str(item).unwrap();
        expand(kind, args, item).to_string()
    }

    /// Printed tokens without whitespace: token printing puts spaces between some
    /// punctuation (`> >` or `>>`) depending on how the tokens were built.
    fn squash(printed: &str) -> String {
        printed.split_whitespace().collect()
    }

    fn tokens(source: &str) -> String {
        syn::parse_str::<TokenStream>(source).unwrap().to_string()
    }

    #[test]
    fn main_blocks_on_the_body_of_a_multi_thread_runtime() {
        let output = expand_str(
            Kind::Main,
            "",
            "/// Docs.\n#[allow(unused)] pub async fn main() -> Result<(), Box<dyn Error>> { run().await?; Ok(()) }",
        );
        let expected = tokens(
            r#"
            #[doc = " Docs."]
            #[allow(unused)]
            pub fn main() -> Result<(), Box<dyn Error>> {
                let body = async move { run().await?; Ok(()) };
                #[allow(clippy::expect_used)]
                {
                    ::rt_sched::Builder::new_multi_thread()
                        .enable_all()
                        .build()
                        .expect("failed building the runtime")
                        .block_on(body)
                }
            }
            "#,
        );
        assert_eq!(squash(&output), squash(&expected));
    }

    #[test]
    fn test_adds_the_test_attribute_and_a_current_thread_runtime() {
        let output = expand_str(Kind::Test, "crate = \"rt\"", "#[ignore] async fn it_works() {}");
        let expected = tokens(
            r#"
            #[::core::prelude::v1::test]
            #[ignore]
            fn it_works() {
                let body = async move {};
                #[allow(clippy::expect_used)]
                {
                    rt::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("failed building the runtime")
                        .block_on(body)
                }
            }
            "#,
        );
        assert_eq!(squash(&output), squash(&expected));
    }

    #[test]
    fn worker_threads_are_passed_to_the_builder() {
        let args = "flavor = \"multi_thread\", worker_threads = 4";
        let output = expand_str(Kind::Test, args, "async fn t() {}");
        let chain = tokens("::rt_sched::Builder::new_multi_thread().worker_threads(4).enable_all()");
        assert!(squash(&output).contains(&squash(&chain)), "{output}");
    }

    #[test]
    fn inner_attributes_move_onto_the_function() {
        let output = expand_str(Kind::Main, "", "async fn main() { #![allow(unused)] let x = 1; }");
        let start = tokens("#[allow(unused)] fn main() { let body = async move { let x = 1; }; }");
        let start = squash(&start);
        let start = start.strip_suffix('}').unwrap();
        assert!(squash(&output).starts_with(start), "{output}");
    }

    #[test]
    fn sync_fn_is_re_emitted_with_an_error() {
        let item = "fn main() { work(); }";
        let output = expand_str(Kind::Main, "", item);
        assert!(output.starts_with(&tokens(item)), "{output}");
        assert!(
            output.contains("the `async` keyword is missing from the function declaration"),
            "{output}"
        );
        assert!(!output.contains("Builder"), "{output}");
    }

    #[test]
    fn arguments_are_rejected() {
        let output = expand_str(Kind::Test, "", "async fn t(port: u16) {}");
        assert!(output.contains("compile_error"), "{output}");
        assert!(
            output.contains("functions marked `#[test]` cannot take arguments"),
            "{output}"
        );
    }

    #[test]
    fn second_test_attribute_is_rejected() {
        let output = expand_str(Kind::Test, "", "#[test] async fn t() {}");
        assert!(output.contains("second test attribute"), "{output}");
        let output = expand_str(Kind::Main, "", "#[test] async fn t() {}");
        assert!(!output.contains("compile_error"), "{output}");
    }

    #[test]
    fn option_and_signature_errors_are_reported_together() {
        let output = expand_str(Kind::Main, "flavor = \"local\"", "fn main(x: u8) {}");
        assert_eq!(output.matches("compile_error").count(), 3, "{output}");
        assert!(output.contains("unknown runtime flavor `local`"), "{output}");
    }

    #[test]
    fn unparsable_item_is_re_emitted_with_an_error() {
        let item = "struct NotAFunction;";
        let output = expand_str(Kind::Main, "", item);
        assert!(output.starts_with(&tokens(item)), "{output}");
        assert!(output.contains("compile_error"), "{output}");
    }

    #[test]
    fn tail_span_handles_empty_and_semicolon_bodies() {
        // Only that these do not panic: locations are not observable outside rustc.
        for body in ["{}", "{ ; }", "{ a; }", "{ a; b }", "{ ;; }"] {
            let group: Group = syn::parse_str(body).unwrap();
            let _ = tail_span(&group);
        }
    }
}
