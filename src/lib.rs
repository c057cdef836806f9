//! quotewire: ingest news articles and official statements, find who said what, and make
//! every statement searchable.
//!
//! Data flows one way: [`fetch`] → [`store`] → [`extract`] → [`nlp`] → [`index`].
//! [`pipeline`] is the only module that knows every stage; [`schedule`] decides when
//! pipelines run; [`watch`] reports new matches of saved searches; [`export`] streams
//! matches out; [`server`] and [`cli`] are the front ends. See `ARCHITECTURE.md`.

pub mod cli;
pub mod config;
pub mod data_dir;
pub mod demo;
pub mod embed;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod ids;
pub mod index;
pub mod metrics;
pub mod model;
pub mod nlp;
pub mod pipeline;
pub mod postgres;
pub mod queue;
pub mod schedule;
pub mod server;
pub mod similar;
pub mod store;
pub mod vectors;
pub mod watch;
