"""Pure rules: no I/O, no boto3, no clock reads.

The models here declare `defer_build=True`: pydantic builds a model's validator and serializer when
the model is first used rather than when its module is imported, so a Lambda function pays at cold
start only for the models it uses, not for every model of the modules it imports (bench/cold_start.py).
"""
