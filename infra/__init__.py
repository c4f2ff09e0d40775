"""The npsops CDK app: one stack, one construct per capability (docs/architecture.md#the-cdk-stack)."""
