#![recursion_limit = "256"]
// Handlers answer errors as ready-made responses in the marketplace's own envelope.
#![allow(clippy::result_large_err)]
//! mallsim — the marketplace simulator.
//!
//! Serves each marketplace's HTTP contract (shared/MARKETPLACES.md) on loopback under its own
//! prefix, followed by the documented path unchanged:
//!
//! | prefix | marketplace | contract |
//! | --- | --- | --- |
//! | `/rakuten` | Rakuten RMS | `/es/1.0/inquirymng-api/…`, `/es/2.0/order/…` |
//! | `/yahoo` | Yahoo!ショッピング | `/ShoppingWebService/V1/…` |
//! | `/rakuma` | ラクマ | assumed contract, see `rakuma.rs` |
//! | `/aupay` | au PAY マーケット | `/wmshopapi/…` |
//! | `/amazon` | Amazon SP-API | `/orders/v0/orders`, LWA token at `/auth/o2/token` |
//!
//! `/_control/…` (JSON) creates accounts, adds orders, inquiries and customer messages, reads
//! what each account received and injects faults. In demo mode a background task keeps adding
//! orders and customer messages.

pub mod amazon;
pub mod aupay;
pub mod control;
pub mod data;
pub mod demo;
pub mod fault;
mod net;
pub mod rakuma;
pub mod rakuten;
mod sim;
pub mod state;
pub mod time;
pub mod xml;
pub mod yahoo;

use axum::Router;
use axum::middleware::from_fn_with_state;

pub use fault::Faults;
pub use sim::{NewAccount, OrderSpec, Sim, SimError};
pub use state::{AccountKey, Credentials, Marketplace};

/// Every marketplace under its prefix, each behind its fault layer, plus `/_control`.
pub fn router(sim: Sim) -> Router {
    let mount = |mp: Marketplace, r: Router<Sim>| r.layer(from_fn_with_state((sim.clone(), mp), fault::layer));
    Router::new()
        .nest("/rakuten", mount(Marketplace::Rakuten, rakuten::router()))
        .nest("/yahoo", mount(Marketplace::Yahoo, yahoo::router()))
        .nest("/rakuma", mount(Marketplace::Rakuma, rakuma::router()))
        .nest("/aupay", mount(Marketplace::Aupay, aupay::router()))
        .nest("/amazon", mount(Marketplace::Amazon, amazon::router()))
        .nest("/_control", control::router())
        .with_state(sim)
}

/// Serves the simulator on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, sim: Sim) -> std::io::Result<()> {
    let app = router(sim).into_make_service_with_connect_info::<net::ConnHandle>();
    axum::serve(net::CuttableListener(listener), app).await
}
