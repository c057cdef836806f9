//! Integration tests: one binary, loopback servers only (127.0.0.1), no internet.

mod child;
mod support;

mod api;
mod browser;
mod cli;
mod corpus;
mod daemon;
mod deploy;
mod distributed;
mod errors;
mod extraction;
mod faults;
mod fetch;
mod fleet;
mod hostile;
mod quickwit;
mod rebuild;
mod resume;
mod server;
mod shared_store;
mod sources;
#[cfg(feature = "transformers")]
mod transformers;
mod watches;
mod workbench;
