//! HCD interviews: scheduling in the interview's own time zone, notes, insights with tags, and
//! the project's iCalendar feed.

pub mod api;
#[cfg(feature = "ssr")]
pub mod feeds;
#[cfg(feature = "ssr")]
pub mod ical;
#[cfg(feature = "ssr")]
pub mod invitations;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::interviews as repo;

pub use domain::interviews::*;
