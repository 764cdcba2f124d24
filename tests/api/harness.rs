//! The harness itself: a test that fails leaves nothing behind.

use madoguchi_tests::{Backend, backends, spawn_app};
use sea_orm::{ConnectionTrait, Database, Statement};

#[tokio::test]
async fn a_failing_test_leaves_no_database_and_no_folder_behind() {
    for backend in backends().await {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let b = backend.clone();
        let failing_test = tokio::spawn(async move {
            let app = spawn_app(&b).await;
            let _ = tx.send((app.data_dir().to_owned(), app.database_url().to_owned()));
            panic!("the test body fails before finish()");
        });
        assert!(failing_test.await.is_err(), "the test body failed");
        let (dir, url) = rx.await.expect("the server had started");
        assert!(!dir.exists(), "{} left its data folder {dir:?}", backend.name());
        if let Backend::Postgres(admin) = &backend {
            let name = url.rsplit('/').next().expect("database name").to_owned();
            let db = Database::connect(admin.as_str()).await.expect("admin connection");
            let left = db
                .query_one_raw(Statement::from_sql_and_values(
                    db.get_database_backend(),
                    "SELECT COUNT(*) AS n FROM pg_database WHERE datname = $1",
                    [name.clone().into()],
                ))
                .await
                .expect("query")
                .expect("row")
                .try_get::<i64>("", "n")
                .expect("count");
            assert_eq!(left, 0, "the throwaway database {name} was left behind");
        }
    }
}
