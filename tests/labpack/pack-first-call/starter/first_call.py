"""Your script for the lab pack-first-call.
   Seu script para o lab pack-first-call.
"""

import boto3

runtime = boto3.client("bedrock-runtime", region_name="us-east-1")

# TODO: call amazon.nova-micro-v1:0 with runtime.converse.
#       chame amazon.nova-micro-v1:0 com runtime.converse.
