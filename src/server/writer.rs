//! The server's writer: one thread that does every write the server receives (appends and
//! reverts), taking all those waiting at that moment into one transaction (each in a savepoint
//! of its own, so one that fails fails alone). Fifty clients writing at once then cost one
//! write and one sync, not fifty turns at the store's write lock, each with SQLite's sleeping
//! retries; reads and streaming exports go on, on connections of their own, without holding
//! writes up.

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::Opener;
use crate::model::Event;
use crate::store::{AppendReport, Backend, Decide, Write};

/// A batch's transaction found the store locked by another process for the whole busy
/// timeout: its writes, and those that came meanwhile, are answered so at once (503), rather
/// than tried alone, each waiting as long again while the writes behind them queue.
#[derive(Debug, thiserror::Error)]
#[error("the store stayed busy with another writer: {0}")]
pub struct Busy(String);

/// Appends taken into one transaction at most.
const MAX_GROUPS: usize = 256;

struct Job {
    write: Write<'static>,
    reply: oneshot::Sender<anyhow::Result<AppendReport>>,
}

/// The handle requests hand their appends to.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer's thread, which opens the store when it first appends.
    pub fn start(opener: Opener) -> std::io::Result<Writer> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("auditctl-writer".into())
            .spawn(move || run(&opener, &queue))?;
        Ok(Writer { jobs })
    }

    /// Appends `events`, all or nothing, and says what was appended.
    pub async fn append(&self, events: Vec<Event>) -> anyhow::Result<AppendReport> {
        self.write(Write::Events(events)).await
    }

    /// Appends the one event `decide` returns, deciding inside the transaction (a revert, which
    /// must see the log as it is when its event is appended); the report's `first_seq` is its
    /// seq. An `Err` from `decide` is the answer, and nothing is appended.
    pub async fn append_decided(&self, decide: Decide<'static>) -> anyhow::Result<AppendReport> {
        self.write(Write::Decided(decide)).await
    }

    async fn write(&self, write: Write<'static>) -> anyhow::Result<AppendReport> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { write, reply })
            .map_err(|_| anyhow::anyhow!("the server's writer stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the server's writer stopped"))?
    }
}

fn run(opener: &Opener, queue: &mpsc::Receiver<Job>) {
    let mut store: Option<Box<dyn Backend>> = None;
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUPS {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (mut writes, replies): (Vec<Write>, Vec<_>) =
            jobs.into_iter().map(|j| (j.write, j.reply)).unzip();
        let together = store
            .take()
            .map_or_else(|| opener.open_for_append(), Ok)
            .and_then(|mut backend| {
                let outcomes = backend.append()?.append_groups(&mut writes)?;
                store = Some(backend);
                Ok(outcomes)
            });
        let outcomes = match together {
            Ok(outcomes) => outcomes,
            Err(e) if super::problem::is_busy(&e) => {
                let why = format!("{e:#}");
                let busy = || Err(Busy(why.clone()).into());
                // Writes that came while this batch waited would wait as long again.
                while let Ok(job) = queue.try_recv() {
                    let _ = job.reply.send(busy());
                }
                writes.iter().map(|_| busy()).collect()
            }
            // The transaction failed as a whole otherwise (a broken connection): each write
            // on its own, from a store opened again, so each gets its own answer.
            Err(_) => writes.into_iter().map(|w| alone(opener, w)).collect(),
        };
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            let _ = reply.send(outcome);
        }
    }
}

/// One write in a transaction of its own.
fn alone(opener: &Opener, write: Write<'static>) -> anyhow::Result<AppendReport> {
    opener.open_for_append()?.append()?.write_one(write)
}
