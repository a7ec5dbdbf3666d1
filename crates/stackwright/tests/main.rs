//! End-to-end tests through the facade: bad input, lowering of references to both targets, and the CLI.

mod bad_input;
mod cli;
mod lowering;
mod support;
mod templating;
