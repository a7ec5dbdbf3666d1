use crate::ec2::VpcHandle;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{PolicyDocument, Principal, Role, RoleHandle, RolePolicy, Statement};
use crate::logs::{LogGroup, LogGroupHandle};
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Stack};

/// Which traffic a flow log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrafficType {
    Accept,
    Reject,
    All,
}

/// VPC flow logs delivered to a CloudWatch Logs group, by a role that VPC Flow Logs assumes.
/// [`VpcFlowLogs`] declares the group, the role and its policy too.
pub struct FlowLog {
    resource: Resource,
}

impl FlowLog {
    /// Records all traffic of `vpc` into `log_group`, delivered by `role`.
    #[track_caller]
    pub fn to_log_group(
        id: impl Into<String>,
        vpc: &VpcHandle,
        log_group: &LogGroupHandle,
        role: &RoleHandle,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::EC2_FLOW_LOG);
        resource.set("vpc_id", vpc.id());
        resource.set("traffic_type", "ALL");
        resource.set("log_destination", log_group.arn());
        resource.set("deliver_logs_role_arn", role.arn());
        FlowLog { resource }
    }

    pub fn traffic_type(mut self, traffic: TrafficType) -> Self {
        let value = match traffic {
            TrafficType::Accept => "ACCEPT",
            TrafficType::Reject => "REJECT",
            TrafficType::All => "ALL",
        };
        self.resource.set("traffic_type", value);
        self
    }

    /// Seconds over which packets are aggregated into a record: 60 or 600 (the default).
    pub fn max_aggregation_interval_seconds(mut self, seconds: i64) -> Self {
        if seconds != 60 && seconds != 600 {
            self.resource.problems.push(format!(
                "flow log aggregation interval {seconds} s: expected 60 or 600"
            ));
        }
        self.resource.set("max_aggregation_interval", seconds);
        self
    }
}
common_setters!(FlowLog, taggable);
patchable!(FlowLog, FLOW_LOG);

attr_handle!(
    /// A declared flow log.
    FlowLogHandle {
        /// The flow log id (`fl-...`).
        id: "id",
    }
);

impl Declare for FlowLog {
    type Handle = FlowLogHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, FlowLogHandle) {
        let log = &self.resource;
        let mut cfn = Form::new();
        cfn.copy(log, "vpc_id", "ResourceId")
            .set("ResourceType", "VPC")
            .copy(log, "traffic_type", "TrafficType")
            .set("LogDestinationType", "cloud-watch-logs")
            .copy(log, "log_destination", "LogDestination")
            .copy(log, "deliver_logs_role_arn", "DeliverLogsPermissionArn")
            .copy(log, "max_aggregation_interval", "MaxAggregationInterval");
        let mut tf = Form::new();
        tf.copy(log, "vpc_id", "vpc_id")
            .copy(log, "traffic_type", "traffic_type")
            .set("log_destination_type", "cloud-watch-logs")
            .copy(log, "log_destination", "log_destination")
            .copy(log, "deliver_logs_role_arn", "iam_role_arn")
            .copy(log, "max_aggregation_interval", "max_aggregation_interval");
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, FlowLogHandle { handle: Handle(at) })
    }
}

/// A VPC flow log in each target, delivered to CloudWatch Logs.
pub(crate) static FLOW_LOG: Spelling = Spelling {
    kind: kinds::EC2_FLOW_LOG,
    cloudformation: "AWS::EC2::FlowLog",
    terraform: "aws_flow_log",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// Flow logs of a VPC with everything they need, declared in one step: a log group `<id>-Logs` (kept
/// 365 days), a role `<id>-Role` that only VPC Flow Logs of this account can assume, its inline policy
/// `<id>-Delivery` (writing to that group only), and the flow log `<id>`.
/// `VpcFlowLogs::new("FlowLogs").add_to(stack, &vpc)` is what checkov's CKV2_AWS_11 asks of every VPC.
///
/// Its main resource, which the typed escapes (`.cloudformation(..)`, `.terraform(..)`) patch, is the flow
/// log.
pub struct VpcFlowLogs {
    id: String,
    log_group: LogGroup,
    traffic_type: TrafficType,
    flow_log_patches: construct::Patches,
}

impl construct::Patchable for VpcFlowLogs {
    fn spelling() -> &'static Spelling {
        &FLOW_LOG
    }

    fn patch(
        mut self,
        target: stackwright_core::Target,
        entries: Vec<(String, stackwright_core::Value)>,
        problems: Vec<String>,
    ) -> Self {
        self.flow_log_patches.push(target, entries, problems);
        self
    }
}

/// What [`VpcFlowLogs::add_to`] declared.
#[derive(Clone, Debug)]
pub struct VpcFlowLogsHandle {
    pub log_group: LogGroupHandle,
    pub role: RoleHandle,
    pub flow_log: FlowLogHandle,
}

impl VpcFlowLogs {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        VpcFlowLogs {
            log_group: LogGroup::new(format!("{id}-Logs")),
            id,
            traffic_type: TrafficType::All,
            flow_log_patches: construct::Patches::default(),
        }
    }

    /// Adjusts the log group (retention, encryption key, ...).
    pub fn log_group(mut self, adjust: impl FnOnce(LogGroup) -> LogGroup) -> Self {
        self.log_group = adjust(self.log_group);
        self
    }

    pub fn traffic_type(mut self, traffic: TrafficType) -> Self {
        self.traffic_type = traffic;
        self
    }

    /// Declares the log group, role, policy and flow log for `vpc` in `stack`; problems are reported at
    /// the caller's line.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack, vpc: &VpcHandle) -> VpcFlowLogsHandle {
        let id = self.id;
        let log_group = stack.add(self.log_group);
        // Only VPC Flow Logs acting for this account may assume the role (no confused deputy).
        let trust = PolicyDocument::from(
            Statement::allow()
                .principal(Principal::service("vpc-flow-logs.amazonaws.com"))
                .action("sts:AssumeRole")
                .condition("StringEquals", "aws:SourceAccount", [Expr::account_id()]),
        );
        let role = stack.add(Role::new(format!("{id}-Role"), trust));
        let delivery = PolicyDocument::from(
            Statement::allow()
                .actions([
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                ])
                .resources([log_group.arn(), log_group.streams_arn()]),
        );
        let policy = stack.add(RolePolicy::new(format!("{id}-Delivery"), &role, delivery));
        let flow_log = stack.add(
            self.flow_log_patches
                .apply(FlowLog::to_log_group(&id, vpc, &log_group, &role))
                .traffic_type(self.traffic_type)
                // The service checks the role's permissions when the flow log is created.
                .depends_on(&policy),
        );
        VpcFlowLogsHandle {
            log_group,
            role,
            flow_log,
        }
    }
}
