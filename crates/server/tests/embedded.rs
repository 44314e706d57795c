//! A program that embeds the server and writes through its store directly: clients of the
//! server blocked on a key are woken by those writes too.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use resplite_server::{Server, ServerConfig, StoreOptions};
use resplite_store::ListEnd;

/// Sends `request` and reads exactly `expected.len()` bytes back.
fn ask(stream: &mut TcpStream, request: &[u8], expected: &[u8]) {
    stream.write_all(request).unwrap();
    let mut reply = vec![0u8; expected.len()];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(String::from_utf8_lossy(&reply), String::from_utf8_lossy(expected));
}

/// Waits until `INFO clients` reports `blocked` blocked clients.
fn wait_for_blocked(port: u16, blocked: usize) {
    let mut observer = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let wanted = format!("blocked_clients:{blocked}\r\n");
    let started = Instant::now();
    loop {
        observer.write_all(b"INFO clients\r\n").unwrap();
        let mut reply = vec![0u8; 4096];
        let read = observer.read(&mut reply).unwrap();
        if String::from_utf8_lossy(&reply[..read]).contains(&wanted) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "never saw {wanted:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn writes_through_the_embedded_store_wake_blocked_clients() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut config = ServerConfig::new(StoreOptions::new(dir.path().join("embedded.db")));
    config.port = 0;
    let server = runtime.block_on(Server::bind(config)).unwrap();
    let port = server.local_addr().unwrap().port();
    let store = server.store();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = runtime.spawn(server.run(async {
        let _ = stopped.await;
    }));

    let mut waiter = TcpStream::connect(("127.0.0.1", port)).unwrap();
    waiter.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    waiter.write_all(b"BLPOP jobs 0\r\n").unwrap();
    wait_for_blocked(port, 1);
    store
        .write(|writer| {
            writer.list_push(0, b"jobs", ListEnd::Right, &[&b"from-the-program"[..]], false)
        })
        .unwrap();
    let expected = b"*2\r\n$4\r\njobs\r\n$16\r\nfrom-the-program\r\n";
    let mut reply = vec![0u8; expected.len()];
    waiter.read_exact(&mut reply).unwrap();
    assert_eq!(&reply[..], &expected[..]);

    // A sorted set filled directly wakes BZPOPMIN the same way.
    waiter.write_all(b"BZPOPMIN board 0\r\n").unwrap();
    wait_for_blocked(port, 1);
    let flags = resplite_store::ZaddFlags::default();
    store.write(move |writer| writer.zset_add(0, b"board", flags, &[(2.5, b"alice")])).unwrap();
    ask(&mut waiter, b"", b"*3\r\n$5\r\nboard\r\n$5\r\nalice\r\n$3\r\n2.5\r\n");

    let _ = stop.send(());
    runtime.block_on(serving).unwrap();
}
