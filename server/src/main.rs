use clap::Parser;
use server::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    server::logs::init(cli.log_format);
    match cli.command {
        Command::Serve(args) => server::serve(args).await,
        Command::Migrate(db) => server::migrate_only(db).await,
        Command::Backup(a) => {
            server::backup::backup(&a.db.database_url(), &a.to).await?;
            println!("backup written to {}", a.to.display());
            Ok(())
        }
        Command::Restore(a) => {
            server::backup::restore(&a.db.database_url(), &a.from).await?;
            println!("restored from {}", a.from.display());
            Ok(())
        }
        Command::Schema => {
            print!("{}", server::graphql::sdl());
            Ok(())
        }
    }
}
