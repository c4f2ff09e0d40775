"""The npsops CDK app: one stack, one construct per capability (see DESIGN.md §2 and §4)."""
