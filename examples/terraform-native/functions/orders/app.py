"""The order handler: takes the API's request body and queues it as an order."""

import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    body = event.get("body") or "{}"
    json.loads(body)  # a malformed order is refused here, not by the worker
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=body)
    return {"statusCode": 202, "body": json.dumps({"accepted": True})}
