//! Keeping the writer thread on chosen CPUs (`StoreOptions::writer_cpus`).
//!
//! Off by default. Every write waits for the writer thread, so where the kernel runs it
//! matters: on small virtual machines the scheduler may keep moving it next to the thread
//! that woke it, where it then waits for that thread's time slice instead of running on a
//! free CPU (measured in docs/benchmarks.md). Confining it to fixed CPUs, like Redis's
//! `server_cpulist`, is a choice for the operator who knows the machine.

use crate::error::{Result, StoreError};

/// The highest CPU number a list may name (the kernel's `CPU_SETSIZE` is 1024).
pub(crate) const MAX_CPU: usize = 1023;

/// Confines the calling thread to `cpus` (Linux only).
pub(crate) fn keep_current_thread_on(cpus: &[usize]) -> Result<()> {
    let refused = |reason: String| StoreError::CpuAffinity { cpus: cpus.to_vec(), reason };
    if cpus.is_empty() {
        return Err(refused("the list names no CPU".into()));
    }
    if let Some(cpu) = cpus.iter().find(|cpu| **cpu > MAX_CPU) {
        return Err(refused(format!("CPU {cpu} is past {MAX_CPU}")));
    }
    confine(cpus).map_err(refused)
}

#[cfg(target_os = "linux")]
fn confine(cpus: &[usize]) -> std::result::Result<(), String> {
    use rustix::thread::{CpuSet, sched_setaffinity};
    let mut set = CpuSet::new();
    for cpu in cpus {
        set.set(*cpu);
    }
    sched_setaffinity(None, &set).map_err(|error| std::io::Error::from(error).to_string())
}

#[cfg(not(target_os = "linux"))]
fn confine(_cpus: &[usize]) -> std::result::Result<(), String> {
    Err("CPU affinity is supported on Linux only".into())
}
