/// Runs `f` on contiguous chunks of `items`, one chunk per core, and returns the results in order: the work
/// of synthesis, writing and planning is independent per artifact.
pub(crate) fn map_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| f(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("workers do not panic"))
            .collect()
    })
}
