"""Indexes for searching a parent's subaccounts on PostgreSQL (a no-op on SQLite, where the
search stays a plain LIKE).

- `account_search_trgm_idx`: a GIN index over (parent, UPPER(friendly_name)) with pg_trgm's
  operators (btree_gin lets the parent sit in the same index), so that
  `parent_id = … AND UPPER(friendly_name) LIKE UPPER('%…%')` reads only the matching rows of
  that family instead of scanning the table.
- `account_sid_pattern_idx`: the SID with pattern operators, for the prefix match of a query
  that looks like a SID (`sid LIKE 'AC12%'`) whatever the database's collation.

They are created here rather than declared on the model because SQLite has neither."""

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations

# Written out: Django's GinIndex cannot combine a column with an OpClass expression (it
# parenthesises the pair). UPPER(...) is what `icontains` compares on PostgreSQL.
CREATE = [
    "CREATE INDEX account_search_trgm_idx ON accounts_account"
    " USING gin (parent_id, UPPER(friendly_name) gin_trgm_ops)",
    "CREATE INDEX account_sid_pattern_idx ON accounts_account (sid varchar_pattern_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS account_search_trgm_idx",
    "DROP INDEX IF EXISTS account_sid_pattern_idx",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


create_indexes = _run_on_postgresql(CREATE)
drop_indexes = _run_on_postgresql(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_money_trials_transfers_deletion"),
    ]

    operations = [
        TrigramExtension(),
        BtreeGinExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
