//! The `haven` command.
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use haven_store::{Ctx, NewUser, SqliteStore, Store};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod import_cmd;
mod link_cmd;
mod load;
mod needs_cmd;
mod settings;

/// The demo users, one per role, in the order the demo prints them.
const DEMO_USERS: [&str; 9] = ["admin", "triage", "idva", "outreach", "refuge", "marac", "police", "children", "commissioner"];
const DEFAULT_DEMO_PASSWORD: &str = "haven-demo-password";
const DEFAULT_SEED: u64 = 2026;

#[derive(Debug, Parser)]
#[command(name = "haven", version, about = "Haven: information system for a local domestic abuse partnership")]
struct Cli {
    /// Settings file (TOML); HAVEN_… environment variables override it.
    #[arg(long, global = true, env = "HAVEN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create (if absent) a database with a synthetic partnership and serve it.
    Demo {
        #[arg(long, default_value = "haven-demo.db")]
        db: PathBuf,
        /// 0 picks a free port.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Give every demo user this password (also resets it on an existing demo database).
        #[arg(long)]
        demo_password: Option<String>,
        /// Referrals to generate when creating the database.
        #[arg(long, default_value_t = haven_synth::DEFAULT_REFERRALS)]
        scale: u64,
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Session idle timeout in seconds (overrides settings; for testing).
        #[arg(long, hide = true)]
        idle_timeout_secs: Option<i64>,
    },
    /// Serve an existing database.
    Serve {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long, default_value_t = 8080)]
        port: u16,
        #[arg(long, hide = true)]
        idle_timeout_secs: Option<i64>,
    },
    /// Create the database if needed and apply pending migrations.
    Migrate {
        #[arg(long)]
        db: PathBuf,
    },
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Build a database holding a synthetic partnership.
    Synth {
        #[arg(long)]
        db: PathBuf,
        /// Number of referrals (12 months), up to 1,000,000.
        #[arg(long, default_value_t = haven_synth::DEFAULT_REFERRALS)]
        scale: u64,
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Password for every synthetic user.
        #[arg(long, default_value = DEFAULT_DEMO_PASSWORD)]
        password: String,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import data into the front door (police incidents).
    Import(import_cmd::ImportArgs),
    /// Needs assessment and capacity planning.
    Needs(needs_cmd::NeedsArgs),
    /// Record linkage: deduplicate one file or link two.
    Link(link_cmd::LinkArgs),
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Add a user. The password is read from standard input (one line), or generated and printed.
    Add {
        #[arg(long)]
        db: PathBuf,
        username: String,
        #[arg(long)]
        role: String,
        /// Agency key (see `haven users agencies`).
        #[arg(long)]
        agency: String,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List {
        #[arg(long)]
        db: PathBuf,
    },
    /// Disable a user: ends their sessions and revokes their tokens.
    Disable {
        #[arg(long)]
        db: PathBuf,
        username: String,
    },
    /// Create a personal API bearer token for a user and print it.
    Token {
        #[arg(long)]
        db: PathBuf,
        username: String,
    },
    /// List agencies and teams (keys for `users add`).
    Agencies {
        #[arg(long)]
        db: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exits non-zero if it is broken.
    Verify {
        #[arg(long)]
        db: PathBuf,
    },
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("HAVEN_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Needs(args) => return needs_cmd::run(args),
        Command::Link(args) => return link_cmd::run(args),
        _ => {}
    }
    init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = settings::Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Demo { db, port, demo_password, scale, seed, idle_timeout_secs } => {
            let existed = db.exists();
            let store = SqliteStore::open_or_create(&db).await?;
            let password = demo_password.clone().unwrap_or_else(|| DEFAULT_DEMO_PASSWORD.to_string());
            if !existed {
                eprintln!("Creating {} with a synthetic partnership of {scale} referrals…", db.display());
                let today = chrono::Utc::now().date_naive();
                let loaded =
                    load::load(&store, seed, scale, today, &password, std::io::IsTerminal::is_terminal(&std::io::stderr())).await?;
                eprintln!("Loaded {} referrals, {} people, {} users.", loaded.referrals, loaded.people, loaded.users);
            } else if demo_password.is_some() {
                reset_passwords(&store, &password).await?;
            }
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.with_context(|| format!("binding 127.0.0.1:{port}"))?;
            let addr = listener.local_addr()?;
            println!("Haven demo: {}", db.display());
            println!("Sign in at http://{addr}/ with one of these users:");
            for u in DEMO_USERS {
                println!("  {u:<13} {}", if existed && demo_password.is_none() { "(password unchanged)" } else { password.as_str() });
            }
            println!("listening on http://{addr}");
            std::io::stdout().flush()?;
            tracing::info!("listening on http://{addr}");
            haven_web::serve(listener, Arc::new(store), settings.web_config(idle_timeout_secs)).await?;
        }
        Command::Serve { db, host, port, idle_timeout_secs } => {
            let store = SqliteStore::open(&db).await?;
            let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await.with_context(|| format!("binding {host}:{port}"))?;
            let addr = listener.local_addr()?;
            println!("listening on http://{addr}");
            std::io::stdout().flush()?;
            tracing::info!("listening on http://{addr}");
            haven_web::serve(listener, Arc::new(store), settings.web_config(idle_timeout_secs)).await?;
        }
        Command::Migrate { db } => {
            let store = SqliteStore::open_or_create(&db).await?;
            println!("{}: schema version {}", db.display(), store.schema_version().await?);
        }
        Command::Synth { db, scale, seed, password } => {
            if scale == 0 || scale > 1_000_000 {
                bail!("--scale must be between 1 and 1000000");
            }
            if db.exists() {
                bail!("{} already exists: synth builds a new database; choose another path or delete it", db.display());
            }
            let t = std::time::Instant::now();
            let store = SqliteStore::open_or_create(&db).await?;
            let loaded = load::load(&store, seed, scale, chrono::Utc::now().date_naive(), &password, true).await?;
            store.close().await;
            let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
            println!(
                "{}: {} referrals, {} people, {} users in {:.1} s ({:.1} MiB)",
                db.display(),
                loaded.referrals,
                loaded.people,
                loaded.users,
                t.elapsed().as_secs_f64(),
                size as f64 / 1048576.0
            );
        }
        Command::Users { command } => users(command).await?,
        Command::Import(args) => import_cmd::run(args).await?,
        Command::Audit { command: AuditCommand::Verify { db } } => {
            let store = SqliteStore::open(&db).await?;
            let v = store.verify_audit().await?;
            match v.first_broken {
                None => println!("audit chain intact: {} rows, head {}", v.rows, v.head_hash),
                Some(id) => bail!("audit chain broken at row {id} ({} rows checked)", v.rows),
            }
        }
        Command::Needs(_) | Command::Link(_) => {}
    }
    Ok(())
}

async fn reset_passwords(store: &SqliteStore, password: &str) -> anyhow::Result<()> {
    let ctx = Ctx::system("demo");
    for u in store.list_users().await? {
        let hash = haven_web::auth::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?;
        store.set_password(&ctx, &u.username, &hash).await?;
    }
    Ok(())
}

async fn open(db: &Path) -> anyhow::Result<SqliteStore> {
    Ok(SqliteStore::open(db).await?)
}

async fn users(cmd: UsersCommand) -> anyhow::Result<()> {
    let ctx = Ctx::system("cli");
    match cmd {
        UsersCommand::Add { db, username, role, agency, team, display_name, password_stdin } => {
            let store = open(&db).await?;
            let username = haven_domain::access::parse_username("username", &username)?;
            let role = haven_domain::access::Role::parse("role", &role)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (haven_web::auth::random_token()[..20].to_string(), true)
            };
            haven_domain::access::check_password("password", &password)?;
            let hash = haven_web::auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let display_name = display_name.unwrap_or_else(|| username.clone());
            store.create_user(&ctx, NewUser { username: username.clone(), display_name, role, agency, team, password_hash: hash }).await?;
            println!("added {username} ({})", role.label());
            if generated {
                println!("password: {password}");
            }
        }
        UsersCommand::List { db } => {
            let store = open(&db).await?;
            for u in store.list_users().await? {
                println!(
                    "{:<16} {:<22} {:<30} {}{}",
                    u.username,
                    u.role,
                    u.agency,
                    u.team.unwrap_or_default(),
                    if u.disabled { "  [disabled]" } else { "" }
                );
            }
        }
        UsersCommand::Disable { db, username } => {
            let store = open(&db).await?;
            store.set_user_disabled(&ctx, &username, true).await?;
            println!("disabled {username}");
        }
        UsersCommand::Token { db, username } => {
            let store = open(&db).await?;
            let token = haven_web::auth::random_token();
            store.create_api_token(&ctx, &username, &haven_web::auth::token_hash(&token)).await?;
            println!("{token}");
        }
        UsersCommand::Agencies { db } => {
            let store = open(&db).await?;
            println!("Agencies:");
            for a in store.agencies().await? {
                println!("  {:<28} {}", a.key, a.name);
            }
            println!("Teams:");
            for t in store.teams().await? {
                println!("  {:<28} {} ({})", t.key, t.name, t.agency);
            }
        }
    }
    Ok(())
}
