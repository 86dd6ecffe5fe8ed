"""Queries that every API request runs, compiled once instead of on every request.

Building and compiling a queryset costs Python about a thousand calls (a filter, the SQL of
38 columns, their converters), far more than running it; for the caller's own account, which
every request reads, that was a fifth of a whole fetch. A `PreparedQuery` is a queryset built
once with placeholder values: its SQL, the positions of its parameters, its columns and their
converters are kept (per thread, as Django keeps connections), and each call only executes the
SQL with the real values and builds the instances as the ORM would (`Model.from_db`, or the
rows of `values_list(named=True)`, with the same converters). Only what the ORM would compile
to the same SQL whatever the values fits: `exact` lookups on the placeholders, one model's own
columns (no select_related, extra or annotations); anything else is refused when it is first
compiled. What changes the SQL itself (a LIMIT) is a keyword-only argument of `build`, given
to every call; each of its values is compiled once (up to SHAPES_KEPT of them).
"""

import threading

from django.db import connections
from django.db.models.query import NamedValuesListIterable
from django.db.models.utils import create_namedtuple_class

SHAPES_KEPT = 64


class PreparedQuery:
    """`build(**placeholders, **shape)` returns the queryset; `placeholders` are values no
    real parameter takes, each appearing once among the compiled SQL's parameters, and
    passed as the database takes them (a primary key, not an instance).

        ACCOUNT_BY_SID = PreparedQuery(
            lambda sid: Account.objects.filter(sid=sid).order_by()[:1], sid="AC-sid-"
        )
        ACCOUNT_BY_SID.first(sid=sid)  # an Account or None
    """

    def __init__(self, build, **placeholders):
        self._build = build
        self._placeholders = placeholders
        if len({*placeholders.values()}) != len(placeholders):
            raise ValueError("Each placeholder needs a value of its own.")
        self._local = threading.local()

    def _compiled(self, shape):
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        key = tuple(sorted(shape.items()))
        compiled = cache.get(key)
        if compiled is not None and connections[compiled.alias] is compiled.connection:
            return compiled
        compiled = _Compiled(self._build(**self._placeholders, **shape))
        names = {value: name for name, value in self._placeholders.items()}
        try:
            compiled.parameters = [names[value] for value in compiled.placeholder_params]
        except (KeyError, TypeError):
            raise ValueError(f"Parameters other than the placeholders: {compiled.sql}") from None
        if sorted(compiled.parameters) != sorted(self._placeholders):
            raise ValueError(f"Each placeholder must appear once: {compiled.sql}")
        if len(cache) >= SHAPES_KEPT:
            cache.clear()
        cache[key] = compiled
        return compiled

    def all(self, *, shape=None, **values):
        """The instances (or rows), in the queryset's order; `shape` holds the keyword-only
        arguments of `build`."""
        compiled = self._compiled(shape or {})
        params = [values[name] for name in compiled.parameters]
        with compiled.connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return compiled.instances(rows)

    def first(self, **values):
        """The first instance, or None (put the LIMIT in the queryset)."""
        instances = self.all(**values)
        return instances[0] if instances else None


class _Compiled:
    def __init__(self, queryset):
        query = queryset.query
        if query.select_related or query.extra_select or query.annotation_select:
            raise ValueError("Only a model's own columns can be prepared.")
        # Whole instances, or named rows of the columns asked for, in their order.
        self.row_class = None
        if query.values_select:
            if queryset._iterable_class is not NamedValuesListIterable or (
                tuple(queryset._fields) != tuple(query.values_select)
            ):
                raise ValueError("Only values_list(named=True) rows can be prepared.")
            self.row_class = create_namedtuple_class(*query.values_select)
        self.alias = queryset.db
        self.connection = connections[self.alias]
        compiler = query.get_compiler(using=self.alias)
        self.sql, self.placeholder_params = compiler.as_sql()
        self.model = queryset.model
        if self.row_class is None:
            self.attnames = [column.target.attname for column, _, _ in compiler.select]
        # {position: (converters, expression)}, as the ORM applies them (none on PostgreSQL
        # for these columns; SQLite's dates, decimals and booleans).
        self.converters = list(
            compiler.get_converters([column for column, _, _ in compiler.select]).items()
        )

    def instances(self, rows):
        if self.converters:
            rows = [self._convert(row) for row in rows]
        if self.row_class is not None:
            new, row_class = tuple.__new__, self.row_class
            return [new(row_class, row) for row in rows]
        model, alias, attnames = self.model, self.alias, self.attnames
        return [model.from_db(alias, attnames, row) for row in rows]

    def _convert(self, row):
        row = list(row)
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, self.connection)
            row[position] = value
        return row
