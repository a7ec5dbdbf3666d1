//! Tags on every resource type that takes them, in the shape that type wants, from the registry schemas.

use crate::expr::literal;
use serde_json::{json, Map, Value as Json};

/// How a resource type spells its tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `[{"Key": .., "Value": ..}]`, most types.
    KeyValueList,
    /// `[{"Key": .., "Value": .., "PropagateAtLaunch": true}]`: an Auto Scaling group also tags the
    /// instances it launches.
    KeyValueListWithPropagateAtLaunch,
    /// `{"key": "value"}`, e.g. `AWS::SSM::Parameter`.
    Map,
}

/// The tag property of a resource type and its shape; `None` for types that take no tags.
pub(crate) fn tag_property(type_name: &str) -> Option<(&'static str, Shape)> {
    let table = crate::tagging_generated::TAGGABLE;
    let i = table
        .binary_search_by(|(t, _, _)| (*t).cmp(type_name))
        .ok()?;
    Some((table[i].1, table[i].2))
}

/// Adds `tags` to the `properties` of a resource of `type_name`, when the type takes tags and the lowering
/// did not set them itself.
pub(crate) fn apply(type_name: &str, properties: &mut Map<String, Json>, tags: &[(String, Json)]) {
    let Some((property, shape)) = tag_property(type_name) else {
        return;
    };
    if tags.is_empty() || properties.contains_key(property) {
        return;
    }
    let value = match shape {
        // Keys are values in list shapes (spelled like any text), but keys of a map, which take no
        // intrinsic.
        Shape::KeyValueList => tags
            .iter()
            .map(|(k, v)| json!({ "Key": literal(k), "Value": v }))
            .collect(),
        Shape::KeyValueListWithPropagateAtLaunch => tags
            .iter()
            .map(|(k, v)| json!({ "Key": literal(k), "Value": v, "PropagateAtLaunch": true }))
            .collect(),
        Shape::Map => Json::Object(tags.iter().cloned().collect()),
    };
    properties.insert(property.into(), value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_type() {
        let table = crate::tagging_generated::TAGGABLE;
        assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(table.len() > 1000, "{}", table.len());
    }

    #[test]
    fn shapes_of_known_types() {
        for (type_name, expected) in [
            ("AWS::EC2::Instance", Some(("Tags", Shape::KeyValueList))),
            ("AWS::EC2::VPC", Some(("Tags", Shape::KeyValueList))),
            ("AWS::SSM::Parameter", Some(("Tags", Shape::Map))),
            ("AWS::Cognito::UserPool", Some(("UserPoolTags", Shape::Map))),
            (
                "AWS::EFS::FileSystem",
                Some(("FileSystemTags", Shape::KeyValueList)),
            ),
            (
                "AWS::AutoScaling::AutoScalingGroup",
                Some(("Tags", Shape::KeyValueListWithPropagateAtLaunch)),
            ),
            ("AWS::EC2::Route", None),
            ("AWS::EC2::VPCGatewayAttachment", None),
            ("AWS::EC2::SubnetRouteTableAssociation", None),
        ] {
            assert_eq!(tag_property(type_name), expected, "{type_name}");
        }
    }

    #[test]
    fn each_shape_is_spelled_as_its_type_wants() {
        let tags = [
            ("app".to_owned(), json!("web")),
            ("cost".to_owned(), json!({"Ref": "Cc"})),
        ];
        let mut list = Map::new();
        apply("AWS::EC2::VPC", &mut list, &tags);
        assert_eq!(
            Json::Object(list),
            json!({"Tags": [{"Key": "app", "Value": "web"}, {"Key": "cost", "Value": {"Ref": "Cc"}}]})
        );
        let mut map = Map::new();
        apply("AWS::SSM::Parameter", &mut map, &tags);
        assert_eq!(
            Json::Object(map),
            json!({"Tags": {"app": "web", "cost": {"Ref": "Cc"}}})
        );
        let mut group = Map::new();
        apply("AWS::AutoScaling::AutoScalingGroup", &mut group, &tags[..1]);
        assert_eq!(
            Json::Object(group),
            json!({"Tags": [{"Key": "app", "Value": "web", "PropagateAtLaunch": true}]})
        );
        let mut untaggable = Map::new();
        apply("AWS::EC2::Route", &mut untaggable, &tags);
        assert!(untaggable.is_empty());
        let mut preset = Map::new();
        preset.insert("Tags".into(), json!([]));
        apply("AWS::EC2::VPC", &mut preset, &tags);
        assert_eq!(preset["Tags"], json!([]));
    }
}
