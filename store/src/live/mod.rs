//! Live updates on the server: the hub that tells a project's open event streams that something
//! changed (fed by a live query on the revision counters, so writes through any instance count),
//! presence per board across instances, and the limits on open streams.

pub mod hub;
pub mod presence;
pub mod streams;
