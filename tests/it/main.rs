//! Integration tests: one binary, loopback servers only (127.0.0.1), no internet.

mod support;

mod api;
mod browser;
mod cli;
mod corpus;
mod errors;
mod extraction;
mod fetch;
mod resume;
mod server;
mod sources;
#[cfg(feature = "transformers")]
mod transformers;
mod watches;
mod workbench;
