"""The code every function shares, deployed as one Lambda layer.

npsops uses no pydantic plugins. Unless told otherwise, pydantic looks for them when it builds its
first model, reading the metadata of every installed distribution (bench/cold_start.py: about a tenth
of a function's cold start in a development environment). An explicit PYDANTIC_DISABLE_PLUGINS in the
environment still wins.
"""

import os

os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
