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
                &password,
                app::auth::Role::Admin,
                false,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
            println!("Created administrator {}.", user.email);
            Ok(())
        }
    }
}
