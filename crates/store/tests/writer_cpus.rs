//! `StoreOptions::writer_cpus`: the writer thread runs only on the CPUs asked for, and a
//! list the system refuses stops the opening with a clear error. Alone in its test binary,
//! so the only writer thread in the process is this test's.
#![cfg(target_os = "linux")]

use std::fs;
use std::time::{Duration, Instant};

use resplite_store::{Store, StoreError, StoreOptions};

/// `Cpus_allowed_list` of every thread of this process named `name`.
fn allowed_cpus_of_threads_named(name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for task in fs::read_dir("/proc/self/task").unwrap() {
        let task = task.unwrap().path();
        let Ok(comm) = fs::read_to_string(task.join("comm")) else { continue };
        if comm.trim_end() != name {
            continue;
        }
        let status = fs::read_to_string(task.join("status")).unwrap();
        let list = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:"));
        found.push(list.unwrap().trim().to_string());
    }
    found
}

/// The first CPU this process may run on (a container may exclude CPU 0).
fn first_allowed_cpu() -> usize {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let list = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:")).unwrap();
    let first = list.trim().split([',', '-']).next().unwrap();
    first.parse().unwrap()
}

#[test]
fn the_writer_thread_keeps_to_the_cpus_asked_for_and_a_refused_list_fails_the_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pinned.db");

    let cpu = first_allowed_cpu();
    let mut options = StoreOptions::new(&path);
    options.writer_cpus = Some(vec![cpu]);
    let store = Store::open_with(options).unwrap();
    assert_eq!(allowed_cpus_of_threads_named("resplite-writer"), vec![cpu.to_string()]);
    // Other threads of the store are left to the kernel. A new thread names itself once it
    // runs, which may be a moment after the store is open.
    let started = Instant::now();
    let mut readers = allowed_cpus_of_threads_named("resplite-reader");
    while readers.is_empty() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
        readers = allowed_cpus_of_threads_named("resplite-reader");
    }
    assert!(!readers.is_empty());
    store.set(0, b"key", b"value").unwrap();
    assert_eq!(store.get(0, b"key").unwrap(), Some(b"value".to_vec()));
    drop(store);
    assert!(allowed_cpus_of_threads_named("resplite-writer").is_empty());

    // CPU 1023 exists only on machines with 1024 CPUs: the kernel refuses the set.
    let mut options = StoreOptions::new(&path);
    options.writer_cpus = Some(vec![1023]);
    match Store::open_with(options) {
        Err(error @ StoreError::CpuAffinity { .. }) => {
            assert_eq!(
                error.to_string(),
                "cannot keep the writer thread on CPUs 1023: Invalid argument (os error 22)"
            );
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("a set of CPUs the machine lacks was accepted"),
    }
    let mut options = StoreOptions::new(&path);
    options.writer_cpus = Some(vec![1024]);
    assert!(matches!(Store::open_with(options), Err(StoreError::CpuAffinity { .. })));
    let mut options = StoreOptions::new(&path);
    options.writer_cpus = Some(Vec::new());
    assert!(matches!(Store::open_with(options), Err(StoreError::CpuAffinity { .. })));

    // The data written before is still there, and a store without the option opens.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get(0, b"key").unwrap(), Some(b"value".to_vec()));
}
