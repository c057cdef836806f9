//! A PostgreSQL client for synchronous callers (the [`crate::store::DocumentStore`] trait is
//! synchronous), safe to use from anywhere, inside a tokio runtime included.
//!
//! The connection (the socket and its protocol state) runs on a thread of its own with a
//! small current-thread runtime. The client's futures only pass messages to that connection
//! over channels, so a caller waits for them with [`block_on`], which parks the calling
//! thread: no runtime is entered, so "cannot start a runtime from within a runtime" cannot
//! happen, and the connection is never starved by the caller's executor. The price is that a
//! call from an async task blocks that executor thread for one round trip, as an SQLite call
//! blocks it for one disk access; the pipeline already runs its heavy store writes on
//! blocking threads.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use tokio_postgres::{Client, NoTls};

use super::{PostgresError, parse_url};

/// Runs a future that needs no runtime of its own (a client call) to completion on this
/// thread, parking it while the future waits.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            // A spurious unpark only polls once more.
            Poll::Pending => std::thread::park(),
        }
    }
}

/// Connects, driving the connection on a dedicated thread that ends when the client is
/// dropped. Returns the client and how to name the server in messages.
pub fn connect(url: &str) -> Result<(Client, String), PostgresError> {
    let (config, server) = parse_url(url)?;
    let (sender, receiver) = std::sync::mpsc::channel();
    let name = server.clone();
    std::thread::Builder::new()
        .name("postgres-connection".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = sender.send(Err(format!("cannot start the connection's runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                match config.connect(NoTls).await {
                    Ok((client, connection)) => {
                        let _ = sender.send(Ok(client));
                        if let Err(e) = connection.await {
                            tracing::warn!(server = %name, "PostgreSQL connection ended: {e}");
                        }
                    }
                    Err(e) => {
                        let _ = sender.send(Err(e.to_string()));
                    }
                }
            });
        })
        .map_err(|e| PostgresError::Thread(e.to_string()))?;
    match receiver.recv() {
        Ok(Ok(client)) => Ok((client, server)),
        Ok(Err(message)) => Err(PostgresError::Unreachable { server, message }),
        Err(_) => Err(PostgresError::Thread("the connection thread ended before connecting".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::throwaway;

    #[tokio::test]
    async fn works_inside_a_runtime_without_entering_another() {
        let Some(url) = throwaway::test_database("blocking_works_inside_a_runtime") else { return };
        // Called straight from an async test, as the pipeline calls the store from its tasks.
        let (client, server) = connect(&url).unwrap();
        assert!(server.starts_with("postgres@127.0.0.1:"), "{server}");
        let row = block_on(client.query_one("SELECT 40 + 2", &[])).unwrap();
        assert_eq!(row.get::<_, i32>(0), 42);
    }

    #[test]
    fn an_unreachable_server_is_a_clear_error() {
        // A loopback port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = connect(&format!("postgres://u:secret@127.0.0.1:{port}/db")).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(&format!("u@127.0.0.1:{port}/db")), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }
}
