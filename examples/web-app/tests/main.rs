//! Tests of the web app example: golden snapshots of every artifact, and targeted checks of what the
//! design promises (a private, protected database; no secret in any artifact; grants scoped to their
//! resource; HTTP redirected to HTTPS; environments that differ only where their config does).

mod common;
mod properties;
mod snapshots;
