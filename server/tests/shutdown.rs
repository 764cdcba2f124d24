//! The built `madoguchi` binary stops gracefully on SIGTERM (what service managers and
//! container orchestrators send) as on Ctrl-C (SIGINT): it stops accepting connections,
//! finishes the request that is running, and exits 0.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

struct Server {
    child: Child,
    addr: SocketAddr,
    dir: std::path::PathBuf,
}

/// Starts `madoguchi serve --demo` on a fresh SQLite database in a temporary folder and waits
/// until it listens.
fn start() -> Server {
    let dir =
        std::env::temp_dir().join(format!("madoguchi_shutdown_{}_{:x}", std::process::id(), rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--demo"])
        .arg("--data-dir")
        .arg(&dir)
        .arg("--spa-dir")
        .arg(dir.join("no-app"))
        .env_remove("MADOGUCHI_DATABASE_URL")
        .env_remove("MADOGUCHI_LISTEN")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the madoguchi binary starts");
    let addr = common::listening_address(&mut child);
    Server { child, addr: addr.parse().unwrap(), dir }
}

fn signal(pid: u32, name: &str) {
    let ok = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().unwrap().success();
    assert!(ok, "kill -{name} {pid}");
}

/// Waits for the process to exit, at most `limit`.
fn exit_status(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a new connection gets an HTTP answer (`GET /healthz`).
async fn answers(addr: SocketAddr) -> bool {
    let attempt = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .ok()?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.ok()?;
        Some(buf.starts_with(b"HTTP/1.1 200"))
    };
    tokio::time::timeout(Duration::from_secs(5), attempt).await.ok().flatten().unwrap_or(false)
}

async fn a_request_running_when_the_signal_arrives_completes_and_the_exit_is_clean(signal_name: &str) {
    let mut server = start();
    let addr = server.addr;
    assert!(answers(addr).await, "the server answers before the signal");

    // A slow request: a sign-in whose body arrives in two parts, a second apart; the signal
    // comes in between, while the server is reading it.
    let body =
        serde_json::json!({ "email": server::demo::DEMO_EMAIL, "password": server::demo::DEMO_PASSWORD }).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut slow = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    slow.write_all(format!("{head}{first}").as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    signal(server.child.id(), signal_name);
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert!(!answers(addr).await, "after the signal, new connections are not served");
    slow.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), slow.read_to_end(&mut answer))
        .await
        .expect("the running request is answered")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "the sign-in completed: {answer}");
    assert!(answer.to_ascii_lowercase().contains("set-cookie: madoguchi_session="), "{answer}");

    let status = exit_status(&mut server.child, Duration::from_secs(40));
    assert_eq!(status.code(), Some(0), "exits 0 after {signal_name}: {status:?}");
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test]
async fn sigterm_stops_accepting_finishes_the_running_request_and_exits_0() {
    a_request_running_when_the_signal_arrives_completes_and_the_exit_is_clean("TERM").await;
}

#[tokio::test]
async fn ctrl_c_does_the_same() {
    a_request_running_when_the_signal_arrives_completes_and_the_exit_is_clean("INT").await;
}
