//! Replacement data of every CloudFormation registry type, and of the awscc resource each lowers to:
//! which property paths are create-only (a change replaces the resource) or conditionally so, and which
//! are write-only (the registry never returns their values: `plan` hides them). Written by
//! `cargo xtask codegen` (`src/generated/registry.rs`), for the types the generated builders cover that the
//! vendored schemas above do not (awscc replaces on the same create-only properties as CloudFormation).

use crate::path::PropertyPath;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One registry type's replacement rules, in both engines' paths.
#[derive(Debug)]
pub struct RegistryType {
    pub cloudformation: &'static str,
    pub awscc: Option<&'static str>,
    create_only: Vec<PropertyPath>,
    conditional_create_only: Vec<PropertyPath>,
    awscc_create_only: Vec<PropertyPath>,
    awscc_conditional_create_only: Vec<PropertyPath>,
    write_only: Vec<PropertyPath>,
    awscc_write_only: Vec<PropertyPath>,
}

impl RegistryType {
    /// Create-only properties, as registry paths (`Code/S3Bucket`, `Tags/*/Key`).
    pub fn create_only_properties(&self) -> &[PropertyPath] {
        &self.create_only
    }

    pub fn conditional_create_only_properties(&self) -> &[PropertyPath] {
        &self.conditional_create_only
    }

    /// The same, as awscc attribute paths (`code.s3_bucket`); paths awscc has no name for are left out.
    pub fn awscc_create_only_paths(&self) -> &[PropertyPath] {
        &self.awscc_create_only
    }

    pub fn awscc_conditional_create_only_paths(&self) -> &[PropertyPath] {
        &self.awscc_conditional_create_only
    }

    /// Write-only properties, as registry paths (`AuthParameters/ApiKeyAuthParameters/ApiKeyValue`).
    pub fn write_only_properties(&self) -> &[PropertyPath] {
        &self.write_only
    }

    /// The same, as awscc attribute paths; paths awscc has no name for are left out.
    pub fn awscc_write_only_paths(&self) -> &[PropertyPath] {
        &self.awscc_write_only
    }
}

struct Index {
    types: Vec<RegistryType>,
    by_cloudformation: BTreeMap<&'static str, usize>,
    by_awscc: BTreeMap<&'static str, usize>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let registry = |paths: &[&str]| {
            paths
                .iter()
                .map(|p| PropertyPath::from_registry(&format!("/properties/{p}")))
                .collect()
        };
        let dotted = |paths: &[&str]| paths.iter().map(|p| PropertyPath::from_dotted(p)).collect();
        let mut index = Index {
            types: Vec::new(),
            by_cloudformation: BTreeMap::new(),
            by_awscc: BTreeMap::new(),
        };
        for (cfn, awscc, create, conditional, tf_create, tf_conditional, write, tf_write) in
            crate::generated::registry::TYPES
        {
            let n = index.types.len();
            index.by_cloudformation.insert(cfn, n);
            if !awscc.is_empty() {
                index.by_awscc.insert(awscc, n);
            }
            index.types.push(RegistryType {
                cloudformation: cfn,
                awscc: (!awscc.is_empty()).then_some(*awscc),
                create_only: registry(create),
                conditional_create_only: registry(conditional),
                awscc_create_only: dotted(tf_create),
                awscc_conditional_create_only: dotted(tf_conditional),
                write_only: registry(write),
                awscc_write_only: dotted(tf_write),
            });
        }
        index
    })
}

/// A registry type by its CloudFormation name (`AWS::Lambda::Function`).
pub fn by_cloudformation(type_name: &str) -> Option<&'static RegistryType> {
    let index = index();
    index
        .by_cloudformation
        .get(type_name)
        .map(|&n| &index.types[n])
}

/// A registry type by the awscc resource it lowers to (`awscc_lambda_function`).
pub fn by_awscc(type_name: &str) -> Option<&'static RegistryType> {
    let index = index();
    index.by_awscc.get(type_name).map(|&n| &index.types[n])
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_registry_type_with_create_only_paths_in_both_engines() {
        let queue = super::by_cloudformation("AWS::SQS::Queue").expect("registry type");
        let names: Vec<&str> = queue
            .create_only_properties()
            .iter()
            .map(|p| p.as_str())
            .collect();
        assert_eq!(names, ["FifoQueue", "QueueName"]);
        let awscc = super::by_awscc("awscc_sqs_queue").expect("awscc type");
        let names: Vec<&str> = awscc
            .awscc_create_only_paths()
            .iter()
            .map(|p| p.as_str())
            .collect();
        assert_eq!(names, ["fifo_queue", "queue_name"]);
        assert_eq!(super::index().types.len(), 1884);
    }

    #[test]
    fn write_only_paths_in_both_engines() {
        let connection =
            super::by_cloudformation("AWS::Events::Connection").expect("registry type");
        assert!(connection
            .write_only_properties()
            .iter()
            .any(|p| p.as_str() == "AuthParameters/ApiKeyAuthParameters/ApiKeyValue"));
        let awscc = super::by_awscc("awscc_events_connection").expect("awscc type");
        assert!(awscc
            .awscc_write_only_paths()
            .iter()
            .any(|p| p.as_str() == "auth_parameters.api_key_auth_parameters.api_key_value"));
    }
}
