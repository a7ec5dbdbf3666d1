"""Helpers of scripts/rehearse-moto.sh (run with the moto venv's python, which has boto3).

  serve HOST PORT                       moto's server, with the one action the rehearsal adds (below)
  override MODULE ENDPOINT [--unguard]  the override file for MODULE, on stdout
  credentials ENDPOINT ACCOUNT          shell exports of moto credentials in ACCOUNT (STS AssumeRole)
  compare SCENARIO TERRAFORM_JSON STACKWRIGHT_JSON [--env ENV]   action per address; exit 1 on an unknown
                                        disagreement (environment `test` unless --env)
  only-change TERRAFORM_JSON STACKWRIGHT_JSON ADDRESS ACTION   exit 1 unless both plans change ADDRESS
                                        (with ACTION) and nothing else
  lambda-code ENDPOINT ACCOUNT REGION FUNCTION ZIP   exit 1 unless moto's code of FUNCTION is ZIP (sha256)
  cloudformation LIST_JSON ENV ENDPOINT ACCOUNT   publish with the printed commands, create the stacks of
                                        ENV, check the functions' code; exit 1 when not the assets
  predicts-refusal PLAN_JSON            the addresses Stackwright's plan says `terraform destroy` refuses
  leftovers ENDPOINT ACCOUNT REGION     what moto still holds in ACCOUNT/REGION; exit 1 when anything
  created MODULE STATE_LIST             the module's resources missing from `terraform state list`
  changes TERRAFORM_JSON                one line per planned change but no-op: `ACTION ADDRESS`
  listener-weights ENDPOINT ACCOUNT REGION STATE_JSON [MODULE]   moto's weights of the only listener's
                                        forward (`NAME=WEIGHT`, NAME from the state); exit 1 unless MODULE's
  table-arn ENDPOINT ACCOUNT REGION NAME ARN   exit 1 unless moto holds table NAME with ARN
"""

import json
import subprocess
import sys

# Services the flagship's Terraform module talks to; the provider's endpoint names (hashicorp/aws 5.x).
SERVICES = ["acm", "autoscaling", "cloudwatch", "ec2", "elbv2", "iam", "kms", "logs", "route53", "s3",
            "sns", "ssm", "sts",
            # the code assets phase's example (crates/stackwright-aws-terraform/examples/orders.rs)
            "apigatewayv2", "lambda", "sqs",
            # the change steps phase (a table moved between stacks)
            "dynamodb"]

# Differences between Stackwright's plan and Terraform's that are understood, as (scenario, address):
# reason. Listed in the README too; anything else fails the rehearsal.
KNOWN = {
    ("no-change", "aws_vpc_security_group_ingress_rule."
                  "notebook_instance_security_group_ingress_tcp_8888_from_notebook_load_balancer_security_group"):
        "moto gap: a rule admitting another security group is read back after its creation without tags "
        "(null where AWS answers {}), so Terraform plans an update that changes nothing; gone after the "
        "first apply (ignore_changes cannot hide it: the provider fills the {} in)",
}


def serve(host, port):
    """moto's server, plus StartInstanceRefresh, which moto 5.2.5 does not implement (it answers 500, and
    the provider retries for many minutes): a launch template change rolls the fleet through it. Here the
    refresh is accepted and reported successful at once; moto replaces no instance (it runs none anyway).
    Each call is logged; the script says so loudly. Nothing else of moto is changed."""
    import uuid
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult
    from moto.server import main

    refreshes = []

    def start_instance_refresh(self):
        group = self._get_param("AutoScalingGroupName")
        refresh = {"InstanceRefreshId": str(uuid.uuid4()), "AutoScalingGroupName": group,
                   "Status": "Successful", "PercentageComplete": 100}
        refreshes.append(refresh)
        print(f"rehearsal: StartInstanceRefresh {group}: accepted, reported successful", flush=True)
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})

    def describe_instance_refreshes(self):
        group = self._get_param("AutoScalingGroupName")
        return ActionResult({"InstanceRefreshes": [r for r in refreshes
                                                   if r["AutoScalingGroupName"] == group]})

    # moto gap: CreateLaunchTemplateVersion stores UserData as a plain string (CreateLaunchTemplate parses
    # it), and a group launching from such a version crashes moto (AssertionError, retried for minutes).
    from moto.ec2.models.launch_templates import LaunchTemplateVersion
    from moto.ec2.utils import parse_user_data
    plain_user_data = LaunchTemplateVersion.user_data.fget

    def user_data(self):
        if isinstance(self.data.get("UserData"), str):
            self.data["UserData"] = parse_user_data(self.data["UserData"] or None)
        return plain_user_data(self)

    # moto gap: moto 5.2.5's CloudFormation knows a queue's `Arn` and `QueueName` only, and refuses a
    # template reading `Fn::GetAtt [Queue, QueueUrl]` (the code assets phase's serverless template does):
    # the URL as SQS forms it.
    from moto.sqs.models import Queue
    queue_attribute = Queue.get_cfn_attribute

    def queue_url_attribute(self, attribute_name):
        if attribute_name == "QueueUrl":
            return f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{self.name}"
        return queue_attribute(self, attribute_name)

    Queue.has_cfn_attr = classmethod(lambda cls, attr: attr in ["Arn", "QueueName", "QueueUrl"])
    Queue.get_cfn_attribute = queue_url_attribute
    # moto gap: moto 5.2.5's CloudFormation has no AWS::Lambda::Url (its Lambda API has function URLs): it
    # skips the resource, and a GetAtt of it crashes the stack's creation. Made here with that API.
    from moto.awslambda.models import lambda_backends
    from moto.core.common_models import CloudFormationModel

    class FunctionUrl(CloudFormationModel):
        # moto's model classes name their service by their module (moto.<service>.models).
        __module__ = "moto.awslambda.models"

        def __init__(self, config):
            self.config = config

        @staticmethod
        def cloudformation_type():
            return "AWS::Lambda::Url"

        @staticmethod
        def cloudformation_name_type():
            return ""

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            config = {k: props[k] for k in ("AuthType", "Cors", "InvokeMode") if k in props}
            return cls(lambda_backends[account_id][region_name].create_function_url_config(
                props["TargetFunctionArn"], config))

        @property
        def physical_resource_id(self):
            return self.config.function.function_arn

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr in ("FunctionArn", "FunctionUrl")

        def get_cfn_attribute(self, attribute_name):
            return self.config.to_dict()[attribute_name]

    # moto gap: moto 5.2.5's CloudFormation has no AWS::ApiGatewayV2::Api (its API Gateway v2 API has
    # them): it skips the resource, and a GetAtt of its ApiEndpoint crashes the stack's creation, a Ref in a
    # permission's source ARN names nothing. Made here with that API; the API's stage, integrations and
    # routes stay skipped, which the rehearsal reports as a MOTO GAP.
    from moto.apigatewayv2.models import apigatewayv2_backends

    class HttpApi(CloudFormationModel):
        __module__ = "moto.apigatewayv2.models"

        def __init__(self, api):
            self.api = api

        @staticmethod
        def cloudformation_type():
            return "AWS::ApiGatewayV2::Api"

        @staticmethod
        def cloudformation_name_type():
            return "Name"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            return cls(apigatewayv2_backends[account_id][region_name].create_api(
                api_key_selection_expression=None, cors_configuration=props.get("CorsConfiguration"),
                description=props.get("Description"), disable_schema_validation=None,
                disable_execute_api_endpoint=props.get("DisableExecuteApiEndpoint"),
                name=props.get("Name", resource_name), protocol_type=props.get("ProtocolType", "HTTP"),
                route_selection_expression=None, tags=props.get("Tags") or {}, version=None))

        @property
        def physical_resource_id(self):
            return self.api.api_id

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr in ("ApiEndpoint", "ApiId")

        def get_cfn_attribute(self, attribute_name):
            return self.api.api_endpoint if attribute_name == "ApiEndpoint" else self.api.api_id

    # moto gap: moto 5.2.5 executes a change set that creates a stack (what `aws cloudformation deploy`, the
    # deploy command `list` prints, sends) without the template's outputs and exports, so a later stack's
    # Fn::ImportValue (the asset bucket's name) fails: such a change set is executed here as CreateStack
    # with the change set's template.
    from moto.cloudformation.models import CloudFormationBackend
    plain_execute_change_set = CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = self.change_sets.get(change_set_name) or next(
            (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None)
        if change_set is None or change_set.change_set_type != "CREATE":
            return plain_execute_change_set(self, change_set_name, stack_name)
        self.stacks.pop(change_set.stack_id)
        self.create_stack(name=change_set.stack_name, template=change_set.template,
                          parameters=change_set.parameters, notification_arns=change_set.notification_arns,
                          tags=change_set.tags, role_arn=change_set.role_arn)
        change_set.execution_status = "EXECUTE_COMPLETE"

    CloudFormationBackend.execute_change_set = execute_change_set
    LaunchTemplateVersion.user_data = property(user_data)
    AutoScalingResponse.start_instance_refresh = start_instance_refresh
    AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes
    sys.exit(main(["-H", host, "-p", port]))


def override(module_path, endpoint, unguard=False):
    """The rehearsal's override file: the provider talks to moto, the state stays in the scratch
    directory, and moto's gaps are worked around, each named. Never what users get."""
    module = json.load(open(module_path))
    out = {
        "//": "rehearsal only (scripts/rehearse-moto.sh): the provider talks to moto on 127.0.0.1",
        "provider": {"aws": {
            "endpoints": [{s: endpoint for s in SERVICES}],
            "s3_use_path_style": True,
            "skip_metadata_api_check": True,
        }},
        # The rehearsal's state stays in its scratch directory, not where the artifact's backend points.
        "terraform": {"backend": {"local": {"path": "terraform.tfstate"}}},
    }
    resources = {}
    for name, body in module.get("resource", {}).get("aws_launch_template", {}).items():
        mappings = [dict(m, ebs=dict(m.get("ebs", {}), volume_size=8))
                    for m in body.get("block_device_mappings", [])]
        resources.setdefault("aws_launch_template", {})[name] = {
            "//": ["moto gap: an auto scaling group launching from a template whose block device has no "
                   "size fails (MissingParameter size/snapshot): 8 GiB, the AMI's own size",
                   "moto gap: an auto scaling group launching from a template version with user data "
                   "crashes moto 5.2.5 (AssertionError in LaunchTemplateVersion.user_data, retried "
                   "forever): no user data (the launcher now parses it too; drop this once a run shows "
                   "that suffices)"],
            "block_device_mappings": mappings,
            "user_data": None,
            "lifecycle": {
                "//": "moto gap: moto answers a `launch-template` tag specification nobody declared (the "
                      "template's own tags), a difference in every plan",
                "ignore_changes": ["tag_specifications"],
            },
        }
    for name in module.get("resource", {}).get("aws_autoscaling_group", {}):
        resources.setdefault("aws_autoscaling_group", {})[name] = {
            "//": ["moto gap: moto runs nothing in its instances, so none would pass the load balancer's "
                   "health check: do not wait for healthy capacity",
                   "moto gap: moto answers no capacity reservation preference (AWS: `default`), a "
                   "difference in every plan"],
            "wait_for_capacity_timeout": "0",
            "lifecycle": {"ignore_changes": ["capacity_reservation_specification"]},
        }
    for name in module.get("resource", {}).get("aws_autoscaling_policy", {}):
        resources.setdefault("aws_autoscaling_policy", {})[name] = {
            "//": "moto gap: moto answers `enabled = false` and an empty predictive scaling block for a "
                  "target tracking policy, a difference in every plan",
            "lifecycle": {"ignore_changes": ["enabled", "predictive_scaling_configuration"]},
        }
    for type_name in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        for name in module.get("resource", {}).get(type_name, {}):
            resources.setdefault(type_name, {})[name] = {
                "//": "moto gap: moto drops a security group rule's description, a difference in every plan",
                "lifecycle": {"ignore_changes": ["description"]},
            }
    for name in module.get("resource", {}).get("aws_lambda_function", {}):
        resources.setdefault("aws_lambda_function", {})[name] = {
            "//": "moto gap: moto 5.2.5 keeps no dead-letter configuration of a function (GetFunction "
                  "answers none), so the block would be added again in every plan",
            "lifecycle": {"ignore_changes": ["dead_letter_config"]},
        }
    for name, body in module.get("resource", {}).get("aws_sqs_queue", {}).items():
        if "redrive_policy" in body:
            resources.setdefault("aws_sqs_queue", {})[name] = {
                "//": "moto gap: moto answers a queue's redrive policy re-serialized (spaces after ':' and "
                      "','), which the provider takes for a change in every plan",
                "lifecycle": {"ignore_changes": ["redrive_policy"]},
            }
    if unguard:
        # Only for the teardown after Terraform refused: lift the artifact's guards so moto ends empty.
        for type_name, blocks in module.get("resource", {}).items():
            for name, body in blocks.items():
                if body.get("lifecycle", {}).get("prevent_destroy"):
                    entry = resources.setdefault(type_name, {}).setdefault(name, {})
                    entry.setdefault("lifecycle", {})["prevent_destroy"] = False
    if resources:
        out["resource"] = resources
    json.dump(out, sys.stdout, indent=2)
    print()


def credentials(endpoint, account):
    """moto's own account mechanism: credentials from STS AssumeRole into a role of ACCOUNT; every
    request signed with them is in ACCOUNT, which sts:GetCallerIdentity answers (what the provider checks
    against `allowed_account_ids`)."""
    import boto3
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="rehearsal", aws_secret_access_key="rehearsal")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/rehearsal",
                            RoleSessionName="rehearsal")["Credentials"]
    check = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"])
    got = check.get_caller_identity()["Account"]
    if got != account:
        sys.exit(f"moto put the credentials in account {got}, expected {account}")
    print(f"export AWS_ACCESS_KEY_ID={creds['AccessKeyId']} AWS_SECRET_ACCESS_KEY={creds['SecretAccessKey']} "
          f"AWS_SESSION_TOKEN={creds['SessionToken']}")


TERRAFORM_ACTIONS = {("no-op",): "no-op", ("create",): "create", ("update",): "update",
                     ("delete",): "delete", ("delete", "create"): "replace",
                     ("create", "delete"): "replace"}
STACKWRIGHT_ACTIONS = {"add": "create", "update": "update", "replace": "replace", "destroy": "delete",
                       "no-change": "no-op"}


def stackwright_actions(plan_path, env="test"):
    actions = {}
    for stack in json.load(open(plan_path))["stacks"]:
        if stack["environment"] == env and stack["target"] == "terraform":
            for r in stack["resources"]:
                actions[r["address"]] = STACKWRIGHT_ACTIONS[r["action"]]
    return actions


def terraform_actions(terraform_path):
    terraform = {}
    for change in json.load(open(terraform_path)).get("resource_changes", []):
        if change.get("mode") != "managed":
            continue
        actions = tuple(change["change"]["actions"])
        terraform[change["address"]] = TERRAFORM_ACTIONS.get(actions, "+".join(actions))
    return terraform


def compare(scenario, terraform_path, stackwright_path, env="test"):
    terraform = terraform_actions(terraform_path)
    ours = stackwright_actions(stackwright_path, env)
    addresses = sorted(set(terraform) | set(ours))
    disagree = [(a, terraform.get(a, "no-op"), ours.get(a, "no-op")) for a in addresses
                if terraform.get(a, "no-op") != ours.get(a, "no-op")]
    unknown = [d for d in disagree if (scenario, d[0]) not in KNOWN]
    changes = [f"{a} {terraform[a]}" for a in addresses if terraform.get(a, "no-op") != "no-op"]
    agree = len(addresses) - len(disagree)
    print(f"{scenario}: {agree}/{len(addresses)} resources agree "
          f"(terraform: {', '.join(changes) or 'no changes'})")
    for address, theirs, mine in disagree:
        known = KNOWN.get((scenario, address))
        print(f"  {address}: terraform {theirs}, stackwright {mine}"
              + (f" (known: {known})" if known else " (DISAGREEMENT)"))
    # Machine-readable tally for the total line.
    print(f"@tally {agree} {len(addresses)}", file=sys.stderr)
    sys.exit(1 if unknown else 0)


def only_change(terraform_path, stackwright_path, address, action):
    """Both plans change ADDRESS with ACTION and nothing else (environment `dev`, the orders example's)."""
    ok = True
    for who, actions in (("terraform", terraform_actions(terraform_path)),
                         ("stackwright", stackwright_actions(stackwright_path, "dev"))):
        changes = {a: x for a, x in actions.items() if x != "no-op"}
        if changes == {address: action}:
            print(f"{who} plans exactly one change: {address} {action}")
        else:
            print(f"{who} plans {changes or 'no change'}, expected only {address} {action}")
            ok = False
    sys.exit(0 if ok else 1)


def moto_client(service, endpoint, account, region):
    """A boto3 client for moto, with credentials in ACCOUNT (see `credentials`)."""
    import boto3
    creds = dict(line.split("=", 1) for line in subprocess.run(
        [sys.executable, __file__, "credentials", endpoint, account], check=True, capture_output=True,
        text=True).stdout.removeprefix("export ").split())
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                        aws_session_token=creds["AWS_SESSION_TOKEN"])


def lambda_code(endpoint, account, region, function, zip_path):
    """moto's CodeSha256 of FUNCTION (base64 of the zip's sha256, as Lambda answers) against ZIP's, which
    is also the asset's name (out/assets/<sha256>.zip)."""
    import base64
    import hashlib
    import os
    data = open(zip_path, "rb").read()
    digest = hashlib.sha256(data).digest()
    name = os.path.basename(zip_path).removesuffix(".zip")
    config = moto_client("lambda", endpoint, account, region).get_function(
        FunctionName=function)["Configuration"]
    want = base64.b64encode(digest).decode()
    ok = config["CodeSha256"] == want and digest.hex() == name and config["CodeSize"] == len(data)
    print(f"{function}: moto's code sha256 {config['CodeSha256']} ({config['CodeSize']} bytes); the asset "
          f"{name[:12]}..: {want} ({len(data)} bytes): " + ("same" if ok else "DIFFERENT"))
    sys.exit(0 if ok else 1)


def cloudformation(list_path, env, endpoint, account):
    """The CloudFormation side of the code assets phase, in the directory holding `out/`: each wave of ENV
    in order (`list --format json`), and before the wave the listing names for each asset
    (`waves.cloudformation`: after the bootstrap stack's wave, which creates the bucket), the asset's
    publish commands exactly as printed (`publish_argv`), sent to moto by AWS_ENDPOINT_URL. The
    stacks are deployed with the printed deploy commands (`deploy_argv`, `aws cloudformation deploy`), to
    moto the same way (a gap of moto's change sets is worked around in `serve`). Then every Lambda function of the templates must be on moto with the code of
    its asset (CodeSha256 = the zip's, whose sha256 is its S3 key)."""
    import base64
    import hashlib
    import os
    import shutil
    listing = json.load(open(list_path))
    artifacts = sorted((a for a in listing["artifacts"]
                        if a["env"] == env and a["target"] == "cloudformation"), key=lambda a: a["wave"])
    publish = [p for p in listing["publish"] if p["env"] == env and "cloudformation" in p["targets"]]
    if not artifacts or not publish:
        sys.exit(f"no CloudFormation stack or no asset to publish in environment {env}")
    aws = shutil.which("aws")
    if not aws:
        sys.exit("CANNOT PUBLISH: no `aws` command (awscli) on PATH to run the printed publish commands")
    cli_env = dict(os.environ, AWS_ENDPOINT_URL=endpoint)
    ok, published, functions, images, image_functions = True, set(), [], {}, []
    for artifact in artifacts:
        template_text = open(artifact["path"]).read()
        for asset in publish:
            if asset["key"] in template_text and asset["key"] not in published \
                    and asset["waves"].get("cloudformation") != artifact["wave"]:
                sys.exit(f"the listing publishes {asset['key']} before wave {asset['waves']}, but stack "
                         f"{artifact['stack']} of wave {artifact['wave']} reads it")
            if asset["waves"].get("cloudformation") == artifact["wave"] and asset["key"] not in published \
                    and asset["kind"] == "image":
                # moto mocks ECR's API, not a registry: nothing to push an image to.
                print(f"MOTO GAP: image {asset['key'][:12]}.. ({asset['source']}) not pushed: moto has no image "
                      f"registry (scripts/check-image-push.sh pushes an image to a local one); its publish "
                      f"command, as printed: {' '.join(asset['publish_argv'][0][:2])} .. "
                      f"docker://{asset['bucket']}:{asset['key'][:12]}..")
                published.add(asset["key"])
                images[f"{asset['bucket']}:{asset['key']}"] = asset
            if asset["waves"].get("cloudformation") == artifact["wave"] and asset["key"] not in published:
                for argv in asset["publish_argv"]:
                    done = subprocess.run(argv, env=cli_env, capture_output=True, text=True)
                    if done.returncode != 0:
                        sys.exit(f"publish failed: {' '.join(argv)}: {done.stderr.strip()}")
                print(f"published {asset['key'][:12]}.. ({asset['kind']}, {asset['source']}): "
                      f"{' '.join(asset['publish_argv'][0][:3])} .. s3://{asset['bucket']}/ with AWS_ENDPOINT_URL")
                published.add(asset["key"])
        argv = artifact["deploy_argv"][-1]
        stack_name, region = argv[argv.index("--stack-name") + 1], argv[argv.index("--region") + 1]
        for argv in artifact["deploy_argv"]:
            done = subprocess.run(argv, env=cli_env, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"deploy failed: {' '.join(argv)}: {done.stderr.strip()}")
        cfn = moto_client("cloudformation", endpoint, account, region)
        template = json.loads(template_text)
        # A resource moto's CloudFormation skips is listed without ids.
        made = {r["LogicalResourceId"]: r for r in cfn.describe_stack_resources(
            StackName=stack_name)["StackResources"] if r.get("LogicalResourceId")}
        missing = sorted(set(template["Resources"]) - set(made))
        status = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
        ok = ok and status == "CREATE_COMPLETE"
        print(f"stack {stack_name} (wave {artifact['wave']}): `{' '.join(argv[:3])}` as printed: {status}, "
              f"{len(template['Resources']) - len(missing)}/{len(template['Resources'])} resources made"
              + (f"; MOTO GAP: moto's CloudFormation skipped {', '.join(missing)} "
                 f"({', '.join(sorted({template['Resources'][m]['Type'] for m in missing}))})"
                 if missing else ""))
        for logical, body in template["Resources"].items():
            if body["Type"] == "AWS::Lambda::Function" and "S3Key" in body["Properties"].get("Code", {}):
                functions.append((region, made[logical]["PhysicalResourceId"], body["Properties"]["Code"]["S3Key"]))
            if body["Type"] == "AWS::Lambda::Function" and "ImageUri" in body["Properties"].get("Code", {}):
                image_functions.append((region, made[logical]["PhysicalResourceId"]))
    for region, name, key in functions:
        data = open(os.path.join("out", "assets", key), "rb").read()
        want = base64.b64encode(hashlib.sha256(data).digest()).decode()
        got = moto_client("lambda", endpoint, account, region).get_function(
            FunctionName=name)["Configuration"]["CodeSha256"]
        same = got == want and hashlib.sha256(data).hexdigest() == key.removesuffix(".zip")
        ok = ok and same
        print(f"function {name}: moto's code sha256 {got}; the asset {key[:12]}..: {want}: "
              + ("same" if same else "DIFFERENT"))
    # An image function's ImageUri, as CloudFormation resolved it, is where the listing publishes its image.
    for region, name in image_functions:
        uri = moto_client("lambda", endpoint, account, region).get_function(
            FunctionName=name)["Code"].get("ImageUri", "")
        same = uri in images
        ok = ok and same
        print(f"function {name}: moto's image URI {uri.split(':')[0]}:{uri.split(':')[-1][:12]}..: "
              + ("the image the listing publishes" if same else f"NOT one the listing publishes ({sorted(images)})"))
    sys.exit(0 if ok else 1)


def predicts_refusal(plan_path):
    """Addresses whose destroy Stackwright's plan says Terraform refuses (`prevent_destroy`)."""
    refused = []
    for stack in json.load(open(plan_path))["stacks"]:
        for r in stack["resources"]:
            said = " ".join(str(x) for x in r.get("notes", []) + r.get("warnings", [])).lower()
            if r.get("refused") or r.get("refuses") or "prevent_destroy" in said or "refus" in said:
                refused.append(r["address"])
    print(" ".join(refused))


def leftovers(endpoint, account, region):
    import boto3
    creds = dict(line.split("=", 1) for line in subprocess.run(
        [sys.executable, __file__, "credentials", endpoint, account], check=True, capture_output=True,
        text=True).stdout.removeprefix("export ").split())

    def client(service):
        return boto3.client(service, endpoint_url=endpoint, region_name=region,
                            aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                            aws_session_token=creds["AWS_SESSION_TOKEN"])
    ec2, iam, elbv2, asg = client("ec2"), client("iam"), client("elbv2"), client("autoscaling")
    left = {
        "instances": [i["InstanceId"] for r in ec2.describe_instances()["Reservations"]
                      for i in r["Instances"] if i["State"]["Name"] not in ("terminated", "shutting-down")],
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")],
        "security groups": [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]
                            if g["GroupName"] != "default"],
        "launch templates": [t["LaunchTemplateName"]
                             for t in ec2.describe_launch_templates()["LaunchTemplates"]],
        "load balancers": [b["LoadBalancerName"] for b in elbv2.describe_load_balancers()["LoadBalancers"]],
        "target groups": [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]],
        "auto scaling groups": [g["AutoScalingGroupName"]
                                for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]],
        "roles": [r["RoleName"] for r in iam.list_roles()["Roles"] if not r["RoleName"].startswith("rehearsal")],
        "instance profiles": [p["InstanceProfileName"]
                              for p in iam.list_instance_profiles()["InstanceProfiles"]],
        "log groups": [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]],
        "hosted zones": [z["Name"] for z in client("route53").list_hosted_zones()["HostedZones"]],
        "certificates": [c["DomainName"]
                         for c in client("acm").list_certificates()["CertificateSummaryList"]],
        "topics": [t["TopicArn"] for t in client("sns").list_topics()["Topics"]],
        "alarms": [a["AlarmName"] for a in client("cloudwatch").describe_alarms()["MetricAlarms"]],
        "buckets": [b["Name"] for b in client("s3").list_buckets()["Buckets"]],
    }
    left = {k: v for k, v in left.items() if v}
    print(f"moto holds in {account}/{region}: {left}" if left
          else f"moto holds nothing in {account}/{region}")
    sys.exit(1 if left else 0)


def created(module_path, state_list_path):
    """Resources of the module (count/for_each instances aside: their base address) not in the state."""
    module = json.load(open(module_path))
    state = {line.split("[")[0] for line in open(state_list_path).read().split()}
    wanted = {f"{t}.{n}" for t, blocks in module.get("resource", {}).items() for n in blocks}
    missing = sorted(wanted - state)
    print(f"{len(wanted) - len(missing)}/{len(wanted)} resources created"
          + (f"; missing: {', '.join(missing)}" if missing else ""))
    sys.exit(1 if missing else 0)


def changes(terraform_path):
    """The steps phase: what a `terraform show -json` plan does, but its no-ops."""
    for address, action in sorted(terraform_actions(terraform_path).items()):
        if action != "no-op":
            print(f"{action} {address}")


def listener_weights(endpoint, account, region, state_path, module_path=None):
    """The steps phase: the weights moto holds for the listener's forward, as `NAME=WEIGHT` per target
    group (NAME: its Terraform resource name, through the state's ARNs), by name; with MODULE, exit 1
    unless they are the module's."""
    state = json.load(open(state_path))
    names = {i["attributes"]["arn"]: r["name"] for r in state["resources"]
             if r["mode"] == "managed" and r["type"] == "aws_lb_target_group" for i in r["instances"]}
    elbv2 = moto_client("elbv2", endpoint, account, region)
    listeners = [l for lb in elbv2.describe_load_balancers()["LoadBalancers"]
                 for l in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]]
    if len(listeners) != 1:
        sys.exit(f"expected one listener, moto holds {len(listeners)}")
    groups = listeners[0]["DefaultActions"][0].get("ForwardConfig", {}).get("TargetGroups", [])
    got = sorted(f"{names.get(g['TargetGroupArn'], g['TargetGroupArn'])}={g.get('Weight')}" for g in groups)
    print(" ".join(got))
    if module_path:
        module = json.load(open(module_path))
        # A nested block is a list of one object or the object itself in Terraform JSON.
        one = lambda block: block[0] if isinstance(block, list) else block
        want = sorted(
            f"{g['arn'].removeprefix('${aws_lb_target_group.').removesuffix('.arn}')}={g['weight']}"
            for listener in module["resource"]["aws_lb_listener"].values()
            for g in one(one(listener["default_action"])["forward"])["target_group"])
        if got != want:
            sys.exit(f"the module's weights are {' '.join(want)}")


def table_arn(endpoint, account, region, name, arn):
    """The steps phase: exit 1 unless moto holds table NAME, with ARN."""
    dynamodb = moto_client("dynamodb", endpoint, account, region)
    found = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    if found != arn:
        sys.exit(f"moto's table {name} is {found}, not {arn}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "serve":
        serve(*args)
    elif command == "override":
        override(args[0], args[1], unguard="--unguard" in args[2:])
    elif command == "credentials":
        credentials(*args)
    elif command == "compare":
        compare(*args[:3], **({"env": args[4]} if args[3:4] == ["--env"] else {}))
    elif command == "only-change":
        only_change(*args)
    elif command == "lambda-code":
        lambda_code(*args)
    elif command == "cloudformation":
        cloudformation(*args)
    elif command == "predicts-refusal":
        predicts_refusal(*args)
    elif command == "leftovers":
        leftovers(*args)
    elif command == "created":
        created(*args)
    elif command == "changes":
        changes(*args)
    elif command == "listener-weights":
        listener_weights(*args)
    elif command == "table-arn":
        table_arn(*args)
    else:
        sys.exit(f"unknown command {command}")
