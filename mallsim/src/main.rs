//! `mallsim --listen ADDR --seed N [--demo]`: the marketplace simulator on its own.

use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "mallsim", about = "Marketplace simulator: each marketplace's API on loopback")]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "MALLSIM_LISTEN", default_value = "127.0.0.1:8090")]
    listen: String,
    /// Seed of the data generator: the same seed gives the same data.
    #[arg(long, env = "MALLSIM_SEED", default_value_t = 1)]
    seed: u64,
    /// Create one demo account per marketplace and keep adding orders and customer messages.
    #[arg(long, env = "MALLSIM_DEMO")]
    demo: bool,
    /// Seconds between two rounds of demo activity.
    #[arg(long, env = "MALLSIM_DEMO_INTERVAL", default_value_t = 5)]
    demo_interval: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "mallsim=info".into()),
        )
        .init();
    let args = Args::parse();
    let sim = mallsim::Sim::new(args.seed);
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let addr = listener.local_addr()?;
    if args.demo {
        mallsim::demo::seed_accounts(&sim).await;
        mallsim::demo::start(sim.clone(), std::time::Duration::from_secs(args.demo_interval.max(1)));
        println!("{}", mallsim::demo::describe(addr));
    }
    tracing::info!("mallsim listening on http://{addr} (seed {})", args.seed);
    mallsim::serve(listener, sim).await
}
