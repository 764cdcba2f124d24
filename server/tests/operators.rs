//! The operators' commands of the built `madoguchi` binary, on SQLite and PostgreSQL:
//! `tenant create|list|set`, `staff reset-password`, and the setup code `serve` prints on a
//! database without a tenant.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

use std::io::BufRead as _;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use sea_orm::{ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryFilter};
use server::store::entities::staff;

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/test";
const PASSWORD: &str = "operator-pass-1";

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{:x}", std::process::id(), rand::random::<u64>())
}

/// A throwaway database: (URL, data folder, PostgreSQL database to drop).
struct Db {
    url: String,
    dir: std::path::PathBuf,
    pg: Option<String>,
}

impl Db {
    async fn all() -> Vec<Db> {
        let mut all = Vec::new();
        let dir = std::env::temp_dir().join(unique("madoguchi_ops"));
        std::fs::create_dir_all(&dir).unwrap();
        all.push(Db { url: format!("sqlite://{}?mode=rwc", dir.join("ops.sqlite").display()), dir, pg: None });
        let admin = std::env::var("MADOGUCHI_TEST_POSTGRES").unwrap_or_else(|_| PG_ADMIN.to_owned());
        if admin != "off"
            && let Ok(Ok(db)) = tokio::time::timeout(Duration::from_secs(5), Database::connect(admin.as_str())).await
        {
            let name = unique("mdg_ops");
            db.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
            let dir = std::env::temp_dir().join(unique("madoguchi_ops"));
            std::fs::create_dir_all(&dir).unwrap();
            all.push(Db { url: format!("{base}/{name}"), dir, pg: Some(name) });
        }
        all
    }

    async fn finish(self) {
        if let Some(name) = self.pg {
            let admin = std::env::var("MADOGUCHI_TEST_POSTGRES").unwrap_or_else(|_| PG_ADMIN.to_owned());
            if let Ok(db) = Database::connect(admin.as_str()).await {
                let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Runs `madoguchi ARGS --database-url URL` with `MADOGUCHI_ADMIN_PASSWORD` set (when given).
    fn run(&self, args: &[&str], password: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_madoguchi"));
        cmd.args(args)
            .arg("--database-url")
            .arg(&self.url)
            .arg("--data-dir")
            .arg(&self.dir)
            .env_remove("MADOGUCHI_DATABASE_URL")
            .env_remove("MADOGUCHI_ADMIN_PASSWORD")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        if let Some(p) = password {
            cmd.env("MADOGUCHI_ADMIN_PASSWORD", p);
        }
        cmd.output().expect("the madoguchi binary runs")
    }

    async fn connect(&self) -> DatabaseConnection {
        Database::connect(self.url.as_str()).await.unwrap()
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The tenant id in "tenant ID created: …".
fn created_id(o: &Output) -> i64 {
    assert!(o.status.success(), "tenant create failed: {} {}", out(o), err(o));
    out(o).split("tenant ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).expect("an id")
}

#[tokio::test]
async fn tenant_create_makes_the_tenant_and_its_admin_and_never_prints_the_password() {
    for db in Db::all().await {
        let o = db.run(
            &[
                "tenant",
                "create",
                "--name",
                "株式会社運用",
                "--admin-email",
                "Boss@Unyo.example.jp",
                "--admin-name",
                "運用 管理者",
                "--api-option",
            ],
            Some(PASSWORD),
        );
        let id = created_id(&o);
        assert!(!out(&o).contains(PASSWORD) && !err(&o).contains(PASSWORD), "the password is printed nowhere");

        let conn = db.connect().await;
        let admin = staff::Entity::find()
            .filter(staff::Column::Email.eq("boss@unyo.example.jp"))
            .one(&conn)
            .await
            .unwrap()
            .expect("the admin exists");
        assert_eq!(admin.tenant_id, id);
        assert_eq!(admin.role, staff::Role::Admin);
        assert_eq!(admin.name, "運用 管理者");
        assert!(server::crypto::verify_password(PASSWORD, &admin.password_hash));

        let list = db.run(&["tenant", "list"], None);
        assert!(list.status.success(), "{}", err(&list));
        let line = out(&list).lines().find(|l| l.contains("株式会社運用")).map(str::to_owned).expect("listed");
        assert!(line.contains(" on "), "the API option is on: {line}");
        let _ = conn.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn tenant_create_refuses_a_short_password_or_none_without_a_terminal() {
    for db in Db::all().await {
        let args =
            ["tenant", "create", "--name", "短い会社", "--admin-email", "a@example.jp", "--admin-name", "管理者"];
        let o = db.run(&args, Some("short"));
        assert!(!o.status.success());
        assert!(err(&o).contains("password"), "{}", err(&o));
        let o = db.run(&args, None);
        assert!(!o.status.success(), "no MADOGUCHI_ADMIN_PASSWORD and no terminal: refused");
        let list = db.run(&["tenant", "list"], None);
        assert!(!out(&list).contains("短い会社"), "nothing was created");
        db.finish().await;
    }
}

#[tokio::test]
async fn tenant_set_switches_the_api_option() {
    for db in Db::all().await {
        let id = created_id(&db.run(
            &["tenant", "create", "--name", "切替商店", "--admin-email", "k@example.jp", "--admin-name", "切替"],
            Some(PASSWORD),
        ));
        let line = |o: &Output| out(o).lines().find(|l| l.contains("切替商店")).map(str::to_owned).unwrap();
        assert!(line(&db.run(&["tenant", "list"], None)).contains(" off "));
        let o = db.run(&["tenant", "set", "--id", &id.to_string(), "--api-option", "true"], None);
        assert!(o.status.success(), "{}", err(&o));
        assert!(line(&db.run(&["tenant", "list"], None)).contains(" on "));
        let o = db.run(&["tenant", "set", "--id", &id.to_string(), "--api-option", "false"], None);
        assert!(o.status.success(), "{}", err(&o));
        assert!(line(&db.run(&["tenant", "list"], None)).contains(" off "));
        let o = db.run(&["tenant", "set", "--id", "999999", "--api-option", "true"], None);
        assert!(!o.status.success());
        assert!(err(&o).contains("no tenant"), "{}", err(&o));
        db.finish().await;
    }
}

/// The password hashes of shared@example.jp in two tenants.
async fn hashes(conn: &DatabaseConnection, first: i64, second: i64) -> (String, String) {
    let rows = staff::Entity::find().filter(staff::Column::Email.eq("shared@example.jp")).all(conn).await.unwrap();
    let of = |t: i64| rows.iter().find(|s| s.tenant_id == t).unwrap().password_hash.clone();
    (of(first), of(second))
}

#[tokio::test]
async fn reset_password_needs_the_tenant_when_the_address_is_in_several_and_changes_only_that_account() {
    for db in Db::all().await {
        let create = |name: &str| {
            created_id(&db.run(
                &["tenant", "create", "--name", name, "--admin-email", "shared@example.jp", "--admin-name", "兼任"],
                Some(PASSWORD),
            ))
        };
        let (first, second) = (create("一号店"), create("二号店"));
        let o = db.run(&["staff", "reset-password", "--email", "shared@example.jp"], Some("brand-new-pass-2"));
        assert!(!o.status.success(), "ambiguous without --tenant");
        assert!(err(&o).contains("--tenant"), "{}", err(&o));

        let conn = db.connect().await;
        let (h1, h2) = hashes(&conn, first, second).await;
        assert!(server::crypto::verify_password(PASSWORD, &h1) && server::crypto::verify_password(PASSWORD, &h2));

        let o = db.run(
            &["staff", "reset-password", "--email", "shared@example.jp", "--tenant", &second.to_string()],
            Some("brand-new-pass-2"),
        );
        assert!(o.status.success(), "{}", err(&o));
        assert!(!out(&o).contains("brand-new-pass-2") && !err(&o).contains("brand-new-pass-2"));
        let (h1, h2) = hashes(&conn, first, second).await;
        assert!(server::crypto::verify_password(PASSWORD, &h1), "the other tenant's account is untouched");
        assert!(
            server::crypto::verify_password("brand-new-pass-2", &h2),
            "the named tenant's account has the new password"
        );

        let o = db.run(&["staff", "reset-password", "--email", "nobody@example.jp"], Some("brand-new-pass-3"));
        assert!(!o.status.success());
        assert!(err(&o).contains("no staff member"), "{}", err(&o));
        let _ = conn.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn serve_on_a_database_without_a_tenant_prints_a_setup_code_that_sets_it_up() {
    let db = Db::all().await.into_iter().next().expect("SQLite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db.url])
        .arg("--data-dir")
        .arg(&db.dir)
        .arg("--spa-dir")
        .arg(db.dir.join("no-app"))
        .env_remove("MADOGUCHI_LISTEN")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the madoguchi binary starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut addr = None;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                addr = rest.split('/').next().map(str::to_owned);
            }
            if line.starts_with("First start:")
                && let Some(code) = line.split("setup code ").nth(1)
            {
                let _ = tx.send((addr.clone().unwrap_or_default(), code.trim().to_owned()));
            }
        }
    });
    let (addr, code) = rx.recv_timeout(Duration::from_secs(120)).expect("the server prints a setup code");
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("{base}/setup"))
        .header("Origin", &base)
        .json(&serde_json::json!({
            "companyName": "印字された会社", "adminName": "初代", "email": "first@example.jp",
            "password": PASSWORD, "setupCode": code,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert!(resp.headers().get("set-cookie").is_some_and(|c| c.to_str().unwrap().starts_with("madoguchi_session=")));
    let _ = child.kill();
    let _ = child.wait();
    db.finish().await;
}
