//! Doing work side by side: a fixed number of threads take items in order.
//!
//! Both the checks of a grading run and the submissions of a class are run
//! this way. Once the grader is being stopped ([`signal::stopping`]) no
//! thread takes another item: the items never started have no result.
//!
//! [`signal::stopping`]: crate::signal::stopping

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

/// `f` of each item, at most `jobs` at once; the results in the items'
/// order, `None` for an item not started because the grader is stopping.
pub fn parallel_map<T, R, F>(items: &[T], jobs: usize, f: F) -> Vec<Option<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(items.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                if crate::signal::stopping() {
                    break;
                }
                let result = f(item);
                *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<u32> = (0..50).collect();
        let doubled = parallel_map(&items, 4, |n| n * 2);
        let expected: Vec<Option<u32>> = (0..50).map(|n| Some(n * 2)).collect();
        assert_eq!(doubled, expected);
    }

    #[test]
    fn no_items_no_threads() {
        assert!(parallel_map(&Vec::<u32>::new(), 8, |n| *n).is_empty());
    }
}
