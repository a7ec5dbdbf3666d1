//! The serverless example's artifacts, and one test per lowering rule of generated registry types.

mod lowering;
mod snapshots;
