//! API tests: each spawns the whole app on port 0 with its own in-memory database.

mod accounts;
mod assets;
mod authz_matrix;
mod backup;
mod commands;
mod helpers;
mod live;
mod mail;
mod projects;
mod quality;
mod query_budget;
mod rest;
mod rest_account;
mod rest_quality;
mod rest_sprints;
mod rest_stakeholders;
mod rest_voice;
mod sprints;
mod sso;
mod sso_idp;
mod stakeholders;
mod tokens;
mod voice;
mod webhooks;
