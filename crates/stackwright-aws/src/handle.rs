use stackwright_core::{AttrRef, Expr, HasResourceRef, ResourceRef};

/// The untyped part of every resource handle: which resource, and how to reference its attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(pub ResourceRef);

impl Handle {
    pub fn attr(&self, attr: &'static str) -> Expr {
        Expr::Attr(AttrRef {
            resource: self.0,
            attr,
        })
    }
}

impl HasResourceRef for Handle {
    fn resource_ref(&self) -> ResourceRef {
        self.0
    }
}

/// Declares a typed handle with one method per attribute: `attr_handle!(VpcHandle { id: "id" })`.
macro_rules! attr_handle {
    ($(#[$doc:meta])* $name:ident { $($(#[$mdoc:meta])* $method:ident : $attr:literal),* $(,)? } $($extra:ident : $ty:ty),*) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            handle: $crate::Handle,
            $(#[allow(dead_code)] $extra: $ty,)*
        }

        impl $name {
            $(
                $(#[$mdoc])*
                pub fn $method(&self) -> stackwright_core::Expr {
                    self.handle.attr($attr)
                }
            )*
        }

        impl stackwright_core::HasResourceRef for $name {
            fn resource_ref(&self) -> stackwright_core::ResourceRef {
                self.handle.0
            }
        }
    };
}
pub(crate) use attr_handle;

/// Adds the setters every builder shares (`depends_on`, `accept_finding`, `allow_plaintext_secret`, the
/// overrides, `renamed_from`, and `tag` for taggable kinds) to a builder that
/// keeps its node in a `resource` field.
macro_rules! common_setters {
    ($builder:ident) => {
        impl $builder {
            /// Makes this resource wait for another one that it does not otherwise reference.
            pub fn depends_on(mut self, other: &impl stackwright_core::HasResourceRef) -> Self {
                self.resource.depends_on.push(other.resource_ref());
                self
            }

            /// Accepts a security-scanner finding for this resource, with the reason a reviewer reads:
            /// checkov reports check `check_id` (e.g. `CKV_AWS_130`) as skipped with it (CloudFormation
            /// `Metadata.checkov.skip`; Terraform's `"//"` comment, read by `scripts/check-artifacts.sh`).
            /// A target parity warning id (`SW_PARITY_UPDATE_POLICY`, ..., see
            /// [`findings`](crate::findings)) silences that warning of this resource instead.
            pub fn accept_finding(mut self, check_id: &str, reason: &str) -> Self {
                self.resource
                    .problems
                    .extend($crate::findings::problems(check_id, reason));
                self.resource
                    .accepted_findings
                    .push((check_id.to_owned(), reason.to_owned()));
                self
            }

            /// Escape hatch: sets `path` (dot-separated, relative to the resource entry, e.g.
            /// `Properties.MetadataOptions.HttpPutResponseHopLimit`) in the CloudFormation output only.
            #[track_caller]
            pub fn override_cloudformation(
                self,
                path: &str,
                value: impl Into<stackwright_core::Value>,
            ) -> Self {
                self.with_override(
                    stackwright_core::Target::CloudFormation,
                    path,
                    Some(value.into()),
                )
            }

            /// Escape hatch: sets `path` (dot-separated, relative to the block body, e.g.
            /// `metadata_options.http_put_response_hop_limit`) in the Terraform output only.
            #[track_caller]
            pub fn override_terraform(
                self,
                path: &str,
                value: impl Into<stackwright_core::Value>,
            ) -> Self {
                self.with_override(
                    stackwright_core::Target::Terraform,
                    path,
                    Some(value.into()),
                )
            }

            /// Escape hatch: removes `path` from the CloudFormation output.
            #[track_caller]
            pub fn remove_cloudformation(self, path: &str) -> Self {
                self.with_override(stackwright_core::Target::CloudFormation, path, None)
            }

            /// Escape hatch: removes `path` from the Terraform output.
            #[track_caller]
            pub fn remove_terraform(self, path: &str) -> Self {
                self.with_override(stackwright_core::Target::Terraform, path, None)
            }

            #[track_caller]
            fn with_override(
                mut self,
                target: stackwright_core::Target,
                path: &str,
                value: Option<stackwright_core::Value>,
            ) -> Self {
                self.resource.overrides.push(stackwright_core::Override {
                    target,
                    path: path.split('.').map(str::to_owned).collect(),
                    value,
                    location: std::panic::Location::caller(),
                });
                self
            }

            /// Accepts literal secrets in this resource's properties and overrides (a secret-named value
            /// written into the definition), which then reach both artifacts; `reason` says why. Without
            /// it a literal secret is an error that says how to keep it out of the artifacts.
            pub fn allow_plaintext_secret(mut self, reason: &str) -> Self {
                self.resource.allow_plaintext_secret(reason);
                self
            }

            /// Declares that this resource was called `old_id` before: Terraform moves the deployed resource
            /// to the new name (a `moved` block) instead of destroying and recreating it, and `plan` shows a
            /// move. CloudFormation cannot rename a logical id: there it stays a replacement (see `plan`);
            /// keep the old id to avoid it.
            pub fn renamed_from(mut self, old_id: impl Into<String>) -> Self {
                self.resource.renamed_from = Some(old_id.into());
                self
            }

            /// Declares that this resource was `old_id` of another stack of the same environment before:
            /// `plan` shows a move, not a deletion and a creation, and `synth --steps` writes the steps that
            /// move the deployed resource without replacing it (CloudFormation: a stack refactor;
            /// Terraform: `terraform state rm` in the old module and `terraform import` in the new one).
            pub fn moved_from(
                mut self,
                stack: impl Into<String>,
                old_id: impl Into<String>,
            ) -> Self {
                self.resource.moved_from = Some(stackwright_core::MovedFrom {
                    stack: stack.into(),
                    id: old_id.into(),
                });
                self
            }
        }
    };
    ($builder:ident, taggable) => {
        $crate::handle::common_setters!($builder);
        impl $builder {
            /// Adds a tag; it overrides an environment tag with the same key.
            pub fn tag(
                mut self,
                key: impl Into<String>,
                value: impl Into<stackwright_core::Expr>,
            ) -> Self {
                self.resource.tags.push((key.into(), value.into()));
                self
            }
        }
    };
    ($builder:ident, taggable, stateful) => {
        $crate::handle::common_setters!($builder, taggable);
        impl $builder {
            /// What happens to the data when the resource leaves the definition or is replaced; stateful
            /// resources keep it by default, `RemovalPolicy::Destroy` is the explicit opt-out.
            pub fn removal_policy(mut self, policy: stackwright_core::RemovalPolicy) -> Self {
                self.resource.choose_removal_policy(policy);
                self
            }
        }
    };
}
pub(crate) use common_setters;

/// Makes a construct's builder (keeping its node in a `resource` field, which its declaration finishes
/// with `construct::finish`) carry patches of its forms for the typed escapes
/// ([`construct::Patchable`](crate::construct::Patchable)); `$spelling` is its main resource's.
macro_rules! patchable {
    ($builder:ident, $spelling:expr) => {
        impl $crate::construct::Patchable for $builder {
            fn spelling() -> &'static $crate::construct::Spelling {
                &$spelling
            }

            fn patch(
                mut self,
                target: stackwright_core::Target,
                entries: Vec<(String, stackwright_core::Value)>,
                problems: Vec<String>,
            ) -> Self {
                $crate::construct::add_patch(&mut self.resource, target, entries, problems);
                self
            }
        }
    };
}
pub(crate) use patchable;
