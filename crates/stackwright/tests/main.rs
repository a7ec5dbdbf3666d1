//! End-to-end tests through the facade: bad input, lowering of references to both targets, and the CLI.

mod assets;
mod bad_input;
mod catalog_a;
mod catalog_b;
mod catalog_replication;
mod ci;
mod cli;
mod concurrency;
mod corpus;
mod cross_stack;
mod escape_hatches;
mod existing;
mod hostile;
mod limits;
mod lowering;
mod removal;
mod renames;
mod replicated_service;
mod rule_names;
mod secrets;
mod stackset;
mod steps;
mod support;
mod templating;
mod validation;
