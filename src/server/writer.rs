//! The server's writer: one thread that does every append the server receives, taking all
//! the appends waiting at that moment into one transaction (each in a savepoint of its own, so
//! one that fails fails alone). Fifty clients appending at once then cost one write and one
//! sync, not fifty turns at the store's write lock, each with SQLite's sleeping retries; reads
//! and streaming exports go on, on connections of their own, without holding appends up.

use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::oneshot;

use super::Opener;
use crate::model::Event;
use crate::store::{AppendReport, Backend};

/// Appends taken into one transaction at most.
const MAX_GROUPS: usize = 256;

struct Job {
    events: Vec<Event>,
    reply: oneshot::Sender<anyhow::Result<AppendReport>>,
}

/// The handle requests hand their appends to.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    turn: Arc<Mutex<()>>,
}

impl Writer {
    /// Starts the writer's thread, which opens the store when it first appends.
    pub fn start(opener: Opener) -> std::io::Result<Writer> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let turn = Arc::new(Mutex::new(()));
        let writers_turn = Arc::clone(&turn);
        std::thread::Builder::new()
            .name("auditctl-writer".into())
            .spawn(move || run(&opener, &queue, &writers_turn))?;
        Ok(Writer { jobs, turn })
    }

    /// The turn at writing this process's other writes (reverts) take, so that they wait for
    /// the writer here, woken the moment it is done, rather than in SQLite's busy handler,
    /// which sleeps up to 100 ms between tries.
    pub fn turn(&self) -> Arc<Mutex<()>> {
        Arc::clone(&self.turn)
    }

    /// Appends `events`, all or nothing, and says what was appended.
    pub async fn append(&self, events: Vec<Event>) -> anyhow::Result<AppendReport> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { events, reply })
            .map_err(|_| anyhow::anyhow!("the server's writer stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the server's writer stopped"))?
    }
}

fn run(opener: &Opener, queue: &mpsc::Receiver<Job>, turn: &Mutex<()>) {
    let mut store: Option<Box<dyn Backend>> = None;
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUPS {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (groups, replies): (Vec<Vec<Event>>, Vec<_>) =
            jobs.into_iter().map(|j| (j.events, j.reply)).unzip();
        let held = turn.lock().unwrap_or_else(|p| p.into_inner());
        let together = store
            .take()
            .map_or_else(|| opener.open_for_append(), Ok)
            .and_then(|mut backend| {
                let outcomes = backend.append()?.append_groups(&groups)?;
                store = Some(backend);
                Ok(outcomes)
            });
        let outcomes = match together {
            Ok(outcomes) => outcomes,
            // The transaction failed as a whole (the store busy with another process, a
            // broken connection): each append on its own, so each gets its own answer (503
            // with Retry-After for a busy store) from a store opened again.
            Err(_) => groups.into_iter().map(|g| alone(opener, g)).collect(),
        };
        drop(held);
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            let _ = reply.send(outcome);
        }
    }
}

/// One append in a transaction of its own.
fn alone(opener: &Opener, group: Vec<Event>) -> anyhow::Result<AppendReport> {
    opener
        .open_for_append()?
        .append()?
        .append(&mut group.into_iter().map(Ok))
}
