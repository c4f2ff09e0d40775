"""Logger, Metrics and Tracer, created once per execution environment and shared by every handler."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "npsops"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="npsops")
tracer = Tracer(service=SERVICE)
