//! Something done every tick on a thread of its own while a long step runs on this one: a
//! store being built written out to disk, a statement interrupted once Ctrl-C comes.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// Runs `step`, and meanwhile calls `each_tick` every `tick` on another thread until `step`
/// ends or `each_tick` returns false. The other thread ends with `step`, not at its next tick.
pub fn ticking<T>(
    tick: Duration,
    mut each_tick: impl FnMut() -> bool + Send,
    step: impl FnOnce() -> T,
) -> T {
    let (running, ended) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = ended.recv_timeout(tick) {
                if !each_tick() {
                    return;
                }
            }
        });
        let out = step();
        drop(running);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    /// Ticks come while the step runs, and the step's end ends them at once.
    #[test]
    fn ticks_come_while_the_step_runs_and_end_with_it() {
        let ticks = AtomicUsize::new(0);
        let started = Instant::now();
        let out = ticking(
            Duration::from_millis(10),
            || {
                ticks.fetch_add(1, Ordering::Relaxed);
                true
            },
            || {
                std::thread::sleep(Duration::from_millis(200));
                7
            },
        );
        assert_eq!(out, 7);
        assert!(ticks.load(Ordering::Relaxed) >= 3, "{ticks:?}");
        let started_slow = Instant::now();
        ticking(Duration::from_secs(60), || true, || ());
        assert!(started_slow.elapsed() < Duration::from_secs(5));
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
