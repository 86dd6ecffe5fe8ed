"""Queries that every console request makes, written by the ORM once and then run as SQL.

The session, the signed-in user, the current account and the user's roles on it are read on
every console request, and for each of these one-row reads Django spent several times longer
building the QuerySet and compiling it (600 to 1,000 Python calls) than running it. A
`PreparedQuery` has the ORM write the SQL once per database connection (from a function that
builds the QuerySet, given sample values that stand for the real ones), remembers where
those values go among the parameters, and then runs the same SQL with each request's values
through the same cursor (so query counting, wrappers and the database-unavailable answer all
see it), turning rows into model instances or tuples exactly as the QuerySet's iterable
does: the same converters, `from_db`, annotations. tests/selectors/test_prepared.py holds
each query of this kind to the answers of its QuerySet.

Only plain queries qualify: model instances without `select_related`, `values_list` of
fields (named or not), or `exists()`; whose values are ints or strings (passed to the
database as they are). What changes the SQL itself (a LIMIT) is a keyword-only argument of
`build`, given to each call as `shape`: each shape is compiled once (up to SHAPES_KEPT of
them a connection).

The console's fixed reads use it (here, accounts/signin.py, accounts/sessions.py), and so
does the API's (accounts/api/auth.py and callers.py).
"""

import weakref

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    NamedValuesListIterable,
    ValuesListIterable,
)
from django.db.models.utils import create_namedtuple_class

MODELS, ROWS, NAMED, FLAT, EXISTS = "models", "rows", "named", "flat", "exists"
SHAPES_KEPT = 64


class _Compiled:
    __slots__ = (
        "sql",
        "params",
        "slots",
        "kind",
        "col_count",
        "converters",
        "model",
        "model_start",
        "model_end",
        "init_list",
        "annotations",
        "fetch_mode",
        "row_class",
        "distinct",
    )


class PreparedQuery:
    """`build(**values)` returns the QuerySet; `samples` are values of the right types that
    appear nowhere else in the query (each must turn up exactly once among its parameters).
    `exists=True` asks `exists()` of it. Call it with the real values."""

    def __init__(self, build, *, exists=False, **samples):
        for name, sample in samples.items():
            if type(sample) not in (int, str):
                raise ImproperlyConfigured(f"{name}: only int and str values can be prepared.")
        self._build = build
        self._exists = exists
        self._samples = samples
        # Per connection (one per database and thread): the converters a compiler picks
        # belong to its connection's backend.
        self._compiled = weakref.WeakKeyDictionary()
        self._model = None

    def _compile(self, using, shape):
        queryset = self._build(**self._samples, **shape)
        if self._exists:
            query, kind = queryset.query.exists(), EXISTS
        else:
            query = queryset.query
            kind = {
                ModelIterable: MODELS,
                ValuesListIterable: ROWS,
                NamedValuesListIterable: NAMED,
                FlatValuesListIterable: FLAT,
            }.get(queryset._iterable_class)
            if kind is None:
                raise ImproperlyConfigured("Only models, values_list and exists are prepared.")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        compiled = _Compiled()
        compiled.sql, compiled.params, compiled.kind = sql, list(params), kind
        compiled.slots = []
        for name, sample in self._samples.items():
            positions = [
                i
                for i, param in enumerate(params)
                if type(param) is type(sample) and param == sample
            ]
            if len(positions) != 1:
                raise ImproperlyConfigured(
                    f"The sample for {name} appears {len(positions)} times in the parameters."
                )
            compiled.slots.append((positions[0], name))
        compiled.col_count = compiler.col_count
        compiled.distinct = bool(query.distinct)
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ImproperlyConfigured("Composite fields are not prepared.")
        compiled.converters = list(compiler.get_converters(fields).items())
        compiled.fetch_mode = queryset._fetch_mode
        if compiled.fetch_mode.track_peers:
            raise ImproperlyConfigured("Fetch modes that track peers are not prepared.")
        if kind == MODELS:
            klass_info = compiler.klass_info
            if klass_info.get("related_klass_infos") or queryset._known_related_objects:
                raise ImproperlyConfigured("Related objects are not prepared.")
            select_fields = klass_info["select_fields"]
            compiled.model = klass_info["model"]
            compiled.model_start, compiled.model_end = select_fields[0], select_fields[-1] + 1
            compiled.init_list = [
                selected[0].target.attname
                for selected in compiler.select[compiled.model_start : compiled.model_end]
            ]
            compiled.annotations = list(compiler.annotation_col_map.items())
        elif kind in (ROWS, NAMED) and (queryset._fields or kind == NAMED):
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            if queryset._fields and list(queryset._fields) != names:
                raise ImproperlyConfigured("values_list in the order of the query only.")
            if kind == NAMED:
                compiled.row_class = create_namedtuple_class(*names)
        return compiled

    def _compiled_for(self, using, shape):
        """(connection, its compiled query for this shape), compiling it the first time."""
        if using is None:
            if self._model is None:
                self._model = self._build(**self._samples, **shape).model
            using = router.db_for_read(self._model)
        connection = connections[using]
        shapes = self._compiled.get(connection)
        if shapes is None:
            shapes = self._compiled[connection] = {}
        key = tuple(sorted(shape.items()))
        compiled = shapes.get(key)
        if compiled is None:
            if len(shapes) >= SHAPES_KEPT:
                shapes.clear()
            compiled = shapes[key] = self._compile(using, shape)
        return connection, compiled

    @staticmethod
    def _params(compiled, values):
        params = compiled.params.copy()
        for position, name in compiled.slots:
            params[position] = values[name]
        return params

    def __call__(self, *, using=None, shape=None, **values):
        connection, compiled = self._compiled_for(using, shape or {})
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, self._params(compiled, values))
            rows = cursor.fetchmany(1) if compiled.kind == EXISTS else cursor.fetchall()
        return self._result(compiled, rows, connection)

    def _result(self, compiled, rows, connection):
        if compiled.kind == EXISTS:
            return bool(rows)
        if compiled.converters or len(rows[0] if rows else ()) != compiled.col_count:
            rows = [self._convert(compiled, row, connection) for row in rows]
        if compiled.kind == FLAT:
            return [row[0] for row in rows]
        if compiled.kind == ROWS:
            return [tuple(row) for row in rows]
        if compiled.kind == NAMED:
            new, row_class = tuple.__new__, compiled.row_class
            return [new(row_class, row) for row in rows]
        return [self._instance(compiled, row, connection.alias) for row in rows]

    def first(self, **values):
        """The first instance or row, or None (put the LIMIT in the QuerySet)."""
        found = self(**values)
        return found[0] if found else None

    @staticmethod
    def _convert(compiled, row, connection):
        row = list(row[: compiled.col_count])
        for position, (converters, expression) in compiled.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row

    @staticmethod
    def _instance(compiled, row, using):
        instance = compiled.model.from_db(
            using,
            compiled.init_list,
            row[compiled.model_start : compiled.model_end],
            fetch_mode=compiled.fetch_mode,
        )
        for name, position in compiled.annotations:
            setattr(instance, name, row[position])
        return instance


def read_together(*reads, using=None):
    """The first row of each read (a `PreparedQuery` and its values, each returning at most
    one row) from a single statement: one round trip instead of one a read. Each read's SQL
    is its own, unchanged, as a derived table left-joined to a row that is always there, so
    that a read finding nothing is None and takes nothing from the others. The statement is
    the same on every call (its parameters change), so the database prepares it once."""
    used, sql, params = _joined(reads, using)
    with used[0][0].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _firsts(used, row)


def read_together_with_rows(*reads, rows, using=None):
    """As `read_together`, and every row of `rows` (a `PreparedQuery`, its values and its
    shape: a read of any number of rows) in the same statement: (the first row of each
    read, what `rows` returns on its own). Its SQL, unchanged, is joined last, its rows
    numbered in the order it gives them (ROW_NUMBER over its own ordered result) and the
    statement ordered by that number; each row of the statement repeats the reads' columns
    (so keep `rows` short: a few dozen)."""
    query, values, shape = rows
    used, sql, params = _joined(reads, using)
    connection, compiled = query._compiled_for(using, shape)
    _check_joinable(connection, compiled, used)
    number = len(used)
    sql += (
        f" LEFT JOIN (SELECT ROW_NUMBER() OVER () AS position, q{number}.* FROM"
        f" ({compiled.sql}) q{number}) r{number} ON 1 = 1 ORDER BY r{number}.position"
    )
    params += query._params(compiled, values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    start = 1 + sum(1 + part_compiled.col_count for _, _, part_compiled in used)
    own = [row[start + 1 : start + 1 + compiled.col_count] for row in found if row[start]]
    return _firsts(used, found[0]), query._result(compiled, own, connection)


def _check_joinable(connection, compiled, used):
    if compiled.kind not in (MODELS, ROWS, NAMED, FLAT):
        raise ImproperlyConfigured("Only rows are read together.")
    if compiled.distinct:  # DISTINCT may select more columns than it returns
        raise ImproperlyConfigured("DISTINCT reads are not read together.")
    if used and connection is not used[0][0]:
        raise ImproperlyConfigured("Reads together must be of one database.")


def _joined(reads, using):
    """([(connection, query, compiled)] of the reads, the statement joining them, its
    parameters)."""
    parts, params, used = [], [], []
    for number, (query, values) in enumerate(reads):
        connection, compiled = query._compiled_for(using, {})
        _check_joinable(connection, compiled, used)
        parts.append(
            f" LEFT JOIN (SELECT 1 AS found, q{number}.* FROM ({compiled.sql}) q{number})"
            f" r{number} ON 1 = 1"
        )
        params += query._params(compiled, values)
        used.append((connection, query, compiled))
    return used, "SELECT * FROM (SELECT 1 AS one) start" + "".join(parts), params


def _firsts(used, row):
    found, start = [], 1
    for connection, query, compiled in used:
        # `found`, then the read's own columns (as many as it selects: no DISTINCT extras).
        width = compiled.col_count
        own = row[start + 1 : start + 1 + width]
        found.append(None if row[start] is None else query._result(compiled, [own], connection)[0])
        start += 1 + width
    return found
