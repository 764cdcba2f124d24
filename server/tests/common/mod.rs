//! What the tests that run the real `madoguchi` binary share.

use std::io::BufRead as _;
use std::process::Child;
use std::time::Duration;

/// Where a started `madoguchi serve` listens (`127.0.0.1:port`), as it prints it on its
/// standard output (`listening on http://…`, which must be piped), within two minutes.
pub fn listening_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("the server's stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split('/').next().unwrap_or("").to_owned());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(120)).expect("the server says where it listens")
}
