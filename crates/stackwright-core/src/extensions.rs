use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Typed values that a library attaches to an environment (the Terraform backend) or a stack (the code
/// assets it uses) without the core knowing their type. One value per type.
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

    /// The value of type `T`, inserted as `T::default()` if there is none, to change in place (a value
    /// shared with a clone of these extensions is copied first, so the clone keeps its own).
    pub fn get_or_default_mut<T: Any + Send + Sync + Default + Clone>(&mut self) -> &mut T {
        let slot = self
            .values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        if Arc::get_mut(slot).is_none() {
            let copy: T = slot.downcast_ref::<T>().expect("keyed by its type").clone();
            *slot = Arc::new(copy);
        }
        Arc::get_mut(slot)
            .expect("just made unique")
            .downcast_mut()
            .expect("keyed by its type")
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Extensions({} values)", self.values.len())
    }
}
