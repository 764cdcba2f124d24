//! A PostgreSQL server of a test's own: a throwaway cluster in a temporary folder on a free
//! port, which the test may stop and start (never the machine's shared server). Needs the
//! PostgreSQL server binaries (`initdb`, `pg_ctl`); as root they run as the `postgres` user,
//! since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub struct OwnPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn server_binaries() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL tool line, as the `postgres` user when this process is root.
fn run(line: &str) -> bool {
    let status = if is_root() {
        Command::new("su").args(["postgres", "-s", "/bin/sh", "-c", line]).status()
    } else {
        Command::new("sh").args(["-c", line]).status()
    };
    status.is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(55433)
}

impl OwnPostgres {
    /// A new cluster, started; `None` (and why, on stderr) when this machine cannot make one.
    pub fn start_new() -> Option<OwnPostgres> {
        let Some(bin) = server_binaries() else {
            eprintln!("NOTE: no PostgreSQL server binaries under /usr/lib/postgresql: no cluster of the test's own");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("madoguchi_pg_{}_{:x}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir).ok()?;
        if is_root() {
            let _ = Command::new("chown").args(["postgres", &dir.display().to_string()]).status();
        }
        let pg = OwnPostgres { bin, dir, port: free_port() };
        let initdb =
            format!("{} -D {} -A trust -U postgres >/dev/null", pg.bin.join("initdb").display(), pg.data().display());
        if !run(&initdb) {
            eprintln!("NOTE: initdb failed: no cluster of the test's own");
            return None;
        }
        pg.start();
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg_ctl(&self, args: &str) -> bool {
        run(&format!("{} -D {} {args}", self.bin.join("pg_ctl").display(), self.data().display()))
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start(&self) {
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.display());
        assert!(
            self.pg_ctl(&format!("-l {} -o \"{opts}\" -w start >/dev/null", self.dir.join("log").display())),
            "the test's own PostgreSQL starts"
        );
    }

    /// Stops the server the way a crash or a failover looks to clients: every connection is
    /// cut at once (`immediate`).
    pub fn stop(&self) {
        assert!(self.pg_ctl("-m immediate -w stop >/dev/null"), "the test's own PostgreSQL stops");
    }

    /// The admin URL (database `postgres`), as `MADOGUCHI_TEST_POSTGRES` would name it.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn folder(&self) -> &Path {
        &self.dir
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl("-m immediate -w stop >/dev/null 2>&1");
        std::thread::sleep(Duration::from_millis(100));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
