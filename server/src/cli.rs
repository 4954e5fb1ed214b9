//! The command line: `serve` (the default), `migrate` and `create-admin`.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use tokio::io::AsyncBufReadExt as _;

use crate::config::{DbArgs, ServeArgs};

/// Touchpoint keeps iterative data-science, ML and product work in touch with its end users.
#[derive(Parser, Debug)]
#[command(name = "touchpoint", version, about)]
pub struct Cli {
    /// Database settings.
    #[command(flatten)]
    pub db: DbArgs,
    /// Web server settings (for `serve`, the default command).
    #[command(flatten)]
    pub serve: ServeArgs,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Apply the schema and pending migrations, then exit.
    Migrate,
    /// Benchmark the portfolio computation on the generated large workspace (200 projects,
    /// 5,000 sprints, 50,000 feedback items, 10,000 interviews) and print the median.
    #[command(hide = true)]
    Bench {
        /// How many timed runs.
        #[arg(long, default_value_t = 21)]
        runs: usize,
    },
    /// Create an administrator. The password is read from standard input.
    CreateAdmin {
        /// The administrator's email address.
        #[arg(long)]
        email: String,
        /// The administrator's display name.
        #[arg(long)]
        name: String,
    },
    /// Export the whole workspace as JSON (format v1) to FILE (`-` for standard output).
    Export {
        /// Where to write the JSON.
        file: String,
    },
    /// Import a workspace file (format v1). Every problem is listed; nothing is written unless
    /// the whole file can be imported.
    Import {
        /// The JSON file (`-` for standard input).
        file: String,
        /// Replace projects whose key already exists (with all their records).
        #[arg(long)]
        replace: bool,
        /// Rows written per transaction (for measuring).
        #[arg(long, hide = true)]
        tx_rows: Option<usize>,
    },
    /// Load demo data and print the password of the demo administrator.
    Demo {
        /// `normal` (seven hand-made projects) or `large` (200 generated projects).
        #[arg(long, default_value = "normal", value_parser = ["normal", "large"])]
        scale: String,
        /// Do nothing when the workspace already has users.
        #[arg(long)]
        if_empty: bool,
        /// With `--scale large`: N generated projects instead of 200, from 1 to 10,000 (the first
        /// 200 are the usual ones; users and stakeholders stay the same).
        #[arg(long)]
        projects: Option<usize>,
    },
    /// Serve a bare axum handler that answers 20 KB of HTML: the ceiling of `make bench`.
    #[command(hide = true)]
    BenchCeiling {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:3099")]
        addr: std::net::SocketAddr,
    },
    /// Time each database statement of the project page, report and portfolio, with its plan.
    #[command(hide = true)]
    BenchQueries {
        /// The project to probe (default: the middle one by key).
        #[arg(long)]
        key: Option<String>,
        /// Timed runs per statement.
        #[arg(long, default_value_t = 21)]
        runs: usize,
    },
    /// Time the SurrealQL on standard input, and show its answer.
    #[command(hide = true)]
    BenchSql {
        /// Timed runs.
        #[arg(long, default_value_t = 101)]
        runs: usize,
    },
    /// Time an import of the generated large workspace into an empty database.
    #[command(hide = true)]
    BenchImport {
        /// The database to import into (`mem://` or a new `surrealkv://DIR`).
        #[arg(long, default_value = "mem://")]
        target: String,
        /// How many of the 200 projects to generate.
        #[arg(long, default_value_t = 200)]
        projects: usize,
    },
    /// Write a full backup of the database (SurrealQL, credentials included) to FILE.
    Backup {
        /// Where to write the backup.
        file: std::path::PathBuf,
    },
    /// Load a backup written by `touchpoint backup` into the database. Stop the server first.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        /// Replace everything in a database that is in use.
        #[arg(long)]
        force: bool,
    },
    /// Print the OpenAPI document of the REST API.
    Openapi,
    /// Personal API tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        command: TokenCommand,
    },
}

impl Command {
    /// Whether the command does its work and exits (everything but the servers). One-off
    /// commands log quietly, and wait for the database to close before they exit.
    pub fn is_one_off(&self) -> bool {
        !matches!(self, Command::Serve | Command::BenchCeiling { .. })
    }
}

/// The `token` subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (only the token, on standard output).
    Create {
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// What the token is for (at most 80 characters).
        #[arg(long)]
        name: Option<String>,
        /// Days until it expires (1–3650); no expiry when omitted.
        #[arg(long)]
        expires_days: Option<String>,
    },
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = crate::startup::Application::build(&cli.db.db, cli.serve).await?;
            tracing::info!("Touchpoint is listening on http://{}", app.address());
            app.run_until_stopped().await
        }
        Command::Migrate => {
            let db = app::db::connect(&cli.db.db)
                .await
                .context("connecting to the database")?;
            let applied = app::db::migrate(&db).await.context("migrating")?;
            if applied.is_empty() {
                println!("The schema is current; no migration was pending.");
            } else {
                println!("Applied migrations: {applied:?}");
            }
            Ok(())
        }
        Command::Bench { runs } => {
            crate::bench::portfolio(runs.max(1));
            Ok(())
        }
        Command::CreateAdmin { email, name } => {
            let mut line = String::new();
            tokio::io::BufReader::new(tokio::io::stdin())
                .read_line(&mut line)
                .await
                .context("reading the password from standard input")?;
            let password = line.trim_end_matches(['\r', '\n']).to_string();
            let state = crate::startup::offline_state(&cli.db.db).await?;
            let user = app::auth::service::create_user(
                &state,
                &email,
                &name,
                Some(&password),
                app::auth::Role::Admin,
                false,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
            println!("Created administrator {}.", user.email);
            Ok(())
        }
        Command::Export { file } => crate::transfer_cli::export(&cli.db.db, &file).await,
        Command::Import {
            file,
            replace,
            tx_rows,
        } => crate::transfer_cli::import(&cli.db.db, &file, replace, tx_rows).await,
        Command::Demo {
            scale,
            if_empty,
            projects,
        } => crate::transfer_cli::demo(&cli.db.db, scale == "large", projects, if_empty).await,
        Command::BenchCeiling { addr } => crate::bench::ceiling(addr).await,
        Command::BenchQueries { key, runs } => {
            crate::bench::queries(&cli.db.db, key, runs.max(1)).await
        }
        Command::BenchSql { runs } => crate::bench::sql(&cli.db.db, runs.max(1)).await,
        Command::BenchImport { target, projects } => {
            crate::transfer_cli::bench_import(&target, projects).await
        }
        Command::Backup { file } => {
            let db = app::db::connect(&crate::backup::dump_url(&cli.db.db))
                .await
                .context("connecting to the database")?;
            crate::backup::backup(&db, &file).await?;
            eprintln!("Backed up the database to {}.", file.display());
            Ok(())
        }
        Command::Restore { file, force } => {
            let db = app::db::connect(&crate::backup::dump_url(&cli.db.db))
                .await
                .context("connecting to the database")?;
            crate::backup::restore(&db, &file, force).await?;
            eprintln!("Restored the database from {}.", file.display());
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::api::openapi_json());
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    name,
                    expires_days,
                },
        } => {
            let state = crate::startup::offline_state(&cli.db.db).await?;
            let created = app::auth::tokens_service::create_token_for_email(
                &state,
                &email,
                name.as_deref(),
                expires_days.as_deref(),
            )
            .await
            .map_err(|e| match e.field_name() {
                Some(field) => anyhow::anyhow!("--{}: {}", field.replace('_', "-"), e.message()),
                None => anyhow::anyhow!("{}", e.message()),
            })?;
            let expiry = created.info.expires_at.map_or_else(
                || "does not expire".to_string(),
                |e| format!("expires {}", e.format("%Y-%m-%d %H:%M UTC")),
            );
            eprintln!(
                "Created API token \"{}\" for {} ({expiry}). It is shown only this once.",
                created.info.name,
                app::auth::normalize_email(&email)
            );
            println!("{}", created.token);
            Ok(())
        }
    }
}
