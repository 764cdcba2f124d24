//! `madoguchi backup` / `restore`: a backup taken while the server writes restores to a sound,
//! consistent database that a server starts on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use madoguchi_tests::{Backend, each_backend};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: TemplateInput!) { createTemplate(input: $i) { id } }";
const LIST: &str = "{ templates { id name } }";

#[tokio::test]
async fn a_backup_taken_while_the_server_writes_restores_to_a_consistent_database() {
    each_backend!(|app| {
        let (token, _) = app.tenant("バックアップ商店", true).await;
        // Writes keep coming while the backup is taken.
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (http, url, token, stop, written) =
                (app.http.clone(), format!("{}/graphql", app.base), token.clone(), stop.clone(), written.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let i = json!({ "category": "定型文", "name": format!("テンプレート{n:04}"), "body": "本文" });
                    let body: Value = http
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&json!({ "query": CREATE, "variables": { "i": i } }))
                        .send()
                        .await
                        .expect("POST")
                        .json()
                        .await
                        .expect("JSON");
                    assert!(body["data"]["createTemplate"]["id"].is_string(), "{body}");
                    written.store(n, Ordering::Relaxed);
                }
            })
        };
        while written.load(Ordering::Relaxed) < 20 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let dir =
            std::env::temp_dir().join(format!("madoguchi_backup_{}_{:x}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("backup.dump");
        let before = written.load(Ordering::Relaxed);
        server::backup::backup(app.database_url(), &file).await.expect("backup while writing");
        let after_backup = written.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.store(true, Ordering::Relaxed);
        writer.await.expect("writer");
        assert!(written.load(Ordering::Relaxed) > after_backup, "writes went on after the backup");

        // Restore into a database of its own.
        let restored_url = match &app.backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("restored.sqlite").display()),
            Backend::Postgres(admin) => {
                let name = format!("mdg_restored_{:x}", rand::random::<u64>());
                let db = Database::connect(admin.as_str()).await.expect("admin");
                db.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create");
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).expect("base");
                format!("{base}/{name}")
            }
        };
        server::backup::restore(&restored_url, &file).await.expect("restore");
        if app.backend == Backend::Sqlite {
            let db = server::store::connect(&restored_url).await.expect("open");
            server::backup::check_sqlite(&db).await.expect("sound");
        }
        let restored = app.process_on(&restored_url).await;
        let list = restored.gql_ok(&token, LIST, json!({})).await;
        let names: Vec<&str> = list["templates"]
            .as_array()
            .expect("templates")
            .iter()
            .map(|t| t["name"].as_str().expect("name"))
            .collect();
        // A snapshot: every template written before the backup began, none partly, and the
        // ones it holds are exactly the first N, in order (no gap).
        assert!(
            names.len() >= before && names.len() <= after_backup + 1,
            "{} of {before}..{after_backup}",
            names.len()
        );
        let mut sorted = names.clone();
        sorted.sort();
        let expected: Vec<String> = (1..=names.len()).map(|n| format!("テンプレート{n:04}")).collect();
        assert_eq!(sorted, expected);
        // The restored database takes writes again.
        let i: Value = json!({ "category": "定型文", "name": "復元後", "body": "本文" });
        restored.gql_ok(&token, CREATE, json!({ "i": i })).await;
        let _ = restored.state.db.clone().close().await;
        if let Backend::Postgres(admin) = &app.backend {
            let name = restored_url.rsplit('/').next().expect("name").to_owned();
            let db = Database::connect(admin.as_str()).await.expect("admin");
            let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}
