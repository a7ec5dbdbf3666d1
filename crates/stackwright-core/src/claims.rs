//! The first (environment, stack) to claim each key, kept across batches of instances: for checks that two
//! instances of one app must not share something outside it (a CloudFormation stack name in an account and
//! region, a Terraform state object). The target that owns the key builds it and words the problem.

use crate::diagnostic::Location;
use crate::instantiate::StackInstance;
use std::collections::hash_map::{Entry, HashMap};
use std::hash::Hash;

/// Who claimed a key first.
#[derive(Clone, Debug)]
pub struct Claimant {
    pub environment: String,
    pub stack: String,
    /// Where that environment is declared.
    pub location: Location,
}

/// Keys already claimed, each with its first [`Claimant`]. One hash-map lookup per claim, so checking n
/// instances costs O(n) however they are batched.
#[derive(Debug)]
pub struct Claims<K> {
    first: HashMap<K, Claimant>,
}

impl<K> Default for Claims<K> {
    fn default() -> Self {
        Claims {
            first: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Claims<K> {
    /// Claims `key` for `instance`: `None` when it was free (it is now `instance`'s), else the earlier
    /// claimant, which keeps it.
    pub fn claim(&mut self, key: K, instance: &StackInstance) -> Option<&Claimant> {
        match self.first.entry(key) {
            Entry::Occupied(first) => Some(first.into_mut()),
            Entry::Vacant(free) => {
                free.insert(Claimant {
                    environment: instance.environment.name.clone(),
                    stack: instance.stack.name().to_owned(),
                    location: instance.environment.location,
                });
                None
            }
        }
    }
}
