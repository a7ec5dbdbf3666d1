import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    for record in event.get("Records", []):
        order = json.loads(record["body"])
        table.put_item(Item={"pk": order.get("id", record["messageId"]), "order": record["body"]})
