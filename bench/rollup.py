"""The monthly usage roll-up (`UsageMonth`) of a family whose daily rows a benchmark wrote
straight into the database: made from them by the database itself, as the charges keep it
(each account's rows by category and in total, the family's total row with its count of
accounts). SQLite and PostgreSQL."""

from django.db import connection

from accounts.models import Account, UsageDay, UsageMonth
from accounts.models.usage import TOTAL_PRICE


def usage_months_seed(parent):
    """Made again from all the family's daily rows (those its charges wrote, its numbers',
    kept their monthly rows too)."""
    month = (
        "date_trunc('month', day.day)::date"
        if connection.vendor == "postgresql"
        else "date(day.day, 'start of month')"
    )
    insert = f"""
        INSERT INTO {UsageMonth._meta.db_table}
            (account_id, incurred_by_sid, incurred_by_name, main_account_id, family, is_main,
             name, category, month, count, usage, price, accounts)
    """
    own = f"""
        SELECT day.account_id, day.incurred_by_sid, day.incurred_by_name, day.main_account_id,
               FALSE, day.account_id = day.main_account_id,
               COALESCE(account.friendly_name, day.incurred_by_name), {{category}}, {month},
               SUM(day.count), SUM(day.usage), SUM(day.price), 0
        FROM {UsageDay._meta.db_table} AS day
        LEFT JOIN {Account._meta.db_table} AS account ON account.id = day.account_id
        WHERE day.main_account_id = %s AND NOT day.family
        GROUP BY day.account_id, day.incurred_by_sid, day.incurred_by_name,
                 day.main_account_id, account.friendly_name, {{group}} {month}
    """
    table = UsageMonth._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE main_account_id = %s", [parent.pk])
        cursor.execute(
            insert + own.format(category="day.category", group="day.category,"), [parent.pk]
        )
        cursor.execute(insert + own.format(category=f"'{TOTAL_PRICE}'", group=""), [parent.pk])
        cursor.execute(
            insert
            + f"""SELECT %s, '', '', %s, TRUE, TRUE, '', '{TOTAL_PRICE}', month,
                   SUM(count), SUM(usage), SUM(price), COUNT(*)
            FROM {table}
            WHERE main_account_id = %s AND NOT family AND category = '{TOTAL_PRICE}'
            GROUP BY month""",
            [parent.pk, parent.pk, parent.pk],
        )
