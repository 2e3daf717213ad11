"""The SAM transform, offline, as `sam validate` runs it after `sam package`."""

import copy
import json

import boto3
from cfnlint.decode import cfn_yaml
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

# The AWS managed policies SAM attaches (name -> ARN), so the transform
# needs no iam:ListPolicies call.
MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSLambdaSQSQueueExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
}

# Their statements (as published by AWS), for the end-to-end tests that run
# each function as a user holding exactly its role's statements.
MANAGED_POLICY_DOCUMENTS = {
    MANAGED_POLICIES["AWSLambdaBasicExecutionRole"]: {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}],
    },
    MANAGED_POLICIES["AWSLambdaSQSQueueExecutionRole"]: {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                           "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
        ],
    },
}


def load(path):
    """Reads a template (short-form intrinsics included) as plain JSON data."""
    return json.loads(json.dumps(cfn_yaml.load(path), default=str))


def transform(template, region="us-east-1"):
    """Returns the CloudFormation template SAM makes of template, CodeUri set
    to an S3 location as `sam package` leaves it."""
    tpl = copy.deepcopy(template)
    fn_globals = tpl.get("Globals", {}).get("Function")
    if isinstance(fn_globals, dict) and "CodeUri" in fn_globals:
        fn_globals["CodeUri"] = "s3://revoke-artifacts/revoke/0123456789abcdef"
    for logical, res in tpl.get("Resources", {}).items():
        if res.get("Type") == "AWS::Serverless::Function":
            res.setdefault("Properties", {})["CodeUri"] = f"s3://revoke-artifacts/revoke/{logical}"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    return translator.translate(tpl, parameter_values={}, get_managed_policy_map=lambda: dict(MANAGED_POLICIES))
