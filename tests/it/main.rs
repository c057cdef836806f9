//! Integration tests: one binary, loopback servers only (127.0.0.1), no internet.

mod child;
mod support;

mod cli;
mod corpus;
mod daemon;
mod deploy;
mod errors;
mod faults;
mod fetch;
mod hostile;
mod rebuild;
mod resume;
mod server;
mod sources;
