use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Typed settings that a target attaches to an environment without the core knowing their type
/// (for example the Terraform backend). One value per type.
#[derive(Clone, Default)]
pub struct Extensions {
    // BTreeMap over TypeId keeps iteration order independent of hashing; values are never serialized.
    values: BTreeMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Extensions {
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
    }

    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.values.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Extensions({} values)", self.values.len())
    }
}
