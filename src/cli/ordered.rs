//! Ordered parallel work without barriers between batches: the calling thread reads the
//! input and writes the output while the rayon pool works on small batches, and each
//! batch's result is delivered in input order.
//!
//! Owns the scheduling only; what a batch is, and what delivering one means, are the
//! caller's. Before this, a run went batch by batch: every batch ended with one worker
//! finishing its last article while the other waited, and with the reading thread writing
//! the batch's output while both waited (5-6 % of a 2-job run's core time).

use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc;

/// What the input side has next.
pub enum Feed<B> {
    /// A batch to work on, and its input bytes.
    Batch(B, usize),
    /// Nothing more without waiting for the input: what is in flight is delivered first
    /// (a pipe stage answers what it has before it waits for more).
    Stall,
    /// No more input.
    End,
}

/// How much work may be given out and not yet delivered.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub batches: usize,
    /// Input bytes: a few huge articles must not all be in memory at once.
    pub bytes: usize,
}

/// Runs `work` on the batches `next` gives, on the rayon pool, with at most
/// `window.batches` batches, and (past the first) `window.bytes` input bytes, given and not
/// yet delivered; `deliver` gets each result on this thread, in the order `next` gave the
/// batches.
///
/// `next(idle)` is told whether nothing is in flight: only then may it wait for input, and
/// it must not answer [`Feed::Stall`]. `idle()` is called whenever all that was given has
/// been delivered, before `next` may wait (the place to flush). The first error of `next`,
/// `deliver` or `idle` ends the run once the batches in flight are done; a panic in `work`
/// is resumed here, as a parallel iterator would.
pub fn run<B, R, E>(
    window: Window,
    mut next: impl FnMut(bool) -> Result<Feed<B>, E>,
    work: impl Fn(B) -> R + Sync,
    mut deliver: impl FnMut(R) -> Result<(), E>,
    mut idle: impl FnMut() -> Result<(), E>,
) -> Result<(), E>
where
    B: Send,
    R: Send,
{
    if rayon::current_thread_index().is_some() {
        // On a pool thread, waiting for the pool could wait for this very thread: work
        // here, one batch at a time.
        loop {
            match next(true)? {
                Feed::Batch(b, _) => {
                    deliver(work(b))?;
                    idle()?;
                }
                Feed::Stall => idle()?,
                Feed::End => return idle(),
            }
        }
    }
    let (tx, rx) = mpsc::channel();
    let work = &work;
    rayon::in_place_scope(|scope| {
        let mut given = 0usize;
        let mut delivered = 0usize;
        // Input bytes of each batch given and not yet delivered, and their sum.
        let mut sizes = std::collections::VecDeque::new();
        let mut in_flight = 0usize;
        // Results that came back before an earlier batch's.
        let mut early = BTreeMap::new();
        let mut ended = false;
        // After a stall, nothing more is asked for until all in flight is delivered.
        let mut stalled = false;
        loop {
            while !ended
                && !stalled
                && given - delivered < window.batches.max(1)
                && (given == delivered || in_flight < window.bytes)
            {
                match next(given == delivered)? {
                    Feed::Batch(b, bytes) => {
                        sizes.push_back(bytes);
                        in_flight += bytes;
                        let (tx, seq) = (tx.clone(), given);
                        scope.spawn(move |_| {
                            let result = catch_unwind(AssertUnwindSafe(|| work(b)));
                            // The receiver outlives the scope, so this cannot fail.
                            let _ = tx.send((seq, result));
                        });
                        given += 1;
                    }
                    Feed::Stall => stalled = true,
                    Feed::End => ended = true,
                }
            }
            if given == delivered {
                stalled = false;
                idle()?;
                if ended {
                    return Ok(());
                }
                continue;
            }
            // Every batch in flight holds a sender and sends once, so this gets an answer.
            let Ok((seq, result)) = rx.recv() else {
                unreachable!("a batch in flight dropped its sender without sending")
            };
            early.insert(seq, result);
            while let Some(result) = early.remove(&delivered) {
                delivered += 1;
                in_flight -= sizes.pop_front().unwrap_or(0);
                match result {
                    Ok(r) => deliver(r)?,
                    Err(panic) => resume_unwind(panic),
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn batches(n: usize) -> Window {
        Window {
            batches: n,
            bytes: usize::MAX,
        }
    }

    /// Runs batches `1..=n` of `bytes` each through `work` under `window`, from a thread
    /// outside the pool (the test's, as the CLI's main thread is); the results in the order
    /// delivered, and the most batches ever given and not delivered (both counted on this
    /// thread, so exact whatever the timing).
    fn counted(
        n: usize,
        bytes: usize,
        window: Window,
        work: impl Fn(usize) -> usize + Sync,
    ) -> (Vec<usize>, usize) {
        let (given, delivered, most) = (Cell::new(0), Cell::new(0), Cell::new(0));
        let mut got = Vec::new();
        let feed = |_idle: bool| -> Result<Feed<usize>, ()> {
            if given.get() == n {
                return Ok(Feed::End);
            }
            given.set(given.get() + 1);
            most.set(most.get().max(given.get() - delivered.get()));
            Ok(Feed::Batch(given.get(), bytes))
        };
        let deliver = |r: usize| -> Result<(), ()> {
            delivered.set(delivered.get() + 1);
            got.push(r);
            Ok(())
        };
        run(window, feed, work, deliver, || Ok(())).unwrap();
        (got, most.get())
    }

    /// Batches finish out of order (later ones are quicker), yet arrive in order, and no
    /// more than the window are ever given and not delivered.
    #[test]
    fn results_arrive_in_input_order_within_the_window() {
        let (got, most) = counted(40, 1, batches(4), |b| {
            std::thread::sleep(std::time::Duration::from_micros(((40 - b) * 50) as u64));
            b * 10
        });
        assert_eq!(got, (1..=40).map(|b| b * 10).collect::<Vec<_>>());
        assert_eq!(most, 4);
    }

    /// Past the first batch, no more is given while the bytes in flight reach the budget.
    #[test]
    fn the_byte_budget_bounds_what_is_in_flight() {
        let window = Window {
            batches: 8,
            bytes: 25,
        };
        let (got, most) = counted(12, 10, window, |b| {
            std::thread::sleep(std::time::Duration::from_millis(1));
            b
        });
        assert_eq!(got, (1..=12).collect::<Vec<_>>());
        // 10 + 10 < 25 lets a third in; 30 keeps the fourth out.
        assert_eq!(most, 3);
    }

    /// A pool of `threads`, so the tests do not depend on the global one.
    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// Called on a pool thread (a library user's), it works in place, in order.
    #[test]
    fn on_a_pool_thread_it_works_in_place() {
        let got = pool(1).install(|| {
            let mut got = Vec::new();
            let mut i = 0;
            let feed = |_| -> Result<Feed<u32>, ()> {
                i += 1;
                Ok(if i <= 5 { Feed::Batch(i, 1) } else { Feed::End })
            };
            let deliver = |r| {
                got.push(r);
                Ok(())
            };
            run(batches(2), feed, |b| b + 1, deliver, || Ok(())).unwrap();
            got
        });
        assert_eq!(got, vec![2, 3, 4, 5, 6]);
    }

    /// A stall delivers everything in flight and calls `idle` before `next` may wait; an
    /// error from `deliver` stops the run.
    #[test]
    fn a_stall_drains_before_waiting_and_an_error_stops() {
        let mut log = Vec::new();
        let mut step = 0;
        let log = std::cell::RefCell::new(&mut log);
        let feed = |idle: bool| -> Result<Feed<u32>, String> {
            step += 1;
            log.borrow_mut().push(format!("next({idle})"));
            Ok(match step {
                1 | 2 => Feed::Batch(step, 1),
                3 => Feed::Stall,
                4 => Feed::Batch(7, 1),
                _ => Feed::End,
            })
        };
        let deliver = |r: u32| -> Result<(), String> {
            log.borrow_mut().push(format!("deliver {r}"));
            if r == 7 {
                return Err("sink closed".into());
            }
            Ok(())
        };
        let idle = || -> Result<(), String> {
            log.borrow_mut().push("idle".into());
            Ok(())
        };
        let err = run(batches(8), feed, |b| b, deliver, idle).unwrap_err();
        assert_eq!(err, "sink closed");
        assert_eq!(
            log.into_inner().join(", "),
            "next(true), next(false), next(false), deliver 1, deliver 2, idle, next(true), \
             next(false), deliver 7"
        );
    }

    /// A panic in a batch reaches the caller (it is not lost, and nothing hangs).
    #[test]
    fn a_panic_in_work_is_resumed() {
        let mut n = 0;
        let feed = |_| -> Result<Feed<u32>, ()> {
            n += 1;
            Ok(if n <= 3 { Feed::Batch(n, 1) } else { Feed::End })
        };
        let work = |b: u32| {
            assert_ne!(b, 2, "batch two fails");
            b
        };
        let caught = catch_unwind(AssertUnwindSafe(|| {
            run(batches(2), feed, work, |_| Ok(()), || Ok(()))
        }));
        assert!(caught.is_err());
    }
}
