//! Replacement data of every resource type of the Terraform provider hashicorp/aws 5.100.0: the attribute
//! and block paths whose change forces a new resource. Written by `cargo xtask codegen`
//! (`src/generated/aws_force_new.rs`, from the same force-new data the vendored types carry), for the types
//! the generated hashicorp/aws builders (`stackwright-aws-terraform`) cover that the vendored schemas of
//! [`crate::terraform`] do not.
//!
//! ```
//! use stackwright_schema::aws_provider;
//! let paths = aws_provider::force_new_paths("aws_lambda_permission").unwrap();
//! assert!(paths.iter().any(|p| p.as_str() == "function_name"));
//! assert!(aws_provider::force_new_paths("aws_nothing").is_none());
//! ```

use crate::path::PropertyPath;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The force-new paths of resource type `type_name` (`aws_lambda_permission`), dotted as the provider's
/// attributes and nested blocks are (`vpc_config.subnet_ids`); `None` for a type the provider lacks.
pub fn force_new_paths(type_name: &str) -> Option<&'static [PropertyPath]> {
    static INDEX: OnceLock<HashMap<&'static str, Vec<PropertyPath>>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        crate::generated::aws_force_new::FORCE_NEW
            .iter()
            .map(|(name, paths)| {
                let paths = paths.iter().map(|p| PropertyPath::from_dotted(p)).collect();
                (*name, paths)
            })
            .collect()
    });
    index.get(type_name).map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    /// Every provider resource type has an entry, and the types vendored in [`crate::terraform`] have the
    /// same paths here (both come from the pinned force-new data).
    #[test]
    fn every_resource_type_with_the_vendored_types_paths() {
        assert_eq!(crate::generated::aws_force_new::FORCE_NEW.len(), 1526);
        for name in crate::terraform::resource_type_names() {
            let vendored: Vec<&str> = crate::terraform::resource_type(name)
                .expect("vendored")
                .force_new_paths()
                .iter()
                .map(|p| p.as_str())
                .collect();
            let mut here: Vec<&str> = super::force_new_paths(name)
                .unwrap_or_else(|| panic!("{name} has no force-new entry"))
                .iter()
                .map(|p| p.as_str())
                .collect();
            let mut vendored = vendored;
            vendored.sort();
            here.sort();
            assert_eq!(here, vendored, "{name}");
        }
    }
}
