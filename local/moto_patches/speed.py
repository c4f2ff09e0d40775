"""The patches that only make moto faster: each gives moto's answers, in less time. The embedded AWS
is right without them (a slice of the integration tests runs on stock moto to show it: `make
test-stock-moto`), only slower; NPSOPS_MOTO_SPEED_PATCHES=0 leaves them out (see the package).

Each keeps its number from the list in the package's docstring (local/moto_patches/__init__.py);
every patch point is in PATCH_POINTS, and tests/integration/test_patch_points.py fails if moto (pinned
exactly) moves one, and compares several with moto's own code.

2. Step Functions tasks reuse one boto3 client per service (moto builds a new client, with a new
   SSL context, for every task: 16% of the CPU time when first profiled with py-spy).
3. A state machine definition is parsed once, not once per execution.
6. JSONPath expressions are compiled once: jsonpath_ng builds a new parser (and its grammar
   tables) on every parse, and moto parses on every state transition and every event delivery.
7. SQS receive checks retention without computing every queue attribute for every message
   (moto's check counts the whole queue per message: quadratic in the CRM outbox's depth).
8. Step Functions state is copied as JSON (a pickle round trip), not with copy.deepcopy: the engine
   copies the whole state on every path it reads and for every task; deepcopy was a quarter of the
   CPU time (yappi).
9. DynamoDB UpdateItem does not deep-copy the old item: moto keeps it only for DynamoDB Streams,
   which npsops does not use.
10. Looking up an existing account's backend skips moto's global lock: every request does it (for
   IAM's last-used bookkeeping), and with executions in parallel threads half of py-spy's samples
   were threads queued on that one lock.
11. A DynamoDB Query on a table (not an index) reads its partition, not the whole table: moto sorts
   every item of the table on every Query, so a Query cost grew with the table (half the CPU time
   of the demo's trigger step, py-spy). The partition's items are what moto then filters anyway.
   A Query on an index reads the items whose index hash key is the queried string, found with
   plain string comparisons: moto compared every item of the table with DynamoType equality and
   sorted the whole table first (the case SLA sweep and the roll-up's index reads, py-spy).
12. An update expression's action counts are checked once, at its root: moto checks them again at
   every nested UpdateExpression node, each check walking the whole subtree (quadratic in the
   number of actions; a roll-up's ADD of a dozen counters cost more than the write itself, yappi).
   A clause counted at a nested node is counted at the root too, so the verdict is the same.
13. moto lists a response class's methods (inspect.getmembers) once per class, not once per request.
14. Request ids come from os.urandom, not from 52 calls to random.choice per request.
15. A DynamoDB item operation's successful result is serialised with json.dumps: the result is
   already DynamoDB JSON, and moto's shape-driven serialiser walked every attribute of every item
   (a sixth of the pipeline's CPU, yappi). Errors and every other operation keep moto's serialiser;
   tests/integration/test_patch_points.py compares the two on items of every attribute type.
16. botocore's user-agent sanitising is memoised: it rebuilds the same header character by
   character on every request, and the inputs are a handful of constant strings.
17. A new DynamoDB item checks its 400 KB limit once, not once per attribute: moto re-measured the
   whole item (recursively) as each attribute was added, quadratic in the item's size. Sizes only
   add up, so the item is too large at the end exactly when it was at any attribute.
18. An update expression's paths are checked for overlaps once, at its root, for the reason of 12:
   an overlap within a nested clause is an overlap of the whole. (Where an expression has several
   overlaps, the error names all of them rather than the innermost first.)
19. moto's CamelCase-to-snake_case conversion is memoised: it runs a regex per call, once per
   request and once per attribute of every SQS queue listing, on a handful of constant names.
20. A DynamoDB Query's or Scan's results, and UpdateItem's snapshot of the old item, are not deep-
   copied: each is turned into fresh JSON (dynamo_to_dict, Item.to_json) within the same serialised
   request, before any other write can touch the live items (a quarter of a Query's time, cProfile).
21. An update expression is parsed once per distinct expression: the handlers send a handful of
   constant expressions, and moto parsed each one twice per UpdateItem. moto's validator copies the
   tree before it rewrites it; that copy walks moto's own node classes instead of copy.deepcopy.
22. Requests to the embedded AWS carry SigV4's Authorization header without computing its signature
   (canonical request, payload hash, four HMACs: a third of a small request's client time). moto
   reads only the access key and region from it, and checks signatures only with its IAM
   authentication on (INITIAL_NO_AUTH_ACTION_COUNT), when the real signer runs. S3's signer and
   presigned URLs (other signer classes) are untouched.
23. A DynamoDB value's size is summed in one walk: moto re-wrapped every nested value of a map in a
   new DynamoType (copying its subtree) at every level, and a Query sizes each result twice (the
   roll-up items carry a map of votes: a sixth of the aggregate step, py-spy).
24. SQS SendMessage reads a queue's content-based deduplication setting without computing every
   queue attribute: moto counted the whole queue (visible, delayed, in flight) for every message
   sent, quadratic in the CRM outbox's depth (EventBridge delivering the SLA sweep's escalations
   was a quarter of the renewal phase, py-spy). The rest is moto's send_message as it is.
25. A DynamoDB request goes from botocore's prepared request straight to moto's DynamoHandler:
   moto built a werkzeug request from it (an environ, its headers and streams), matched the URL
   against every service's patterns, then set the handler up from the werkzeug request (a third of
   a small request's time, cProfile). The handler gets the same parameters from the same parser,
   and the same account and region; its call_action, and what wraps it (the item lock, the
   benches' meters, the tests' injected faults), runs as before, and botocore still retries.
26. A Step Functions Lambda task calls the handler straight away, with the same payload and error
   contract, instead of going through moto's Lambda API (request signing, HTTP emulation, JSON both
   ways), where correctness patch 1 runs the same handler in process.
"""

from __future__ import annotations

import copy
import functools
import importlib
import json
import math
import os
import pickle
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from local.moto_patches._shared import public, replaced
from local.moto_patches.correctness import _handlers, _run_function

PATCH_POINTS: tuple[tuple[str, str], ...] = (
    (
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
        "_invoke_lambda_function",
    ),
    ("moto.stepfunctions.parser.asl.utils.boto_client", "boto_client_for"),
    ("moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils", "boto_client_for"),
    (
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_dynamodb",
        "boto_client_for",
    ),
    (
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events",
        "boto_client_for",
    ),
    (
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn",
        "boto_client_for",
    ),
    ("moto.stepfunctions.parser.backend.execution_worker", "ExecutionWorker._get_evaluation_entrypoint"),
    ("moto.core.base_backend", "BackendDict.__getitem__"),
    ("moto.core.base_backend", "BackendDict._create_account_specific_backend"),
    ("moto.sqs.models", "SQSBackend.is_message_valid_based_on_retention_period"),
    ("moto.dynamodb.models", "copy"),
    ("moto.dynamodb.models.table", "Table.query"),
    ("moto.dynamodb.models.table", "Table.all_items"),
    ("moto.stepfunctions.parser.asl.eval.states", "copy"),
    ("moto.stepfunctions.parser.asl.component.common.string.string_expression", "copy"),
    ("moto.stepfunctions.parser.asl.component.state.exec.execute_state", "copy"),
    ("moto.dynamodb.parsing.validators", "ActionCountValidator.traverse"),
    ("moto.core.responses", "method_names_from_class"),
    ("moto.core.botocore_stubber", "BotocoreStubber.process_request"),
    ("moto.core.responses", "BaseResponse.setup_class"),
    ("moto.core.parse", "PROTOCOL_PARSERS"),
    ("moto.core.responses", "gen_amzn_requestid_long"),
    ("moto.utilities.aws_headers", "gen_amzn_requestid_long"),
    ("moto.dynamodb.responses", "DynamoHandler.serialized"),
    ("moto.dynamodb.responses", "DynamoResult"),
    ("botocore.useragent", "sanitize_user_agent_string_component"),
    ("moto.dynamodb.models.dynamo_type", "Item.__init__"),
    ("moto.dynamodb.models.dynamo_type", "LimitedSizeDict"),
    ("moto.dynamodb.models.dynamo_type", "bytesize"),
    ("moto.dynamodb.parsing.validators", "OverlappingPathsValidator.traverse"),
    ("moto.core.responses", "camelcase_to_underscores"),
    ("moto.sqs.models", "camelcase_to_underscores"),
    ("moto.dynamodb.models.table", "copy"),
    ("moto.dynamodb.responses", "copy"),
    ("moto.dynamodb.models.table", "Item"),
    ("moto.dynamodb.parsing.expressions", "UpdateExpressionParser.make"),
    ("moto.dynamodb.parsing.validators", "deepcopy"),
    ("moto.dynamodb.parsing.ast_nodes", "Node"),
    ("moto.dynamodb.models.dynamo_type", "DynamoType.size"),
    ("moto.sqs.models", "SQSBackend.send_message"),
    ("moto.sqs.models", "SQSBackend._validate_message"),
    ("moto.sqs.models", "Message.mark_sent"),
    ("moto.sqs.models", "Queue.add_message"),
    ("moto.sqs.models", "Queue.FIFO_ATTRIBUTES"),
    ("moto.sqs.models", "MAXIMUM_MESSAGE_DELAY"),
    ("botocore.auth", "SigV4Auth.add_auth"),
    ("botocore.auth", "SigV4Auth.scope"),
    ("botocore.auth", "SigV4Auth._modify_request_before_signing"),
    ("moto.settings", "INITIAL_NO_AUTH_ACTION_COUNT"),
    ("jsonpath_ng.ext", "parse"),
    ("moto.stepfunctions.parser.asl.utils.json_path", "parse"),
    ("moto.stepfunctions.parser.asl.component.common.path.result_path", "parse"),
)


def _call_task_handlers_directly() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    through_the_api = lambda_eval_utils._invoke_lambda_function

    def invoke_from_task(parameters: dict[str, Any], region: str, state_credentials: Any) -> dict[str, Any]:
        name = str(parameters["FunctionName"]).rsplit(":function:", 1)[-1].split(":")[0]
        if name not in _handlers:
            return dict(
                through_the_api(parameters=parameters, region=region, state_credentials=state_credentials)
            )
        payload = parameters.get("Payload")
        result, errored = _run_function(
            name, payload if isinstance(payload, str | bytes) else json.dumps(payload)
        )
        response: dict[str, Any] = {
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            "Payload": json.loads(result),
        }
        if errored:
            response["FunctionError"] = "Unhandled"
        return response

    lambda_eval_utils._invoke_lambda_function = invoke_from_task


def _reuse_task_clients() -> None:
    from moto.stepfunctions.parser.asl.utils import boto_client

    build = boto_client.boto_client_for

    @functools.cache
    def shared_client(region: str, service: str) -> Any:
        return build(region=region, service=service)

    def client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        return shared_client(region, service)

    for module, attribute in PATCH_POINTS:
        if attribute == "boto_client_for":
            setattr(importlib.import_module(module), attribute, client_for)


def _parse_definitions_once() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    @functools.lru_cache(maxsize=64)
    def parse(definition: str) -> Any:
        return AmazonStateLanguageParser.parse(definition)[0]

    def entrypoint(self: Any) -> Any:
        return parse(self._evaluation_details.state_machine_details.definition)

    ExecutionWorker._get_evaluation_entrypoint = entrypoint  # type: ignore[method-assign]


def _lock_free_backend_lookup() -> None:
    from moto.core.base_backend import BackendDict

    slow_path = BackendDict.__getitem__

    def lookup(self: Any, account_id: str) -> Any:
        # An account's backend is only ever added under the lock; once there, reading it is safe.
        if dict.__contains__(self, account_id):
            return dict.__getitem__(self, account_id)
        return slow_path(self, account_id)

    BackendDict.__getitem__ = lookup  # type: ignore[method-assign]


def _compile_json_paths_once() -> None:
    import jsonpath_ng
    import jsonpath_ng.ext

    compile_ext, compile_plain = (
        functools.lru_cache(4096)(jsonpath_ng.ext.parse),
        functools.lru_cache(4096)(jsonpath_ng.parse),
    )
    for module, attribute in PATCH_POINTS:
        if attribute == "parse":
            target = importlib.import_module(module)
            plain = module.endswith("result_path")
            setattr(target, attribute, compile_plain if plain else compile_ext)


def _cheap_sqs_retention_check() -> None:
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def within_retention(self: Any, queue_name: str, message: Any) -> bool:
        retention = int(self.queues[queue_name].message_retention_period)
        return bool(retention + message.sent_timestamp / 1000 > unix_time())

    SQSBackend.is_message_valid_based_on_retention_period = within_retention  # type: ignore[method-assign]


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (what Step Functions state is), several times faster than deepcopy:
    a pickle round trip runs in C (twice as fast again as copying dict by dict in Python) and, like
    deepcopy, keeps types, order and shared references. What pickle refuses, deepcopy copies."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is dict or kind is list:
        try:
            return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError):
            pass
    return copy.deepcopy(value)


class _JsonCopyModule:
    """Stands in for the `copy` module inside the engine modules that copy state."""

    deepcopy = staticmethod(json_copy)
    copy = staticmethod(copy.copy)


def _copy_state_as_json() -> None:
    for module, attribute in PATCH_POINTS:
        if attribute == "copy" and ".stepfunctions." in module:
            setattr(importlib.import_module(module), attribute, _JsonCopyModule)


class _NoStreamImageCopyModule:
    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.dynamo_type import Item

        # update_item's only deepcopy of an Item is the old image for a stream.
        return value if isinstance(value, Item) else copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


def _skip_stream_images() -> None:
    import moto.dynamodb.models as dynamodb_models

    dynamodb_models.copy = _NoStreamImageCopyModule  # type: ignore[assignment]


def _query_one_partition() -> None:
    from moto.dynamodb.models.table import Table

    query, all_items = Table.query, Table.all_items
    partition = threading.local()  # set for the duration of one table query (item calls are serialised)

    def query_partition(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        on_index = (args[6] if len(args) > 6 else kwargs.get("index_name")) is not None
        if on_index:
            limit = args[2] if len(args) > 2 else kwargs.get("limit")
            equal_ranges = [
                (name, values[0])
                for name, comparison, values in kwargs.get("range_key_conditions") or []
                if comparison == "=" and limit is None  # a Limit counts what moto reads: read it all
            ]
            # The package's index_partition: a test swaps it there for moto's read of every item.
            hash_conditions = kwargs.get("hash_key_conditions")
            partition.items = public().index_partition(self, hash_conditions, equal_ranges)
        elif hash_key is not None and self.range_key_attr:
            partition.items = list(self.items.get(hash_key, {}).values())
        if getattr(partition, "items", None) is None:
            return query(self, hash_key, *args, **kwargs)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            partition.items = None

    def items_of_partition(self: Any) -> Any:
        found = getattr(partition, "items", None)
        return found if found is not None else all_items(self)

    Table.query = query_partition  # type: ignore[method-assign]
    Table.all_items = items_of_partition  # type: ignore[method-assign]


def index_partition(
    table: Any, hash_conditions: list[tuple[str, Any]] | None, equal_ranges: Sequence[tuple[str, Any]] = ()
) -> list[Any] | None:
    """The table's items in one partition of an index (string hash keys), narrowed by the range
    key equalities given, in moto's all_items order; None when the hash conditions are not all
    string equalities (moto then reads every item). A cheap prefilter: moto still applies every
    key condition to these items, with its own comparisons (DynamoType.__eq__ casts values, a
    fifth of a GSI query's time), and sizes each item it reads (a query for one account's item
    in a quarter's partition sized every account's item, votes and all)."""
    if not hash_conditions or any(value.type != "S" for _, value in hash_conditions):
        return None
    wanted = [(name, value.value) for name, value in hash_conditions]
    wanted += [(name, value.value) for name, value in equal_ranges if value.type == "S"]
    stored = (
        [item for hash_set in table.items.values() for item in hash_set.values()]
        if table.range_key_attr
        else list(table.items.values())
    )
    found = []
    for item in stored:
        attrs = item.attrs
        for name, value in wanted:
            attribute = attrs.get(name)
            if attribute is None or attribute.type != "S" or attribute.value != value:
                break
        else:
            found.append(item)
    return sorted(found, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _count_actions_at_the_root() -> None:
    from moto.dynamodb.parsing import ast_nodes
    from moto.dynamodb.parsing.validators import ActionCountValidator

    update_expression = ast_nodes.UpdateExpression  # type: ignore[attr-defined]

    def traverse(self: Any, node: Any) -> Any:
        if isinstance(node, update_expression):
            self.verify_action_counts(node)
        return node

    ActionCountValidator.traverse = traverse


def _method_names_once_per_class() -> None:
    import moto.core.responses as responses

    responses.method_names_from_class = functools.cache(responses.method_names_from_class)


def fast_request_id(headerdict: dict[str, Any] | None = None) -> str:
    """moto's request id (52 characters, upper case and digits) without 52 random.choice calls."""
    request_id = os.urandom(26).hex().upper()
    if isinstance(headerdict, dict):
        headerdict["x-amzn-requestid"] = request_id
    return request_id


def _cheap_request_ids() -> None:
    for module, attribute in PATCH_POINTS:
        if attribute == "gen_amzn_requestid_long":
            setattr(importlib.import_module(module), attribute, fast_request_id)


# The item operations whose results are DynamoDB JSON through and through.
JSON_SERIALISED_DYNAMODB_ACTIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _serialise_dynamodb_items_as_json() -> None:
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    shape_driven = DynamoHandler.serialized

    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if (
            (type(action_result) is DynamoResult or type(action_result).__name__ == "ActionResult")
            and type(result) is dict
            and self._get_action() in JSON_SERIALISED_DYNAMODB_ACTIONS
        ):
            try:
                body = json.dumps(result, separators=(",", ":"))
            except (TypeError, ValueError):  # bytes or another non-JSON value: moto knows the shapes
                return shape_driven(self, action_result)
            headers = {"Content-Type": "application/json"}
            headers.update(self.response_headers)
            return 200, headers, body
        return shape_driven(self, action_result)

    DynamoHandler.serialized = serialized  # type: ignore[method-assign]


def _memoise_user_agent_sanitising() -> None:
    import botocore.useragent as useragent

    useragent.sanitize_user_agent_string_component = functools.lru_cache(1024)(
        useragent.sanitize_user_agent_string_component
    )


def _size_new_items_once() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict, bytesize

    limit = 405_000  # moto's limit (LimitedSizeDict.__setitem__): between DynamoDB's measured 409 and 410 KB

    def new_item(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        stored = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.__init__(stored)
        size = 0
        for key, value in attrs.items():
            typed = DynamoType(value)
            dict.__setitem__(stored, key, typed)
            size += bytesize(key) + typed.size()
        if size > limit:
            raise ItemSizeTooLarge
        self.attrs = stored

    Item.__init__ = new_item  # type: ignore[method-assign]


def _check_overlaps_at_the_root() -> None:
    from moto.dynamodb.parsing import ast_nodes
    from moto.dynamodb.parsing.validators import OverlappingPathsValidator

    update_expression = ast_nodes.UpdateExpression  # type: ignore[attr-defined]

    def traverse(self: Any, node: Any) -> Any:
        if isinstance(node, update_expression):
            self.check_for_overlapping_paths(node)
        return node

    OverlappingPathsValidator.traverse = traverse


def _memoise_camelcase_conversion() -> None:
    import moto.core.utils

    converted = functools.lru_cache(4096)(moto.core.utils.camelcase_to_underscores)
    for module, attribute in PATCH_POINTS:
        if attribute == "camelcase_to_underscores":
            setattr(importlib.import_module(module), attribute, converted)


class _ResultsAsTheyAreCopyModule:
    """Stands in for `copy` in moto's DynamoDB table and response modules: an Item, or a list of
    Items, is returned as it is (patch 20); anything else (a table backup, a restore) is copied."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.dynamo_type import Item

        if isinstance(value, Item):
            return value
        if type(value) is list and all(isinstance(item, Item) for item in value):
            return list(value)
        return copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


def _no_copies_of_results_turned_into_json() -> None:
    for module, attribute in PATCH_POINTS:
        if attribute == "copy" and module in ("moto.dynamodb.models.table", "moto.dynamodb.responses"):
            setattr(importlib.import_module(module), attribute, _ResultsAsTheyAreCopyModule)


def copy_expression_tree(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """copy.deepcopy for moto's update expression trees (nodes, lists of nodes, strings, parent
    links), copying anything else (a DynamoType) with copy.deepcopy."""
    from moto.dynamodb.parsing.ast_nodes import Node  # type: ignore[attr-defined]

    memo = {} if memo is None else memo
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if id(value) in memo:
        return memo[id(value)]
    if kind is list:
        copied_list: list[Any] = []
        memo[id(value)] = copied_list
        copied_list.extend(copy_expression_tree(item, memo) for item in value)
        return copied_list
    if isinstance(value, Node):
        node = object.__new__(kind)
        memo[id(value)] = node
        node.__dict__ = {key: copy_expression_tree(item, memo) for key, item in value.__dict__.items()}
        return node
    return copy.deepcopy(value, memo)


def _parse_update_expressions_once() -> None:
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    # The cached trees are only read (find_clauses) or copied by the validator before it rewrites one.
    parse = functools.lru_cache(1024)(UpdateExpressionParser.make)
    UpdateExpressionParser.make = staticmethod(parse)
    setattr(validators, "deepcopy", copy_expression_tree)  # noqa: B010 - the module's own name


def _sign_without_signatures() -> None:
    import botocore.auth
    import moto.settings
    from botocore.exceptions import NoCredentialsError

    sigv4 = botocore.auth.SigV4Auth
    sign = sigv4.add_auth

    def add_auth(self: Any, request: Any) -> None:
        if type(self) is not sigv4 or not math.isinf(moto.settings.INITIAL_NO_AUTH_ACTION_COUNT):
            return sign(self, request)  # another signer, or moto checks signatures: sign for real
        if self.credentials is None:
            raise NoCredentialsError()
        request.context["timestamp"] = botocore.auth.get_current_datetime().strftime(  # type: ignore[attr-defined]
            botocore.auth.SIGV4_TIMESTAMP
        )
        self._modify_request_before_signing(request)  # type: ignore[attr-defined]  # date, token headers
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.scope(request)}, SignedHeaders=host;x-amz-date, "
            f"Signature={'0' * 64}"
        )
        return None

    sigv4.add_auth = add_auth  # type: ignore[method-assign]


def dynamo_size(value: Any) -> int:
    """moto's DynamoType.size, without wrapping values that are already DynamoTypes again."""
    from moto.dynamodb.models.dynamo_type import DynamoType, bytesize

    kind, raw = value.type, value.value
    if kind == "N":
        return len(str(raw))
    if kind == "NS":
        return sum(len(str(number)) for number in raw)
    if kind in ("SS", "BS"):
        return sum(bytesize(member) for member in raw)
    if kind == "L":
        return sum(dynamo_size(member) for member in raw)
    if kind == "M":
        return sum(
            bytesize(key) + dynamo_size(member if type(member) is DynamoType else DynamoType(member))
            for key, member in raw.items()
        )
    if isinstance(raw, bool):
        return 1
    return int(bytesize(raw))


def _size_values_in_one_walk() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    replaced["DynamoType.size"] = DynamoType.size
    DynamoType.size = dynamo_size  # type: ignore[method-assign,assignment]


def _send_sqs_messages_without_counting_the_queue() -> None:
    import hashlib
    import string

    from moto.moto_api._internal import mock_random
    from moto.sqs import models as sqs
    from moto.sqs.exceptions import InvalidParameterValue

    def send_message(
        self: Any,
        queue_name: str,
        message_body: str,
        message_attributes: dict[str, Any] | None = None,
        delay_seconds: int | None = None,
        deduplication_id: str | None = None,
        group_id: str | None = None,
        system_attributes: dict[str, Any] | None = None,
        validate_group_id: bool = True,
    ) -> Any:
        queue = self.get_queue(queue_name)
        self._validate_message(
            queue,
            message_body=message_body,
            delay_seconds=int(delay_seconds or 0),
            deduplication_id=deduplication_id,
            group_id=group_id,
            validate_group_id=validate_group_id,
        )
        delay = int(delay_seconds) if delay_seconds is not None else int(queue.delay_seconds)
        message = sqs.Message(str(mock_random.uuid4()), message_body, system_attributes)
        # moto: queue.attributes.get("ContentBasedDeduplication"), which only FIFO queues list
        if queue.fifo_queue and str(queue.content_based_deduplication).lower() == "true":
            message.deduplication_id = hashlib.sha256(message_body.encode("utf-8")).hexdigest()
        if deduplication_id is not None:
            message.deduplication_id = deduplication_id
            message.sequence_number = "".join(mock_random.choice(string.digits) for _ in range(20))
        if group_id is not None:
            message.group_id = group_id
        if message_attributes:
            message.message_attributes = message_attributes
        if delay > sqs.MAXIMUM_MESSAGE_DELAY:
            raise InvalidParameterValue(
                f"Value {delay} for parameter DelaySeconds is invalid. "
                "Reason: DelaySeconds must be >= 0 and <= 900."
            )
        message.mark_sent(delay_seconds=delay)
        queue.add_message(message)
        return message

    sqs.SQSBackend.send_message = send_message  # type: ignore[method-assign]


DYNAMODB_TARGET = "DynamoDB_20120810."
DYNAMODB_HOST = re.compile(r"dynamodb\.([a-z0-9-]+)\.amazonaws\.com")


def _dispatch_dynamodb_directly() -> None:
    import moto.settings
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.utils import get_service_model, utcnow
    from moto.dynamodb.responses import DynamoHandler
    from moto.iam.models import mark_account_as_visited
    from moto.utilities.utils import get_partition
    from werkzeug.datastructures import Headers, MultiDict
    from werkzeug.exceptions import HTTPException
    from werkzeug.http import http_date

    service = get_service_model("dynamodb")
    parser = PROTOCOL_PARSERS["json"]
    through_werkzeug = replaced["BotocoreStubber.process_request"] = BotocoreStubber.process_request

    def process_request(self: Any, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target")
        if isinstance(target, bytes):
            target = target.decode()
        host = DYNAMODB_HOST.fullmatch(urlsplit(request.url).hostname or "")
        # With moto's IAM authentication on, its authoriser reads the werkzeug request: moto's way.
        checks_iam = not math.isinf(moto.settings.INITIAL_NO_AUTH_ACTION_COUNT)
        if not (target or "").startswith(DYNAMODB_TARGET) or host is None or checks_iam:
            return through_werkzeug(self, request)
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        handler = DynamoHandler()
        # What BaseResponse.setup_class sets from a werkzeug request, for a JSON request to "/".
        handler.is_werkzeug_request = False
        handler.raw_body, handler.body, handler.uri, handler.method = body, body, request.url, "POST"
        handler.headers = Headers(
            [(k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()]
        )
        handler.querystring = handler.data = {}
        handler.region = host.group(1)
        handler.partition = get_partition(handler.region)
        handler.uri_match = {}
        handler.response_headers = {"server": "amazon.com", "date": http_date(utcnow())}
        operation = service.operation_model(target[len(DYNAMODB_TARGET) :])
        handler.params = parser(operation, map_type=handler.PROTOCOL_PARSER_MAP_TYPE).parse(
            {
                "method": "POST",
                "values": MultiDict(),
                "headers": Headers(),
                "body": body,
                "url_path": "/",
                "url_params": {},
            }
        )
        handler.access_key = handler.get_access_key()
        handler.current_account = handler.get_current_account()
        mark_account_as_visited(
            account_id=handler.current_account,
            access_key=handler.access_key,
            service="dynamodb",
            region=handler.region,
        )
        try:
            return handler.call_action()
        except HTTPException as error:
            return error.code, error.get_headers(), error.get_body()

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]


# In the order they are applied (the numbers of the package's list).
PATCHES: tuple[Callable[[], None], ...] = (
    _call_task_handlers_directly,  # 26
    _reuse_task_clients,  # 2
    _parse_definitions_once,  # 3
    _lock_free_backend_lookup,  # 10
    _compile_json_paths_once,  # 6
    _cheap_sqs_retention_check,  # 7
    _copy_state_as_json,  # 8
    _skip_stream_images,  # 9
    _query_one_partition,  # 11
    _count_actions_at_the_root,  # 12
    _method_names_once_per_class,  # 13
    _cheap_request_ids,  # 14
    _serialise_dynamodb_items_as_json,  # 15
    _memoise_user_agent_sanitising,  # 16
    _size_new_items_once,  # 17
    _check_overlaps_at_the_root,  # 18
    _memoise_camelcase_conversion,  # 19
    _no_copies_of_results_turned_into_json,  # 20
    _parse_update_expressions_once,  # 21
    _sign_without_signatures,  # 22
    _size_values_in_one_walk,  # 23
    _send_sqs_messages_without_counting_the_queue,  # 24
    _dispatch_dynamodb_directly,  # 25
)
