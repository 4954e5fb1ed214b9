//! API tests: each spawns the whole app on port 0 with its own in-memory database.

mod accounts;
mod helpers;
mod projects;
mod quality;
mod sprints;
mod stakeholders;
mod tokens;
mod voice;
